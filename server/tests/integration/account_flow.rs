//! The account flow end to end against the built-in Sandbox provider, over HTTP, on SQLite
//! and PostgreSQL: authorize → consent → callback → return URL → code exchange → account.
use crate::common::flow::{
    account, app_get, connect, location, param, sandbox_flow, FlowApp, ALLOW, RETURN_URL,
};
use crate::common::{plain_client, Backend, Fixture};
use reqwest::StatusCode;

async fn sandbox_flow_creates_an_account_the_app_can_use(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Mail sync").await;

    // The app's own query survives; state comes back verbatim; a one-time code arrives.
    let back = sandbox_flow(
        &base,
        &app,
        &[
            ("scopes", "Mail.Read Calendar.ReadOnly"),
            ("state", "opaque state/€"),
            ("loginHint", "ada@example.com"),
            ("clientOrgId", "org-7"),
        ],
        &ALLOW,
    )
    .await;
    assert_eq!(back.as_str().split('?').next(), Some(RETURN_URL));
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    assert_eq!(param(&back, "state").as_deref(), Some("opaque state/€"));
    let code = param(&back, "code").unwrap();

    let r = app.exchange(&base, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let j: serde_json::Value = r.json().await.unwrap();
    let account_id = j["accountId"].as_i64().unwrap();
    let token = j["accessToken"].as_str().unwrap().to_owned();
    assert!(token.len() >= 43, "256-bit token");

    let me: serde_json::Value = account(&base, &token, "").await.json().await.unwrap();
    assert_eq!(me["id"], account_id);
    assert_eq!(me["serviceType"], "Sandbox");
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["name"], "Ada Lovelace");
    assert_eq!(me["type"], "personal");
    assert_eq!(me["tokenStatus"], "active");
    assert_eq!(me["clientOrgId"], "org-7");
    assert_eq!(
        me["authScopes"],
        serde_json::json!(["Mail.Read", "Calendar.Read"])
    );
    assert!(me.get("providerAuth").is_none());

    // The provider token, fresh, works at the provider.
    let me: serde_json::Value = account(&base, &token, "?includeProviderAuth=true")
        .await
        .json()
        .await
        .unwrap();
    let provider_token = me["providerAuth"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let info = plain_client()
        .get(format!("{base}/sandbox/userinfo"))
        .bearer_auth(&provider_token)
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), StatusCode::OK);

    // The management API lists it and finds it; another app's secret does not.
    let r = app_get(&base, &app, "/v1/am/accounts?limit=many").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = plain_client()
        .get(format!("{base}/v1/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["code"], "not_found");
    let page: serde_json::Value = app_get(&base, &app, "/v1/am/accounts?serviceType=Sandbox")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalSize"], 1);
    assert_eq!(page["records"][0]["email"], "ada@example.com");
    assert!(!page.to_string().contains(&provider_token));
    let other = FlowApp::create(&base, "Other").await;
    let r = app_get(&base, &other, &format!("/v1/am/accounts/{account_id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // loginHint goes upstream as login_hint (the Sandbox pre-fills its email field with it).
    let r = crate::common::flow::get(&app.authorize_url(
        &base,
        "Sandbox",
        &[("loginHint", "grace@example.com")],
    ))
    .await;
    assert_eq!(
        param(&location(&r), "login_hint").as_deref(),
        Some("grace@example.com")
    );

    // recycle=true reuses the account for the same identity; a plain flow makes a new one.
    let (again, _) = connect(&base, &app, &[("recycle", "true")]).await;
    assert_eq!(again, account_id);
    let (fresh, _) = connect(&base, &app, &[]).await;
    assert_ne!(fresh, account_id);
    // accountId re-authorizes in place.
    let id = account_id.to_string();
    let (same, _) = connect(&base, &app, &[("accountId", &id)]).await;
    assert_eq!(same, account_id);

    // Token mode: the token arrives in the fragment, never in the query.
    let back = sandbox_flow(
        &base,
        &app,
        &[("responseType", "token"), ("state", "s")],
        &ALLOW,
    )
    .await;
    assert!(back.query().is_none_or(|q| !q.contains("accessToken")));
    let frag: Vec<(String, String)> =
        url::form_urlencoded::parse(back.fragment().unwrap().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let get = |n: &str| frag.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(get("status").as_deref(), Some("success"));
    assert_eq!(get("state").as_deref(), Some("s"));
    let implicit = get("accessToken").unwrap();
    assert_eq!(account(&base, &implicit, "").await.status(), StatusCode::OK);

    // Revoking the token ends it here and at the provider; the account says so. (The
    // re-authorizations above replaced the provider grant: read the current one.)
    let me: serde_json::Value = account(&base, &token, "?includeProviderAuth=true")
        .await
        .json()
        .await
        .unwrap();
    let provider_token = me["providerAuth"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = plain_client()
        .delete(format!("{base}/v1/account/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = account(&base, &token, "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("www-authenticate").is_some());
    let info = plain_client()
        .get(format!("{base}/sandbox/userinfo"))
        .bearer_auth(&provider_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        info.status(),
        StatusCode::UNAUTHORIZED,
        "revoked at the provider"
    );
    let j: serde_json::Value = app_get(&base, &app, &format!("/v1/am/accounts/{account_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(j["tokenStatus"], "dead");

    // Deleting an account through the management API.
    let r = plain_client()
        .delete(format!("{base}/v1/am/accounts/{fresh}"))
        .header("authorization", app.basic())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app_get(&base, &app, &format!("/v1/am/accounts/{fresh}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    f.finish().await;
}
on_both_backends!(sandbox_flow_creates_an_account_the_app_can_use);

/// A bad authorize request is a JSON 4xx naming what is wrong, and never a redirect.
async fn authorize_errors_are_json_and_never_redirect(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Strict").await;
    let cid = app.client_id.clone();
    let cases: Vec<(String, &str)> = vec![
        (
            format!("serviceType=Sandbox&returnUrl={RETURN_URL}"),
            "clientId.invalid",
        ),
        (
            format!("clientId=nope&serviceType=Sandbox&returnUrl={RETURN_URL}"),
            "clientId.invalid",
        ),
        (
            format!("clientId={cid}&returnUrl={RETURN_URL}"),
            "serviceType.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Nope&returnUrl={RETURN_URL}"),
            "serviceType.invalid",
        ),
        // A catalog provider the app has no registration for.
        (
            format!("clientId={cid}&serviceType=Google&returnUrl={RETURN_URL}"),
            "serviceType.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox"),
            "returnUrl.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl=https://evil.example/oauth/done"),
            "returnUrl.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl=javascript:alert(1)"),
            "returnUrl.invalid",
        ),
        (
            format!(
                "clientId={cid}&serviceType=Sandbox&returnUrl=https://app.example/oauth/done%23x"
            ),
            "returnUrl.invalid",
        ),
        (
            format!(
                "clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&responseType=id_token"
            ),
            "responseType.invalid",
        ),
        (
            format!(
                "clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&scopes=Mail.Everything"
            ),
            "scopes.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&accountId=999999"),
            "accountId.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&accountId=x"),
            "accountId.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&ensureScopes=maybe"),
            "request.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&recycle=1"),
            "request.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&authEmail=nobody"),
            "authEmail.invalid",
        ),
        (
            format!("clientId={cid}&serviceType=Sandbox&returnUrl={RETURN_URL}&state=a%00b"),
            "state.invalid",
        ),
        (
            format!("clientId={cid}&clientId=other&serviceType=Sandbox&returnUrl={RETURN_URL}"),
            "request.invalid",
        ),
    ];
    for (query, expected) in cases {
        let r = plain_client()
            .get(format!("{base}/v1/auth/authorize?{query}"))
            .send()
            .await
            .unwrap();
        assert!(r.headers().get("location").is_none(), "{query} redirected");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        // The id in the body is the one the response's header names (for support).
        let header = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        let j: serde_json::Value = r.json().await.unwrap();
        assert_eq!(j["code"], expected, "{query}: {j}");
        assert!(!j["message"].as_str().unwrap().is_empty());
        assert_eq!(j["requestId"], header.as_str());
        assert_eq!(header.len(), 36);
    }
    f.finish().await;
}
on_both_backends!(authorize_errors_are_json_and_never_redirect);

/// With the Sandbox off (production's default), it is not a service type and not served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_can_be_turned_off() {
    let f = Fixture::start_with(Backend::Sqlite, |c| c.sandbox = Some(false)).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Prod").await;
    let r = plain_client()
        .get(app.authorize_url(&base, "Sandbox", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let j: serde_json::Value = r.json().await.unwrap();
    assert_eq!(j["code"], "serviceType.invalid");
    let r = plain_client()
        .post(format!("{base}/sandbox/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    f.finish().await;
}
