//! Issue 14: the account lifecycle reaches the app as signed webhooks. A real receiver checks
//! every signature with npm's `standardwebhooks`; the outbox survives a kill -9; two
//! instances deliver 1,000 events without a duplicate; failures are retried with growing
//! delays and the attempts are kept.
use crate::common::flow::{account, connect, revoke_at_sandbox, FlowApp};
use crate::common::receiver::Receiver;
use crate::common::{plain_client, Backend, Fixture, TestDatabase, TestServer};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// The app's signing secret, as a Developer reads it on the application's page.
async fn signing_secret(app: &mut FlowApp) -> String {
    let t = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .call(
            "apps/signing_secret",
            &[("team_id", &t), ("app_id", &app.id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_str().unwrap().to_owned()
}

async fn add_endpoint(app: &mut FlowApp, url: &str, events: &str) -> String {
    let t = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .call(
            "apps/webhooks/add",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("url", url),
                ("event_types", events),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_owned()
}

/// *Send test event* on an endpoint, as the dashboard does; the answer's status.
async fn send_test(app: &mut FlowApp, endpoint: &str) -> StatusCode {
    let t = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .call(
            "apps/webhooks/test",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("endpoint_id", endpoint),
            ],
        )
        .await;
    r.status
}

async fn deliveries(app: &mut FlowApp) -> serde_json::Value {
    let t = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .query(
            "apps/webhooks/deliveries",
            &[("team_id", &t), ("app_id", &app.id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn types(got: &[crate::common::receiver::Received]) -> Vec<String> {
    got.iter().filter_map(|r| r.kind.clone()).collect()
}

async fn sql(db: &TestDatabase) -> DatabaseConnection {
    Database::connect(db.url.clone()).await.unwrap()
}

async fn lifecycle_events_reach_the_app_signed_and_once(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let mut app = FlowApp::create(&base, "Hooked").await;
    let secret = signing_secret(&mut app).await;
    assert!(secret.starts_with("whsec_"));
    let receiver = Receiver::start(&secret, "ok", 0);
    add_endpoint(&mut app, &format!("{}/hooks", receiver.base), "*").await;
    let sql = sql(&db).await;
    let expire = |id: i64| format!("UPDATE accounts SET auth_expires_at = 1 WHERE id = {id}");

    // Connected, then authorized again in place.
    let (id, token) = connect(&base, &app, &[]).await;
    connect(&base, &app, &[("accountId", &id.to_string())]).await;
    // The provider refuses the token of an account it gave no refresh token (nothing to
    // renew it with): a ping says 401, invalid.
    revoke_at_sandbox(&base, &app, &key, &token).await;
    sql.execute_unprepared(&format!(
        "UPDATE accounts SET provider_refresh_token = NULL WHERE id = {id}"
    ))
    .await
    .unwrap();
    let me: serde_json::Value = account(&base, &token, "?pingProvider=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["tokenStatus"], "invalid");
    // Without a refresh token it cannot be refreshed: dead, once, however often the app asks.
    sql.execute_unprepared(&expire(id)).await.unwrap();
    for _ in 0..2 {
        let r = account(&base, &token, "?includeProviderAuth=true").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Authorized again, the provider refuses the token (401: invalid) and then a refresh
    // works: recovered.
    connect(&base, &app, &[("accountId", &id.to_string())]).await;
    sql.execute_unprepared(&format!(
        "UPDATE accounts SET token_status = 'invalid' WHERE id = {id}"
    ))
    .await
    .unwrap();
    sql.execute_unprepared(&expire(id)).await.unwrap();
    let r = account(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(r.status(), StatusCode::OK);
    // And deleted.
    let r = plain_client()
        .delete(format!("{base}/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    // Delivery order is not promised (receivers dedupe by webhook-id): compared as sets.
    let mut expected = [
        "account.created",
        "account.reauthorized",
        "account.invalid",
        "account.dead",
        "account.reauthorized",
        "account.recovered",
        "account.deleted",
    ];
    let got = receiver
        .wait_for(30, |got| got.len() >= expected.len())
        .await;
    let mut got_types = types(&got);
    got_types.sort();
    expected.sort();
    assert_eq!(got_types, expected, "{got:#?}");
    assert!(got.iter().all(|r| r.verified), "every signature verifies");
    let mut ids: Vec<_> = got.iter().filter_map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected.len(), "one message per transition");
    // The payload is the account as /v1/am/accounts shows it, and never a token.
    let created = got
        .iter()
        .find(|r| r.kind.as_deref() == Some("account.created"))
        .unwrap();
    let created: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(created["data"]["id"], id);
    assert_eq!(created["data"]["serviceType"], "Sandbox");
    assert!(!got
        .iter()
        .any(|r| r.body.contains("accessToken") || r.body.contains(&token)));
    // Nothing more arrives (one account.dead for two refused refreshes).
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(receiver.received().await.len(), expected.len());
    sql.close().await.ok();
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(lifecycle_events_reach_the_app_signed_and_once);

/// Waits until the test event's delivery has made `n` attempts; returns it.
async fn test_delivery(app: &mut FlowApp, n: i64) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for _ in 0..100 {
        last = deliveries(app)
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["event_type"] == "webhook.test")
            .cloned()
            .unwrap_or_default();
        if last["attempts"].as_i64() == Some(n) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    last
}

/// Seconds between a delivery's last attempt and its next one.
fn wait_of(d: &serde_json::Value) -> i64 {
    d["next_attempt_at"].as_i64().unwrap() - d["history"][0]["at"].as_i64().unwrap()
}

async fn failures_are_retried_with_growing_delays_and_kept(backend: Backend) {
    let f = Fixture::start_with(backend, |c| c.provider_timeout_secs = 2).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Flaky receiver").await;
    let secret = signing_secret(&mut app).await;
    let receiver = Receiver::start(&secret, "fail", 0);
    let endpoint = add_endpoint(&mut app, &format!("{}/hooks", receiver.base), "*").await;
    // Nothing listens here: the app's second endpoint is down.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    add_endpoint(&mut app, &format!("http://127.0.0.1:{closed}/hooks"), "*").await;
    let t = app.owner.own_team.clone();
    assert_eq!(send_test(&mut app, &endpoint).await, StatusCode::OK);
    connect(&base, &app, &[]).await;
    let sql = sql(&f.db).await;

    let due_now = "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'";
    let d = test_delivery(&mut app, 1).await;
    assert_eq!(d["status"], "pending");
    assert_eq!(d["last_status"], 500);
    let first_wait = wait_of(&d);
    assert!(
        (4..=6).contains(&first_wait),
        "first retry after ~5 s: {first_wait}"
    );
    sql.execute_unprepared(due_now).await.unwrap();
    let d = test_delivery(&mut app, 2).await;
    let second_wait = wait_of(&d);
    assert!(
        (240..=360).contains(&second_wait),
        "then ~5 min: {second_wait}"
    );
    // A receiver that hangs is given up on at the timeout.
    receiver.set_mode("hang").await;
    sql.execute_unprepared(due_now).await.unwrap();
    let d = test_delivery(&mut app, 3).await;
    assert!(d["last_status"].is_null());
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer in time"),
        "{d}"
    );
    let third_wait = wait_of(&d);
    assert!(
        (1440..=2160).contains(&third_wait),
        "then ~30 min: {third_wait}"
    );
    // It comes back: delivered, and the whole history is kept.
    receiver.set_mode("ok").await;
    sql.execute_unprepared(due_now).await.unwrap();
    let d = test_delivery(&mut app, 4).await;
    assert_eq!(d["status"], "delivered", "{d}");
    let statuses: Vec<_> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["http_status"].as_i64())
        .collect();
    assert_eq!(statuses, [Some(204), None, Some(500), Some(500)]);
    // The endpoint that is down: its attempts say so.
    let all = deliveries(&mut app).await;
    let down = all
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["endpoint_url"]
                .as_str()
                .unwrap()
                .contains(&closed.to_string())
        })
        .unwrap()
        .clone();
    assert!(
        down["last_error"].as_str().unwrap().contains("connect"),
        "{down}"
    );
    // Redelivered: the same message again (same webhook-id), delivered.
    let delivery_id = d["id"].as_str().unwrap().to_owned();
    let r = app
        .owner
        .browser
        .call(
            "apps/webhooks/redeliver",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("delivery_id", &delivery_id),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = receiver
        .wait_for(20, |got| {
            got.iter()
                .filter(|r| r.kind.as_deref() == Some("webhook.test"))
                .count()
                >= 5
        })
        .await;
    let tests: Vec<_> = got
        .iter()
        .filter(|r| r.kind.as_deref() == Some("webhook.test"))
        .collect();
    assert_eq!(tests.len(), 5, "four attempts and one redelivery");
    assert!(tests.iter().all(|r| r.id == tests[0].id && r.verified));
    sql.close().await.ok();
    f.finish().await;
}
on_both_backends!(failures_are_retried_with_growing_delays_and_kept);

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The server as its own process (so it can be killed with SIGKILL).
fn spawn_server(db: &TestDatabase, key: &MasterKey, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .env("LINKGATE_BIND", format!("127.0.0.1:{port}"))
        .env("LINKGATE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("LINKGATE_DATA_DIR", &db.dir)
        .env("DATABASE_URL", &db.url)
        .env("LINKGATE_MASTER_KEY", key.to_base64())
        .env("LINKGATE_SIGN_UPS_PER_ADDRESS", "1000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the linkgate binary")
}

async fn ready(base: &str) {
    for _ in 0..200 {
        if let Ok(r) = plain_client().get(format!("{base}/readyz")).send().await {
            if r.status() == StatusCode::OK {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

async fn attempts_made(sql: &DatabaseConnection) -> i64 {
    let row = sql
        .query_one_raw(sea_orm::Statement::from_string(
            sql.get_database_backend(),
            "SELECT COALESCE(SUM(attempts), 0) AS n FROM webhook_deliveries",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// A transition's event is committed with it: killed with SIGKILL before it could be
/// delivered, the server delivers it after its restart, once.
async fn an_event_survives_a_kill_minus_nine(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut first = spawn_server(&db, &key, port);
    ready(&base).await;
    let mut app = FlowApp::create(&base, "Killed").await;
    let secret = signing_secret(&mut app).await;
    // The receiver's port is chosen, but nothing listens there yet.
    let receiver_port = free_port();
    add_endpoint(
        &mut app,
        &format!("http://127.0.0.1:{receiver_port}/hooks"),
        "*",
    )
    .await;
    let (id, _) = connect(&base, &app, &[]).await;
    let sql = sql(&db).await;
    for _ in 0..100 {
        if attempts_made(&sql).await >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        attempts_made(&sql).await,
        1,
        "one failed attempt before the kill"
    );
    first.kill().unwrap();
    first.wait().unwrap();

    let receiver = Receiver::start(&secret, "ok", receiver_port);
    sql.execute_unprepared("UPDATE webhook_deliveries SET next_attempt_at = 0")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut second = spawn_server(&db, &key, port);
    ready(&base).await;
    let got = receiver.wait_for(30, |got| !got.is_empty()).await;
    eprintln!(
        "kill -9: delivered {} message(s) {:?} after the restart",
        got.len(),
        started.elapsed()
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let got = receiver.received().await;
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].kind.as_deref(), Some("account.created"));
    assert!(got[0].verified);
    let body: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["id"], id);
    second.kill().unwrap();
    second.wait().unwrap();
    sql.close().await.ok();
    db.drop_it().await;
}
on_both_backends!(an_event_survives_a_kill_minus_nine);

/// Two instances on one PostgreSQL deliver 1,000 events: each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_deliver_a_thousand_events_once_each() {
    crate::common::within_test_limit("two_instances_deliver_a_thousand_events_once_each", async {
        let db = TestDatabase::create(Backend::Postgres).await;
        let key = MasterKey::generate();
        let a = TestServer::start(&db, &key, |_| {}).await;
        let mut app = FlowApp::create(&a.base, "Busy").await;
        let secret = signing_secret(&mut app).await;
        let receiver = Receiver::start(&secret, "ok", 0);
        add_endpoint(&mut app, &format!("{}/hooks", receiver.base), "*").await;
        let public = a.base.clone();
        let b = TestServer::start(&db, &key, |c| c.public_url = public).await;
        // 1,000 transitions' events, committed at once, as the outbox holds them.
        let sql = sql(&db).await;
        let app_id: uuid::Uuid = app.id.parse().unwrap();
        let started = std::time::Instant::now();
        {
            let txn = app::domain::write_transaction::begin_write(&sql)
                .await
                .unwrap();
            for n in 0..1000 {
                app::domain::webhook::outbox::emit(
                    &txn,
                    app_id,
                    app::domain::webhook::EventType::AccountCreated,
                    serde_json::json!({ "n": n }),
                    app::domain::now_unix(),
                )
                .await
                .unwrap();
            }
            txn.commit().await.unwrap();
        }
        let got = receiver.wait_for(240, |got| got.len() >= 1000).await;
        let elapsed = started.elapsed();
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        let got_after = receiver.received().await;
        let mut ids: Vec<_> = got_after.iter().filter_map(|r| r.id.clone()).collect();
        ids.sort();
        ids.dedup();
        eprintln!(
            "two instances: {} deliveries of {} distinct messages in {elapsed:?}",
            got_after.len(),
            ids.len()
        );
        assert_eq!(got.len(), 1000);
        assert_eq!(got_after.len(), 1000, "none delivered twice");
        assert_eq!(ids.len(), 1000);
        assert!(got_after.iter().all(|r| r.verified));
        assert_eq!(attempts_made(&sql).await, 1000, "one attempt each");
        sql.close().await.ok();
        a.stop().await;
        b.stop().await;
        db.drop_it().await;
    })
    .await
}

/// Through the Sandbox as `email` from a user-session authorize URL, code mode; the account.
async fn user_flow(base: &str, app: &FlowApp, extra: &[(&str, &str)], email: &str) -> i64 {
    use crate::common::flow::{consent_at_sandbox, get, location, on, param, Consent, ALLOW};
    let mut query = vec![("responseType", "code")];
    query.extend_from_slice(extra);
    let r = get(&app.flow_url(base, "authorizeUser", "Sandbox", &query)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = Consent { email, ..ALLOW };
    let callback = consent_at_sandbox(base, &location(&r), &c).await;
    let back = location(&get(&on(base, &callback)).await);
    let code = param(&back, "code").expect("a code");
    let j: serde_json::Value = app.exchange(base, &code).await.json().await.unwrap();
    j["accountId"].as_i64().unwrap()
}

/// An end user comes with their primary account and goes with their last one, once, even
/// when the app deletes their two accounts at the same moment through `/v1/am`.
async fn end_users_come_and_go_once(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Users").await;
    let secret = signing_secret(&mut app).await;
    let receiver = Receiver::start(&secret, "ok", 0);
    add_endpoint(&mut app, &format!("{}/hooks", receiver.base), "*").await;

    let primary = user_flow(
        &base,
        &app,
        &[("accountRole", "primary")],
        "ada@example.com",
    )
    .await;
    let r = crate::common::flow::app_get(&base, &app, &format!("/v1/am/accounts/{primary}")).await;
    let user_id = r.json::<serde_json::Value>().await.unwrap()["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    let ts = app::domain::now_unix().to_string();
    let sig = app::domain::end_user::signature::sign(&app.secret, &user_id, &ts);
    let secondary = user_flow(
        &base,
        &app,
        &[
            ("accountRole", "secondary"),
            ("userId", &user_id),
            ("timestamp", &ts),
            ("userSignature", &sig),
        ],
        "ada.work@example.com",
    )
    .await;
    let delete = |id: i64| {
        plain_client()
            .delete(format!("{base}/v1/am/accounts/{id}"))
            .header("authorization", app.basic())
            .send()
    };
    let (a, b) = tokio::join!(delete(primary), delete(secondary));
    assert!(a.unwrap().status().is_success());
    assert!(b.unwrap().status().is_success());

    let mut expected = [
        "user.created",
        "account.created",
        "account.created",
        "account.deleted",
        "account.deleted",
        "user.deleted",
    ];
    let got = receiver
        .wait_for(30, |got| got.len() >= expected.len())
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mut got_types = types(&receiver.received().await);
    got_types.sort();
    expected.sort();
    assert_eq!(got_types, expected, "{got:#?}");
    let gone = got
        .iter()
        .find(|r| r.kind.as_deref() == Some("user.deleted"))
        .unwrap();
    let gone: serde_json::Value = serde_json::from_str(&gone.body).unwrap();
    assert_eq!(gone["data"]["id"], user_id.as_str());
    let sql = sql(&f.db).await;
    let left = sql
        .query_one_raw(sea_orm::Statement::from_string(
            sql.get_database_backend(),
            "SELECT COUNT(*) AS n FROM end_users",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(left, 0, "the end user is gone");
    sql.close().await.ok();
    f.finish().await;
}
on_both_backends!(end_users_come_and_go_once);

/// Test events and redeliveries people ask for are counted: one app cannot fill the queue
/// every instance's worker shares.
async fn test_events_are_throttled(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut app = FlowApp::create(&f.server.base, "Chatty").await;
    let endpoint = add_endpoint(&mut app, "http://127.0.0.1:9/hooks", "*").await;
    let mut statuses = Vec::new();
    for _ in 0..31 {
        statuses.push(send_test(&mut app, &endpoint).await);
    }
    assert!(statuses[..30].iter().all(|s| *s == StatusCode::OK));
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    f.finish().await;
}
on_both_backends!(test_events_are_throttled);

/// A receiver that never answers, with a backlog larger than the worker's window, does not
/// hold up another app's events: sends run side by side, and an app at its cap of sends
/// under way is left out before the window is chosen.
async fn a_hanging_backlog_does_not_hold_up_others(backend: Backend) {
    let f = Fixture::start_with(backend, |c| c.provider_timeout_secs = 20).await;
    let base = f.server.base.clone();
    let mut slow = FlowApp::create(&base, "Slow").await;
    let slow_secret = signing_secret(&mut slow).await;
    let hanging = Receiver::start(&slow_secret, "hang", 0);
    add_endpoint(&mut slow, &format!("{}/hooks", hanging.base), "*").await;
    let mut quick = FlowApp::create(&base, "Quick").await;
    let quick_secret = signing_secret(&mut quick).await;
    let receiver = Receiver::start(&quick_secret, "ok", 0);
    add_endpoint(&mut quick, &format!("{}/hooks", receiver.base), "*").await;
    // More events for the hanging receiver than the worker looks at in one go, all older
    // than the quick app's one.
    let sql = sql(&f.db).await;
    let slow_id: uuid::Uuid = slow.id.parse().unwrap();
    // The writer's turn is the server's too (same process): held only for this.
    let txn = app::domain::write_transaction::begin_write(&sql)
        .await
        .unwrap();
    for n in 0..1200 {
        app::domain::webhook::outbox::emit(
            &txn,
            slow_id,
            app::domain::webhook::EventType::AccountCreated,
            serde_json::json!({ "n": n }),
            app::domain::now_unix() - 60,
        )
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
    sql.execute_unprepared("UPDATE webhook_deliveries SET next_attempt_at = 0")
        .await
        .unwrap();
    connect(&base, &quick, &[]).await;
    let got = receiver.wait_for(30, |got| !got.is_empty()).await;
    assert_eq!(types(&got), ["account.created"]);
    // Delivered while the hanging receiver still holds every send it was given.
    let slow_attempts = sql
        .query_one_raw(sea_orm::Statement::from_string(
            sql.get_database_backend(),
            format!(
                "SELECT COALESCE(SUM(attempts), 0) AS n FROM webhook_deliveries \
                 WHERE app_id = '{slow_id}'"
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(
        slow_attempts, 0,
        "no attempt to the hanging receiver has ended yet"
    );
    sql.close().await.ok();
    f.finish().await;
}
on_both_backends!(a_hanging_backlog_does_not_hold_up_others);
