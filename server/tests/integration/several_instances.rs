//! Two server instances on one PostgreSQL database behave as one: sessions and sign-in
//! throttling live in the database, not in a process.
use crate::common::flow::FlowApp;
use crate::common::{Backend, Browser, Fixture, TestDatabase, TestServer, PASSWORD};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_and_throttling() {
    let db = TestDatabase::create(Backend::Postgres).await;
    let key = MasterKey::generate();
    // Started together on an empty database: the migrations must not race.
    let (a, b) = tokio::join!(
        TestServer::start(&db, &key, |_| {}),
        TestServer::start(&db, &key, |_| {})
    );

    // Sign up on A, keep browsing on B.
    let mut on_a = Browser::new(&a.base);
    assert_eq!(
        on_a.sign_up("Shared", "shared@example.com").await.status,
        StatusCode::SEE_OTHER
    );
    let mut on_b = on_a.at(&b.base);
    let page = on_b.get("/applications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Shared"));

    // Sign out on B ends the session on A too.
    assert_eq!(
        on_b.post_form("/signout", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(on_a.get("/applications").await.location(), Some("/signin"));

    // Failures alternate between instances; the limit still holds at five.
    for i in 0..5 {
        let server = if i % 2 == 0 { &a.base } else { &b.base };
        let r = Browser::new(server)
            .sign_in("shared@example.com", "wrong password!")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        Browser::new(&a.base)
            .sign_in("shared@example.com", PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        Browser::new(&b.base)
            .sign_in("shared@example.com", PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );

    a.stop().await;
    b.stop().await;
    db.drop_it().await;
}

/// Leptos suppresses resource loading process-wide while a router's route list is
/// generated; a page whose resource first ran in that window never finished streaming (and
/// fails here at the client's `REQUEST_LIMIT`). Several instances in one process, as in
/// these tests, must not stall each other's pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_while_another_instance_starts_in_the_process() {
    let f = Fixture::start(Backend::Sqlite).await;
    let mut app = FlowApp::create(&f.server.base, "Streamer").await;
    // Rendered by the page's resource, not by the shell.
    let app_link = format!("/applications/{}", app.id);

    let starts = tokio::spawn(async {
        // Before the fix, a page stalled in about half of the runs with 40 starts.
        for _ in 0..40 {
            Fixture::start(Backend::Sqlite).await.finish().await;
        }
    });
    let mut pages = 0;
    while !starts.is_finished() || pages < 20 {
        let page = app.owner.browser.get("/applications").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&app_link), "{}", page.body);
        pages += 1;
    }
    starts.await.expect("instances started and stopped");
    f.finish().await;
}
