//! Sign-up, sign-in, sessions and sign-out over HTTP, on SQLite and on PostgreSQL.
use crate::common::{Backend, Browser, Fixture, PASSWORD};
use reqwest::StatusCode;

async fn sign_up_creates_user_and_team_and_lands_on_the_dashboard(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut b = f.browser();
    let r = b.sign_up("Ada Lovelace", "Ada@Example.com").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), Some("/applications"));
    let cookie = r.set_cookie.clone().expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain-http public URL must not mark the cookie Secure: {cookie}"
    );

    let page = b.get("/applications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ada Lovelace"), "user name in header");
    assert!(
        page.body.contains("class=\"team-name\""),
        "team shown in header"
    );
    assert!(page.body.contains("Owner"), "the new user owns the team");
    for nav in ["/applications", "/accounts", "/team", "/settings"] {
        assert!(
            page.body.contains(&format!("href=\"{nav}\"")),
            "nav link {nav}"
        );
        assert_eq!(b.get(nav).await.status, StatusCode::OK, "{nav}");
    }
    // Signed in, the auth pages send you on to the dashboard.
    assert_eq!(b.get("/signin").await.location(), Some("/applications"));
    assert_eq!(b.get("/").await.location(), Some("/applications"));
    f.finish().await;
}
on_both_backends!(sign_up_creates_user_and_team_and_lands_on_the_dashboard);

async fn duplicate_email_is_refused_next_to_the_field(backend: Backend) {
    let f = Fixture::start(backend).await;
    assert_eq!(
        f.browser().sign_up("Ada", "ada@example.com").await.status,
        StatusCode::SEE_OTHER
    );
    let mut other = f.browser();
    let r = other
        .post_form(
            "/signup",
            &[
                ("name", "Impostor"),
                ("email", " ADA@example.COM "),
                ("password", "another password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body
            .contains("An account with this email already exists."),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("id=\"email-error\""),
        "error sits next to the email field"
    );
    assert!(r.set_cookie.is_none(), "no session for a refused sign-up");
    // The original account is untouched: its password still works, the impostor's does not.
    assert_eq!(
        f.browser()
            .sign_in("ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        f.browser()
            .sign_in("ada@example.com", "another password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    f.finish().await;
}
on_both_backends!(duplicate_email_is_refused_next_to_the_field);

async fn wrong_password_and_unknown_email_get_the_same_answer(backend: Backend) {
    let f = Fixture::start(backend).await;
    f.browser().sign_up("Grace", "grace@example.com").await;
    let wrong = f
        .browser()
        .sign_in("grace@example.com", "not the password")
        .await;
    let unknown = f
        .browser()
        .sign_in("nobody@example.com", "not the password")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let message = "The email or password is not correct.";
    assert!(wrong.body.contains(message) && unknown.body.contains(message));
    // Equal but for the email typed in and the per-response CSP nonce.
    let strip = |body: &str, email: &str| {
        let nonce = body
            .split("nonce=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("-");
        body.replace(email, "EMAIL").replace(nonce, "NONCE")
    };
    assert_eq!(
        strip(&wrong.body, "grace@example.com"),
        strip(&unknown.body, "nobody@example.com"),
        "pages must not reveal whether the email exists"
    );
    // The email is kept in the form; the password never is.
    assert!(wrong.body.contains("value=\"grace@example.com\""));
    assert!(!wrong.body.contains("not the password"));

    let mut b = f.browser();
    let ok = b.sign_in("GRACE@example.com", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), Some("/applications"));
    let page = b.get("/applications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Grace"));
    f.finish().await;
}
on_both_backends!(wrong_password_and_unknown_email_get_the_same_answer);

async fn sign_in_issues_a_new_session_id(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut b = f.browser();
    b.sign_up("Linus", "linus@example.com").await;
    let first = b.cookie.clone().expect("first session");
    let again = b.sign_in("linus@example.com", PASSWORD).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = b.cookie.clone().expect("second session");
    assert_ne!(first, second, "the session id must change at sign-in");
    // The id from before sign-in no longer opens anything.
    let mut stale = Browser::new(&f.server.base);
    stale.cookie = Some(first);
    assert_eq!(stale.get("/applications").await.location(), Some("/signin"));
    assert_eq!(b.get("/applications").await.status, StatusCode::OK);
    f.finish().await;
}
on_both_backends!(sign_in_issues_a_new_session_id);

async fn sign_out_deletes_the_session(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut b = f.browser();
    b.sign_up("Barbara", "barbara@example.com").await;
    let old = b.cookie.clone().expect("session");
    let out = b.post_form("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), Some("/signin"));
    assert!(
        b.cookie.is_none(),
        "the cookie is cleared: {:?}",
        out.set_cookie
    );
    // Replaying the old cookie finds nothing on the server.
    let mut replay = Browser::new(&f.server.base);
    replay.cookie = Some(old);
    assert_eq!(
        replay.get("/applications").await.location(),
        Some("/signin")
    );
    f.finish().await;
}
on_both_backends!(sign_out_deletes_the_session);

async fn idle_and_absolute_session_expiry(backend: Backend) {
    let f = Fixture::start_with(backend, |c| c.session_idle_secs = 2).await;
    let mut b = f.browser();
    b.sign_up("Idle", "idle@example.com").await;
    assert_eq!(b.get("/applications").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    assert_eq!(
        b.get("/applications").await.location(),
        Some("/signin"),
        "idle session expired"
    );
    f.finish().await;

    let f = Fixture::start_with(backend, |c| {
        c.session_idle_secs = 60;
        c.session_max_age_secs = 3;
    })
    .await;
    let mut b = f.browser();
    b.sign_up("Busy", "busy@example.com").await;
    // Activity does not extend the absolute lifetime.
    for _ in 0..2 {
        assert_eq!(b.get("/applications").await.status, StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        b.get("/applications").await.location(),
        Some("/signin"),
        "absolute lifetime reached"
    );
    f.finish().await;
}
on_both_backends!(idle_and_absolute_session_expiry);

async fn cross_origin_posts_are_refused(backend: Backend) {
    let f = Fixture::start(backend).await;
    let evil = [("origin", "https://evil.example")];
    let mut b = f.browser();
    let r = b
        .post_form_with(
            "/signup",
            &[
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
            ],
            &evil,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let json: serde_json::Value = serde_json::from_str(&r.body).expect("JSON error");
    assert_eq!(json["code"], "request.cross_origin");
    assert!(json["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        f.browser()
            .sign_in("eve@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "no user was made"
    );

    // A signed-in user cannot be signed out (or anything else) from another site.
    b.sign_up("Victim", "victim@example.com").await;
    let forged = b
        .post_form_with("/signout", &[], &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        b.get("/applications").await.status,
        StatusCode::OK,
        "still signed in"
    );

    // Server functions are state-changing posts too.
    let forged = b
        .post_form_with("/api/teams/create", &[("name", "Planted")], &evil)
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let teams = b.get("/api/teams").await;
    assert!(!teams.body.contains("Planted"), "{}", teams.body);

    // The same post from our own origin goes through.
    let own = [("origin", f.server.base.as_str())];
    assert_eq!(
        b.post_form_with("/signout", &[], &own).await.status,
        StatusCode::SEE_OTHER
    );
    f.finish().await;
}
on_both_backends!(cross_origin_posts_are_refused);

async fn pages_need_a_session_and_unknown_pages_are_404(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut b = f.browser();
    for path in ["/", "/applications", "/accounts", "/team", "/settings"] {
        let r = b.get(path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.location(), Some("/signin"), "{path}");
    }
    let signin = b.get("/signin").await;
    assert_eq!(signin.status, StatusCode::OK);
    assert!(
        signin.body.contains("action=\"/signin\""),
        "a plain form, usable before the wasm loads"
    );
    assert_eq!(b.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
    let health = b.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(b.get("/readyz").await.status, StatusCode::OK);
    assert!(
        health.headers.get("x-request-id").is_some(),
        "every response carries a request id"
    );
    f.finish().await;
}
on_both_backends!(pages_need_a_session_and_unknown_pages_are_404);
