//! Issue 13, item 4: what anyone may call without a credential is bounded and throttled
//! atomically, on every instance: sign-ups per address and overall, concurrent password
//! hashes, sign-in guesses (counted before they are checked, per email and address), and
//! hosted-flow starts per address and per app. Refusals are 429 with `Retry-After`.
use crate::common::flow::{get, FlowApp};
use crate::common::{plain_client, Backend, Browser, Fixture, PASSWORD};
use reqwest::StatusCode;

fn retry_after(headers: &reqwest::header::HeaderMap) -> u64 {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds")
}

async fn sign_up_from(base: &str, addr: &str, email: &str) -> crate::common::Answer {
    Browser::new(base)
        .post_form_with(
            "/signup",
            &[
                ("name", "Someone"),
                ("email", email),
                ("password", PASSWORD),
            ],
            &[("x-forwarded-for", addr)],
        )
        .await
}

async fn sign_ups_are_limited_per_address_and_overall(backend: Backend) {
    let f = Fixture::start_with(backend, |c| {
        c.trust_forwarded_for = true;
        c.sign_ups_per_address = 3;
        c.sign_ups_per_hour = 5;
    })
    .await;
    let base = f.server.base.clone();
    for i in 0..3 {
        let r = sign_up_from(&base, "203.0.113.1", &format!("a{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}");
    }
    let r = sign_up_from(&base, "203.0.113.1", "a3@example.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=3600).contains(&retry_after(&r.headers)));
    assert!(
        r.body
            .contains("Too many accounts were created from here recently"),
        "said in plain words on the page"
    );
    // Another address may, until the overall limit.
    for i in 0..2 {
        let r = sign_up_from(&base, "203.0.113.2", &format!("b{i}@example.com")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}");
    }
    let r = sign_up_from(&base, "203.0.113.3", "c@example.com").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the overall limit");
    f.finish().await;
}
on_both_backends!(sign_ups_are_limited_per_address_and_overall);

/// 48 sign-ups at once: a few hash, the rest are told to come back, none fails.
async fn password_hashes_are_bounded(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let base = base.clone();
            tokio::spawn(async move {
                let r = sign_up_from(&base, "127.0.0.1", &format!("burst{i}@example.com")).await;
                (r.status, r.headers.get("retry-after").is_some())
            })
        })
        .collect();
    let mut done = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            (StatusCode::SEE_OTHER, _) => done += 1,
            (StatusCode::TOO_MANY_REQUESTS, true) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(done + refused, 48);
    assert!(refused > 0 && done > 0, "done {done}, refused {refused}");
    f.finish().await;
}
on_both_backends!(password_hashes_are_bounded);

async fn sign_in(base: &str, addr: &str, email: &str, password: &str) -> crate::common::Answer {
    Browser::new(base)
        .post_form_with(
            "/signin",
            &[("email", email), ("password", password)],
            &[("x-forwarded-for", addr)],
        )
        .await
}

/// 40 parallel guesses for one email: five are checked, the rest refused; the real user,
/// from their own address, is not locked out.
async fn parallel_guesses_are_counted_before_they_are_checked(backend: Backend) {
    let f = Fixture::start_with(backend, |c| c.trust_forwarded_for = true).await;
    let base = f.server.base.clone();
    let r = sign_up_from(&base, "198.51.100.7", "victim@example.com").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move {
                sign_in(
                    &base,
                    "203.0.113.66",
                    "victim@example.com",
                    "guess guess guess",
                )
                .await
                .status
            })
        })
        .collect();
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert!((1..=5).contains(&checked), "{checked} guesses were checked");
    let r = sign_in(&base, "198.51.100.7", "victim@example.com", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the real user is not locked out"
    );
    f.finish().await;
}
on_both_backends!(parallel_guesses_are_counted_before_they_are_checked);

async fn flow_starts_are_limited_per_address_and_per_app(backend: Backend) {
    let f = Fixture::start_with(backend, |c| {
        c.trust_forwarded_for = true;
        c.flow_starts_per_address = 3;
        c.flow_starts_per_app = 5;
    })
    .await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Popular").await;
    let start = |addr: &'static str| {
        let url = app.authorize_url(&base, "Sandbox", &[]);
        async move {
            plain_client()
                .get(url)
                .header("x-forwarded-for", addr)
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(start("203.0.113.1").await.status(), StatusCode::SEE_OTHER);
    }
    let r = start("203.0.113.1").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(r.headers()) <= 600);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["code"], "rate_limited");
    for _ in 0..2 {
        assert_eq!(start("203.0.113.2").await.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        start("203.0.113.3").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the app's own limit"
    );
    // A malformed request is a 400 naming the parameter, never a 429 or a kept flow.
    let bad = get(&format!("{base}/v1/auth/authorize?clientId=nope")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    f.finish().await;
}
on_both_backends!(flow_starts_are_limited_per_address_and_per_app);
