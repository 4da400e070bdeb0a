//! The service-account flow against the Sandbox standing in for Office 365 (admin consent,
//! then client credentials with a secret or a certificate-signed assertion) and for Google
//! (a service-account key; the JWT-bearer grant, verified by the Sandbox with the public key
//! of a key pair this test makes with openssl). Managed accounts under a service account.
use crate::common::flow::{app_get, app_post, get, location, on, param, post_form, FlowApp};
use crate::common::{plain_client, Backend, TestDatabase, TestServer};
use app::domain::crypto::{HashPurpose, MasterKey};
use reqwest::StatusCode;
use std::process::Command;

/// A fresh RSA key pair as (private PKCS#8 PEM, public SPKI PEM), made by openssl.
fn key_pair() -> (String, String) {
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

async fn register_sandbox_key(base: &str, key_id: &str, public: &str) {
    let r = plain_client()
        .post(format!("{base}/sandbox/service_keys"))
        .form(&[("key_id", key_id), ("public_key", public)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn save_registration(app: &mut FlowApp, fields: &[(&str, &str)]) {
    let t = app.owner.own_team.clone();
    let mut all = vec![("team_id", t.as_str()), ("app_id", app.id.as_str())];
    all.extend_from_slice(fields);
    let r = app
        .owner
        .browser
        .call("apps/registrations/save", &all)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
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

async fn office365_admin_consent_and_client_credentials(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let mut app = FlowApp::create(&base, "Tenant sync").await;
    // The Sandbox knows the app by its client id and derived secret.
    let secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(app.client_id.as_bytes());
    let client_id = app.client_id.clone();
    let consent = format!("{base}/sandbox/adminconsent");
    let token = format!("{base}/sandbox/token");
    save_registration(
        &mut app,
        &[
            ("service_type", "Office365"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("admin_consent_url", &consent),
            ("token_url", &token),
        ],
    )
    .await;

    let r = get(&app.flow_url(&base, "authorizeDaemon", "Office365", &[("state", "d1")])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to_consent = location(&r);
    assert_eq!(to_consent.path(), "/sandbox/adminconsent");
    assert_eq!(
        param(&to_consent, "scope").as_deref(),
        Some("https://graph.microsoft.com/.default")
    );
    let mut form: Vec<(String, String)> = to_consent
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    form.push(("tenant".into(), "contoso.example".into()));
    form.push(("decision".into(), "approve".into()));
    let r = plain_client()
        .post(format!("{base}/sandbox/adminconsent"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let callback = location(&r);
    assert_eq!(param(&callback, "admin_consent").as_deref(), Some("True"));
    let back = location(&get(&on(&base, &callback)).await);
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

    // The API upserts a service account for another consented tenant.
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
    let r = get(&app.flow_url(&base, "authorizeDaemon", "Office365", &[])).await;
    let mut form: Vec<(String, String)> = location(&r)
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

async fn certificates_and_google_service_account_keys(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let token_url = format!("{base}/sandbox/token");
    let consent = format!("{base}/sandbox/adminconsent");

    // Office 365 with a certificate: no secret crosses the wire, a signed assertion does.
    let mut app = FlowApp::create(&base, "Cert app").await;
    let (cert_private, cert_public) = key_pair();
    register_sandbox_key(&base, "o365-cert-client", &cert_public).await;
    let cert = serde_json::json!({ "thumbprint": "dGh1bWJwcmludA", "private_key": cert_private })
        .to_string();
    save_registration(
        &mut app,
        &[
            ("service_type", "Office365"),
            ("client_id", "o365-cert-client"),
            ("client_secret", "unused-with-a-certificate"),
            ("admin_consent_url", &consent),
            ("token_url", &token_url),
            ("daemon_secret", &cert),
        ],
    )
    .await;
    let r = app_post(&base, &app, "/v1/am/svc_accounts", serde_json::json!({ "serviceType": "Office365", "active": true, "authOrgId": "contoso.example" })).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // Google: the service-account key; the hosted page asks for the admin mailbox.
    let mut g = FlowApp::create(&base, "Workspace app").await;
    let (private, public) = key_pair();
    let email = "linkgate@project.iam.example";
    register_sandbox_key(&base, email, &public).await;
    let json_key = serde_json::json!({ "type": "service_account", "client_email": email, "private_key": private, "token_uri": token_url }).to_string();
    save_registration(
        &mut g,
        &[
            ("service_type", "Google"),
            ("client_id", "1234.apps.googleusercontent.com"),
            ("client_secret", "unused-for-service-accounts"),
            ("scopes", "Mail.Read"),
            ("token_url", &token_url),
            ("daemon_secret", &json_key),
        ],
    )
    .await;
    let r = get(&g.flow_url(&base, "authorizeDaemon", "Google", &[("state", "g1")])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page_url = location(&r);
    assert_eq!(page_url.path(), "/v1/auth/daemon/google");
    let page = get(page_url.as_str()).await.text().await.unwrap();
    assert!(page.contains("Administrator mailbox"));
    let state = param(&page_url, "state").unwrap();
    // A typo re-shows the form, keeping the flow.
    let r = post_form(
        &format!("{base}/v1/auth/daemon/google"),
        &[("state", state.as_str()), ("mailbox", "not-an-email")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
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
    save_registration(
        &mut h,
        &[
            ("service_type", "Google"),
            ("client_id", "5678.apps.googleusercontent.com"),
            ("client_secret", "unused"),
            ("scopes", "Mail.Read"),
            ("token_url", &token_url),
            ("daemon_secret", &json_key),
        ],
    )
    .await;
    let r = get(&h.flow_url(&base, "authorizeDaemon", "Google", &[])).await;
    let state = param(&location(&r), "state").unwrap();
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
    let r = get(&h.flow_url(&base, "authorizeDaemon", "Sandbox", &[])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(certificates_and_google_service_account_keys);
