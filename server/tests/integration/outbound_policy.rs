//! Issue 13, item 2: every request the platform makes on someone's behalf goes through one
//! outbound policy. In production a provider endpoint on loopback or an internal address is
//! refused when it is saved, and — for a registration saved earlier, in development — when
//! it would be called: the callback reports `provider_error` and the internal host hears
//! nothing, so no internal JSON can be copied into an account.
use crate::common::flow::{get, location, param, FlowApp, RETURN_URL};
use crate::common::listener::CountingServer;
use crate::common::{Backend, TestDatabase, TestServer};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;

fn custom<'a>(
    t: &'a str,
    app_id: &'a str,
    name: &'a str,
    token_url: &'a str,
    userinfo_url: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("team_id", t),
        ("app_id", app_id),
        ("name", name),
        ("client_id", "client"),
        ("client_secret", "secret"),
        ("authorize_url", "https://sso.example/authorize"),
        ("token_url", token_url),
        ("userinfo_url", userinfo_url),
        ("id_claim", "sub"),
    ]
}

async fn production_calls_no_internal_host(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let internal = CountingServer::json(
        r#"{"access_token":"t","token_type":"Bearer","sub":"db-admin","email":"root@internal"}"#,
    )
    .await;
    let plain = format!("{}/token", internal.base);
    let plain_me = format!("{}/me", internal.base);
    let by_name = format!("https://localhost:{}/token", internal.port);
    let by_name_me = format!("https://localhost:{}/me", internal.port);

    // Saved in development, where loopback test servers are allowed.
    let dev = TestServer::start(&db, &key, |_| {}).await;
    let mut app = FlowApp::create(&dev.base, "Internal reach").await;
    let t = app.owner.own_team.clone();
    let app_id = app.id.clone();
    for (name, token, me) in [
        ("plain-http", plain.as_str(), plain_me.as_str()),
        ("by-name", by_name.as_str(), by_name_me.as_str()),
    ] {
        let fields = custom(&t, &app_id, name, token, me);
        let r = app
            .owner
            .browser
            .call("apps/custom_providers/save", &fields)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    dev.stop().await;

    // The same database in production.
    let prod = TestServer::start(&db, &key, |c| {
        c.mode = server::config::Mode::Production;
    })
    .await;
    let base = prod.base.clone();
    let mut owner = app.owner.browser.at(&base);
    let r = owner
        .sign_in(&app.owner.email, crate::common::PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    for bad in [
        plain.clone(),
        by_name.clone(),
        format!("https://127.0.0.1:{}/token", internal.port),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://10.0.0.7/token".to_owned(),
        "https://[::1]/token".to_owned(),
    ] {
        let fields = custom(&t, &app_id, "refused", &bad, "https://sso.example/me");
        let r = owner.call("apps/custom_providers/save", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        assert!(
            r.body.contains("public host") || r.body.contains("https"),
            "{}",
            r.body
        );
    }
    // The Direct API base of a catalog provider: in production only the provider's own
    // clouds, never a host of the developer's choosing (it would make /v1/direct a relay).
    // Another cloud's API base only beside that cloud's sign-in host: a token of the
    // commercial cloud never goes to another cloud's operator.
    let us_login = "https://login.microsoftonline.us/{tenant}/oauth2/v2.0";
    let us_authorize = format!("{us_login}/authorize");
    let us_token = format!("{us_login}/token");
    for (service, base, login, ok) in [
        ("Google", "https://relay.example/api", None, false),
        ("Office365", "https://relay.example/v1.0", None, false),
        ("Office365", "https://graph.microsoft.us/v1.0", None, false),
        (
            "Office365",
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            Some((&us_authorize, &us_token)),
            false,
        ),
        (
            "Office365",
            "https://graph.microsoft.us/v1.0",
            Some((&us_authorize, &us_token)),
            true,
        ),
    ] {
        let mut fields = vec![
            ("team_id", t.as_str()),
            ("app_id", app_id.as_str()),
            ("service_type", service),
            ("client_id", "c"),
            ("client_secret", "s"),
            ("api_base", base),
        ];
        if let Some((authorize, token)) = login {
            fields.push(("authorize_url", authorize.as_str()));
            fields.push(("token_url", token.as_str()));
        }
        let r = owner.call("apps/registrations/save", &fields).await;
        let expected = if ok {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(r.status, expected, "{service} {base}: {}", r.body);
        if !ok {
            assert!(r.body.contains("provider's own clouds"), "{}", r.body);
        }
    }
    app.owner.browser = owner;

    // Registrations saved before: the flow starts (no call yet), the callback calls nothing.
    for name in ["plain-http", "by-name"] {
        let r = get(&app.authorize_url(&base, name, &[("state", name)])).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{name}");
        let state = param(&location(&r), "state").unwrap();
        let r = get(&format!("{base}/v1/auth/callback?state={state}&code=c")).await;
        let back = location(&r);
        assert!(back.as_str().starts_with(RETURN_URL), "{back}");
        assert_eq!(
            param(&back, "status").as_deref(),
            Some("provider_error"),
            "{name}"
        );
    }
    assert_eq!(internal.hits(), 0, "the internal host was never contacted");
    prod.stop().await;
    db.drop_it().await;
}
on_both_backends!(production_calls_no_internal_host);
