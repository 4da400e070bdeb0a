//! Two server instances on one PostgreSQL database behave as one: sessions and sign-in
//! throttling live in the database, not in a process.
use crate::common::{Backend, Browser, TestDatabase, TestServer, PASSWORD};
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
/// generated; a page whose resource first ran in that window never finished streaming.
/// Several instances in one process (as in these tests) must not stall each other's pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_while_another_instance_starts_in_the_process() {
    let f = crate::common::Fixture::start(Backend::Sqlite).await;
    let mut owner = crate::common::team::sign_up(&f.server.base, "Streamer").await;
    let team = owner.own_team.clone();
    let made = owner
        .browser
        .call(
            "team/apps/create",
            &[("team_id", &team), ("name", "Listed app")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);

    let starts = tokio::spawn(async {
        // Enough starts that, before the fix, a page stalled in every run tried.
        for _ in 0..40 {
            let other = crate::common::Fixture::start(Backend::Sqlite).await;
            other.finish().await;
        }
    });
    let mut pages = 0;
    while !starts.is_finished() || pages < 20 {
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            owner.browser.get("/applications"),
        )
        .await
        .expect("the applications page never finished while another instance started");
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Listed app"), "{}", page.body);
        pages += 1;
    }
    starts.await.expect("instances started and stopped");
    f.finish().await;
}
