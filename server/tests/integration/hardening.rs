//! Issue 13, item 6: security headers on every response, return URLs that cannot carry
//! planted results, API keys that live no longer than their creator's Administrator role,
//! client secrets only Administrators can cut off at once, and development mode that stays
//! on loopback unless told otherwise.
use crate::common::flow::{get, FlowApp, RETURN_URL};
use crate::common::team::{join, sign_up};
use crate::common::{plain_client, Backend, Fixture, TestDatabase};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;

async fn every_response_carries_the_security_headers(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    for path in [
        "/signin",
        "/applications",
        "/v1/auth/authorize?clientId=x",
        "/v1/auth/password?state=unknown",
        "/sandbox/adminconsent",
        "/healthz",
    ] {
        let r = plain_client()
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "plain http: {path}"
        );
    }
    f.finish().await;
    // Behind https, browsers are told to stay on https.
    let f = Fixture::start_with(backend, |c| c.public_url = "https://auth.example".into()).await;
    let r = plain_client()
        .get(format!("{}/signin", f.server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    f.finish().await;
}
on_both_backends!(every_response_carries_the_security_headers);

async fn return_urls_cannot_carry_planted_results(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Planted").await;
    let t = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .call(
            "apps/return_urls/add",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("url", "https://app.example/cb?code=1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for planted in ["code=stolen", "status=success", "state=x", "details=y"] {
        let url = format!(
            "{base}/v1/auth/authorize?clientId={}&serviceType=Sandbox&returnUrl={}",
            app.client_id,
            url::form_urlencoded::byte_serialize(format!("{RETURN_URL}?{planted}").as_bytes())
                .collect::<String>()
        );
        let r = get(&url).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{planted}");
        assert!(r.headers().get("location").is_none());
        let j: serde_json::Value = r.json().await.unwrap();
        assert_eq!(j["code"], "returnUrl.invalid");
    }
    f.finish().await;
}
on_both_backends!(return_urls_cannot_carry_planted_results);

async fn key(b: &mut crate::common::Browser, t: &str, name: &str) -> String {
    let r = b
        .call(
            "team/api_keys/create",
            &[("team_id", t), ("name", name), ("role", "Developer")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["secret"].as_str().unwrap().to_owned()
}

async fn works(base: &str, key: &str) -> StatusCode {
    plain_client()
        .get(format!("{base}/manage/v1/team"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

async fn keys_end_with_their_creators_administrator_role(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let mut demoted = sign_up(&base, "Demoted").await;
    let mut removed = sign_up(&base, "Removed").await;
    join(&mut owner.browser, &t, &mut demoted, "Administrator").await;
    join(&mut owner.browser, &t, &mut removed, "Administrator").await;
    let owners_key = key(&mut owner.browser, &t, "owner's bot").await;
    let demoted_key = key(&mut demoted.browser, &t, "demoted's bot").await;
    let removed_key = key(&mut removed.browser, &t, "removed's bot").await;
    let listed = owner
        .browser
        .query("team/api_keys", &[("team_id", &t)])
        .await
        .json();
    let by: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["created_by"].as_str().unwrap())
        .collect();
    for m in [&owner.email, &demoted.email, &removed.email] {
        assert!(by.contains(&m.as_str()), "{m} in {by:?}");
    }
    let r = owner
        .browser
        .call(
            "team/members/role",
            &[
                ("team_id", &t),
                ("user_id", &demoted.user_id),
                ("role", "Developer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = owner
        .browser
        .call(
            "team/members/remove",
            &[("team_id", &t), ("user_id", &removed.user_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(works(&base, &demoted_key).await, StatusCode::UNAUTHORIZED);
    assert_eq!(works(&base, &removed_key).await, StatusCode::UNAUTHORIZED);
    assert_eq!(works(&base, &owners_key).await, StatusCode::OK);
    let log = owner.browser.query("team/audit", &[("team_id", &t)]).await;
    assert!(
        log.body.contains("no longer an Administrator"),
        "{}",
        log.body
    );
    f.finish().await;
}
on_both_backends!(keys_end_with_their_creators_administrator_role);

/// A server function called with owned field values.
async fn call(
    b: &mut crate::common::Browser,
    endpoint: &str,
    fields: &[(&str, String)],
) -> crate::common::Answer {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.call(endpoint, &pairs).await
}

async fn only_administrators_cut_a_live_secret_off(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Secretive").await;
    let t = app.owner.own_team.clone();
    let mut dev = sign_up(&base, "Dev").await;
    join(&mut app.owner.browser, &t, &mut dev, "Developer").await;
    let r = app
        .owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("user_id", &dev.user_id),
                ("granted", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rotate = |grace: &str| {
        vec![
            ("team_id", t.clone()),
            ("app_id", app.id.clone()),
            ("old_valid_for_secs", grace.to_owned()),
        ]
    };
    // A Developer cannot end the old secret at once, but may rotate with a grace period.
    let r = call(&mut dev.browser, "apps/secrets/rotate", &rotate("0")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Only an Administrator"), "{}", r.body);
    let r = call(&mut dev.browser, "apps/secrets/rotate", &rotate("3600")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let detail = app
        .owner
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    let old = detail["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| !s["expires_at"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoke = vec![
        ("team_id", t.clone()),
        ("app_id", app.id.clone()),
        ("secret_id", old),
    ];
    let r = call(&mut dev.browser, "apps/secrets/revoke", &revoke).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The old secret still works; an Administrator can end it now.
    assert_eq!(
        plain_client()
            .get(format!("{base}/v1/am/application"))
            .header("authorization", app.basic())
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let r = call(&mut app.owner.browser, "apps/secrets/revoke", &revoke).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    f.finish().await;
}
on_both_backends!(only_administrators_cut_a_live_secret_off);

/// Development serves the Sandbox and may use a generated key: not on a network address
/// unless asked for explicitly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_stays_on_loopback_unless_told() {
    let db = TestDatabase::create(Backend::Sqlite).await;
    let config = |on_network: bool| {
        let mut c = server::config::Config::defaults();
        c.data_dir = db.dir.clone();
        c.database_url = Some(db.url.clone());
        c.master_key = Some(MasterKey::generate().to_base64());
        c.development_on_network = on_network;
        c
    };
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let refused = server::serve(config(false), listener, async {}).await;
    assert!(
        matches!(
            refused,
            Err(server::StartError::Config(
                server::config::ConfigError::DevelopmentOnNetwork(_)
            ))
        ),
        "{refused:?}"
    );
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    assert!(server::serve(config(true), listener, async {})
        .await
        .is_ok());
    db.drop_it().await;
}
