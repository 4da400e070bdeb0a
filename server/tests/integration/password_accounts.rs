//! IMAP accounts through the hosted form, against a real dovecot on loopback with a
//! self-signed certificate: right and wrong passwords, untrusted certificates, unreachable
//! ports, STARTTLS, bad input, other browsers, and production's refusal of internal hosts.
use crate::common::dovecot::{Dovecot, PASSWORD, USER};
use crate::common::flow::{app_get, browser, get, location, param, FlowApp};
use crate::common::{plain_client, Backend, Fixture};
use reqwest::StatusCode;

/// Enables a password service for the app, with the servers a link may name.
pub async fn enable(app: &mut FlowApp, service: &str, trust: &str, allowed: &str) {
    app.enable_password_service(&[
        ("service_type", service),
        ("trust_server", trust),
        ("allowed_servers", allowed),
    ])
    .await;
}

async fn trust_server(app: &mut FlowApp, trust: &str) {
    enable(app, "IMAP", trust, "").await;
}

/// Starts an IMAP flow; returns the form's state.
async fn open_form(base: &str, app: &FlowApp, extra: &[(&str, &str)]) -> String {
    let r = get(&app.authorize_url(base, "IMAP", extra)).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let to_form = location(&r);
    assert_eq!(to_form.path(), "/v1/auth/password");
    param(&to_form, "state").unwrap()
}

async fn submit(base: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    browser()
        .post(format!("{base}/v1/auth/password"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn imap_accounts_through_the_hosted_form(backend: Backend) {
    let dovecot = Dovecot::start();
    // Dovecot delays answers to an address after a failed login (its auth penalty).
    let f = Fixture::start_with(backend, |c| c.provider_timeout_secs = 10).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Mail reader").await;
    trust_server(&mut app, "false").await;
    let imaps = dovecot.imaps_port.to_string();
    let starttls_port = dovecot.imap_port.to_string();

    // The form shows the app's name and pre-fills from loginHint.
    let state = open_form(&base, &app, &[("loginHint", USER), ("state", "s1")]).await;
    let page = get(&format!("{base}/v1/auth/password?state={state}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Mail reader") && page.contains(USER));

    let form = |state: &str, port: &str, password: &str, tls: &str| {
        vec![
            ("state", state.to_owned()),
            ("email", USER.to_owned()),
            ("password", password.to_owned()),
            ("imap_host", "localhost".to_owned()),
            ("imap_port", port.to_owned()),
            ("tls", tls.to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let base = base.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            submit(&base, &f).await
        }
    };

    // Without trustServer, the self-signed certificate is refused.
    let r = send(form(&state, &imaps, PASSWORD, "implicit")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("certificate is not trusted"), "{page}");
    // Plain words, never the TLS library's.
    assert!(
        !page.contains("InvalidCertificate") && !page.contains("UnknownIssuer"),
        "{page}"
    );
    assert!(!page.contains(PASSWORD), "the password is never sent back");

    trust_server(&mut app, "true").await;
    // A wrong password: an error next to the password field, the email kept.
    let r = send(form(&state, &imaps, "wrong password", "implicit")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("refused this login and password") && page.contains(USER));
    // Nothing listening: an error within the timeout.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port().to_string()
    };
    let r = send(form(&state, &closed, PASSWORD, "implicit")).await;
    assert!(r.text().await.unwrap().contains("could not be reached"));
    let r = app_get(&base, &app, "/v1/am/accounts").await;
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["totalSize"],
        0,
        "no account yet"
    );

    // The right password: back to the app with a code; the account has no password to give.
    let r = send(form(&state, &imaps, PASSWORD, "implicit")).await;
    let status = r.status();
    if status != StatusCode::SEE_OTHER {
        panic!("{status}: {}", r.text().await.unwrap());
    }
    let back = location(&r);
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    assert_eq!(param(&back, "state").as_deref(), Some("s1"));
    let j: serde_json::Value = app
        .exchange(&base, &param(&back, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    let token = j["accessToken"].as_str().unwrap().to_owned();
    let r = plain_client()
        .get(format!("{base}/v1/account?includeProviderAuth=true"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(!text.contains(PASSWORD) && !text.contains("providerAuth"));
    let me: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (me["serviceType"].as_str(), me["email"].as_str()),
        (Some("IMAP"), Some(USER))
    );

    // STARTTLS on the plain port works too.
    let state = open_form(&base, &app, &[]).await;
    let r = send(form(&state, &starttls_port, PASSWORD, "starttls")).await;
    assert_eq!(param(&location(&r), "status").as_deref(), Some("success"));

    // Bad input is named field by field.
    let state = open_form(&base, &app, &[]).await;
    let long = "x".repeat(10 * 1024);
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("email", ""),
            ("password", &long),
            ("imap_host", "bad\u{7}host"),
            ("imap_port", "70000"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for field in ["email", "password", "imap_host", "imap_port"] {
        assert!(page.contains(&format!("data-field=\"{field}\"")), "{field}");
    }
    // The form never finishes an OAuth flow: a typed password is no provider's consent.
    let r = get(&app.authorize_url(&base, "Sandbox", &[])).await;
    let oauth_state = param(&location(&r), "state").unwrap();
    let r = submit(
        &base,
        &[
            ("state", &oauth_state),
            ("server_url", "https://x.example/"),
            ("username", "u"),
            ("password", "p"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Another browser (no flow cookie) cannot post the form.
    let r = plain_client()
        .post(format!("{base}/v1/auth/password"))
        .form(&[
            ("state", state.as_str()),
            ("email", USER),
            ("password", PASSWORD),
            ("imap_host", "localhost"),
            ("imap_port", imaps.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    f.finish().await;
}
on_both_backends!(imap_accounts_through_the_hosted_form);

/// In production the platform connects to public hosts only (SSRF).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_internal_hosts() {
    let dovecot = Dovecot::start();
    let f = Fixture::start_with(Backend::Sqlite, |c| {
        c.mode = server::config::Mode::Production;
        c.provider_timeout_secs = 3;
    })
    .await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Prod mail").await;
    trust_server(&mut app, "true").await;
    let state = open_form(&base, &app, &[]).await;
    let port = dovecot.imaps_port.to_string();
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("email", USER),
            ("password", PASSWORD),
            ("imap_host", "127.0.0.1"),
            ("imap_port", &port),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("internal address"));
    f.finish().await;
}

/// In-process stand-ins for an Exchange server and a SugarCRM instance (no real ones can run
/// here; the real-server proof of the hosted form is the dovecot test above). They check
/// what the platform sends: Basic credentials for EWS, the password grant for Sugar.
async fn exchange_and_sugar() -> String {
    use axum::http::{HeaderMap, StatusCode as S};
    use axum::routing::post;
    let ews = |headers: HeaderMap| async move {
        let expected = format!("Basic {}", base64_of("dave@corp.test:ews-pass"));
        let ok =
            headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str());
        if ok {
            (
                S::OK,
                r#"<s:Envelope><s:Body><m:GetFolderResponse><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success"/></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>"#,
            )
        } else {
            (S::UNAUTHORIZED, "")
        }
    };
    let sugar = |body: String| async move {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if get("grant_type") == Some("password")
            && get("username") == Some("erin")
            && get("password") == Some("sugar pass")
        {
            (
                S::OK,
                [("content-type", "application/json")],
                r#"{"access_token":"sugar-at","token_type":"Bearer","expires_in":3600,"refresh_token":"sugar-rt"}"#,
            )
        } else {
            (
                S::BAD_REQUEST,
                [("content-type", "application/json")],
                r#"{"error":"invalid_grant"}"#,
            )
        }
    };
    let app = axum::Router::new()
        .route(
            "/owa/logon",
            post(|| async { "<html>Sign in to Outlook</html>" }),
        )
        .route("/EWS/Exchange.asmx", post(ews))
        .route("/rest/v11/oauth2/token", post(sugar));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn exchange_and_sugarcrm_accounts(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "CRM sync").await;
    let servers = exchange_and_sugar().await;
    enable(&mut app, "SugarCRM", "false", "127.0.0.1").await;
    enable(&mut app, "EWS", "false", "").await;

    // SugarCRM: serverUrl pre-fills the form; a wrong password is an error, the right one an account.
    let sugar_url = format!("{servers}/");
    let r = get(&app.authorize_url(&base, "SugarCRM", &[("serverUrl", &sugar_url)])).await;
    let state = param(&location(&r), "state").unwrap();
    let page = get(&format!("{base}/v1/auth/password?state={state}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&sugar_url) && page.contains("User name"));
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("server_url", &sugar_url),
            ("username", "erin"),
            ("password", "nope"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("refused this login and password"));
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("server_url", &sugar_url),
            ("username", "erin"),
            ("password", "sugar pass"),
        ],
    )
    .await;
    if r.status() != StatusCode::SEE_OTHER {
        panic!("{}", r.text().await.unwrap());
    }
    let back = location(&r);
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    let j: serde_json::Value = app
        .exchange(&base, &param(&back, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    let me: serde_json::Value = plain_client()
        .get(format!("{base}/v1/account"))
        .bearer_auth(j["accessToken"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["serviceType"].as_str(), me["loginString"].as_str()),
        (Some("SugarCRM"), Some("erin"))
    );

    // EWS: one authenticated request decides.
    let ews_url = format!("{servers}/EWS/Exchange.asmx");
    let r = get(&app.authorize_url(&base, "EWS", &[("loginHint", "dave@corp.test")])).await;
    let state = param(&location(&r), "state").unwrap();
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("login", "dave@corp.test"),
            ("password", "wrong"),
            ("server_url", &ews_url),
        ],
    )
    .await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("refused this login and password"));
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("login", "dave@corp.test"),
            ("password", "ews-pass"),
            ("server_url", &ews_url),
        ],
    )
    .await;
    assert_eq!(param(&location(&r), "status").as_deref(), Some("success"));

    // Any page answering 200 is not an Exchange sign-in.
    let r = get(&app.authorize_url(&base, "EWS", &[])).await;
    let state = param(&location(&r), "state").unwrap();
    let logon = format!("{servers}/owa/logon");
    let r = submit(
        &base,
        &[
            ("state", &state),
            ("login", "dave@corp.test"),
            ("password", "anything"),
            ("server_url", &logon),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("did not answer as this kind of server should"));

    // After five wrong passwords the flow ends, reported to the app.
    let r = get(&app.authorize_url(&base, "EWS", &[("state", "five")])).await;
    let state = param(&location(&r), "state").unwrap();
    let mut last = None;
    for _ in 0..5 {
        last = Some(
            submit(
                &base,
                &[
                    ("state", &state),
                    ("login", "dave@corp.test"),
                    ("password", "wrong"),
                    ("server_url", &ews_url),
                ],
            )
            .await,
        );
    }
    let back = location(&last.unwrap());
    assert_eq!(param(&back, "status").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("five"));
    f.finish().await;
}
on_both_backends!(exchange_and_sugarcrm_accounts);

/// A browser's request to a hosted-flow address, as a browser sends it.
async fn as_browser(url: &str) -> reqwest::Response {
    plain_client()
        .get(url)
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap()
}

fn is_html(r: &reqwest::Response) -> bool {
    r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html")
}

/// The end user can leave the form (*Cancel*: the app hears `access_denied`), and a browser
/// that opens a finished, expired or bad link reads a page in plain words, not JSON; the
/// app's own API calls stay JSON.
async fn the_form_can_be_cancelled_and_dead_links_read_as_pages(backend: Backend) {
    use crate::common::flow::RETURN_URL;
    use sea_orm::ConnectionTrait;
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Mail reader").await;
    trust_server(&mut app, "false").await;

    let state = open_form(&base, &app, &[("state", "s9")]).await;
    let r = submit(&base, &[("state", &state), ("cancel", "1")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = location(&r);
    assert!(back.as_str().starts_with(RETURN_URL), "{back}");
    assert_eq!(param(&back, "status").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("s9"));

    // The flow is over: a browser reads a page saying so; a program still gets JSON.
    let url = format!("{base}/v1/auth/password?state={state}");
    let r = as_browser(&url).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(is_html(&r));
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<h1>") && page.contains("start again"),
        "{page}"
    );
    let r = plain_client().get(&url).send().await.unwrap();
    assert!(!is_html(&r));
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["code"], "state.invalid");

    // An expired flow's form is a page that says it expired.
    let state = open_form(&base, &app, &[]).await;
    let sql = sea_orm::Database::connect(f.db.url.clone()).await.unwrap();
    sql.execute_unprepared("UPDATE pending_flows SET expires_at = 1")
        .await
        .unwrap();
    let r = as_browser(&format!("{base}/v1/auth/password?state={state}")).await;
    assert!(is_html(&r));
    assert!(r.text().await.unwrap().contains("expired"));
    sql.close().await.ok();

    // A bad authorize link opened in a browser.
    let r = as_browser(&format!(
        "{base}/v1/auth/authorize?clientId=nobody&serviceType=IMAP&returnUrl={RETURN_URL}"
    ))
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(is_html(&r));
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("No application has this clientId"));
    // The app's code exchange is an API call: JSON whatever it accepts.
    let r = plain_client()
        .post(format!("{base}/v1/auth/token/not-a-code"))
        .header("authorization", app.basic())
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(!is_html(&r));
    f.finish().await;
}
on_both_backends!(the_form_can_be_cancelled_and_dead_links_read_as_pages);
