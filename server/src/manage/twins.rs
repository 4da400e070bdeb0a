//! Every dashboard action has a management-API twin, or a reason it has none: this test walks
//! the server functions the dashboard registers and finds each one's REST operation in the
//! generated OpenAPI document, so the two surfaces cannot drift apart (issue 17).
use utoipa::OpenApi;

use super::ApiDoc;

enum Twin {
    Rest(&'static str, &'static str),
    /// Not for a team API key, and why.
    None(&'static str),
}
use Twin::{None as Exempt, Rest};

const PERSONAL: &str = "acts for the signed-in person, not a team";
const DASHBOARD: &str = "a page's own data, whose parts the API already has";
const SIGN_IN_RULE: &str =
    "a rule about how people sign in, set by an Administrator who has a second factor; keys do not sign in";
const DEV_MAILBOX: &str = "development only: the mail a server without SMTP wrote to its disk";

/// Server function endpoint (under `/api/`) → its management operation.
const TWINS: &[(&str, Twin)] = &[
    (
        "accounts/check",
        Rest("post", "/manage/v1/accounts/{account_id}/check"),
    ),
    (
        "accounts/delete",
        Rest("delete", "/manage/v1/accounts/{account_id}"),
    ),
    (
        "accounts/detail",
        Rest("get", "/manage/v1/accounts/{account_id}"),
    ),
    (
        "apps/accounts",
        Rest("get", "/manage/v1/apps/{app_id}/accounts"),
    ),
    (
        "apps/accounts/delete",
        Rest("delete", "/manage/v1/apps/{app_id}/accounts/{account_id}"),
    ),
    (
        "apps/custom_providers/save",
        Rest(
            "put",
            "/manage/v1/apps/{app_id}/registrations/{service_type}",
        ),
    ),
    ("apps/delete", Rest("delete", "/manage/v1/apps/{app_id}")),
    ("apps/detail", Rest("get", "/manage/v1/apps/{app_id}")),
    (
        "apps/end_users",
        Rest("get", "/manage/v1/apps/{app_id}/end-users"),
    ),
    (
        "apps/registrations",
        Rest("get", "/manage/v1/apps/{app_id}/registrations"),
    ),
    (
        "apps/registrations/remove",
        Rest(
            "delete",
            "/manage/v1/apps/{app_id}/registrations/{service_type}",
        ),
    ),
    (
        "apps/registrations/enable",
        Rest(
            "put",
            "/manage/v1/apps/{app_id}/registrations/{service_type}",
        ),
    ),
    (
        "apps/registrations/save",
        Rest(
            "put",
            "/manage/v1/apps/{app_id}/registrations/{service_type}",
        ),
    ),
    ("apps/rename", Rest("patch", "/manage/v1/apps/{app_id}")),
    (
        "apps/return_urls/add",
        Rest("post", "/manage/v1/apps/{app_id}/return-urls"),
    ),
    (
        "apps/return_urls/remove",
        Rest("delete", "/manage/v1/apps/{app_id}/return-urls/{url_id}"),
    ),
    (
        "apps/secrets/revoke",
        Rest("delete", "/manage/v1/apps/{app_id}/secrets/{secret_id}"),
    ),
    (
        "apps/secrets/rotate",
        Rest("post", "/manage/v1/apps/{app_id}/secrets"),
    ),
    (
        "apps/signing_secret",
        Rest("get", "/manage/v1/apps/{app_id}/signing-secret"),
    ),
    (
        "apps/signing_secret/regenerate",
        Rest("post", "/manage/v1/apps/{app_id}/signing-secret"),
    ),
    (
        "apps/trusted_domains",
        Rest("get", "/manage/v1/apps/{app_id}/trusted-domains"),
    ),
    (
        "apps/trusted_domains/add",
        Rest("post", "/manage/v1/apps/{app_id}/trusted-domains"),
    ),
    (
        "apps/trusted_domains/remove",
        Rest(
            "delete",
            "/manage/v1/apps/{app_id}/trusted-domains/{domain_id}",
        ),
    ),
    (
        "apps/connect_links/create",
        Exempt("a test link for the developer; apps make theirs with POST /v1/connect/sessions"),
    ),
    (
        "apps/try",
        Exempt("the dashboard's Sandbox try page reads its own return URL"),
    ),
    (
        "apps/webhooks",
        Rest("get", "/manage/v1/apps/{app_id}/webhooks"),
    ),
    (
        "apps/webhooks/add",
        Rest("post", "/manage/v1/apps/{app_id}/webhooks"),
    ),
    (
        "apps/webhooks/deliveries",
        Rest("get", "/manage/v1/apps/{app_id}/webhook-deliveries"),
    ),
    (
        "apps/webhooks/enable",
        Rest("patch", "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}"),
    ),
    (
        "apps/webhooks/redeliver",
        Rest(
            "post",
            "/manage/v1/apps/{app_id}/webhook-deliveries/{delivery_id}/redeliver",
        ),
    ),
    (
        "apps/webhooks/remove",
        Rest("delete", "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}"),
    ),
    (
        "apps/webhooks/test",
        Rest(
            "post",
            "/manage/v1/apps/{app_id}/webhooks/{endpoint_id}/test",
        ),
    ),
    ("apps/wildcards", Rest("patch", "/manage/v1/apps/{app_id}")),
    ("invites/accept", Exempt(PERSONAL)),
    ("dev/mail", Exempt(DEV_MAILBOX)),
    ("email/change/preview", Exempt(PERSONAL)),
    ("email/reset/preview", Exempt(PERSONAL)),
    ("email/verification/preview", Exempt(PERSONAL)),
    ("invites/preview", Exempt(PERSONAL)),
    ("profile/email", Exempt(PERSONAL)),
    ("profile/new_sign_in_mail", Exempt(PERSONAL)),
    ("profile/password", Exempt(PERSONAL)),
    ("profile/two_factor/begin", Exempt(PERSONAL)),
    ("profile/two_factor/confirm", Exempt(PERSONAL)),
    ("profile/two_factor/disable", Exempt(PERSONAL)),
    ("profile/two_factor/setup", Exempt(PERSONAL)),
    ("team/two_factor", Exempt(SIGN_IN_RULE)),
    ("profile/rename", Exempt(PERSONAL)),
    ("profile/sessions", Exempt(PERSONAL)),
    ("profile/sessions/end_others", Exempt(PERSONAL)),
    ("profile/verification/resend", Exempt(PERSONAL)),
    ("team/accounts", Rest("get", "/manage/v1/accounts")),
    ("team/api_keys", Rest("get", "/manage/v1/api-keys")),
    (
        "team/api_keys/create",
        Exempt("a key is vouched for by the person who makes it; keys do not make keys"),
    ),
    (
        "team/api_keys/revoke",
        Rest("delete", "/manage/v1/api-keys/{key_id}"),
    ),
    ("team/apps", Rest("get", "/manage/v1/apps")),
    ("team/apps/create", Rest("post", "/manage/v1/apps")),
    (
        "team/apps/grant",
        Rest("put", "/manage/v1/apps/{app_id}/grants/{user_id}"),
    ),
    ("team/audit", Rest("get", "/manage/v1/audit")),
    ("team/invites", Rest("get", "/manage/v1/invites")),
    ("team/invites/create", Rest("post", "/manage/v1/invites")),
    (
        "team/invites/revoke",
        Rest("delete", "/manage/v1/invites/{invite_id}"),
    ),
    ("team/leave", Exempt(PERSONAL)),
    ("team/members", Rest("get", "/manage/v1/members")),
    (
        "team/members/remove",
        Rest("delete", "/manage/v1/members/{user_id}"),
    ),
    (
        "team/members/role",
        Rest("patch", "/manage/v1/members/{user_id}"),
    ),
    ("team/onboarding", Exempt(DASHBOARD)),
    (
        "team/transfer",
        Exempt("ownership is handed over by the Owner in person, never by a key"),
    ),
    ("teams", Exempt(PERSONAL)),
    ("teams/create", Exempt(PERSONAL)),
    ("teams/rename", Rest("patch", "/manage/v1/team")),
    ("teams/switch", Exempt(PERSONAL)),
];

#[test]
fn every_dashboard_action_has_its_rest_twin_or_a_reason() {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    assert!(
        registered.len() > 40,
        "the server functions are registered: {registered:?}"
    );
    let mut missing = Vec::new();
    for endpoint in &registered {
        match TWINS.iter().find(|(e, _)| e == endpoint) {
            None => missing.push(format!("{endpoint}: no entry")),
            Some((_, Rest(method, path))) => {
                if doc["paths"][path][method].is_null() {
                    missing.push(format!(
                        "{endpoint}: {method} {path} is not in the document"
                    ));
                }
            }
            Some((_, Exempt(reason))) => assert!(!reason.is_empty()),
        }
    }
    for (endpoint, _) in TWINS {
        if !registered.iter().any(|r| r == endpoint) {
            missing.push(format!(
                "{endpoint}: listed here but no such server function"
            ));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
