//! Provider token life: a token about to expire is refreshed once however many callers ask,
//! also across two instances; a refresh without a new refresh token keeps the old one; a
//! refresh refused with `invalid_grant` marks the account `dead` and stops calling out.
use crate::common::flow::{account, connect, FlowApp};
use crate::common::{plain_client, Backend, TestDatabase, TestServer};
use app::domain::crypto::{HashPurpose, MasterKey};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

async fn refreshes_counted_at_the_sandbox(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM sandbox_grants WHERE issued_by = 'refresh' AND kind = 'access'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn sealed_refresh_token(db: &DatabaseConnection, id: i64) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT provider_refresh_token FROM accounts WHERE id = {id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "provider_refresh_token").unwrap()
}

async fn expire(db: &DatabaseConnection, id: i64) {
    db.execute_unprepared(&format!(
        "UPDATE accounts SET auth_expires_at = 1 WHERE id = {id}"
    ))
    .await
    .unwrap();
}

async fn provider_token(base: &str, token: &str) -> (StatusCode, serde_json::Value) {
    let r = account(base, token, "?includeProviderAuth=true").await;
    (r.status(), r.json().await.unwrap())
}

async fn provider_tokens_refresh_once_and_die_on_invalid_grant(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let a = TestServer::start(&db, &key, |_| {}).await;
    // A second instance on the same database, behind the same public URL.
    let public = a.base.clone();
    let b = TestServer::start(&db, &key, |c| c.public_url = public).await;
    let app = FlowApp::create(&a.base, "Refresher").await;
    let (id, token) = connect(&a.base, &app, &[]).await;
    let sql = Database::connect(db.url.clone()).await.unwrap();
    let (status, first) = provider_token(&a.base, &token).await;
    assert_eq!(status, StatusCode::OK);
    let first = first["providerAuth"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        refreshes_counted_at_the_sandbox(&sql).await,
        0,
        "fresh tokens are used as they are"
    );
    let refresh_before = sealed_refresh_token(&sql, id).await;

    // 50 concurrent callers over two instances: exactly one refresh at the provider.
    expire(&sql, id).await;
    let calls = (0..50).map(|i| {
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let token = token.clone();
        tokio::spawn(async move { provider_token(&base, &token).await })
    });
    let mut seen = std::collections::BTreeSet::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        seen.insert(
            body["providerAuth"]["accessToken"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(refreshes_counted_at_the_sandbox(&sql).await, 1);
    assert_eq!(seen.len(), 1, "everyone got the one refreshed token");
    assert!(!seen.contains(&first));
    // The Sandbox does not rotate refresh tokens: the stored one is kept, and works again.
    assert_eq!(sealed_refresh_token(&sql, id).await, refresh_before);
    expire(&sql, id).await;
    assert_eq!(provider_token(&b.base, &token).await.0, StatusCode::OK);
    assert_eq!(refreshes_counted_at_the_sandbox(&sql).await, 2);

    // The user revokes the grant at the provider; the next refresh gets invalid_grant.
    let (_, current) = provider_token(&a.base, &token).await;
    let current = current["providerAuth"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let sandbox_secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(app.client_id.as_bytes());
    let r = plain_client()
        .post(format!("{}/sandbox/revoke", a.base))
        .basic_auth(&app.client_id, Some(&sandbox_secret))
        .form(&[("token", current.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A ping while the token is not yet expired: the provider refuses the token, the ping
    // renews it once, and the refresh gets invalid_grant → `dead`.
    let r = account(&a.base, &token, "?pingProvider=true").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "token.dead");
    let (status, body) = provider_token(&a.base, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "token.dead");
    let me: serde_json::Value = account(&a.base, &token, "").await.json().await.unwrap();
    assert_eq!(me["tokenStatus"], "dead");
    assert!(me["tokenError"].as_str().unwrap().contains("invalid_grant"));
    // Dead means no more calls to the provider.
    let (status, _) = provider_token(&b.base, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(refreshes_counted_at_the_sandbox(&sql).await, 2);

    // Re-authorizing the account in place brings it back.
    let (same, _) = connect(&a.base, &app, &[("accountId", &id.to_string())]).await;
    assert_eq!(same, id);
    let me: serde_json::Value = account(&a.base, &token, "").await.json().await.unwrap();
    assert_eq!(me["tokenStatus"], "active");
    assert_eq!(provider_token(&a.base, &token).await.0, StatusCode::OK);

    sql.close().await.ok();
    a.stop().await;
    b.stop().await;
    db.drop_it().await;
}
on_both_backends!(provider_tokens_refresh_once_and_die_on_invalid_grant);

/// A flow started on one instance finishes on another: nothing lives in a process.
async fn a_flow_crosses_instances(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let a = TestServer::start(&db, &key, |_| {}).await;
    let public = a.base.clone();
    let b = TestServer::start(&db, &key, |c| c.public_url = public).await;
    let app = FlowApp::create(&a.base, "Balanced").await;
    use crate::common::flow::{consent_at_sandbox, get, location, on, param, ALLOW};
    let r = get(&app.authorize_url(&a.base, "Sandbox", &[("state", "x")])).await;
    let callback = consent_at_sandbox(&b.base, &location(&r), &ALLOW).await;
    let back = location(&get(&on(&b.base, &callback)).await);
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    let code = param(&back, "code").unwrap();
    let r = app.exchange(&b.base, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let j: serde_json::Value = r.json().await.unwrap();
    let token = j["accessToken"].as_str().unwrap();
    assert_eq!(account(&a.base, token, "").await.status(), StatusCode::OK);
    a.stop().await;
    b.stop().await;
    db.drop_it().await;
}
on_both_backends!(a_flow_crosses_instances);
