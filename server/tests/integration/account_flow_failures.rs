//! What goes wrong in the account flow, and how each failure reaches the app: tampered or
//! replayed state, expiry, denial, scopes, email, issuer mix-up, code replay and cross-app
//! codes, and providers that fail, answer garbage or hang. SQLite and PostgreSQL.
use crate::common::flow::{
    account, account_total, consent_at_sandbox, get, location, on, param, sandbox_flow, Consent,
    FlowApp, ALLOW,
};
use crate::common::{plain_client, Backend, Fixture};
use axum::routing::{get as route_get, post};
use axum::Router;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use url::Url;

async fn sql(db_url: &str, statement: &str) {
    let db = Database::connect(db_url.to_owned()).await.unwrap();
    db.execute_unprepared(statement).await.unwrap();
    db.close().await.ok();
}

async fn callback_failures_reach_the_app_or_stop_cleanly(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Failures").await;

    // No state, or one we never issued: nowhere safe to redirect, a JSON 400.
    for query in ["code=x", "code=x&state=forged-state-value"] {
        let r = get(&format!("{base}/v1/auth/callback?{query}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(r.headers().get("location").is_none());
        let j: serde_json::Value = r.json().await.unwrap();
        assert_eq!(j["code"], "state.invalid");
    }

    // The user declines.
    let deny = Consent {
        approve: false,
        ..ALLOW
    };
    let back = sandbox_flow(&base, &app, &[("state", "s1")], &deny).await;
    assert_eq!(param(&back, "status").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("s1"));
    assert!(param(&back, "code").is_none());

    // A callback is single use: replaying it is refused.
    let r = get(&app.authorize_url(&base, "Sandbox", &[])).await;
    let callback = consent_at_sandbox(&base, &location(&r), &ALLOW).await;
    assert_eq!(
        get(&on(&base, &callback)).await.status(),
        StatusCode::SEE_OTHER
    );
    let replay = get(&on(&base, &callback)).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(replay.headers().get("location").is_none());

    // Someone else's callback link: a browser without the flow's cookie gets no code.
    let r = get(&app.authorize_url(&base, "Sandbox", &[("state", "csrf")])).await;
    let callback = consent_at_sandbox(&base, &location(&r), &ALLOW).await;
    let other_browser = plain_client()
        .get(on(&base, &callback))
        .send()
        .await
        .unwrap();
    let back = location(&other_browser);
    assert_eq!(param(&back, "status").as_deref(), Some("expired"));
    assert!(param(&back, "code").is_none());
    assert!(param(&back, "details").unwrap().contains("another browser"));

    // A flow older than 15 minutes reports `expired` to the app.
    let r = get(&app.authorize_url(&base, "Sandbox", &[("state", "late")])).await;
    let to_sandbox = location(&r);
    sql(&f.db.url, "UPDATE pending_flows SET expires_at = 0").await;
    let callback = consent_at_sandbox(&base, &to_sandbox, &ALLOW).await;
    let back = location(&get(&on(&base, &callback)).await);
    assert_eq!(param(&back, "status").as_deref(), Some("expired"));
    assert_eq!(param(&back, "state").as_deref(), Some("late"));

    let before = account_total(&base, &app).await;
    // ensureScopes: a scope the user withheld fails the flow...
    let partial = Consent {
        withhold: &["calendar.read"],
        ..ALLOW
    };
    let scopes = ("scopes", "Mail.Read Calendar.Read");
    let back = sandbox_flow(&base, &app, &[scopes, ("ensureScopes", "true")], &partial).await;
    assert_eq!(
        param(&back, "status").as_deref(),
        Some("scopes_not_granted")
    );
    assert!(param(&back, "details").unwrap().contains("calendar.read"));
    // ...and so does withholding the only one asked (an empty grant is no grant).
    let nothing = Consent {
        withhold: &["mail.read"],
        ..ALLOW
    };
    let only_mail = [("scopes", "Mail.Read"), ("ensureScopes", "true")];
    let back = sandbox_flow(&base, &app, &only_mail, &nothing).await;
    assert_eq!(
        param(&back, "status").as_deref(),
        Some("scopes_not_granted")
    );
    // ...an email other than authEmail fails it...
    let back = sandbox_flow(&base, &app, &[("authEmail", "grace@example.com")], &ALLOW).await;
    assert_eq!(param(&back, "status").as_deref(), Some("email_mismatch"));
    // ...and an answer naming another issuer (RFC 9207 mix-up) fails it.
    let r = get(&app.authorize_url(&base, "Sandbox", &[])).await;
    let callback = consent_at_sandbox(&base, &location(&r), &ALLOW).await;
    let mut forged = Url::parse(&on(&base, &callback)).unwrap();
    let kept: Vec<(String, String)> = forged
        .query_pairs()
        .filter(|(k, _)| k != "iss")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    forged
        .query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("iss", "https://evil.example");
    let back = location(&get(forged.as_str()).await);
    assert_eq!(param(&back, "status").as_deref(), Some("provider_error"));
    assert_eq!(
        account_total(&base, &app).await,
        before,
        "no failure made an account"
    );

    // Without ensureScopes, the account says what was really granted.
    let back = sandbox_flow(&base, &app, &[scopes], &partial).await;
    let code = param(&back, "code").unwrap();
    let j: serde_json::Value = app.exchange(&base, &code).await.json().await.unwrap();
    let me: serde_json::Value = account(&base, j["accessToken"].as_str().unwrap(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["authScopes"], serde_json::json!(["Mail.Read"]));
    f.finish().await;
}
on_both_backends!(callback_failures_reach_the_app_or_stop_cleanly);

async fn codes_are_single_use_short_lived_and_bound_to_their_app(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let a = FlowApp::create(&base, "App A").await;
    let b = FlowApp::create(&base, "App B").await;

    // App B cannot use app A's code, and trying does not burn it for A.
    let code = param(&sandbox_flow(&base, &a, &[], &ALLOW).await, "code").unwrap();
    let r = b.exchange(&base, &code).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["code"], "code.invalid");
    let r = a.exchange(&base, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let first: serde_json::Value = r.json().await.unwrap();
    let token = first["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(account(&base, &token, "").await.status(), StatusCode::OK);

    // A replay is refused and revokes what the first exchange issued.
    let r = a.exchange(&base, &code).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        account(&base, &token, "").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A wrong secret is a 401 with a Basic challenge.
    let code = param(&sandbox_flow(&base, &a, &[], &ALLOW).await, "code").unwrap();
    let wrong = FlowApp {
        secret: "lg_secret_wrong".into(),
        ..a
    };
    let r = wrong.exchange(&base, &code).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));

    // Codes expire after five minutes; garbage is simply invalid.
    let c = FlowApp::create(&base, "App C").await;
    let code = param(&sandbox_flow(&base, &c, &[], &ALLOW).await, "code").unwrap();
    sql(&f.db.url, "UPDATE auth_codes SET expires_at = 0").await;
    assert_eq!(
        c.exchange(&base, &code).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.exchange(&base, "lgc_garbage").await.status(),
        StatusCode::BAD_REQUEST
    );

    // The deprecated GET form of the exchange still works.
    let code = param(&sandbox_flow(&base, &c, &[], &ALLOW).await, "code").unwrap();
    let r = plain_client()
        .get(format!("{base}/v1/auth/token/{code}"))
        .header("authorization", c.basic())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    f.finish().await;
}
on_both_backends!(codes_are_single_use_short_lived_and_bound_to_their_app);

/// An in-process stand-in for a broken provider (error paths only; the working flows run
/// against the Sandbox and, in the browser tests, a real third-party OAuth server).
async fn broken_provider() -> String {
    let app = Router::new()
        .route("/authorize", route_get(|| async { "unused" }))
        .route(
            "/token500",
            post(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "oops") }),
        )
        .route(
            "/tokengarbage",
            post(|| async { "<html>not a token</html>" }),
        )
        .route(
            "/tokenhang",
            post(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn provider_failures_end_in_provider_error(backend: Backend) {
    let f = Fixture::start_with(backend, |c| c.provider_timeout_secs = 2).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Broken").await;
    let broken = broken_provider().await;
    let t = app.owner.own_team.clone();
    for mode in ["500", "garbage", "hang"] {
        let name = format!("broken-{mode}");
        let authorize = format!("{broken}/authorize");
        let token = format!("{broken}/token{mode}");
        let r = app
            .owner
            .browser
            .call(
                "apps/custom_providers/save",
                &[
                    ("team_id", &t),
                    ("app_id", &app.id),
                    ("name", &name),
                    ("client_id", "c"),
                    ("client_secret", "s"),
                    ("authorize_url", &authorize),
                    ("token_url", &token),
                    ("native_scopes", "openid"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = get(&app.authorize_url(&base, &name, &[("state", mode)])).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let upstream = location(&r);
        assert!(upstream.as_str().starts_with(&authorize));
        assert_eq!(
            param(&upstream, "code_challenge"),
            None,
            "no PKCE unless asked"
        );
        let state = param(&upstream, "state").unwrap();
        let r = get(&format!("{base}/v1/auth/callback?code=c0de&state={state}")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{mode}");
        let back = location(&r);
        assert_eq!(
            param(&back, "status").as_deref(),
            Some("provider_error"),
            "{mode}"
        );
        assert_eq!(param(&back, "state").as_deref(), Some(mode));
        let details = param(&back, "details").unwrap();
        assert!(
            !details.contains("oops") && !details.contains("html"),
            "no provider detail leaks"
        );
    }
    // A provider error on the callback itself.
    let r = get(&app.authorize_url(&base, "broken-500", &[])).await;
    let state = param(&location(&r), "state").unwrap();
    let back = location(
        &get(&format!(
            "{base}/v1/auth/callback?error=server_error&state={state}"
        ))
        .await,
    );
    assert_eq!(param(&back, "status").as_deref(), Some("provider_error"));
    assert_eq!(account_total(&base, &app).await, 0);
    f.finish().await;
}
on_both_backends!(provider_failures_end_in_provider_error);
