//! Changing the master key: `linkgate reseal` re-seals every secret under the new key, after
//! which the server runs with the new key alone; a key it lacks is reported, not ignored.
use crate::common::team::sign_up;
use crate::common::{plain_client, Backend, Browser, TestDatabase, TestServer, PASSWORD};
use app::domain::crypto::MasterKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use server::config::Config;

fn config(db: &TestDatabase, key: &MasterKey, previous: &[&MasterKey]) -> Config {
    let mut c = Config::defaults();
    c.data_dir = db.dir.clone();
    c.database_url = Some(db.url.clone());
    c.master_key = Some(key.to_base64());
    c.previous_master_keys = previous.iter().map(|k| k.to_base64()).collect();
    c
}

async fn sealed_values(url: &str) -> Vec<String> {
    let db = Database::connect(url.to_owned()).await.unwrap();
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for sql in [
        "SELECT sealed AS v FROM app_secrets",
        "SELECT client_secret AS v FROM provider_registrations",
    ] {
        for r in db
            .query_all_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .unwrap()
        {
            out.push(r.try_get::<String>("", "v").unwrap());
        }
    }
    db.close().await.ok();
    out
}

async fn reseal_moves_every_secret_to_the_new_key(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let (a, b) = (MasterKey::generate(), MasterKey::generate());

    let server = TestServer::start(&db, &a, |_| {}).await;
    let mut owner = sign_up(&server.base, "Owner").await;
    let t = owner.own_team.clone();
    let app = owner
        .browser
        .call("team/apps/create", &[("team_id", &t), ("name", "App")])
        .await
        .json();
    let (app_id, client_id, secret) = (
        app["id"].as_str().unwrap().to_owned(),
        app["client_id"].as_str().unwrap().to_owned(),
        app["secret"].as_str().unwrap().to_owned(),
    );
    let reg = [
        ("team_id", t.as_str()),
        ("app_id", app_id.as_str()),
        ("service_type", "Google"),
        ("client_id", "g"),
        ("client_secret", "provider-secret"),
    ];
    assert_eq!(
        owner
            .browser
            .call("apps/registrations/save", &reg)
            .await
            .status,
        StatusCode::OK
    );
    let email = owner.email.clone();
    server.stop().await;
    assert!(sealed_values(&db.url)
        .await
        .iter()
        .all(|v| v.starts_with(&format!("lg1.{}.", a.key_id()))));

    // A reseal that lacks the old key fails and changes nothing.
    assert!(server::reseal(&config(&db, &b, &[])).await.is_err());
    let report = server::reseal(&config(&db, &b, &[&a]))
        .await
        .expect("resealed");
    assert_eq!(
        (report.checked, report.resealed),
        (3, 3),
        "client secret, signing secret, provider secret"
    );
    assert!(sealed_values(&db.url)
        .await
        .iter()
        .all(|v| v.starts_with(&format!("lg1.{}.", b.key_id()))));
    let again = server::reseal(&config(&db, &b, &[&a]))
        .await
        .expect("idempotent");
    assert_eq!(again.resealed, 0);

    // With the new key alone: the app's secret still authenticates, passwords still sign in.
    let server = TestServer::start(&db, &b, |_| {}).await;
    let basic = STANDARD.encode(format!("{client_id}:{secret}"));
    let r = plain_client()
        .get(format!("{}/v1/am/oauth_regs", server.base))
        .header("authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("\"clientSecretSet\":true"));
    assert_eq!(
        Browser::new(&server.base)
            .sign_in(&email, PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(reseal_moves_every_secret_to_the_new_key);

/// Apps keep their account tokens across a master-key change: the lookup also tries the
/// previous key and re-hashes the token under the new one; provider tokens are re-sealed.
async fn account_tokens_survive_a_master_key_change(backend: Backend) {
    use crate::common::flow::{account, connect, FlowApp};
    let db = TestDatabase::create(backend).await;
    let (a, b) = (MasterKey::generate(), MasterKey::generate());
    let server = TestServer::start(&db, &a, |_| {}).await;
    let app = FlowApp::create(&server.base, "Rotating").await;
    let (id, token) = connect(&server.base, &app, &[]).await;
    let before: serde_json::Value = account(&server.base, &token, "?includeProviderAuth=true")
        .await
        .json()
        .await
        .unwrap();
    server.stop().await;

    let report = server::reseal(&config(&db, &b, &[&a]))
        .await
        .expect("resealed");
    assert_eq!(
        (report.checked, report.resealed),
        (4, 4),
        "client secret, signing secret, provider access and refresh tokens"
    );
    let previous = a.to_base64();
    let server = TestServer::start(&db, &b, |c| c.previous_master_keys = vec![previous]).await;
    let after: serde_json::Value = account(&server.base, &token, "?includeProviderAuth=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["id"], id);
    assert_eq!(
        after["providerAuth"]["accessToken"],
        before["providerAuth"]["accessToken"]
    );
    server.stop().await;

    // Used once under the new key, the token no longer needs the old one.
    let server = TestServer::start(&db, &b, |_| {}).await;
    assert_eq!(
        account(&server.base, &token, "").await.status(),
        StatusCode::OK
    );
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(account_tokens_survive_a_master_key_change);
