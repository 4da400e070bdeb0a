//! Driving the hosted account flow over HTTP like a browser that follows redirects by hand:
//! the app's authorize link, the Sandbox's consent form, the callback, the code exchange.
use super::plain_client;
use super::team::{sign_up, Member};
use app::domain::crypto::{HashPurpose, MasterKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::LOCATION;
use reqwest::{Response, StatusCode};
use std::sync::{Arc, OnceLock};
use url::Url;

pub const RETURN_URL: &str = "https://app.example/oauth/done";

pub struct FlowApp {
    pub owner: Member,
    pub id: String,
    pub client_id: String,
    pub secret: String,
}

impl FlowApp {
    /// Signs up an owner, creates an app and registers `RETURN_URL` for it.
    pub async fn create(base: &str, name: &str) -> FlowApp {
        let mut owner = sign_up(base, name).await;
        let t = owner.own_team.clone();
        let r = owner
            .browser
            .call("team/apps/create", &[("team_id", &t), ("name", name)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let app = FlowApp {
            id: j["id"].as_str().unwrap().to_owned(),
            client_id: j["client_id"].as_str().unwrap().to_owned(),
            secret: j["secret"].as_str().unwrap().to_owned(),
            owner,
        };
        let r = app
            .owner
            .browser
            .at(base)
            .call(
                "apps/return_urls/add",
                &[("team_id", &t), ("app_id", &app.id), ("url", RETURN_URL)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app
    }

    pub fn basic(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.client_id, self.secret))
        )
    }

    /// The authorize URL of this app with extra query parameters.
    pub fn authorize_url(&self, base: &str, service: &str, extra: &[(&str, &str)]) -> String {
        self.flow_url(base, "authorize", service, extra)
    }

    /// The URL of one of the hosted flows (`authorize`, `authorizeUser`, `authorizeDaemon`).
    pub fn flow_url(
        &self,
        base: &str,
        flow: &str,
        service: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let mut u = Url::parse(&format!("{base}/v1/auth/{flow}")).unwrap();
        u.query_pairs_mut()
            .append_pair("clientId", &self.client_id)
            .append_pair("serviceType", service)
            .append_pair("returnUrl", RETURN_URL);
        for (k, v) in extra {
            u.query_pairs_mut().append_pair(k, v);
        }
        u.to_string()
    }

    /// Saves a provider registration of this app as its owner (`apps/registrations/save`).
    pub async fn save_registration(&mut self, fields: &[(&str, &str)]) {
        self.owner_call("apps/registrations/save", fields).await;
    }

    /// Enables a password service as the dashboard's form does (`apps/registrations/enable`).
    pub async fn enable_password_service(&mut self, fields: &[(&str, &str)]) {
        self.owner_call("apps/registrations/enable", fields).await;
    }

    async fn owner_call(&mut self, endpoint: &str, fields: &[(&str, &str)]) {
        let t = self.owner.own_team.clone();
        let mut all = vec![("team_id", t.as_str()), ("app_id", self.id.as_str())];
        all.extend_from_slice(fields);
        let r = self.owner.browser.call(endpoint, &all).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    /// A prepared token (`POST /v1/auth/prepare`), as the app's server gets one.
    pub async fn prepare(&self, base: &str) -> String {
        let r = plain_client()
            .post(format!("{base}/v1/auth/prepare"))
            .header("authorization", self.basic())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let j: serde_json::Value = r.json().await.unwrap();
        j["token"].as_str().unwrap().to_owned()
    }

    pub async fn exchange(&self, base: &str, code: &str) -> Response {
        plain_client()
            .post(format!("{base}/v1/auth/token/{code}"))
            .header("authorization", self.basic())
            .send()
            .await
            .unwrap()
    }
}

/// The end user's browser: flows are bound to its `lg_flow` cookie, so every flow step must
/// come from the same cookie jar. One jar for the test binary, seeded with a nonce before any
/// request (so parallel tests never race to set it); a client per call, as each test has its
/// own runtime.
fn jar() -> Arc<Jar> {
    static JAR: OnceLock<Arc<Jar>> = OnceLock::new();
    JAR.get_or_init(|| {
        let jar = Jar::default();
        let nonce = app::domain::crypto::random_token("");
        let url: Url = "http://127.0.0.1/".parse().unwrap();
        jar.add_cookie_str(&format!("lg_flow={nonce}; Path=/v1/auth"), &url);
        Arc::new(jar)
    })
    .clone()
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar())
        .timeout(super::REQUEST_LIMIT)
        .build()
        .unwrap()
}

/// The `lg_flow` cookie as a `Cookie` header pair.
pub fn flow_cookie() -> String {
    let url: Url = "http://127.0.0.1/v1/auth/".parse().unwrap();
    jar()
        .cookies(&url)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub async fn get(url: &str) -> Response {
    browser().get(url).send().await.unwrap()
}

/// A GET carrying a `Cookie` header besides the browser's flow cookie.
pub async fn get_with_cookie(url: &str, cookie: &str) -> Response {
    browser()
        .get(url)
        .header("cookie", format!("{cookie}; {}", flow_cookie()))
        .send()
        .await
        .unwrap()
}

/// A form POST from the end user's browser.
pub async fn post_form(url: &str, form: &[(&str, &str)]) -> Response {
    browser().post(url).form(form).send().await.unwrap()
}

pub fn location(r: &Response) -> Url {
    let raw = r
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("no Location in a {} answer", r.status()))
        .to_str()
        .unwrap();
    Url::parse(raw).unwrap()
}

pub fn param(u: &Url, name: &str) -> Option<String> {
    u.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Moves a URL to another instance (all instances share one public URL in production).
pub fn on(base: &str, u: &Url) -> String {
    let b = Url::parse(base).unwrap();
    let mut u = u.clone();
    u.set_port(b.port()).unwrap();
    u.to_string()
}

/// What the user does on the Sandbox consent page.
pub struct Consent<'a> {
    pub approve: bool,
    pub email: &'a str,
    /// Scopes to leave unchecked.
    pub withhold: &'a [&'a str],
    /// The organization the ID token names (`tid`, `hd`); empty for none.
    pub org: &'a str,
    /// Signs in as the organization's administrator (`wids`, the directory's `isAdmin`).
    pub admin: bool,
}

pub const ALLOW: Consent<'static> = Consent {
    approve: true,
    email: "ada@example.com",
    withhold: &[],
    org: "",
    admin: false,
};

/// From the authorize redirect to the Sandbox, through consent, to the platform's callback
/// URL (not yet visited). `base` is where the Sandbox is reached.
pub async fn consent_at_sandbox(base: &str, to_sandbox: &Url, c: &Consent<'_>) -> Url {
    assert_eq!(to_sandbox.path(), "/sandbox/authorize");
    assert_eq!(
        param(to_sandbox, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let page = get(&on(base, to_sandbox)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sandbox sign-in"), "{html}");
    let mut form: Vec<(String, String)> = to_sandbox
        .query_pairs()
        .filter(|(k, _)| k != "login_hint")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let scope = param(to_sandbox, "scope").unwrap_or_default();
    for s in scope.split_whitespace().filter(|s| !c.withhold.contains(s)) {
        form.push(("granted".into(), s.into()));
    }
    form.push(("email".into(), c.email.into()));
    form.push(("name".into(), "Ada Lovelace".into()));
    form.push(("org".into(), c.org.into()));
    if c.admin {
        form.push(("admin".into(), "true".into()));
    }
    form.push((
        "decision".into(),
        if c.approve { "approve" } else { "deny" }.into(),
    ));
    let r = plain_client()
        .post(format!("{base}/sandbox/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

/// The whole Sandbox flow on one instance; returns the return URL the app receives.
pub async fn sandbox_flow(
    base: &str,
    app: &FlowApp,
    extra: &[(&str, &str)],
    c: &Consent<'_>,
) -> Url {
    let r = get(&app.authorize_url(base, "Sandbox", extra)).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let callback = consent_at_sandbox(base, &location(&r), c).await;
    assert_eq!(callback.path(), "/v1/auth/callback");
    let r = get(&on(base, &callback)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

/// A successful Sandbox flow exchanged for `(accountId, accessToken)`.
pub async fn connect(base: &str, app: &FlowApp, extra: &[(&str, &str)]) -> (i64, String) {
    let back = sandbox_flow(base, app, extra, &ALLOW).await;
    assert_eq!(param(&back, "status").as_deref(), Some("success"), "{back}");
    let code = param(&back, "code").unwrap();
    let r = app.exchange(base, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let j: serde_json::Value = r.json().await.unwrap();
    (
        j["accountId"].as_i64().unwrap(),
        j["accessToken"].as_str().unwrap().to_owned(),
    )
}

pub async fn account(base: &str, token: &str, query: &str) -> Response {
    plain_client()
        .get(format!("{base}/v1/account{query}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// How many accounts the app has (`GET /v1/am/accounts`).
pub async fn account_total(base: &str, app: &FlowApp) -> u64 {
    let j: serde_json::Value = plain_client()
        .get(format!("{base}/v1/am/accounts"))
        .header("authorization", app.basic())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    j["totalSize"].as_u64().unwrap()
}

/// `GET` of the app's API with AppAuth.
pub async fn app_get(base: &str, app: &FlowApp, path: &str) -> Response {
    plain_client()
        .get(format!("{base}{path}"))
        .header("authorization", app.basic())
        .send()
        .await
        .unwrap()
}

/// `POST` of JSON to the app's API with AppAuth.
pub async fn app_post(base: &str, app: &FlowApp, path: &str, body: serde_json::Value) -> Response {
    plain_client()
        .post(format!("{base}{path}"))
        .header("authorization", app.basic())
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The user revokes the grant at the Sandbox: its provider access token for `token`'s
/// account is revoked there (the Sandbox's client secret derives from the master key).
pub async fn revoke_at_sandbox(base: &str, app: &FlowApp, key: &MasterKey, token: &str) {
    let sandbox_secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(app.client_id.as_bytes());
    let me: serde_json::Value = account(base, token, "?includeProviderAuth=true")
        .await
        .json()
        .await
        .unwrap();
    let provider_token = me["providerAuth"]["accessToken"].as_str().unwrap();
    let r = plain_client()
        .post(format!("{base}/sandbox/revoke"))
        .basic_auth(&app.client_id, Some(&sandbox_secret))
        .form(&[("token", provider_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
