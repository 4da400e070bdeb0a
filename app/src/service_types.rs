//! The services the pages offer by name (filters, the registration form); the catalog
//! (`domain::catalog`, server-only) holds what each one is; its test keeps the two equal.

/// Providers registered with an OAuth client of the application's own.
pub const OAUTH_SERVICES: [&str; 5] = ["Google", "Office365", "Zoho", "Salesforce", "Hubspot"];
/// Services signed in through the hosted password form.
pub const PASSWORD_SERVICES: [&str; 3] = ["SugarCRM", "EWS", "IMAP"];
/// Zoho's data centers as a registration names them (`data_centers` in the catalog).
pub const ZOHO_DATA_CENTERS: [&str; 9] = [
    "com", "eu", "in", "com.au", "jp", "ca", "uk", "sa", "com.cn",
];
/// Every built-in service, for filters: the above and the Sandbox.
pub const SERVICE_TYPES: [&str; 9] = [
    "Google",
    "Office365",
    "Zoho",
    "Salesforce",
    "Hubspot",
    "SugarCRM",
    "EWS",
    "IMAP",
    "Sandbox",
];
