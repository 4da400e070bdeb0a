//! Issue 18: `GET /v1/account` answers from memory, and revocation stays immediate: the
//! instance that revokes refuses the token at once, and so does every other instance (on
//! SQLite through the connections' update hook; on PostgreSQL when the trigger's notice
//! arrives, polled here for at most five seconds); a lost listener turns the cache off
//! rather than leave a revoked token answered.
use std::time::{Duration, Instant};

use crate::common::flow::{account, connect, param, sandbox_flow, FlowApp, ALLOW};
use crate::common::{plain_client, Backend, TestDatabase, TestServer};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};

async fn status(base: &str, token: &str) -> StatusCode {
    account(base, token, "").await.status()
}

/// The status `base` answers once it stops answering 200, within five seconds.
async fn refused_within(base: &str, token: &str) -> (StatusCode, Duration) {
    let start = Instant::now();
    loop {
        let s = status(base, token).await;
        if s != StatusCode::OK || start.elapsed() > Duration::from_secs(5) {
            return (s, start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Deletes every token through a connection of the test's own, which no SQLite update hook
/// of the server watches: only an answer from memory can still be given after it.
async fn delete_tokens_unseen(db: &TestDatabase) {
    let outside = Database::connect(db.url.clone()).await.unwrap();
    outside
        .execute_unprepared("DELETE FROM account_tokens")
        .await
        .unwrap();
    outside.close().await.unwrap();
}

/// A database and two instances on it (B's links point at A).
async fn two_instances(backend: Backend) -> (TestDatabase, TestServer, TestServer) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let a = TestServer::start(&db, &key, |_| {}).await;
    let public = a.base.clone();
    let b = TestServer::start(&db, &key, |c| c.public_url = public).await;
    (db, a, b)
}

/// A database, one instance and a new app with a token of one of its accounts.
async fn one_instance_with_a_token(
    backend: Backend,
    app_name: &str,
) -> (TestDatabase, TestServer, FlowApp, String) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let a = TestServer::start(&db, &key, |_| {}).await;
    let app = FlowApp::create(&a.base, app_name).await;
    let (_, token) = connect(&a.base, &app, &[]).await;
    (db, a, app, token)
}

/// `here` refuses `token` at once, and `there` within five seconds.
async fn refused_here_then_there(here: &str, there: &str, token: &str, what: &str) {
    assert_eq!(
        status(here, token).await,
        StatusCode::UNAUTHORIZED,
        "{what}"
    );
    let (s, _) = refused_within(there, token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the other instance: {what}");
}

async fn delete(base: &str, path: &str, token: &str) -> StatusCode {
    plain_client()
        .delete(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn revocation_reaches_every_instance(backend: Backend) {
    let (db, a, b) = two_instances(backend).await;
    let app = FlowApp::create(&a.base, "Cached answers").await;
    let (_, first) = connect(&a.base, &app, &[]).await;
    let (_, second) = connect(&a.base, &app, &[]).await;
    let (_, third) = connect(&a.base, &app, &[]).await;

    // Both instances answer each token twice (the second time from memory) with the same body.
    for token in [&first, &second, &third] {
        for base in [&a.base, &b.base] {
            let once = account(base, token, "").await;
            assert_eq!(once.status(), StatusCode::OK);
            assert_eq!(once.headers()["cache-control"], "no-store");
            let once = once.text().await.unwrap();
            let twice = account(base, token, "").await.text().await.unwrap();
            assert_eq!(once, twice);
            assert!(!twice.contains("providerAuth"), "{twice}");
        }
    }

    // Revoked through A: A refuses at once, and so does B.
    assert_eq!(
        delete(&a.base, "/v1/account/token", &first).await,
        StatusCode::OK
    );
    refused_here_then_there(
        &a.base,
        &b.base,
        &first,
        "B still answered the revoked token",
    )
    .await;

    // Deleted through B: the same the other way round.
    assert_eq!(
        delete(&b.base, "/v1/account", &second).await,
        StatusCode::OK
    );
    refused_here_then_there(
        &b.base,
        &a.base,
        &second,
        "A still answered the deleted account",
    )
    .await;

    if matches!(backend, Backend::Postgres) {
        // A tool outside Linkgate deletes the third token: PostgreSQL's trigger still tells.
        let sql = Database::connect(db.url.clone()).await.unwrap();
        sql.execute_unprepared("DELETE FROM account_tokens")
            .await
            .unwrap();
        for base in [&a.base, &b.base] {
            let (s, _) = refused_within(base, &third).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        // A TRUNCATE names no rows: every instance drops what it holds.
        let (_, fourth) = connect(&a.base, &app, &[]).await;
        for base in [&a.base, &b.base] {
            assert_eq!(status(base, &fourth).await, StatusCode::OK);
            assert_eq!(status(base, &fourth).await, StatusCode::OK);
        }
        sql.execute_unprepared("TRUNCATE account_tokens")
            .await
            .unwrap();
        for base in [&a.base, &b.base] {
            let (s, _) = refused_within(base, &fourth).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        sql.close().await.unwrap();
    }
    a.stop().await;
    b.stop().await;
    db.drop_it().await;
}
on_both_backends!(revocation_reaches_every_instance);

/// Every other way a token stops working: a replayed code revokes the tokens issued for it,
/// and deleting the app deletes its accounts. Each is refused by the instance that did it
/// on the next request, and by the other instance once it has heard.
async fn every_revocation_path_is_refused_next_time(backend: Backend) {
    let (db, a, b) = two_instances(backend).await;
    let cached_on_both = |token: String| {
        let (a, b) = (a.base.clone(), b.base.clone());
        async move {
            for base in [&a, &b] {
                for _ in 0..2 {
                    assert_eq!(status(base, &token).await, StatusCode::OK);
                }
            }
        }
    };

    // A replayed code.
    let app = FlowApp::create(&a.base, "Replayed").await;
    let back = sandbox_flow(&a.base, &app, &[], &ALLOW).await;
    let code = param(&back, "code").unwrap();
    let r = app.exchange(&a.base, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let j: serde_json::Value = r.json().await.unwrap();
    let token = j["accessToken"].as_str().unwrap().to_owned();
    cached_on_both(token.clone()).await;
    assert_eq!(
        app.exchange(&a.base, &code).await.status(),
        StatusCode::BAD_REQUEST
    );
    refused_here_then_there(
        &a.base,
        &b.base,
        &token,
        "B answered a replayed code's token",
    )
    .await;

    // The app deleted (on B this time): its accounts go, and their tokens with them.
    let doomed = FlowApp::create(&a.base, "Doomed").await;
    let (_, token) = connect(&a.base, &doomed, &[]).await;
    cached_on_both(token.clone()).await;
    let t = doomed.owner.own_team.clone();
    let r = doomed
        .owner
        .browser
        .at(&b.base)
        .call(
            "apps/delete",
            &[
                ("team_id", t.as_str()),
                ("app_id", doomed.id.as_str()),
                ("confirm_name", "Doomed"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    refused_here_then_there(&b.base, &a.base, &token, "A answered a deleted app's token").await;

    // A master-key change without the previous key: an instance started with the new key
    // alone refuses tokens made under the old one (its cache starts empty).
    let (_, token) = connect(&a.base, &app, &[]).await;
    cached_on_both(token.clone()).await;
    a.stop().await;
    b.stop().await;
    let c = TestServer::start(&db, &MasterKey::generate(), |_| {}).await;
    assert_eq!(status(&c.base, &token).await, StatusCode::UNAUTHORIZED);
    c.stop().await;
    db.drop_it().await;
}
on_both_backends!(every_revocation_path_is_refused_next_time);

/// PostgreSQL: when an instance's listener loses its connection, the instance answers from
/// the database until it listens again, and then caches (and evicts) as before.
#[tokio::test]
async fn a_lost_listener_never_leaves_a_revoked_token_answered() {
    let (db, a, app, token) = one_instance_with_a_token(Backend::Postgres, "Listener").await;
    assert_eq!(status(&a.base, &token).await, StatusCode::OK);
    assert_eq!(status(&a.base, &token).await, StatusCode::OK);

    let sql = Database::connect(db.url.clone()).await.unwrap();
    let kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                WHERE datname = current_database() AND query LIKE 'LISTEN%'";
    sql.execute_unprepared(kill).await.unwrap();
    // Changed while nobody listens: the notice is lost, the cached answer must not stand.
    sql.execute_unprepared("DELETE FROM account_tokens")
        .await
        .unwrap();
    let (s, _) = refused_within(&a.base, &token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Listening again (reconnects after a second): a new token is cached and evicted.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, again) = connect(&a.base, &app, &[]).await;
    assert_eq!(status(&a.base, &again).await, StatusCode::OK);
    assert_eq!(status(&a.base, &again).await, StatusCode::OK);
    sql.execute_unprepared("DELETE FROM account_tokens")
        .await
        .unwrap();
    let (s, _) = refused_within(&a.base, &again).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    sql.close().await.unwrap();
    a.stop().await;
    db.drop_it().await;
}

/// SQLite: a repeated lookup is answered from memory. Shown by a writer outside the process
/// (here, a connection without the hook), which the cache cannot see: the documented limit.
#[tokio::test]
async fn a_repeated_lookup_is_answered_from_memory() {
    let (db, a, _, token) = one_instance_with_a_token(Backend::Sqlite, "From memory").await;
    assert_eq!(status(&a.base, &token).await, StatusCode::OK);
    delete_tokens_unseen(&db).await;
    assert_eq!(
        status(&a.base, &token).await,
        StatusCode::OK,
        "answered from memory"
    );
    a.stop().await;
    db.drop_it().await;
}

/// An answer from memory (which skips the handler) is the one the handler gave: the same
/// body and the same headers, the security headers and the request id included.
#[tokio::test]
async fn an_answer_from_memory_carries_what_the_first_did() {
    let (db, a, _, token) = one_instance_with_a_token(Backend::Sqlite, "Same answer").await;
    let ask = |id: &'static str| {
        plain_client()
            .get(format!("{}/v1/account", a.base))
            .bearer_auth(&token)
            .header("x-request-id", id)
            .send()
    };
    let first = ask("first-ask").await.unwrap();
    delete_tokens_unseen(&db).await;
    let second = ask("second-ask").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(first.headers()["x-request-id"], "first-ask");
    assert_eq!(second.headers()["x-request-id"], "second-ask");
    let shown = |r: &reqwest::Response| {
        let mut h: Vec<(String, String)> = r
            .headers()
            .iter()
            .filter(|(n, _)| !matches!(n.as_str(), "date" | "x-request-id"))
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        h.sort();
        h
    };
    let (first_headers, second_headers) = (shown(&first), shown(&second));
    assert!(
        first_headers
            .iter()
            .any(|(n, _)| n == "content-security-policy"),
        "{first_headers:?}"
    );
    assert_eq!(first_headers, second_headers);
    assert_eq!(first.text().await.unwrap(), second.text().await.unwrap());
    a.stop().await;
    db.drop_it().await;
}
