//! Issue 17, item 1: an application brings accounts it already holds (`POST
//! /v1/am/accounts`, upsertPersonal) and checks credentials without saving (`POST
//! /v1/am/accounts/connect`): OAuth tokens proven at a provider stand-in and then owned by
//! the refresh machinery; IMAP logins signed in to a real dovecot.
use crate::common::dovecot::{Dovecot, PASSWORD, USER};
use crate::common::flow::{account, app_get, FlowApp};
use crate::common::stand_in::{Reply, Script, Seen, StandIn};
use crate::common::{plain_client, Backend, Fixture};
use crate::password_accounts::enable;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Google's userinfo and token endpoints for tokens a user granted elsewhere: the access
/// token `old-at` has expired, the refresh token `old-rt` still works.
struct Google;

impl Script for Google {
    fn answer(&mut self, s: &Seen, broken: &mut Vec<String>) -> Reply {
        if s.is("GET", "/userinfo") {
            return match s.authorization.as_deref() {
                Some("Bearer fresh-at") => Reply::Json(
                    200,
                    json!({ "sub": "g-42", "email": "kim@corp.example", "email_verified": true, "name": "Kim" }),
                ),
                _ => Reply::Json(401, json!({ "error": "invalid_token" })),
            };
        }
        if s.is("POST", "/token") {
            if s.form("grant_type") != "refresh_token" {
                broken.push(format!("grant {:?}", s.form("grant_type")));
            }
            return match s.form("refresh_token") {
                "old-rt" => Reply::Json(
                    200,
                    json!({ "access_token": "fresh-at", "expires_in": 3599, "token_type": "Bearer", "scope": "https://www.googleapis.com/auth/gmail.readonly" }),
                ),
                _ => Reply::Json(400, json!({ "error": "invalid_grant" })),
            };
        }
        broken.push(format!("{} {}", s.method, s.path));
        Reply::Status(404)
    }
}

async fn post(base: &str, app: &FlowApp, path: &str, body: Value) -> (StatusCode, Value) {
    let r = plain_client()
        .post(format!("{base}{path}"))
        .header("authorization", app.basic())
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn total(base: &str, app: &FlowApp) -> u64 {
    let j: Value = app_get(base, app, "/v1/am/accounts")
        .await
        .json()
        .await
        .unwrap();
    j["totalSize"].as_u64().unwrap()
}

async fn oauth_accounts_are_imported_proven_and_refreshed(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let google = StandIn::start(Google).await;
    let g = &google.base;
    let mut app = FlowApp::create(&base, "Migrating app").await;
    app.save_registration(&[
        ("service_type", "Google"),
        ("client_id", "g-client"),
        ("client_secret", "g-secret"),
        ("scopes", "Mail.Read"),
        ("token_url", &format!("{g}/token")),
        ("userinfo_url", &format!("{g}/userinfo")),
    ])
    .await;
    let grant = json!({ "serviceType": "Google", "active": true, "authString1": "old-at", "authString2": "old-rt", "authScopes": ["Mail.Read"], "clientOrgId": "acme" });

    // Proven live: the expired access token is refused, the refresh token renews it, and the
    // provider says who the account is.
    let (status, saved) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        grant.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let token = saved["accessToken"].as_str().unwrap().to_owned();
    let r = account(&base, &token, "?includeProviderAuth=true").await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["id"], saved["accountId"]);
    assert_eq!(
        (
            me["authUserId"].as_str(),
            me["email"].as_str(),
            me["clientOrgId"].as_str()
        ),
        (Some("g-42"), Some("kim@corp.example"), Some("acme"))
    );
    assert_eq!(me["providerAuth"]["accessToken"], "fresh-at");
    assert_eq!(me["authScopes"], json!(["Mail.Read"]));

    // The same grant again: the same account, nothing new.
    let (status, again) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        grant.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["accountId"], saved["accountId"]);
    assert_eq!(total(&base, &app).await, 1);

    // A grant the provider refuses: a 4xx in the spec's shape, and nothing saved.
    let revoked = json!({ "serviceType": "Google", "active": true, "authString1": "gone-at", "authString2": "gone-rt" });
    let (status, err) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        revoked.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["code"], "credentials.invalid");
    assert!(err["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(
        !err.to_string().contains("gone-rt"),
        "never a token in an error"
    );
    assert_eq!(total(&base, &app).await, 1);

    // checkConnection says yes or no and saves nothing; it never renews a given access
    // token (a renewal could rotate the app's refresh token and lose the new one).
    let live = json!({ "serviceType": "Google", "active": true, "authString1": "fresh-at", "authString2": "old-rt" });
    let (status, ok) = post(&base, &app, "/v1/am/accounts/connect", live).await;
    assert_eq!((status, ok), (StatusCode::OK, json!({ "status": "Ok" })));
    let refreshes = google.count("POST", "/token");
    let (status, expired) = post(&base, &app, "/v1/am/accounts/connect", grant.clone()).await;
    assert_eq!(
        (status, expired["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("credentials.invalid"))
    );
    assert_eq!(google.count("POST", "/token"), refreshes, "nothing renewed");
    let (status, no) = post(&base, &app, "/v1/am/accounts/connect", revoked).await;
    assert_eq!(
        (status, no["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("credentials.invalid"))
    );
    assert_eq!(total(&base, &app).await, 1);

    // Without ensureAccess, the app's word for who it is: nothing asked of the provider.
    let asked = google.seen().len();
    let (status, trusted) = post(
        &base,
        &app,
        "/v1/am/accounts",
        json!({ "serviceType": "Google", "active": true, "authString1": "other-at", "authString2": "other-rt", "authUserId": "g-7", "email": "lee@corp.example" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trusted}");
    assert_eq!(google.seen().len(), asked);
    assert_eq!(total(&base, &app).await, 2);

    // Bad input: named, 4xx, nothing saved.
    for (query, body, code) in [
        (
            "",
            json!({ "serviceType": "Google", "active": true }),
            "authString1.invalid",
        ),
        (
            "",
            json!({ "serviceType": "Google", "active": true, "authString1": "x", "authUserId": "u", "authScopes": ["Mail.Everything"] }),
            "authScopes.invalid",
        ),
        (
            "",
            json!({ "serviceType": "Google", "active": true, "authString1": "x", "authUserId": "u", "authExpiresAt": "tomorrow" }),
            "authExpiresAt.invalid",
        ),
        ("?userAccount=owner", grant.clone(), "userAccount.invalid"),
        ("?userAccount=secondary", grant.clone(), "userId.invalid"),
        (
            "?recycleKeys=serverUrl",
            grant.clone(),
            "recycleKeys.invalid",
        ),
        (
            "",
            json!({ "serviceType": "Zoho", "active": true, "authString1": "x", "authUserId": "u" }),
            "serviceType.invalid",
        ),
    ] {
        let (status, err) = post(&base, &app, &format!("/v1/am/accounts{query}"), body).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{err}"
        );
    }
    assert_eq!(total(&base, &app).await, 2);
    // Guessing at one target is throttled, however the guesses are spread (10 in 15 minutes).
    let guess =
        json!({ "serviceType": "Google", "active": true, "authString2": "someone-elses-rt" });
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (status, _) = post(&base, &app, "/v1/am/accounts/connect", guess.clone()).await;
        statuses.push(status);
    }
    assert_eq!(statuses[..10], [StatusCode::BAD_REQUEST; 10]);
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
    // Only the app itself may import into it.
    let r = plain_client()
        .post(format!("{base}/v1/am/accounts"))
        .json(&grant)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(google.broken(), Vec::<String>::new());
    fx.finish().await;
}
on_both_backends!(oauth_accounts_are_imported_proven_and_refreshed);

async fn imap_logins_are_imported_signed_in_first(backend: Backend) {
    let dovecot = Dovecot::start();
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Mail importer").await;
    let login = |password: &str| json!({ "serviceType": "IMAP", "active": true, "email": USER, "password": password, "serverUrl": format!("127.0.0.1:{}", dovecot.imaps_port) });
    // The app must offer IMAP first.
    let (status, err) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        login(PASSWORD),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("serviceType.invalid"))
    );
    enable(&mut app, "IMAP", "true", "").await;

    let (status, err) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        login("wrong"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("refused this login and password"));
    assert_eq!(total(&base, &app).await, 0);
    let (status, saved) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        login(PASSWORD),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let me: Value = account(&base, saved["accessToken"].as_str().unwrap(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["serviceType"].as_str(), me["email"].as_str()),
        (Some("IMAP"), Some(USER))
    );
    assert!(
        !me.to_string().contains(PASSWORD),
        "the password is never given back"
    );
    // Again: the same account.
    let (_, again) = post(
        &base,
        &app,
        "/v1/am/accounts?ensureAccess=true",
        login(PASSWORD),
    )
    .await;
    assert_eq!(again["accountId"], saved["accountId"]);
    // A form mistake names its field.
    let (status, err) = post(&base, &app, "/v1/am/accounts", json!({ "serviceType": "IMAP", "active": true, "email": "not an email", "password": "p", "serverUrl": "imap.example" })).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("request.invalid")),
        "{err}"
    );
    assert_eq!(total(&base, &app).await, 1);
    fx.finish().await;
}
on_both_backends!(imap_logins_are_imported_signed_in_first);

async fn user_get(base: &str, path: &str, session: &str) -> (StatusCode, Value) {
    let r = plain_client()
        .get(format!("{base}{path}"))
        .header("x-aurinko-session", session)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// `userAccount`, `userId` and `recycleKeys`: imported accounts become end users' primary
/// and secondary accounts, as the user-session flow would make them.
async fn imported_accounts_join_end_users(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Users moving in").await;
    let mut other = FlowApp::create(&base, "Someone else's").await;
    for a in [&mut app, &mut other] {
        a.save_registration(&[
            ("service_type", "Google"),
            ("client_id", "g-client"),
            ("client_secret", "g-secret"),
            ("scopes", "Mail.Read"),
        ])
        .await;
    }
    let google = |id: &str, email: &str| json!({ "serviceType": "Google", "active": true, "authString1": format!("at-{id}"), "authUserId": id, "email": email });

    // A primary import makes the end user and answers a session for them.
    let (status, first) = post(
        &base,
        &app,
        "/v1/am/accounts?userAccount=primary",
        google("g-1", "ann@corp.example"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let user_id = first["userId"].as_str().unwrap().to_owned();
    let session = first["userSession"].as_str().unwrap().to_owned();
    let (status, me) = user_get(&base, "/v1/user", &session).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], user_id.as_str());
    assert_eq!(me["accounts"][0]["id"], first["accountId"]);
    assert_eq!(me["accounts"][0]["userAccountType"], "primary");

    // Again: the same user and account, and a second working session.
    let (_, again) = post(
        &base,
        &app,
        "/v1/am/accounts?userAccount=primary",
        google("g-1", "ann@corp.example"),
    )
    .await;
    assert_eq!(
        (&again["userId"], &again["accountId"]),
        (&first["userId"], &first["accountId"])
    );
    assert_ne!(again["userSession"], first["userSession"]);
    assert_eq!(
        user_get(&base, "/v1/user", &session).await.0,
        StatusCode::OK
    );

    // A secondary import joins the user named by userId.
    let (status, second) = post(
        &base,
        &app,
        &format!("/v1/am/accounts?userAccount=secondary&userId={user_id}"),
        google("g-2", "ann.personal@mail.example"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["userId"], user_id.as_str());
    assert!(second.get("userSession").is_none(), "{second}");
    let (_, mine) = user_get(&base, "/v1/user/accounts", &session).await;
    let ids: Vec<&Value> = mine["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [&first["accountId"], &second["accountId"]], "{mine}");

    // recycleKeys=email finds an app-owned account though the provider id changed.
    let (_, owned) = post(
        &base,
        &app,
        "/v1/am/accounts",
        google("g-5", "shared@corp.example"),
    )
    .await;
    let (status, moved) = post(
        &base,
        &app,
        "/v1/am/accounts?recycleKeys=email",
        google("g-5b", "shared@corp.example"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["accountId"], owned["accountId"]);
    // An end user's account never takes another identity that way (that identity's next
    // sign-in would get the user's session).
    for query in [
        "?recycleKeys=email".to_owned(),
        format!("?userId={user_id}&recycleKeys=email"),
    ] {
        let (status, err) = post(
            &base,
            &app,
            &format!("/v1/am/accounts{query}"),
            google("g-2b", "ann.personal@mail.example"),
        )
        .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("recycleKeys.invalid")),
            "{query}: {err}"
        );
    }
    let (_, mine) = user_get(&base, "/v1/user/accounts", &session).await;
    assert_eq!(mine["records"].as_array().unwrap().len(), 2, "{mine}");
    assert_eq!(mine["records"][1]["authUserId"], "g-2", "{mine}");

    // A recycle key without a value, or on a primary account, would find accounts that are
    // not this one: refused, nothing changed.
    for query in [
        format!("?userId={user_id}&recycleKeys=clientOrgId"),
        "?userAccount=primary&recycleKeys=email".to_owned(),
    ] {
        let (status, err) = post(
            &base,
            &app,
            &format!("/v1/am/accounts{query}"),
            google("g-4", "ann.personal@mail.example"),
        )
        .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("recycleKeys.invalid")),
            "{query}: {err}"
        );
    }
    let (_, mine) = user_get(&base, "/v1/user/accounts", &session).await;
    assert_eq!(mine["records"].as_array().unwrap().len(), 2, "{mine}");

    // An end user of another app, or none, is not found, and nothing is saved.
    let before = total(&base, &other).await;
    for uid in [user_id.as_str(), "u_nobody"] {
        let (status, err) = post(
            &base,
            &other,
            &format!("/v1/am/accounts?userId={uid}"),
            google("g-3", "eve@corp.example"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
        assert!(err["code"].is_string(), "{err}");
    }
    assert_eq!(total(&base, &other).await, before);
    assert_eq!(total(&base, &app).await, 3);
    fx.finish().await;
}
on_both_backends!(imported_accounts_join_end_users);

/// Issue 18: an account list pages with its total in one query and never reads a sealed
/// token: the listed rows carry none, though the accounts hold them.
async fn account_lists_page_without_reading_secrets(backend: Backend) {
    use app::domain::app::accounts::{page, AccountFilter};
    use sea_orm::{Database, EntityTrait};
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Many accounts").await;
    app.save_registration(&[
        ("service_type", "Google"),
        ("client_id", "g-client"),
        ("client_secret", "g-secret"),
        ("scopes", "Mail.Read"),
    ])
    .await;
    for n in 0..3 {
        let (status, _) = post(
            &base,
            &app,
            "/v1/am/accounts",
            json!({ "serviceType": "Google", "active": true, "authString1": format!("at-{n}"), "authString2": format!("rt-{n}"), "authUserId": format!("g-{n}") }),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    for (query, records, total) in [
        ("?limit=2", 2, 3),
        ("?limit=2&offset=2", 1, 3),
        ("?offset=10", 0, 3),
        ("?serviceType=Office365", 0, 0),
    ] {
        let j: Value = app_get(&base, &app, &format!("/v1/am/accounts{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            j["records"].as_array().unwrap().len(),
            records,
            "{query}: {j}"
        );
        assert_eq!(j["totalSize"], total, "{query}: {j}");
    }

    let db = Database::connect(fx.db.url.clone()).await.unwrap();
    let app_id = uuid::Uuid::parse_str(&app.id).unwrap();
    let (rows, total, _) = page(&db, app_id, AccountFilter::default()).await.unwrap();
    assert_eq!((rows.len(), total), (3, 3));
    for listed in rows {
        let stored = app::entity::account::Entity::find_by_id(listed.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.provider_access_token.is_some() && stored.provider_refresh_token.is_some());
        assert_eq!(
            (listed.provider_access_token, listed.provider_refresh_token),
            (None, None)
        );
        assert_eq!(listed.auth_user_id, stored.auth_user_id);
    }
    db.close().await.unwrap();
    fx.finish().await;
}
on_both_backends!(account_lists_page_without_reading_secrets);
