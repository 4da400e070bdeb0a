//! The service-account flow against the Sandbox standing in for Office 365 (admin consent,
//! the administrator's OpenID sign-in to that tenant, then client credentials with a secret
//! or a certificate-signed assertion) and for Google (the administrator's sign-in to a
//! Workspace domain, a mailbox of it, then the JWT-bearer grant with a service-account key,
//! verified by the Sandbox with the public key of a key pair this test makes with openssl).
//! Managed accounts under a service account. The flow starts only with a prepared token.
use crate::common::flow::{
    app_get, app_post, consent_at_sandbox, get, location, on, param, post_form, Consent, FlowApp,
    ALLOW,
};
use crate::common::{plain_client, Backend, TestDatabase, TestServer};
use app::domain::crypto::{HashPurpose, MasterKey};
use reqwest::StatusCode;
use std::process::Command;

/// A fresh RSA key pair as (private PKCS#8 PEM, public SPKI PEM), made by openssl.
pub(crate) fn key_pair() -> (String, String) {
    let dir = std::env::temp_dir().join(format!("lg-key-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let private = dir.join("key.pem");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&private)
        .status()
        .expect("openssl")
        .success();
    assert!(ok);
    let public = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .output()
        .expect("openssl");
    let private_pem = std::fs::read_to_string(&private).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    (private_pem, String::from_utf8(public.stdout).unwrap())
}

/// A self-signed certificate (PEM) for `private_pem`, as Entra takes one.
fn self_signed(private_pem: &str) -> String {
    let dir = std::env::temp_dir().join(format!("lg-cert-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.pem");
    std::fs::write(&key, private_pem).unwrap();
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-subj",
            "/CN=linkgate-test",
            "-days",
            "1",
            "-key",
        ])
        .arg(&key)
        .output()
        .expect("openssl");
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

async fn register_sandbox_key(base: &str, key_id: &str, public: &str) {
    let r = plain_client()
        .post(format!("{base}/sandbox/service_keys"))
        .form(&[("key_id", key_id), ("public_key", public)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn provider_token(base: &str, token: &str) -> (StatusCode, serde_json::Value) {
    let r = plain_client()
        .get(format!("{base}/v1/account?includeProviderAuth=true"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn sandbox_userinfo(base: &str, provider_token: &str) -> serde_json::Value {
    let r = plain_client()
        .get(format!("{base}/sandbox/userinfo"))
        .bearer_auth(provider_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// An app whose Office 365 registration points at the Sandbox: consent, sign-in and token.
pub async fn office365_app(base: &str, key: &MasterKey, name: &str) -> FlowApp {
    let mut app = FlowApp::create(base, name).await;
    // The Sandbox knows the app by its client id and derived secret.
    let secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(app.client_id.as_bytes());
    let client_id = app.client_id.clone();
    let consent = format!("{base}/sandbox/adminconsent");
    let authorize = format!("{base}/sandbox/authorize");
    let token = format!("{base}/sandbox/token");
    app.save_registration(&[
        ("service_type", "Office365"),
        ("client_id", &client_id),
        ("client_secret", &secret),
        ("admin_consent_url", &consent),
        ("authorize_url", &authorize),
        ("token_url", &token),
    ])
    .await;
    app
}

/// The administrator of `org` signs in.
async fn admin_signs_in(base: &str, to_sign_in: &url::Url, email: &str, org: &str) -> url::Url {
    signs_in(base, to_sign_in, email, org, true).await
}

/// The app's server prepares a token and sends the administrator to `authorizeDaemon`.
async fn start_daemon(base: &str, app: &FlowApp, service: &str, state: &str) -> url::Url {
    let token = app.prepare(base).await;
    let r = get(&app.flow_url(
        base,
        "authorizeDaemon",
        service,
        &[("state", state), ("token", &token)],
    ))
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r)
}

/// The administrator answers the Sandbox's admin-consent page for `tenant`.
async fn admin_consents(base: &str, to_consent: &url::Url, tenant: &str) -> url::Url {
    assert_eq!(to_consent.path(), "/sandbox/adminconsent");
    let mut form: Vec<(String, String)> = to_consent
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("tenant".into(), tenant.into()));
    form.push(("decision".into(), "approve".into()));
    let r = plain_client()
        .post(format!("{base}/sandbox/adminconsent"))
        .form(&form)
        .send()
        .await
        .unwrap();
    location(&r)
}

/// Someone signs in at the Sandbox as `email` of `org`, as its administrator or not;
/// returns where the platform sends the browser next.
async fn signs_in(
    base: &str,
    to_sign_in: &url::Url,
    email: &str,
    org: &str,
    admin: bool,
) -> url::Url {
    assert_eq!(to_sign_in.path(), "/sandbox/authorize");
    assert!(param(to_sign_in, "nonce").is_some(), "an OpenID sign-in");
    assert!(param(to_sign_in, "scope")
        .unwrap_or_default()
        .split(' ')
        .any(|s| s == "openid"));
    let who = Consent {
        email,
        org,
        admin,
        ..ALLOW
    };
    let callback = consent_at_sandbox(base, to_sign_in, &who).await;
    location(&get(&on(base, &callback)).await)
}

async fn error_code(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    assert!(r.headers().get("location").is_none(), "never a redirect");
    let j: serde_json::Value = r.json().await.unwrap();
    (status, j["code"].as_str().unwrap_or_default().to_owned())
}

async fn office365_admin_consent_and_client_credentials(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let app = office365_app(&base, &key, "Tenant sync").await;
    let client_id = app.client_id.clone();

    let to_consent = start_daemon(&base, &app, "Office365", "d1").await;
    assert_eq!(
        param(&to_consent, "scope").as_deref(),
        Some("https://graph.microsoft.com/.default")
    );
    let callback = admin_consents(&base, &to_consent, "contoso.example").await;
    assert_eq!(param(&callback, "admin_consent").as_deref(), Some("True"));
    // The consent answer is only a claim: the administrator signs in to that tenant next.
    let to_sign_in = location(&get(&on(&base, &callback)).await);
    let back = admin_signs_in(
        &base,
        &to_sign_in,
        "admin@contoso.example",
        "contoso.example",
    )
    .await;
    assert_eq!(param(&back, "status").as_deref(), Some("success"), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("d1"));
    let code = param(&back, "code").unwrap();
    let j: serde_json::Value = app.exchange(&base, &code).await.json().await.unwrap();
    let svc_token = j["accessToken"].as_str().unwrap().to_owned();
    let (status, me) = provider_token(&base, &svc_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["type"], "daemon");
    assert_eq!(me["daemon"], true);
    assert_eq!(me["authOrgId"], "contoso.example");
    let info = sandbox_userinfo(&base, me["providerAuth"]["accessToken"].as_str().unwrap()).await;
    assert_eq!(info["sub"], format!("app|{client_id}"));

    // An expired daemon token is replaced by a new client-credentials grant.
    let sql = sea_orm::Database::connect(db.url.clone()).await.unwrap();
    use sea_orm::ConnectionTrait;
    sql.execute_unprepared("UPDATE accounts SET auth_expires_at = 1")
        .await
        .unwrap();
    let (status, again) = provider_token(&base, &svc_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(
        again["providerAuth"]["accessToken"],
        me["providerAuth"]["accessToken"]
    );

    // A managed account for one mailbox of the tenant, and the list of service accounts.
    let id = me["id"].as_i64().unwrap();
    let r = app_post(&base, &app, &format!("/v1/am/svc_accounts/{id}/accounts"), serde_json::json!({ "serviceType": "Office365", "active": true, "email": "bob@contoso.example" })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let managed: serde_json::Value = r.json().await.unwrap();
    let (status, m) = provider_token(&base, managed["accessToken"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (m["type"].as_str(), m["parentId"].as_i64()),
        (Some("managed"), Some(id))
    );
    assert_eq!(m["email"], "bob@contoso.example");
    let list: serde_json::Value = app_get(&base, &app, "/v1/am/svc_accounts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["totalSize"], 1,
        "managed accounts are not service accounts"
    );

    // The API (the app's own credentials) upserts a service account for another tenant.
    let r = app_post(&base, &app, "/v1/am/svc_accounts", serde_json::json!({ "serviceType": "Office365", "active": true, "authOrgId": "fabrikam.example" })).await;
    assert_eq!(r.status(), StatusCode::OK);

    // A managed account needs a real service account of this app, and a mailbox.
    let r = app_post(&base, &app, "/v1/am/svc_accounts/999999/accounts", serde_json::json!({ "serviceType": "Office365", "active": true, "email": "x@contoso.example" })).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app_post(
        &base,
        &app,
        &format!("/v1/am/svc_accounts/{id}/accounts"),
        serde_json::json!({ "serviceType": "Office365", "active": true, "email": "not a mailbox" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Declined consent reaches the app as access_denied.
    let to_consent = start_daemon(&base, &app, "Office365", "d2").await;
    let mut form: Vec<(String, String)> = to_consent
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("decision".into(), "deny".into()));
    let r = plain_client()
        .post(format!("{base}/sandbox/adminconsent"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let back = location(&get(&on(&base, &location(&r))).await);
    assert_eq!(param(&back, "status").as_deref(), Some("access_denied"));
    sql.close().await.ok();
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(office365_admin_consent_and_client_credentials);

/// The attack of issue 13: someone holding only the public client id, or a browser that
/// forges Office 365's consent answer, gets no tenant's token and re-binds no service account.
async fn only_the_app_starts_and_only_the_tenants_administrator_completes(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let app = office365_app(&base, &key, "Victim's vendor").await;
    let other = office365_app(&base, &key, "Attacker's app").await;
    // The victim tenant consented long ago: the app holds its service account.
    let r = app_post(
        &base,
        &app,
        "/v1/am/svc_accounts",
        serde_json::json!({ "serviceType": "Office365", "authOrgId": "victim.example" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let victim: serde_json::Value = r.json().await.unwrap();
    let sql = sea_orm::Database::connect(db.url.clone()).await.unwrap();
    let snapshot = |sql: sea_orm::DatabaseConnection| async move {
        use sea_orm::{EntityTrait, QueryOrder};
        app::entity::account::Entity::find()
            .order_by_asc(app::entity::account::Column::Id)
            .all(&sql)
            .await
            .unwrap()
    };
    let before = snapshot(sql.clone()).await;

    // With the client id alone, the flow does not start; nor with a token in the browser.
    let bare = get(&app.flow_url(&base, "authorizeDaemon", "Office365", &[])).await;
    assert_eq!(
        error_code(bare).await,
        (StatusCode::BAD_REQUEST, "token.invalid".into())
    );
    let token = app.prepare(&base).await;
    let as_token = app.flow_url(
        &base,
        "authorizeDaemon",
        "Office365",
        &[("token", &token), ("responseType", "token")],
    );
    assert_eq!(
        error_code(get(&as_token).await).await,
        (StatusCode::BAD_REQUEST, "responseType.invalid".into())
    );
    // A token is bound to the app that prepared it, and works once.
    let foreign = other.prepare(&base).await;
    let r = get(&app.flow_url(
        &base,
        "authorizeDaemon",
        "Office365",
        &[("token", &foreign)],
    ))
    .await;
    assert_eq!(error_code(r).await.1, "token.invalid");
    let r = get(&app.flow_url(&base, "authorizeDaemon", "Office365", &[("token", &token)])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = get(&app.flow_url(&base, "authorizeDaemon", "Office365", &[("token", &token)])).await;
    assert_eq!(error_code(r).await.1, "token.invalid", "a token works once");
    // An expired token is refused.
    let stale = app.prepare(&base).await;
    use sea_orm::ConnectionTrait;
    sql.execute_unprepared("UPDATE prepared_tokens SET expires_at = 1")
        .await
        .unwrap();
    let r = get(&app.flow_url(&base, "authorizeDaemon", "Office365", &[("token", &stale)])).await;
    assert_eq!(error_code(r).await.1, "token.invalid");

    // The app started a flow; the browser forges consent for the victim's tenant without any
    // consent page, then signs in as someone of another tenant: nothing is granted.
    let to_consent = start_daemon(&base, &app, "Office365", "x").await;
    let state = param(&to_consent, "state").unwrap();
    let forged =
        format!("{base}/v1/auth/callback?admin_consent=True&tenant=victim.example&state={state}");
    let to_sign_in = location(&get(&forged).await);
    let back = admin_signs_in(
        &base,
        &to_sign_in,
        "mallory@attacker.example",
        "attacker.example",
    )
    .await;
    assert_eq!(
        param(&back, "status").as_deref(),
        Some("access_denied"),
        "{back}"
    );
    assert!(param(&back, "code").is_none() && back.fragment().is_none());
    // And a sign-in that names no tenant at all proves nothing either.
    let to_consent = start_daemon(&base, &app, "Office365", "y").await;
    let state = param(&to_consent, "state").unwrap();
    let forged =
        format!("{base}/v1/auth/callback?admin_consent=True&tenant=victim.example&state={state}");
    let to_sign_in = location(&get(&forged).await);
    let back = admin_signs_in(&base, &to_sign_in, "someone@example.com", "").await;
    assert_eq!(param(&back, "status").as_deref(), Some("access_denied"));
    // A consent answer replayed at the sign-in step is not a sign-in.
    let to_consent = start_daemon(&base, &app, "Office365", "z").await;
    let callback = admin_consents(&base, &to_consent, "victim.example").await;
    let to_sign_in = location(&get(&on(&base, &callback)).await);
    let sign_in_state = param(&to_sign_in, "state").unwrap();
    let replay = format!(
        "{base}/v1/auth/callback?admin_consent=True&tenant=victim.example&state={sign_in_state}"
    );
    let back = location(&get(&replay).await);
    assert_ne!(param(&back, "status").as_deref(), Some("success"));

    // A member of the victim's tenant who is not its administrator proves nothing either,
    // even after the real consent page.
    let to_consent = start_daemon(&base, &app, "Office365", "m").await;
    let callback = admin_consents(&base, &to_consent, "victim.example").await;
    let to_sign_in = location(&get(&on(&base, &callback)).await);
    let back = signs_in(
        &base,
        &to_sign_in,
        "clerk@victim.example",
        "victim.example",
        false,
    )
    .await;
    assert_eq!(
        param(&back, "status").as_deref(),
        Some("access_denied"),
        "{back}"
    );
    assert!(param(&back, "details").unwrap().contains("administrator"));

    // Nothing changed: no new account, the victim's service account untouched.
    let after = snapshot(sql.clone()).await;
    assert_eq!(before, after);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, victim["accountId"].as_i64().unwrap());
    sql.close().await.ok();
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(only_the_app_starts_and_only_the_tenants_administrator_completes);

async fn certificates_and_google_service_account_keys(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let token_url = format!("{base}/sandbox/token");
    let authorize_url = format!("{base}/sandbox/authorize");
    let directory_url = format!("{base}/sandbox/directory/users/{{user}}");
    let consent = format!("{base}/sandbox/adminconsent");

    // Office 365 with a certificate: no secret crosses the wire, a signed assertion does.
    let mut app = FlowApp::create(&base, "Cert app").await;
    let (cert_private, cert_public) = key_pair();
    register_sandbox_key(&base, "o365-cert-client", &cert_public).await;
    // The thumbprint as the Entra portal shows it: SHA-1 in hex.
    let cert = serde_json::json!({ "thumbprint": "5B1F7C9A8D0E3F4A5B6C7D8E9F0A1B2C3D4E5F6A", "private_key": cert_private })
        .to_string();
    app.save_registration(&[
        ("service_type", "Office365"),
        ("client_id", "o365-cert-client"),
        ("client_secret", "unused-with-a-certificate"),
        ("admin_consent_url", &consent),
        ("token_url", &token_url),
        ("daemon_secret", &cert),
    ])
    .await;
    let r = app_post(&base, &app, "/v1/am/svc_accounts", serde_json::json!({ "serviceType": "Office365", "active": true, "authOrgId": "contoso.example" })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // With the certificate itself, the assertion is PS256 naming its SHA-256 (x5t#S256).
    let certificate = self_signed(&cert_private);
    let with_cert =
        serde_json::json!({ "certificate": certificate, "private_key": cert_private }).to_string();
    app.save_registration(&[
        ("service_type", "Office365"),
        ("client_id", "o365-cert-client"),
        ("admin_consent_url", &consent),
        ("token_url", &token_url),
        ("daemon_secret", &with_cert),
    ])
    .await;
    let r = app_post(&base, &app, "/v1/am/svc_accounts", serde_json::json!({ "serviceType": "Office365", "active": true, "authOrgId": "contoso.example" })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // Google: the service-account key, and the app's OAuth client for the admin's sign-in.
    let mut g = FlowApp::create(&base, "Workspace app").await;
    let (private, public) = key_pair();
    let email = "linkgate@project.iam.example";
    register_sandbox_key(&base, email, &public).await;
    let json_key = serde_json::json!({ "type": "service_account", "client_email": email, "private_key": private, "token_uri": token_url }).to_string();
    let g_client = g.client_id.clone();
    let g_secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(g.client_id.as_bytes());
    g.save_registration(&[
        ("service_type", "Google"),
        ("client_id", &g_client),
        ("client_secret", &g_secret),
        ("scopes", "Mail.Read"),
        ("authorize_url", &authorize_url),
        ("token_url", &token_url),
        ("admin_directory_url", &directory_url),
        ("daemon_secret", &json_key),
    ])
    .await;
    let to_sign_in = start_daemon(&base, &g, "Google", "g1").await;
    // A personal account has no Workspace domain: no grant.
    let back = admin_signs_in(&base, &to_sign_in, "someone@gmail.example", "").await;
    assert_eq!(param(&back, "status").as_deref(), Some("access_denied"));
    // A user of the domain who is not its administrator: the directory says so, no grant.
    let to_sign_in = start_daemon(&base, &g, "Google", "g0").await;
    let back = signs_in(
        &base,
        &to_sign_in,
        "clerk@acme.example",
        "acme.example",
        false,
    )
    .await;
    assert_eq!(
        param(&back, "status").as_deref(),
        Some("access_denied"),
        "{back}"
    );
    assert!(param(&back, "details").unwrap().contains("administrator"));

    let to_sign_in = start_daemon(&base, &g, "Google", "g1").await;
    assert_eq!(param(&to_sign_in, "hd").as_deref(), Some("*"));
    let page_url = admin_signs_in(&base, &to_sign_in, "admin@acme.example", "acme.example").await;
    assert_eq!(page_url.path(), "/v1/auth/daemon/google");
    let page = get(page_url.as_str()).await.text().await.unwrap();
    assert!(page.contains("Administrator mailbox"));
    assert!(page.contains("acme.example") && page.contains("value=\"admin@acme.example\""));
    let state = param(&page_url, "state").unwrap();
    // A typo, or a mailbox of another domain, re-shows the form and keeps the flow.
    for wrong in ["not-an-email", "ceo@victim.example"] {
        let r = post_form(
            &format!("{base}/v1/auth/daemon/google"),
            &[("state", state.as_str()), ("mailbox", wrong)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
    }
    let r = post_form(
        &format!("{base}/v1/auth/daemon/google"),
        &[("state", state.as_str()), ("mailbox", "admin@acme.example")],
    )
    .await;
    let back = location(&r);
    assert_eq!(param(&back, "status").as_deref(), Some("success"), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("g1"));
    let j: serde_json::Value = g
        .exchange(&base, &param(&back, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    let (status, svc) = provider_token(&base, j["accessToken"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (svc["type"].as_str(), svc["authOrgId"].as_str()),
        (Some("daemon"), Some("acme.example"))
    );
    // The grant asked for the data scopes only (Google refuses unauthorized `openid`…).
    assert_eq!(
        svc["authNativeScopes"],
        serde_json::json!(["https://www.googleapis.com/auth/gmail.readonly"])
    );
    let info = sandbox_userinfo(&base, svc["providerAuth"]["accessToken"].as_str().unwrap()).await;
    assert_eq!(
        info["email"], "admin@acme.example",
        "the token acts for the admin mailbox"
    );

    // A managed account: its token acts for its own mailbox (a new JWT-bearer grant).
    let id = svc["id"].as_i64().unwrap();
    let r = app_post(
        &base,
        &g,
        &format!("/v1/am/svc_accounts/{id}/accounts"),
        serde_json::json!({ "serviceType": "Google", "active": true, "email": "bob@acme.example" }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let managed: serde_json::Value = r.json().await.unwrap();
    let (_, m) = provider_token(&base, managed["accessToken"].as_str().unwrap()).await;
    let info = sandbox_userinfo(&base, m["providerAuth"]["accessToken"].as_str().unwrap()).await;
    assert_eq!(info["email"], "bob@acme.example");

    // A key the provider does not know: the grant fails, the app hears provider_error.
    let mut h = FlowApp::create(&base, "Unknown key").await;
    let (stranger, _) = key_pair();
    let json_key = serde_json::json!({ "client_email": "stranger@project.iam.example", "private_key": stranger }).to_string();
    let h_client = h.client_id.clone();
    let h_secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(h.client_id.as_bytes());
    h.save_registration(&[
        ("service_type", "Google"),
        ("client_id", &h_client),
        ("client_secret", &h_secret),
        ("scopes", "Mail.Read"),
        ("authorize_url", &authorize_url),
        ("token_url", &token_url),
        ("admin_directory_url", &directory_url),
        ("daemon_secret", &json_key),
    ])
    .await;
    let to_sign_in = start_daemon(&base, &h, "Google", "h1").await;
    let page_url = admin_signs_in(&base, &to_sign_in, "admin@acme.example", "acme.example").await;
    let state = param(&page_url, "state").unwrap();
    let r = post_form(
        &format!("{base}/v1/auth/daemon/google"),
        &[("state", state.as_str()), ("mailbox", "admin@acme.example")],
    )
    .await;
    assert_eq!(
        param(&location(&r), "status").as_deref(),
        Some("provider_error")
    );

    // A provider without a service-account flow is refused before any redirect.
    let token = h.prepare(&base).await;
    let r = get(&h.flow_url(&base, "authorizeDaemon", "Sandbox", &[("token", &token)])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(certificates_and_google_service_account_keys);
