//! Issue 20: connect links. The app asks for a link with its credentials; the end user's
//! browser opens the hosted picker, picks a service, and the existing flow runs to the
//! return URL. Single use, bound to the first browser, with clear pages when not valid.
use crate::common::flow::{
    browser, consent_at_sandbox, location, on, param, post_form, FlowApp, ALLOW, RETURN_URL,
};
use crate::common::{plain_client, Backend, Fixture};
use crate::password_accounts::enable;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn create(base: &str, app: &FlowApp, body: Value) -> (StatusCode, Value) {
    let r = plain_client()
        .post(format!("{base}/v1/connect/sessions"))
        .header("authorization", app.basic())
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The link's path on this server (the link names the public URL, which is this one).
fn link_of(created: &Value) -> String {
    created["url"].as_str().unwrap().to_owned()
}

async fn a_link_runs_the_picked_flow_once(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Acme CRM").await;
    enable(&mut app, "IMAP", "true", "").await;

    // Only the app's credentials make links.
    let r = plain_client()
        .post(format!("{base}/v1/connect/sessions"))
        .json(&json!({ "returnUrl": RETURN_URL }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A return URL the app did not register, a service it does not offer, a life too long:
    // each a 4xx naming the parameter.
    for (body, code) in [
        (
            json!({ "returnUrl": "https://evil.example/cb" }),
            "returnUrl.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "services": ["Google"] }),
            "services.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "expiresIn": 8 * 24 * 3600 }),
            "expiresIn.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "userId": "nobody" }),
            "userId.invalid",
        ),
    ] {
        let (status, err) = create(&base, &app, body.clone()).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}"
        );
    }

    // By default a link offers everything the app has: IMAP, and the Sandbox (development).
    let (status, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "state": "s-1", "clientOrgId": "org-7" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["services"], json!(["IMAP", "Sandbox"]));
    assert!(created["expiresAt"].as_str().is_some());
    let link = link_of(&created);
    assert!(
        link.starts_with(&format!("{base}/v1/auth/connect/lgc_")),
        "{link}"
    );

    let r = browser().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("Connect your account to Acme CRM"), "{html}");
    assert!(html.contains("value=\"IMAP\"") && html.contains("value=\"Sandbox\""));
    assert!(!html.contains("<img"), "no logo was uploaded");

    // Another browser (no flow cookie of this one) cannot use or even see it.
    let r = plain_client().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("opened in another browser"));
    let r = plain_client()
        .post(&link)
        .form(&[("service", "Sandbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A service the link does not offer.
    let r = post_form(&link, &[("service", "Google")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Picking the Sandbox runs the account flow to the return URL, with the link's state.
    let r = post_form(&link, &[("service", "Sandbox")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let callback = consent_at_sandbox(&base, &location(&r), &ALLOW).await;
    let r = browser().get(on(&base, &callback)).send().await.unwrap();
    let back = location(&r);
    assert!(back.as_str().starts_with(RETURN_URL), "{back}");
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    assert_eq!(param(&back, "state").as_deref(), Some("s-1"));
    let r = app.exchange(&base, &param(&back, "code").unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let exchanged: Value = r.json().await.unwrap();
    let r =
        crate::common::flow::account(&base, exchanged["accessToken"].as_str().unwrap(), "").await;
    let account: Value = r.json().await.unwrap();
    assert_eq!(account["clientOrgId"], "org-7");

    // Used: the same browser gets a clear page, and no second flow.
    let r = browser().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("already been used"));
    let r = post_form(&link, &[("service", "Sandbox")]).await;
    assert_eq!(r.status(), StatusCode::GONE);

    // A password service from the picker: the hosted form, then the return URL.
    let (_, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "services": ["IMAP"] }),
    )
    .await;
    let link = link_of(&created);
    assert_eq!(
        browser().get(&link).send().await.unwrap().status(),
        StatusCode::OK
    );
    let r = post_form(&link, &[("service", "IMAP")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let form = location(&r);
    assert_eq!(form.path(), "/v1/auth/password");
    let page = browser().get(on(&base, &form)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Unknown and expired links.
    let r = browser()
        .get(format!("{base}/v1/auth/connect/lgc_nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("not valid"));
    let (_, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "expiresIn": 60 }),
    )
    .await;
    let link = link_of(&created);
    let db = sea_orm::Database::connect(fx.db.url.clone()).await.unwrap();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE connect_sessions SET expires_at = 1 WHERE used_at IS NULL AND opened_by IS NULL",
    )
    .await
    .unwrap();
    let r = browser().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("expired"));
    db.close().await.unwrap();
    fx.finish().await;
}
on_both_backends!(a_link_runs_the_picked_flow_once);

async fn parallel_picks_start_one_flow(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let app = FlowApp::create(&base, "Racer").await;
    let (_, created) = create(&base, &app, json!({ "returnUrl": RETURN_URL })).await;
    let link = link_of(&created);
    assert_eq!(
        browser().get(&link).send().await.unwrap().status(),
        StatusCode::OK
    );
    let picks = (0..6).map(|_| {
        let link = link.clone();
        async move { post_form(&link, &[("service", "Sandbox")]).await.status() }
    });
    let statuses = futures_util::future::join_all(picks).await;
    let started = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let used = statuses.iter().filter(|s| **s == StatusCode::GONE).count();
    assert_eq!((started, used), (1, 5), "{statuses:?}");
    fx.finish().await;
}
on_both_backends!(parallel_picks_start_one_flow);
