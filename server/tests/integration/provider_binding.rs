//! Issue 13, item 3: a provider token goes only to the origin that issued it. A Developer
//! who removes a registration and adds it back pointing at their own host (with a made-up
//! secret) gets none of the end users' tokens: refresh, ping and revoke send nothing there,
//! and the accounts become `invalid` until they are authorized again.
use crate::common::flow::{account, consent_at_sandbox, get, location, on, param, FlowApp, ALLOW};
use crate::common::listener::CountingServer;
use crate::common::{Backend, TestDatabase, TestServer};
use app::domain::crypto::{HashPurpose, MasterKey};
use app::domain::flow::provider_binding::{access_place, refresh_place};
use app::domain::sealed::KeyRing;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};

async fn remove(app: &mut FlowApp, service: &str) {
    let t = app.owner.own_team.clone();
    let fields = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("service_type", service),
    ];
    let r = app
        .owner
        .browser
        .call("apps/registrations/remove", &fields)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// A Google registration whose every endpoint is the Sandbox's.
async fn google_at(app: &mut FlowApp, base: &str, secret: &str, host: &str) {
    let client_id = app.client_id.clone();
    let (authorize, token, userinfo, revoke) = (
        format!("{base}/sandbox/authorize"),
        format!("{host}/sandbox/token"),
        format!("{host}/sandbox/userinfo"),
        format!("{host}/sandbox/revoke"),
    );
    app.save_registration(&[
        ("service_type", "Google"),
        ("client_id", &client_id),
        ("client_secret", secret),
        ("authorize_url", &authorize),
        ("token_url", &token),
        ("userinfo_url", &userinfo),
        ("revoke_url", &revoke),
    ])
    .await;
}

/// An end user connects a "Google" account (the Sandbox stands in for Google): its id and
/// account token.
async fn connect_google(base: &str, app: &FlowApp) -> (i64, String) {
    let r = get(&app.authorize_url(base, "Google", &[("scopes", "Mail.Read")])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let callback = consent_at_sandbox(base, &location(&r), &ALLOW).await;
    let back = location(&get(&on(base, &callback)).await);
    assert_eq!(param(&back, "status").as_deref(), Some("success"), "{back}");
    let j: serde_json::Value = app
        .exchange(base, &param(&back, "code").unwrap())
        .await
        .json()
        .await
        .unwrap();
    (
        j["accountId"].as_i64().unwrap(),
        j["accessToken"].as_str().unwrap().to_owned(),
    )
}

async fn tokens_stay_with_the_provider_that_issued_them(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let mut app = FlowApp::create(&base, "Bound tokens").await;
    let secret = key
        .hasher(HashPurpose::SandboxClient)
        .hash(app.client_id.as_bytes());
    google_at(&mut app, &base, &secret, &base).await;
    let (id, token) = connect_google(&base, &app).await;
    let sql = Database::connect(db.url.clone()).await.unwrap();
    let expire = format!("UPDATE accounts SET auth_expires_at = 1 WHERE id = {id}");

    // Removing the registration and adding the same endpoints back changes nothing.
    remove(&mut app, "Google").await;
    google_at(&mut app, &base, &secret, &base).await;
    sql.execute_unprepared(&expire).await.unwrap();
    let r = account(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(r.status(), StatusCode::OK, "a refresh at the same provider");

    // A Developer moves it to their own host with a made-up secret.
    let attacker =
        CountingServer::json(r#"{"access_token":"x","token_type":"Bearer","sub":"x"}"#).await;
    remove(&mut app, "Google").await;
    google_at(&mut app, &base, "made-up-secret", &attacker.base).await;
    sql.execute_unprepared(&expire).await.unwrap();
    for query in ["?includeProviderAuth=true", "?pingProvider=true"] {
        let r = account(&base, &token, query).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{query}");
        let j: serde_json::Value = r.json().await.unwrap();
        assert_eq!(j["code"], "provider.moved");
    }
    let r = account(&base, &token, "").await;
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["tokenStatus"], "invalid");
    assert!(me["tokenError"]
        .as_str()
        .unwrap()
        .contains("authorize the account again"));
    // Revoking still ends the grant here, and tells the new host nothing.
    let r = crate::common::plain_client()
        .delete(format!("{base}/v1/account/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(attacker.hits(), 0, "no token was sent to the new host");

    sql.close().await.ok();
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(tokens_stay_with_the_provider_that_issued_them);

/// Seals an account's tokens as a version before bindings did, and clears its binding.
async fn make_legacy(
    sql: &sea_orm::DatabaseConnection,
    key: &MasterKey,
    id: i64,
    expire: bool,
) -> String {
    let row = sql
        .query_one_raw(sea_orm::Statement::from_string(
            sql.get_database_backend(),
            format!("SELECT provider_binding, provider_access_token, provider_refresh_token FROM accounts WHERE id = {id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    let binding: String = row.try_get("", "provider_binding").unwrap();
    let ring = KeyRing::new(key.clone(), vec![]);
    let legacy = |bound: String, unbound: String, column: &str| {
        let sealed: String = row.try_get("", column).unwrap();
        let plain = ring.open(&bound, &sealed).unwrap().0;
        ring.seal(&unbound, &plain)
    };
    let access = legacy(
        access_place(id, Some(&binding)),
        access_place(id, None),
        "provider_access_token",
    );
    let refresh = legacy(
        refresh_place(id, Some(&binding)),
        refresh_place(id, None),
        "provider_refresh_token",
    );
    let expiry = if expire { ", auth_expires_at = 1" } else { "" };
    sql.execute_unprepared(&format!(
        "UPDATE accounts SET provider_binding = NULL, provider_access_token = '{access}', \
         provider_refresh_token = '{refresh}'{expiry} WHERE id = {id}"
    ))
    .await
    .unwrap();
    binding
}

async fn binding_of(sql: &sea_orm::DatabaseConnection, id: i64) -> Option<String> {
    let row = sql
        .query_one_raw(sea_orm::Statement::from_string(
            sql.get_database_backend(),
            format!("SELECT provider_binding FROM accounts WHERE id = {id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "provider_binding").unwrap()
}

/// Accounts stored before bindings existed (no binding, tokens sealed without one) are
/// bound at the next start and keep working. One whose registration is gone then is bound
/// to nothing for good: a registration added later, anywhere, never receives its tokens.
async fn accounts_from_before_bindings_are_bound_at_start(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let sandbox_secret = |app: &FlowApp| {
        key.hasher(HashPurpose::SandboxClient)
            .hash(app.client_id.as_bytes())
    };
    let mut kept = FlowApp::create(&base, "Upgraded").await;
    let secret = sandbox_secret(&kept);
    google_at(&mut kept, &base, &secret, &base).await;
    let (kept_id, kept_token) = connect_google(&base, &kept).await;
    let mut orphan = FlowApp::create(&base, "Orphaned").await;
    let secret = sandbox_secret(&orphan);
    google_at(&mut orphan, &base, &secret, &base).await;
    let (orphan_id, orphan_token) = connect_google(&base, &orphan).await;

    // As an older version left them; the orphan's registration is gone at the upgrade.
    let sql = Database::connect(db.url.clone()).await.unwrap();
    let binding = make_legacy(&sql, &key, kept_id, true).await;
    make_legacy(&sql, &key, orphan_id, true).await;
    remove(&mut orphan, "Google").await;

    // A new instance starts (the first one goes on serving the Sandbox).
    let upgraded = TestServer::start(&db, &key, |c| c.public_url = base.clone()).await;
    let r = account(&upgraded.base, &kept_token, "?includeProviderAuth=true").await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "bound at start, refreshed at its provider"
    );
    assert_eq!(
        binding_of(&sql, kept_id).await.as_deref(),
        Some(binding.as_str())
    );
    assert_eq!(binding_of(&sql, orphan_id).await.as_deref(), Some(""));

    // The orphan's registration comes back pointing elsewhere; another start binds nothing.
    let attacker = CountingServer::json(r#"{"access_token":"x","token_type":"Bearer"}"#).await;
    google_at(&mut orphan, &base, "made-up-secret", &attacker.base).await;
    let again = TestServer::start(&db, &key, |c| c.public_url = base.clone()).await;
    let r = account(&again.base, &orphan_token, "?includeProviderAuth=true").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(binding_of(&sql, orphan_id).await.as_deref(), Some(""));
    assert_eq!(attacker.hits(), 0);
    sql.close().await.ok();
    again.stop().await;
    upgraded.stop().await;
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(accounts_from_before_bindings_are_bound_at_start);
