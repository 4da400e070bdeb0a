//! The `/v1` wire API in the OpenAPI document, next to `/manage/v1`: the operations apps
//! call (aurinko-openapi-auth.yaml's shapes), with their security schemes. Where Linkgate
//! extends or reads the contract its own way, the operation's description says so.
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every error: ApiRequestFailed's shape.
#[derive(ToSchema)]
#[schema(as = ApiRequestFailed)]
#[allow(dead_code)]
pub struct WireError {
    /// What is wrong, as `field.invalid` or a fixed code (`token.dead`, `rate_limited`…).
    code: String,
    /// In plain words; never a secret.
    message: String,
    #[schema(rename = "requestId", format = "uuid")]
    request_id: String,
}

/// `{"status": "Ok"}`.
#[derive(ToSchema)]
#[schema(as = OkResponse)]
#[allow(dead_code)]
pub struct OkOut {
    #[schema(example = "Ok")]
    status: String,
}

/// An account and its platform token (TokenResponse / AccountSaveResult).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenOut {
    #[schema(rename = "accountId")]
    account_id: i64,
    #[schema(rename = "accessToken")]
    access_token: String,
}

/// PreparedAuthToken: a single-use token (10 minutes) for an authorize endpoint's `token`.
#[derive(ToSchema)]
#[schema(as = PreparedAuthToken)]
#[allow(dead_code)]
pub struct PreparedOut {
    token: String,
}

#[derive(OpenApi)]
#[openapi(
    paths(
        super::auth::authorize, super::auth::authorize_user, super::auth::authorize_daemon,
        super::auth::callback, super::auth::prepare, super::auth::exchange,
        super::account::get, super::account::delete, super::account::delete_token,
        super::am::application, super::am::oauth_regs, super::am::accounts,
        super::am::svc_accounts, super::am::upsert_svc_account, super::am::create_managed,
        super::am::account, super::am::delete_account,
        super::account_import::upsert, super::account_import::check,
        super::user::me, super::user::accounts, super::user::account,
        super::user::delete_account, super::user::logout, super::user::settings,
        super::user::copy_as_managed
    ),
    modifiers(&WireSchemes),
    tags((name = "hosted flows"), (name = "account"), (name = "accounts management"), (name = "user"))
)]
pub struct WireDoc;

struct WireSchemes;

impl Modify for WireSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "AppAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("the application's client id and secret"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "AccountToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("an account's platform token (`lga_…`)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "UserSession",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Aurinko-Session"))),
        );
        components.add_security_scheme(
            "UserSessionCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "AUR<application id>",
                "the end user's session cookie, with X-Aurinko-Client-Id",
            ))),
        );
    }
}
