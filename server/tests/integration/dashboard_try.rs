//! *Try with Sandbox*: a Sandbox flow may return to the app's own dashboard page without a
//! registered return URL (no other service may), and the dashboard reads which account the
//! flow connected from the code without spending it; on SQLite and PostgreSQL.
use crate::common::flow::{consent_at_sandbox, get, location, on, param, FlowApp, ALLOW};
use crate::common::team::sign_up;
use crate::common::{Backend, Fixture};
use reqwest::StatusCode;
use url::Url;

fn authorize(base: &str, client_id: &str, service: &str, return_url: &str) -> String {
    let mut u = Url::parse(&format!("{base}/v1/auth/authorize")).unwrap();
    u.query_pairs_mut()
        .append_pair("clientId", client_id)
        .append_pair("serviceType", service)
        .append_pair("returnUrl", return_url);
    u.to_string()
}

async fn a_sandbox_flow_comes_back_to_the_dashboard(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Try").await;
    let try_url = format!("{base}/applications/{}/try", app.id);

    // Only the Sandbox may return there: a real provider's flow may not.
    app.save_registration(&[
        ("service_type", "Google"),
        ("client_id", "google-client"),
        ("client_secret", "google-secret"),
    ])
    .await;
    let r = get(&authorize(&base, &app.client_id, "Google", &try_url)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("returnUrl.invalid"));
    // Nor may another application use this one's page.
    let other = FlowApp::create(&base, "Other").await;
    let r = get(&authorize(&base, &other.client_id, "Sandbox", &try_url)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Nor a token answer or a user-session flow: the page reads the codes of account flows.
    let token = format!(
        "{}&responseType=token",
        authorize(&base, &app.client_id, "Sandbox", &try_url)
    );
    let user_flow = authorize(&base, &app.client_id, "Sandbox", &try_url).replace(
        "/v1/auth/authorize?",
        "/v1/auth/authorizeUser?accountRole=primary&",
    );
    for url in [token, user_flow] {
        let r = get(&url).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {body}");
        assert!(body.contains("returnUrl.invalid"), "{url}: {body}");
    }

    // The Sandbox flow returns to the dashboard with a code.
    let r = get(&authorize(&base, &app.client_id, "Sandbox", &try_url)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let callback = consent_at_sandbox(&base, &location(&r), &ALLOW).await;
    let back = location(&get(&on(&base, &callback)).await);
    assert!(back.as_str().starts_with(&try_url), "{back}");
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    let code = param(&back, "code").unwrap();

    // The dashboard names the account, and only for the app's own team.
    let t = app.owner.own_team.clone();
    let fields = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("code", code.as_str()),
    ];
    let r = app.owner.browser.query("apps/try", &fields).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["email"], "ada@example.com");
    assert_eq!(r.json()["service_type"], "Sandbox");
    let mut stranger = sign_up(&base, "Stranger").await;
    let theirs = stranger.own_team.clone();
    let r = stranger
        .browser
        .query(
            "apps/try",
            &[("team_id", &theirs), ("app_id", &app.id), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Reading it spent nothing: the app's server still exchanges the code, once.
    let r = app.exchange(&base, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.owner.browser.query("apps/try", &fields).await;
    assert_eq!(
        r.json(),
        serde_json::Value::Null,
        "a spent code names nothing"
    );
    f.finish().await;
}
on_both_backends!(a_sandbox_flow_comes_back_to_the_dashboard);
