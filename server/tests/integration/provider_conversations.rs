//! Issue 16: each provider as its documentation says it behaves, played by a local stand-in
//! (`common::stand_in`) that checks every request Linkgate sends against that contract and
//! answers as documented, errors included. The registrations point their endpoints at the
//! stand-in, as a deployment may point them at a test or sovereign-cloud server.
use crate::common::flow::{account, app_get, app_post, get, location, param, FlowApp};
use crate::common::stand_in::{back_with_code, Reply, Script, Seen, StandIn};
use crate::common::{plain_client, Backend, Fixture};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use url::Url;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The end user's way through a hosted flow: Linkgate → the stand-in's authorize endpoint
/// → Linkgate's callback → the app's return URL.
async fn through(base: &str, app: &FlowApp, service: &str, extra: &[(&str, &str)]) -> Url {
    let r = get(&app.authorize_url(base, service, extra)).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let at_provider = location(&r);
    let r = plain_client()
        .get(at_provider.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let r = get(location(&r).as_str()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

/// A whole flow exchanged: `(accountId, accessToken)`.
async fn connect(
    base: &str,
    app: &FlowApp,
    service: &str,
    extra: &[(&str, &str)],
) -> (i64, String) {
    let back = through(base, app, service, extra).await;
    assert_eq!(param(&back, "status").as_deref(), Some("success"), "{back}");
    let r = app.exchange(base, &param(&back, "code").unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let j: Value = r.json().await.unwrap();
    (
        j["accountId"].as_i64().unwrap(),
        j["accessToken"].as_str().unwrap().to_owned(),
    )
}

async fn account_json(base: &str, token: &str, query: &str) -> (StatusCode, Value) {
    let r = account(base, token, query).await;
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn token_status(base: &str, app: &FlowApp, id: i64) -> String {
    let j: Value = app_get(base, app, &format!("/v1/am/accounts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    j["tokenStatus"].as_str().unwrap_or_default().to_owned()
}

/// Zoho: errors arrive as HTTP 200 with `error`; client credentials in the form body; scopes
/// comma-separated; revocation with `?token=`.
/// https://www.zoho.com/accounts/protocol/oauth/web-apps/authorization.html,
/// https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token.html,
/// https://www.zoho.com/accounts/protocol/oauth/web-apps/access-token-expiry.html,
/// https://www.zoho.com/accounts/protocol/oauth/use-access-token.html,
/// https://www.zoho.com/crm/developer/docs/api/v8/revoke-tokens.html
struct Zoho {
    grant_gone: Arc<AtomicBool>,
    refreshes: u32,
}

impl Script for Zoho {
    fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
        let error = |code: &str| Reply::Json(200, json!({ "error": code }));
        if s.is("GET", "/oauth/v2/auth") {
            if s.query("access_type") != "offline" || s.query("prompt") != "consent" {
                broken.push("authorize without access_type=offline&prompt=consent".into());
            }
            let scope = s.query("scope");
            let scopes: Vec<&str> = scope.split(',').collect();
            if scope.contains(' ')
                || !scopes.contains(&"ZohoMail.messages.READ")
                || !scopes.contains(&"ZohoMail.accounts.READ")
                || !scopes.contains(&"AaaServer.profile.Read")
            {
                broken.push(format!("authorize scope {scope:?}"));
            }
            return back_with_code(
                s,
                "zoho-code",
                &[
                    ("accounts-server", "https://accounts.zoho.eu"),
                    ("location", "eu"),
                ],
            );
        }
        if s.is("POST", "/oauth/v2/token") {
            if s.authorization.is_some()
                || s.form("client_id") != "zoho-client"
                || s.form("client_secret") != "zoho-secret"
            {
                broken.push("token request without the client in its body".into());
                return error("invalid_client");
            }
            return match s.form("grant_type") {
                "authorization_code" if s.form("code") == "zoho-code" => Reply::Json(
                    200,
                    json!({ "access_token": "zoho-at-0", "refresh_token": "zoho-rt", "api_domain": "https://www.zohoapis.eu", "token_type": "Bearer", "expires_in": 60 }),
                ),
                "refresh_token"
                    if s.form("refresh_token") == "zoho-rt"
                        && !self.grant_gone.load(Ordering::SeqCst) =>
                {
                    self.refreshes += 1;
                    Reply::Json(
                        200,
                        json!({ "access_token": format!("zoho-at-{}", self.refreshes), "api_domain": "https://www.zohoapis.eu", "token_type": "Bearer", "expires_in": 60 }),
                    )
                }
                "authorization_code" | "refresh_token" => error("invalid_code"),
                other => {
                    broken.push(format!("grant_type {other:?}"));
                    error("unsupported_grant_type")
                }
            };
        }
        if s.is("GET", "/oauth/user/info") {
            if !s
                .authorization
                .as_deref()
                .is_some_and(|a| a.starts_with("Bearer zoho-at-"))
            {
                broken.push("user info without the access token".into());
                return Reply::Status(401);
            }
            return Reply::Json(
                200,
                json!({ "ZUID": 90001, "Email": "ana@zoho.example", "Display_Name": "Ana Zoho" }),
            );
        }
        if s.is("POST", "/oauth/v2/token/revoke") {
            if s.query("token") != "zoho-rt" || !s.form.is_empty() {
                broken.push("revocation not as ?token=<refresh token>".into());
                return Reply::Status(400);
            }
            return Reply::Json(200, json!({ "status": "success" }));
        }
        broken.push(format!("{} {} is not a Zoho endpoint", s.method, s.path));
        Reply::Status(404)
    }
}

async fn zoho_conversation(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let grant_gone = Arc::new(AtomicBool::new(false));
    let zoho = StandIn::start(Zoho {
        grant_gone: grant_gone.clone(),
        refreshes: 0,
    })
    .await;
    let z = &zoho.base;
    let mut app = FlowApp::create(&base, "Zoho app").await;
    app.save_registration(&[
        ("service_type", "Zoho"),
        ("client_id", "zoho-client"),
        ("client_secret", "zoho-secret"),
        ("scopes", "Mail.Read"),
        ("data_center", "ca"),
        ("authorize_url", &format!("{z}/oauth/v2/auth")),
        ("token_url", &format!("{z}/oauth/v2/token")),
        ("userinfo_url", &format!("{z}/oauth/user/info")),
        ("revoke_url", &format!("{z}/oauth/v2/token/revoke")),
    ])
    .await;

    // The callback names the EU data center, but this registration's endpoints are its own
    // server: everything still goes there (only Zoho's own hosts are data centers).
    let (id, token) = connect(&base, &app, "Zoho", &[]).await;
    let (status, me) = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "ana@zoho.example");
    assert_eq!(me["authUserId"], "90001");
    assert_eq!(
        me["providerAuth"]["accessToken"], "zoho-at-1",
        "refreshed: 60 s left"
    );
    assert_eq!(me["providerAuth"]["apiDomain"], "https://www.zohoapis.eu");

    // The user removes the app at Zoho: the refresh answers 200 {"error":"invalid_code"}.
    grant_gone.store(true, Ordering::SeqCst);
    let (status, _) = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(token_status(&base, &app, id).await, "dead");
    let asked = zoho.count("POST", "/oauth/v2/token");
    let _ = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(
        zoho.count("POST", "/oauth/v2/token"),
        asked,
        "a dead grant is not asked again (Zoho allows 10 token requests in 10 minutes)"
    );

    // Revoking a live account: `?token=` with the refresh token.
    grant_gone.store(false, Ordering::SeqCst);
    let (_, second) = connect(&base, &app, "Zoho", &[]).await;
    let r = plain_client()
        .delete(format!("{base}/v1/account/token"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(zoho.count("POST", "/oauth/v2/token/revoke"), 1);
    assert_eq!(zoho.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(zoho_conversation);

/// HubSpot's 2026-03 OAuth API: the client in the form body, identity from introspection,
/// and nothing at the v1 endpoints (shut off on 2027-02-16).
/// https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/token-introspect,
/// https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide
struct Hubspot {
    /// The hub each consent is given in, in turn (one user, two hubs).
    hubs: Vec<u32>,
}

impl Script for Hubspot {
    fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
        if s.path.starts_with("/oauth/v1/") {
            broken.push(format!("{} {}: a v1 endpoint", s.method, s.path));
            return Reply::Status(404);
        }
        let invalid = || {
            Reply::Json(
                400,
                json!({ "status": "error", "category": "VALIDATION_ERROR", "message": "Token is invalid" }),
            )
        };
        if s.is("GET", "/oauth/authorize") {
            if !s.query("scope").split(' ').any(|x| x == "oauth") {
                broken.push(format!("authorize scope {:?}", s.query("scope")));
            }
            let hub = self.hubs.remove(0);
            return back_with_code(s, &format!("hub-code-{hub}"), &[]);
        }
        let client_in_body = s.authorization.is_none()
            && s.form("client_id") == "hub-client"
            && s.form("client_secret") == "hub-secret";
        if s.method == "POST" && s.path.starts_with("/oauth/2026-03/token") && !client_in_body {
            broken.push(format!("{}: the client not in the form body", s.path));
            return invalid();
        }
        if s.is("POST", "/oauth/2026-03/token") {
            let hub = match s.form("grant_type") {
                "authorization_code" => s.form("code").strip_prefix("hub-code-"),
                "refresh_token" => s.form("refresh_token").strip_prefix("hub-rt-"),
                _ => None,
            };
            return match hub {
                Some(hub) => Reply::Json(
                    200,
                    json!({ "access_token": format!("hub-at-{hub}"), "refresh_token": format!("hub-rt-{hub}"), "expires_in": 1800, "token_type": "bearer" }),
                ),
                None => invalid(),
            };
        }
        if s.is("POST", "/oauth/2026-03/token/introspect") {
            return match s.form("token").strip_prefix("hub-at-") {
                Some(hub) => Reply::Json(
                    200,
                    json!({ "token_use": "access_token", "active": true, "token": s.form("token"), "hub_id": hub.parse::<u32>().unwrap_or(0), "user_id": 42, "client_id": "hub-client", "app_id": 7, "scopes": ["oauth"], "expires_in": 1700, "token_type": "BEARER", "user": "sam@hub.example", "hub_domain": format!("{hub}.example") }),
                ),
                None => invalid(),
            };
        }
        if s.is("POST", "/oauth/2026-03/token/revoke") {
            return Reply::Status(200);
        }
        broken.push(format!("{} {} is not a HubSpot endpoint", s.method, s.path));
        Reply::Status(404)
    }
}

async fn hubspot_conversation(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let hub = StandIn::start(Hubspot {
        hubs: vec![111, 222, 111],
    })
    .await;
    let h = &hub.base;
    let mut app = FlowApp::create(&base, "HubSpot app").await;
    app.save_registration(&[
        ("service_type", "Hubspot"),
        ("client_id", "hub-client"),
        ("client_secret", "hub-secret"),
        ("native_scopes", "crm.objects.contacts.read"),
        ("authorize_url", &format!("{h}/oauth/authorize")),
        ("token_url", &format!("{h}/oauth/2026-03/token")),
        (
            "introspect_url",
            &format!("{h}/oauth/2026-03/token/introspect"),
        ),
        ("revoke_url", &format!("{h}/oauth/2026-03/token/revoke")),
    ])
    .await;
    // The same user in two hubs is two accounts; the first hub again is the first account.
    let (first, token) = connect(&base, &app, "Hubspot", &[("recycle", "true")]).await;
    let (second, _) = connect(&base, &app, "Hubspot", &[("recycle", "true")]).await;
    let (again, _) = connect(&base, &app, "Hubspot", &[("recycle", "true")]).await;
    assert_ne!(first, second, "another hub, another account");
    assert_eq!(first, again, "the same hub and user, the same account");
    let (status, me) = account_json(&base, &token, "?pingProvider=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (
            me["authUserId"].as_str(),
            me["authOrgId"].as_str(),
            me["email"].as_str()
        ),
        (Some("42"), Some("111"), Some("sam@hub.example"))
    );
    assert_eq!(me["tokenStatus"], "active");
    assert_eq!(hub.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(hubspot_conversation);

/// Salesforce: PKCE, the client by HTTP Basic, no `expires_in` (the expiry comes from
/// introspection), and a session that may end before it (refresh on a refusal).
/// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm,
/// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oidc_token_introspection_endpoint.htm
struct Salesforce {
    base: String,
    session_ended: Arc<AtomicBool>,
    issued: u32,
}

impl Script for Salesforce {
    fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("sf-client:sf-secret")
        );
        if s.is("GET", "/services/oauth2/authorize") {
            if s.query("code_challenge_method") != "S256" || s.query("code_challenge").is_empty() {
                broken.push("authorize without PKCE".into());
            }
            return back_with_code(s, "sf-code", &[]);
        }
        if s.is("POST", "/services/oauth2/token") {
            if s.authorization.as_deref() != Some(basic.as_str()) {
                broken.push("token request without the client's Basic credentials".into());
                return Reply::Json(400, json!({ "error": "invalid_client" }));
            }
            let ok = match s.form("grant_type") {
                "authorization_code" => {
                    s.form("code") == "sf-code" && !s.form("code_verifier").is_empty()
                }
                "refresh_token" => s.form("refresh_token") == "sf-rt",
                _ => false,
            };
            if !ok {
                return Reply::Json(400, json!({ "error": "invalid_grant" }));
            }
            self.issued += 1;
            self.session_ended.store(false, Ordering::SeqCst);
            let mut answer = json!({ "access_token": format!("sf-at-{}", self.issued), "instance_url": "https://acme.my.salesforce.com", "id": format!("{}/id/00Dorg/005user", self.base), "token_type": "Bearer", "issued_at": "1764672000000", "signature": "x" });
            if s.form("grant_type") == "authorization_code" {
                answer["refresh_token"] = json!("sf-rt");
            }
            return Reply::Json(200, answer);
        }
        if s.is("POST", "/services/oauth2/introspect") {
            let current = format!("sf-at-{}", self.issued);
            let active = s.form("token") == current && !self.session_ended.load(Ordering::SeqCst);
            if s.form("client_id") != "sf-client" || s.form("client_secret") != "sf-secret" {
                broken.push("introspection without the client".into());
            }
            return Reply::Json(
                200,
                if active {
                    json!({ "active": true, "scope": "api refresh_token id", "client_id": "sf-client", "username": "lee@acme.example", "sub": "005user", "token_type": "access_token", "exp": now() + 1200, "iat": now() })
                } else {
                    json!({ "active": false })
                },
            );
        }
        if s.is("GET", "/id/00Dorg/005user") {
            return Reply::Json(
                200,
                json!({ "user_id": "005user", "organization_id": "00Dorg", "email": "lee@acme.example", "display_name": "Lee" }),
            );
        }
        broken.push(format!(
            "{} {} is not a Salesforce endpoint",
            s.method, s.path
        ));
        Reply::Status(404)
    }
}

async fn salesforce_conversation(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let session_ended = Arc::new(AtomicBool::new(false));
    let sf = start_salesforce(session_ended.clone()).await;
    let s = &sf.base;
    let mut app = FlowApp::create(&base, "Salesforce app").await;
    app.save_registration(&[
        ("service_type", "Salesforce"),
        ("client_id", "sf-client"),
        ("client_secret", "sf-secret"),
        ("native_scopes", "api"),
        ("authorize_url", &format!("{s}/services/oauth2/authorize")),
        ("token_url", &format!("{s}/services/oauth2/token")),
        ("revoke_url", &format!("{s}/services/oauth2/revoke")),
        ("introspect_url", &format!("{s}/services/oauth2/introspect")),
    ])
    .await;
    let (_, token) = connect(&base, &app, "Salesforce", &[]).await;
    let (status, me) = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "lee@acme.example");
    assert_eq!(me["providerAuth"]["accessToken"], "sf-at-1");
    assert_eq!(
        me["providerAuth"]["instanceUrl"],
        "https://acme.my.salesforce.com"
    );
    // The expiry is the org's (20 minutes here, from introspection), not an assumed 2 hours.
    let expires = time::OffsetDateTime::parse(
        me["providerAuth"]["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp();
    assert!((expires - (now() + 1200)).abs() < 30, "{expires}");

    // The org's session timeout ends the session early: the ping renews the token once
    // and the account stays active.
    session_ended.store(true, Ordering::SeqCst);
    let (status, me) =
        account_json(&base, &token, "?includeProviderAuth=true&pingProvider=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["tokenStatus"], "active");
    assert_eq!(me["providerAuth"]["accessToken"], "sf-at-2");
    assert_eq!(sf.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(salesforce_conversation);

async fn start_salesforce(session_ended: Arc<AtomicBool>) -> StandIn {
    // The stand-in learns its own address only once listening; its identity URL is read
    // from `base` at answer time, so it is started with a placeholder and told its base.
    let shared = Arc::new(std::sync::Mutex::new(String::new()));
    struct Told {
        inner: Salesforce,
        base: Arc<std::sync::Mutex<String>>,
    }
    impl Script for Told {
        fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
            self.inner.base = self.base.lock().unwrap().clone();
            self.inner.answer(s, broken)
        }
    }
    let sf = StandIn::start(Told {
        inner: Salesforce {
            base: String::new(),
            session_ended,
            issued: 0,
        },
        base: shared.clone(),
    })
    .await;
    *shared.lock().unwrap() = sf.base.clone();
    sf
}

fn jwt(claims: Value) -> String {
    format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// Microsoft's client-credentials grant for a tenant: an app-only JWT whose `roles` list the
/// granted application permissions — none until the consent is applied or after it is
/// withdrawn. https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
struct Microsoft {
    /// Whether the tenant's consent is applied (app-only tokens carry `roles`).
    consented: Arc<AtomicBool>,
    /// App-only tokens still without roles right after an admin consent (Microsoft applies
    /// consent with a delay).
    roleless_after_consent: u32,
    /// This stand-in's own origin, the issuer of its ID tokens.
    base: Arc<std::sync::Mutex<String>>,
    nonce: String,
}

/// Microsoft Entra's role template of the Global Administrator.
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";

impl Script for Microsoft {
    fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
        if s.path.starts_with("/common/") {
            broken.push(format!(
                "{} {}: `common` for a tenant-wide grant",
                s.method, s.path
            ));
            return Reply::Json(400, json!({ "error": "invalid_request" }));
        }
        // https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
        if s.is("GET", "/organizations/v2.0/adminconsent") {
            if s.query("client_id") != "graph-client"
                || s.query("scope") != "https://graph.microsoft.com/.default"
            {
                broken.push(format!("admin consent asked as {:?}", s.query));
            }
            let mut back = Url::parse(s.query("redirect_uri")).unwrap();
            back.query_pairs_mut()
                .append_pair("admin_consent", "True")
                .append_pair("tenant", "contoso.example")
                .append_pair("state", s.query("state"));
            self.consented.store(true, Ordering::SeqCst);
            self.roleless_after_consent = 1;
            return Reply::Redirect(back.to_string());
        }
        // The administrator's OpenID sign-in at the tenant that consented.
        if s.is("GET", "/contoso.example/oauth2/v2.0/authorize") {
            if !s.query("scope").split(' ').any(|x| x == "openid")
                || s.query("nonce").is_empty()
                || s.query("code_challenge").is_empty()
            {
                broken.push(format!("sign-in asked as {:?}", s.query));
            }
            self.nonce = s.query("nonce").to_owned();
            return back_with_code(s, "signin-code", &[]);
        }
        if s.is("POST", "/contoso.example/oauth2/v2.0/token")
            && s.form("grant_type") == "authorization_code"
        {
            if s.form("code") != "signin-code" || s.form("code_verifier").is_empty() {
                return Reply::Json(400, json!({ "error": "invalid_grant" }));
            }
            let issuer = format!("{}/contoso.example/v2.0", self.base.lock().unwrap());
            let id_token = jwt(
                json!({ "iss": issuer, "aud": "graph-client", "nonce": self.nonce, "exp": now() + 600, "iat": now(), "sub": "admin-sub", "oid": "admin-oid", "tid": "contoso.example", "wids": [GLOBAL_ADMINISTRATOR], "email": "admin@contoso.example" }),
            );
            return Reply::Json(
                200,
                json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": "signin-at", "id_token": id_token }),
            );
        }
        // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
        if s.is("POST", "/contoso.example/oauth2/v2.0/token") {
            if s.form("grant_type") != "client_credentials"
                || s.form("scope") != "https://graph.microsoft.com/.default"
            {
                broken.push(format!(
                    "grant {:?} scope {:?}",
                    s.form("grant_type"),
                    s.form("scope")
                ));
            }
            let applied = self.consented.load(Ordering::SeqCst) && self.roleless_after_consent == 0;
            self.roleless_after_consent = self.roleless_after_consent.saturating_sub(1);
            let roles = if applied {
                json!(["Mail.Read"])
            } else {
                json!([])
            };
            return Reply::Json(
                200,
                json!({ "token_type": "Bearer", "expires_in": 3599, "access_token": jwt(json!({ "tid": "contoso.example", "roles": roles })) }),
            );
        }
        broken.push(format!(
            "{} {} is not a Microsoft endpoint",
            s.method, s.path
        ));
        Reply::Status(404)
    }
}

async fn start_microsoft(consented: Arc<AtomicBool>) -> StandIn {
    let base = Arc::new(std::sync::Mutex::new(String::new()));
    let ms = StandIn::start(Microsoft {
        consented,
        roleless_after_consent: 0,
        base: base.clone(),
        nonce: String::new(),
    })
    .await;
    *base.lock().unwrap() = ms.base.clone();
    ms
}

/// An Office 365 registration whose endpoints are the stand-in's, with the catalog's
/// `{tenant}` in them as a sovereign cloud's would have, and the registration's tenant
/// `common`.
async fn graph_app(base: &str, m: &str) -> FlowApp {
    let mut app = FlowApp::create(base, "Graph app").await;
    app.save_registration(&[
        ("service_type", "Office365"),
        ("client_id", "graph-client"),
        ("client_secret", "graph-secret"),
        ("tenant", "common"),
        (
            "authorize_url",
            &format!("{m}/{{tenant}}/oauth2/v2.0/authorize"),
        ),
        ("token_url", &format!("{m}/{{tenant}}/oauth2/v2.0/token")),
        (
            "admin_consent_url",
            &format!("{m}/{{tenant}}/v2.0/adminconsent"),
        ),
    ])
    .await;
    app
}

/// The whole admin-consent flow: consent at `organizations`, the administrator's sign-in at
/// the tenant, and a first app-only token without roles that is asked for again.
async fn microsoft_admin_consent_conversation(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let ms = start_microsoft(Arc::new(AtomicBool::new(false))).await;
    let app = graph_app(&base, &ms.base).await;
    let prepared = app.prepare(&base).await;
    let r = get(&app.flow_url(
        &base,
        "authorizeDaemon",
        "Office365",
        &[("token", &prepared), ("state", "s1")],
    ))
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to_consent = location(&r);
    assert_eq!(to_consent.path(), "/organizations/v2.0/adminconsent");
    let mut next = to_consent;
    // consent → callback → sign-in → callback → the app's return URL
    for _ in 0..2 {
        let r = plain_client().get(next.as_str()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        let r = get(location(&r).as_str()).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        next = location(&r);
    }
    assert_eq!(param(&next, "status").as_deref(), Some("success"), "{next}");
    assert_eq!(
        ms.count("POST", "/contoso.example/oauth2/v2.0/token"),
        3,
        "the sign-in, a roleless app-only token, and the one asked for again"
    );
    let j: Value = app
        .exchange(&base, &param(&next, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    let (_, me) = account_json(&base, j["accessToken"].as_str().unwrap(), "").await;
    assert_eq!(
        (me["type"].as_str(), me["authOrgId"].as_str()),
        (Some("daemon"), Some("contoso.example"))
    );
    assert_eq!(ms.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(microsoft_admin_consent_conversation);

async fn microsoft_service_account_conversation(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let consented = Arc::new(AtomicBool::new(true));
    let ms = start_microsoft(consented.clone()).await;
    let app = graph_app(&base, &ms.base).await;
    // Admin consent is asked at `organizations`, never at the registration's `common`.
    let prepared = app.prepare(&base).await;
    let r = get(&app.flow_url(
        &base,
        "authorizeDaemon",
        "Office365",
        &[("token", &prepared)],
    ))
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r).path(), "/organizations/v2.0/adminconsent");

    let r = app_post(
        &base,
        &app,
        "/v1/am/svc_accounts",
        json!({ "serviceType": "Office365", "active": true, "authOrgId": "contoso.example" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let svc: Value = r.json().await.unwrap();
    let (id, token) = (
        svc["accountId"].as_i64().unwrap(),
        svc["accessToken"].as_str().unwrap().to_owned(),
    );
    // The ping is a new grant (an app-only token has no /me to ask); with roles, accepted.
    let (status, me) = account_json(&base, &token, "?pingProvider=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["tokenStatus"], "active");
    let grants = ms.count("POST", "/contoso.example/oauth2/v2.0/token");
    assert_eq!(grants, 2, "one grant to create, one to ping");
    // The administrator withdraws the consent: tokens come without roles, and the account
    // is invalid with the reason instead of "active" with a token that reads nothing.
    consented.store(false, Ordering::SeqCst);
    let (status, me) = account_json(&base, &token, "?pingProvider=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["tokenStatus"], "invalid");
    assert!(
        me["tokenError"]
            .as_str()
            .unwrap_or_default()
            .contains("consent"),
        "{me}"
    );
    assert_eq!(token_status(&base, &app, id).await, "invalid");
    // Consent applied again: the next check finds it.
    consented.store(true, Ordering::SeqCst);
    let (_, me) = account_json(&base, &token, "?pingProvider=true").await;
    assert_eq!(me["tokenStatus"], "active");
    assert_eq!(ms.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(microsoft_service_account_conversation);

/// Google's token endpoint for service accounts: the JWT-bearer grant with an RS256
/// assertion whose `scope` holds only what the domain's administrator authorized (never
/// `openid`/`email`/`profile`), `aud` the token URI, `sub` the mailbox, at most an hour;
/// `invalid_grant` also for a skewed clock.
/// https://developers.google.com/identity/protocols/oauth2/service-account#httprest
struct GoogleTokens {
    token_uri: Arc<std::sync::Mutex<String>>,
    refuse: Arc<AtomicBool>,
}

impl Script for GoogleTokens {
    fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
        if !s.is("POST", "/token") {
            broken.push(format!(
                "{} {} is not Google's token endpoint",
                s.method, s.path
            ));
            return Reply::Status(404);
        }
        if s.form("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
            broken.push(format!("grant_type {:?}", s.form("grant_type")));
        }
        let assertion = s.form("assertion").to_owned();
        let part = |i: usize| -> Value {
            assertion
                .split('.')
                .nth(i)
                .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Value::Null)
        };
        let (header, claims) = (part(0), part(1));
        if header["alg"] != "RS256" {
            broken.push(format!("assertion alg {}", header["alg"]));
        }
        let scope = claims["scope"].as_str().unwrap_or_default();
        if scope.is_empty()
            || scope
                .split(' ')
                .any(|x| ["openid", "email", "profile"].contains(&x))
        {
            // Google: "unauthorized_client" for a scope the domain did not authorize.
            broken.push(format!("assertion scope {scope:?}"));
            return Reply::Json(401, json!({ "error": "unauthorized_client" }));
        }
        let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
        if claims["aud"] != *self.token_uri.lock().unwrap()
            || claims["sub"] != "ops@acme.example"
            || !(1..=3600).contains(&lifetime)
        {
            broken.push(format!("assertion claims {claims}"));
        }
        if self.refuse.load(Ordering::SeqCst) {
            return Reply::Json(
                400,
                json!({ "error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe." }),
            );
        }
        Reply::Json(
            200,
            json!({ "access_token": "ya29.service", "expires_in": 60, "token_type": "Bearer" }),
        )
    }
}

async fn google_service_account_conversation(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let token_uri = Arc::new(std::sync::Mutex::new(String::new()));
    let refuse = Arc::new(AtomicBool::new(false));
    let google = StandIn::start(GoogleTokens {
        token_uri: token_uri.clone(),
        refuse: refuse.clone(),
    })
    .await;
    let token_url = format!("{}/token", google.base);
    *token_uri.lock().unwrap() = token_url.clone();
    let (private, _) = crate::service_accounts::key_pair();
    let json_key = json!({ "type": "service_account", "client_email": "linkgate@project.iam.example", "private_key": private, "token_uri": token_url }).to_string();
    let mut app = FlowApp::create(&base, "Workspace app").await;
    app.save_registration(&[
        ("service_type", "Google"),
        ("client_id", "google-client"),
        ("client_secret", "google-secret"),
        ("scopes", "Mail.Read"),
        ("token_url", &token_url),
        ("daemon_secret", &json_key),
    ])
    .await;
    let r = app_post(
        &base,
        &app,
        "/v1/am/svc_accounts",
        json!({ "serviceType": "Google", "active": true, "email": "ops@acme.example" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let svc: Value = r.json().await.unwrap();
    let (id, token) = (
        svc["accountId"].as_i64().unwrap(),
        svc["accessToken"].as_str().unwrap().to_owned(),
    );
    // A clock-skewed assertion draws invalid_grant: once is not death, twice in a row is.
    refuse.store(true, Ordering::SeqCst);
    let (status, _) = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert!(!status.is_success(), "{status}");
    assert_eq!(token_status(&base, &app, id).await, "invalid");
    refuse.store(false, Ordering::SeqCst);
    let (status, me) = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["tokenStatus"], "active", "the next grant succeeded");
    refuse.store(true, Ordering::SeqCst);
    let _ = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(token_status(&base, &app, id).await, "invalid");
    let _ = account_json(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(token_status(&base, &app, id).await, "dead");
    assert_eq!(google.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(google_service_account_conversation);
