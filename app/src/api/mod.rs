//! Server functions: thin. Each one finds its caller, calls the domain, maps the result.
//! Endpoints are fixed (`/api/...`) so they are stable for tests and clients.
pub mod accounts;
pub mod apps;
pub mod email_links;
pub mod profile;
pub mod team;
pub mod webhooks;
