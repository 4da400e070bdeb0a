//! The user-session flow over HTTP: a primary account makes an end user and a session
//! cookie; secondary accounts join by cookie or by a signature; the user API; logout and
//! deleting the primary; bad input refused with nothing created. SQLite and PostgreSQL.
use crate::common::flow::{
    account_total, consent_at_sandbox, get, get_with_cookie, location, on, param, Consent, FlowApp,
    ALLOW,
};
use crate::common::{plain_client, Backend, Fixture};
use app::domain::end_user::signature::sign;
use reqwest::{Response, StatusCode};

/// Through the Sandbox from an `authorizeUser` answer; returns the callback's answer.
async fn finish_at_sandbox(base: &str, r: Response, email: &str) -> Response {
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let c = Consent { email, ..ALLOW };
    let callback = consent_at_sandbox(base, &location(&r), &c).await;
    get(&on(base, &callback)).await
}

fn set_cookie(r: &Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("AUR"))
        .expect("a session cookie")
}

/// A primary sign-in at the Sandbox as `email`: the session cookie pair (`AUR…=…`) and the
/// session token in it.
pub async fn signed_in(base: &str, app: &FlowApp, email: &str) -> (String, String) {
    let url = app.flow_url(
        base,
        "authorizeUser",
        "Sandbox",
        &[("accountRole", "primary")],
    );
    let r = finish_at_sandbox(base, get(&url).await, email).await;
    let pair = set_cookie(&r).split(';').next().unwrap().to_owned();
    let session = pair.split_once('=').unwrap().1.to_owned();
    (pair, session)
}

async fn user_api(base: &str, path: &str, auth: &[(&str, &str)]) -> Response {
    let mut rb = plain_client().get(format!("{base}{path}"));
    for (k, v) in auth {
        rb = rb.header(*k, *v);
    }
    rb.send().await.unwrap()
}

async fn end_users_with_primary_and_secondary_accounts(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Sessions").await;

    // Primary, cookie mode: the cookie is set and the return URL gets state and status only.
    let r = get(&app.flow_url(
        &base,
        "authorizeUser",
        "Sandbox",
        &[("accountRole", "primary"), ("state", "p1")],
    ))
    .await;
    let r = finish_at_sandbox(&base, r, "ada@example.com").await;
    let cookie = set_cookie(&r);
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("Secure")
            && cookie.contains("SameSite=None")
    );
    let back = location(&r);
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    assert_eq!(param(&back, "state").as_deref(), Some("p1"));
    assert!(param(&back, "code").is_none());
    let pair = cookie.split(';').next().unwrap().to_owned();
    let session = pair.split_once('=').unwrap().1.to_owned();

    // The user API with the cookie and the client id, or with the session header.
    let by_cookie = [
        ("cookie", pair.as_str()),
        ("x-aurinko-client-id", app.client_id.as_str()),
    ];
    let r = user_api(&base, "/v1/user", &by_cookie).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["accounts"][0]["userAccountType"], "primary");
    let user_id = me["id"].as_str().unwrap().to_owned();
    let by_header = [("x-aurinko-session", session.as_str())];
    let me2: serde_json::Value = user_api(&base, "/v1/user", &by_header)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me2["id"], user_id.as_str());
    // The old header name for the client id works too.
    let legacy = [
        ("cookie", pair.as_str()),
        ("x-aurinko-clientid", app.client_id.as_str()),
    ];
    assert_eq!(
        user_api(&base, "/v1/user", &legacy).await.status(),
        StatusCode::OK
    );

    // The same identity again finds the same end user and account.
    let r = get(&app.flow_url(
        &base,
        "authorizeUser",
        "Sandbox",
        &[("accountRole", "primary"), ("responseType", "code")],
    ))
    .await;
    let back = location(&finish_at_sandbox(&base, r, "ada@example.com").await);
    let code = param(&back, "code").unwrap();
    let j: serde_json::Value = app.exchange(&base, &code).await.json().await.unwrap();
    assert_eq!(j["userId"], user_id.as_str());
    assert!(j["userSession"].as_str().unwrap().starts_with("lgu_"));
    assert_eq!(j["accountId"], me["accounts"][0]["id"]);

    // Secondary by cookie.
    let url = app.flow_url(
        &base,
        "authorizeUser",
        "Sandbox",
        &[("accountRole", "secondary")],
    );
    let r = get_with_cookie(&url, &pair).await;
    let r = finish_at_sandbox(&base, r, "ada.work@example.com").await;
    assert_eq!(param(&location(&r), "status").as_deref(), Some("success"));

    // Secondary by signature, from the app's server, code mode.
    let ts = app::domain::now_unix().to_string();
    let sig = sign(&app.secret, &user_id, &ts);
    let signed = [
        ("accountRole", "secondary"),
        ("userId", user_id.as_str()),
        ("timestamp", ts.as_str()),
        ("userSignature", sig.as_str()),
        ("responseType", "code"),
    ];
    let r = get(&app.flow_url(&base, "authorizeUser", "Sandbox", &signed)).await;
    let back = location(&finish_at_sandbox(&base, r, "ada.home@example.com").await);
    let code = param(&back, "code").unwrap();
    let j: serde_json::Value = app.exchange(&base, &code).await.json().await.unwrap();
    assert_eq!(j["userId"], user_id.as_str());
    let accounts: serde_json::Value = user_api(&base, "/v1/user/accounts", &by_header)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["length"], 3);
    let emails: Vec<&str> = accounts["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "ada@example.com",
            "ada.work@example.com",
            "ada.home@example.com"
        ]
    );

    // The dashboard lists the end user with its three accounts, the primary marked.
    let t = app.owner.own_team.clone();
    let mut owner = app.owner.browser.at(&base);
    let users = owner
        .query("apps/end_users", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["id"], user_id.as_str());
    assert_eq!(users[0]["accounts"].as_array().unwrap().len(), 3);
    assert_eq!(users[0]["accounts"][0][3], true);

    // CORS: only the app's trusted domains may call the user API with credentials.
    let preflight = |origin: &'static str| {
        let base = base.clone();
        async move {
            plain_client()
                .request(reqwest::Method::OPTIONS, format!("{base}/v1/user"))
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .send()
                .await
                .unwrap()
        }
    };
    let r = preflight("https://app.example").await;
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = owner
        .call(
            "apps/trusted_domains/add",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("domain", "app.example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = preflight("https://app.example").await;
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    assert!(preflight("https://evil.example")
        .await
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(preflight("http://app.example")
        .await
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    // Replaying that signature is refused, and creates nothing.
    let before = account_total(&base, &app).await;
    let r = get(&app.flow_url(&base, "authorizeUser", "Sandbox", &signed)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "userSignature.invalid");
    assert_eq!(account_total(&base, &app).await, before);

    // Deleting a secondary keeps the session; deleting the primary logs out.
    let second = accounts["records"][1]["id"].as_i64().unwrap();
    let del = |id: i64| {
        let s = session.clone();
        let base = base.clone();
        async move {
            plain_client()
                .delete(format!("{base}/v1/user/accounts/{id}"))
                .header("x-aurinko-session", s)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(del(second).await, StatusCode::OK);
    assert_eq!(
        user_api(&base, "/v1/user", &by_header).await.status(),
        StatusCode::OK
    );
    let primary = accounts["records"][0]["id"].as_i64().unwrap();
    assert_eq!(del(primary).await, StatusCode::OK);
    let r = user_api(&base, "/v1/user", &by_header).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "session.invalid");
    f.finish().await;
}
on_both_backends!(end_users_with_primary_and_secondary_accounts);

async fn logout_and_bad_user_flow_requests(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Strict users").await;
    let other = FlowApp::create(&base, "Other app").await;
    let (pair, _) = signed_in(&base, &app, "grace@example.com").await;
    let by_cookie = [
        ("cookie", pair.as_str()),
        ("x-aurinko-client-id", app.client_id.as_str()),
    ];
    let me: serde_json::Value = user_api(&base, "/v1/user", &by_cookie)
        .await
        .json()
        .await
        .unwrap();
    let user_id = me["id"].as_str().unwrap().to_owned();
    let before = account_total(&base, &app).await;

    let now = app::domain::now_unix();
    let ts = now.to_string();
    let stale = (now - 600).to_string();
    let good = sign(&app.secret, &user_id, &ts);
    let wrong_key = sign("lg_secret_not_the_apps", &user_id, &ts);
    let stale_sig = sign(&app.secret, &user_id, &stale);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("accountRole", "owner")], "accountRole.invalid"),
        (vec![], "accountRole.invalid"),
        (vec![("accountRole", "secondary")], "user.required"),
        (
            vec![("accountRole", "primary"), ("responseType", "token")],
            "responseType.invalid",
        ),
        (
            vec![
                ("accountRole", "secondary"),
                ("userId", &user_id),
                ("timestamp", &ts),
                ("userSignature", &wrong_key),
            ],
            "userSignature.invalid",
        ),
        (
            vec![
                ("accountRole", "secondary"),
                ("userId", &user_id),
                ("timestamp", &stale),
                ("userSignature", &stale_sig),
            ],
            "userSignature.invalid",
        ),
        (
            vec![
                ("accountRole", "secondary"),
                ("userId", &user_id),
                ("timestamp", &ts),
            ],
            "userSignature.invalid",
        ),
        (
            vec![
                ("accountRole", "secondary"),
                ("userId", "u_nobody"),
                ("timestamp", &ts),
                ("userSignature", &good),
            ],
            "userSignature.invalid",
        ),
    ];
    for (params, expected) in cases {
        let url = app.flow_url(&base, "authorizeUser", "Sandbox", &params);
        // A fresh browser: no session cookie of this app.
        let r = plain_client().get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{params:?}");
        assert!(r.headers().get("location").is_none());
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["code"], expected, "{params:?}");
    }
    // This app's cookie means nothing to another app.
    let url = other.flow_url(
        &base,
        "authorizeUser",
        "Sandbox",
        &[("accountRole", "secondary")],
    );
    let r = get_with_cookie(&url, &pair).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "user.required");
    let wrong_app = [
        ("cookie", pair.as_str()),
        ("x-aurinko-client-id", other.client_id.as_str()),
    ];
    assert_eq!(
        user_api(&base, "/v1/user", &wrong_app).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        account_total(&base, &app).await,
        before,
        "nothing was created"
    );
    assert_eq!(account_total(&base, &other).await, 0);

    // Another site cannot act with the user's cookie, even with a preflight passed.
    let r = plain_client()
        .post(format!("{base}/v1/user/logout"))
        .header("origin", "https://evil.example")
        .header("cookie", &pair)
        .header("x-aurinko-client-id", &app.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        user_api(&base, "/v1/user", &by_cookie).await.status(),
        StatusCode::OK
    );

    // Logout ends the session.
    let r = plain_client()
        .post(format!("{base}/v1/user/logout"))
        .header("cookie", &pair)
        .header("x-aurinko-client-id", &app.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        user_api(&base, "/v1/user", &by_cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
    f.finish().await;
}
on_both_backends!(logout_and_bad_user_flow_requests);

/// `PATCH /v1/user/settings` (issue 17, item 1): the end user's working hours, checked,
/// kept, and shown back by `GET /v1/user`.
async fn end_users_keep_their_working_hours(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Hours").await;
    let (_, session) = signed_in(&base, &app, "hal@example.com").await;
    let patch = |body: serde_json::Value| {
        let session = session.clone();
        let base = base.clone();
        async move {
            let r = plain_client()
                .patch(format!("{base}/v1/user/settings"))
                .header("x-aurinko-session", session)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let hours = serde_json::json!({ "workHours": { "timezone": "Europe/Paris", "daySchedules": [
        { "dayOfWeek": "Monday", "workingIntervals": [{ "start": "09:00:00", "end": "12:30:00" }, { "start": "13:30:00", "end": "17:00:00" }] }
    ] } });
    let (status, me) = patch(hours).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "hal@example.com");
    assert_eq!(
        me["settings"]["workHours"]["daySchedules"][0]["dayOfWeek"],
        "monday"
    );
    let me: serde_json::Value = user_api(
        &base,
        "/v1/user",
        &[("x-aurinko-session", session.as_str())],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(me["settings"]["workHours"]["timezone"], "Europe/Paris");
    // A mistake names the field and changes nothing.
    let (status, err) = patch(serde_json::json!({ "workHours": { "daySchedules": [
        { "dayOfWeek": "monday", "workingIntervals": [{ "start": "17:00:00", "end": "09:00:00" }] }
    ] } }))
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("workHours.workingIntervals.invalid")
        )
    );
    let (status, _) = patch(serde_json::json!({ "workHours": "nine to five" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let me: serde_json::Value = user_api(
        &base,
        "/v1/user",
        &[("x-aurinko-session", session.as_str())],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        me["settings"]["workHours"]["daySchedules"][0]["workingIntervals"][1]["end"],
        "17:00:00"
    );
    // Without a session: refused.
    let r = plain_client()
        .patch(format!("{base}/v1/user/settings"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    f.finish().await;
}
on_both_backends!(end_users_keep_their_working_hours);

/// `POST /v1/user/accounts/{id}/managed` (copyAsManaged, issue 17): the application keeps
/// its own copy of an end user's account, one per identity, that outlives the user's.
async fn the_app_keeps_a_copy_of_an_end_users_account(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let app = FlowApp::create(&base, "Copies").await;
    let (_, session) = signed_in(&base, &app, "cy@example.com").await;
    let auth = [("x-aurinko-session", session.as_str())];
    let me: serde_json::Value = user_api(&base, "/v1/user", &auth)
        .await
        .json()
        .await
        .unwrap();
    let own = me["accounts"][0]["id"].as_i64().unwrap();
    let copy = |id: String| {
        let (base, session) = (base.clone(), session.clone());
        async move {
            let r = plain_client()
                .post(format!(
                    "{base}/v1/user/accounts/{id}/managed?clientOrgId=acme"
                ))
                .header("x-aurinko-session", session)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, first) = copy(own.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let copy_id = first["id"].as_i64().unwrap();
    assert_ne!(copy_id, own);
    assert_eq!(
        (first["email"].as_str(), first["clientOrgId"].as_str()),
        (Some("cy@example.com"), Some("acme"))
    );
    let (_, again) = copy(own.to_string()).await;
    assert_eq!(again["id"], copy_id, "one copy per identity");
    // An overlong clientOrgId is refused in words, not dropped.
    let r = plain_client()
        .post(format!(
            "{base}/v1/user/accounts/{own}/managed?clientOrgId={}",
            "o".repeat(257)
        ))
        .header("x-aurinko-session", session.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["code"], "clientOrgId.invalid");
    assert_eq!(account_total(&base, &app).await, 2);
    // The user's own list is unchanged; the app sees the copy without a user.
    let mine: serde_json::Value = user_api(&base, "/v1/user/accounts", &auth)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["length"], 1);
    let r = crate::common::flow::app_get(&base, &app, &format!("/v1/am/accounts/{copy_id}")).await;
    let kept: serde_json::Value = r.json().await.unwrap();
    assert!(kept.get("userId").is_none(), "{kept}");
    assert_eq!(kept["type"], "personal");
    // Not the user's account, or not a number: unknown.
    let (status, _) = copy(copy_id.to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = copy("x".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The user deletes their own account and signs in again: a new account of theirs; the
    // app's copy stays the app's.
    let r = plain_client()
        .delete(format!("{base}/v1/user/accounts/{own}"))
        .header("x-aurinko-session", session.as_str())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (_, session2) = signed_in(&base, &app, "cy@example.com").await;
    let me2: serde_json::Value = user_api(
        &base,
        "/v1/user",
        &[("x-aurinko-session", session2.as_str())],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_ne!(
        me2["accounts"][0]["id"], copy_id,
        "a sign-in never takes the app's copy"
    );
    let kept: serde_json::Value =
        crate::common::flow::app_get(&base, &app, &format!("/v1/am/accounts/{copy_id}"))
            .await
            .json()
            .await
            .unwrap();
    assert!(kept.get("userId").is_none(), "{kept}");
    f.finish().await;
}
on_both_backends!(the_app_keeps_a_copy_of_an_end_users_account);
