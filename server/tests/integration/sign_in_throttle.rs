//! Failed sign-ins are throttled per email and per client address, and the lock expires.
use crate::common::{Backend, Fixture, PASSWORD};
use reqwest::StatusCode;

async fn five_failures_lock_an_email_until_the_window_passes(backend: Backend) {
    let window = 4;
    let f = Fixture::start_with(backend, |c| c.sign_in_window_secs = window).await;
    f.browser().sign_up("Target", "target@example.com").await;
    for attempt in 1..=5 {
        let r = f
            .browser()
            .sign_in("target@example.com", "wrong password!")
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // Locked: even the right password is refused, with a Retry-After that fits the window.
    let locked = f.browser().sign_in("Target@Example.com", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = locked
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=window).contains(&retry), "Retry-After {retry}");
    assert!(
        locked.body.contains("Too many failed sign-in attempts."),
        "explained on the page"
    );
    // Another email from the same client is not locked by these five.
    f.browser()
        .sign_up("Bystander", "bystander@example.com")
        .await;
    assert_eq!(
        f.browser()
            .sign_in("bystander@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    tokio::time::sleep(std::time::Duration::from_secs(retry as u64 + 1)).await;
    let mut b = f.browser();
    assert_eq!(
        b.sign_in("target@example.com", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "lock expired"
    );
    assert_eq!(b.get("/applications").await.status, StatusCode::OK);
    f.finish().await;
}
on_both_backends!(five_failures_lock_an_email_until_the_window_passes);

async fn twenty_failures_lock_a_client_address(backend: Backend) {
    let f = Fixture::start(backend).await;
    f.browser().sign_up("Real", "real@example.com").await;
    // Spread over many emails so the per-email limit never triggers.
    for i in 0..20 {
        let email = format!("guess{}@example.com", i % 10);
        let r = f.browser().sign_in(&email, "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = f.browser().sign_in("real@example.com", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the 21st attempt from one address"
    );
    assert!(r.headers.get("retry-after").is_some());
    f.finish().await;
}
on_both_backends!(twenty_failures_lock_a_client_address);
