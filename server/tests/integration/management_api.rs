//! The management API with team API keys: the dashboard's authorization, JSON errors, and
//! an OpenAPI document generated from the code.
use crate::common::team::sign_up;
use crate::common::{plain_client, Backend, Fixture};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn key(owner: &mut crate::common::team::Member, team: &str, role: &str) -> String {
    let r = owner
        .browser
        .call(
            "team/api_keys/create",
            &[("team_id", team), ("name", role), ("role", role)],
        )
        .await;
    r.json()["secret"].as_str().unwrap().to_owned()
}

pub(crate) async fn call(
    base: &str,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut rb = plain_client()
        .request(method, format!("{base}{path}"))
        .bearer_auth(key);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn keys_act_with_their_role(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app_id = owner
        .browser
        .call("team/apps/create", &[("team_id", &t), ("name", "App")])
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dev = key(&mut owner, &t, "Developer").await;
    let collab = key(&mut owner, &t, "Collaborator").await;
    let mut other = sign_up(&base, "Other").await;
    let ot = other.own_team.clone();
    let outsider = key(&mut other, &ot, "Developer").await;
    let app = format!("/manage/v1/apps/{app_id}");

    let (s, list) = call(&base, &dev, Method::GET, "/manage/v1/apps", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list[0]["name"], "App");
    let (s, detail) = call(&base, &collab, Method::GET, &app, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(detail["clientId"].as_str().unwrap().starts_with("lg_app_"));
    assert!(detail["redirectUri"]
        .as_str()
        .unwrap()
        .ends_with("/v1/auth/callback"));

    // A Developer key changes settings; it rotates secrets with a grace period of an hour
    // at least (cutting a live secret off at once is for Administrators).
    let (s, _) = call(
        &base,
        &dev,
        Method::POST,
        &format!("{app}/secrets"),
        Some(json!({ "oldValidForSecs": 60 })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, new) = call(
        &base,
        &dev,
        Method::POST,
        &format!("{app}/secrets"),
        Some(json!({ "oldValidForSecs": 3600 })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    assert!(new["value"].as_str().unwrap().starts_with("lg_secret_"));
    let (s, e) = call(
        &base,
        &dev,
        Method::POST,
        &format!("{app}/return-urls"),
        Some(json!({ "url": "javascript:alert(1)" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["code"], "request.invalid");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Only https URLs are allowed"),
        "{e}"
    );
    let (s, url) = call(
        &base,
        &dev,
        Method::POST,
        &format!("{app}/return-urls"),
        Some(json!({ "url": "https://app.example.com/cb" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let reg = json!({ "clientId": "1234.apps.googleusercontent.com", "clientSecret": "GOCSPX-mgmt-secret", "scopes": "Mail.Read" });
    let (s, saved) = call(
        &base,
        &dev,
        Method::PUT,
        &format!("{app}/registrations/Google"),
        Some(reg.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["clientSecretSet"], true);
    assert!(!saved.to_string().contains("GOCSPX-mgmt-secret"));

    // A Collaborator key reads but cannot write anything.
    let writes = [
        (
            Method::POST,
            format!("{app}/secrets"),
            Some(json!({ "oldValidForSecs": 0 })),
        ),
        (
            Method::POST,
            format!("{app}/return-urls"),
            Some(json!({ "url": "https://x.example.com/cb" })),
        ),
        (
            Method::DELETE,
            format!("{app}/return-urls/{}", url["id"].as_str().unwrap()),
            None,
        ),
        (
            Method::PUT,
            format!("{app}/registrations/Google"),
            Some(reg.clone()),
        ),
        (Method::DELETE, format!("{app}/registrations/Google"), None),
    ];
    for (m, path, body) in writes.clone() {
        let (s, e) = call(&base, &collab, m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{m} {path}: {e}");
        assert_eq!(e["code"], "permission.denied");
    }
    // Another team's key does not learn the app exists.
    for (m, path, body) in writes {
        assert_eq!(
            call(&base, &outsider, m.clone(), &path, body).await.0,
            StatusCode::NOT_FOUND,
            "{m} {path}"
        );
    }
    assert_eq!(
        call(&base, &outsider, Method::GET, &app, None).await.0,
        StatusCode::NOT_FOUND
    );

    // Bodies that do not parse: 400 in the JSON error shape.
    let r = plain_client()
        .post(format!("{base}{app}/secrets"))
        .bearer_auth(&dev)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "request.body_invalid");
    assert!(e["requestId"].is_string());
    assert_eq!(
        call(
            &base,
            &dev,
            Method::DELETE,
            &format!("{app}/registrations/Google"),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    f.finish().await;
}
on_both_backends!(keys_act_with_their_role);

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let f = Fixture::start(Backend::Sqlite).await;
    let doc: Value = plain_client()
        .get(f.server.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/manage/v1/apps",
        "/manage/v1/apps/{app_id}/secrets",
        "/manage/v1/apps/{app_id}/registrations/{service_type}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["AppDetailOut"].is_object());
    // The wire API apps call is in the same document (issue 17, item 3).
    for (path, method) in [
        ("/v1/auth/authorize", "get"),
        ("/v1/auth/token/{code}", "post"),
        ("/v1/account", "get"),
        ("/v1/am/accounts", "post"),
        ("/v1/am/accounts/connect", "post"),
        ("/v1/user", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["AppAuth"]["scheme"], "basic");
    assert_eq!(schemes["UserSession"]["name"], "X-Aurinko-Session");
    // What the server answers is what the document says: every field of a real account
    // (with its provider token) and of a real error is declared.
    let base = f.server.base.clone();
    let app = crate::common::flow::FlowApp::create(&base, "Documented").await;
    let (_, token) = crate::common::flow::connect(&base, &app, &[]).await;
    let me: Value = crate::common::flow::account(&base, &token, "?includeProviderAuth=true")
        .await
        .json()
        .await
        .unwrap();
    let declared = |schema: &str, value: &Value| {
        let props = &doc["components"]["schemas"][schema]["properties"];
        for key in value.as_object().unwrap().keys() {
            assert!(props[key].is_object(), "{schema} does not declare {key}");
        }
    };
    declared("AccountOut", &me);
    declared("ProviderAuth", &me["providerAuth"]);
    let err: Value = crate::common::flow::account(&base, "lga_wrong", "")
        .await
        .json()
        .await
        .unwrap();
    declared("ApiRequestFailed", &err);
    let page = plain_client()
        .get(f.server.url("/api-docs/operations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/manage/v1/apps/{app_id}/return-urls"));
    f.finish().await;
}

/// Webhook endpoints and deliveries through the management API: a Developer key manages
/// them, a Collaborator key reads them, a bad URL is refused with its reason.
async fn webhooks_through_the_api(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app_id = owner
        .browser
        .call("team/apps/create", &[("team_id", &t), ("name", "App")])
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dev = key(&mut owner, &t, "Developer").await;
    let collab = key(&mut owner, &t, "Collaborator").await;
    let hooks = format!("/manage/v1/apps/{app_id}/webhooks");
    let (s, e) = call(
        &base,
        &dev,
        Method::POST,
        &hooks,
        Some(json!({ "url": "ftp://hooks.example" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message"].as_str().unwrap().contains("https"), "{e}");
    let (s, _) = call(
        &base,
        &collab,
        Method::POST,
        &hooks,
        Some(json!({ "url": "https://hooks.example/in" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, made) = call(
        &base,
        &dev,
        Method::POST,
        &hooks,
        Some(json!({ "url": "https://hooks.example/in", "eventTypes": "account.dead account.deleted" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(
        made["eventTypes"],
        json!(["account.dead", "account.deleted"])
    );
    let endpoint = made["id"].as_str().unwrap();
    let (s, list) = call(&base, &collab, Method::GET, &hooks, None).await;
    assert_eq!(
        (s, list[0]["url"].clone()),
        (StatusCode::OK, json!("https://hooks.example/in"))
    );
    let (s, off) = call(
        &base,
        &dev,
        Method::PATCH,
        &format!("{hooks}/{endpoint}"),
        Some(json!({ "enabled": false })),
    )
    .await;
    assert_eq!((s, off["enabled"].clone()), (StatusCode::OK, json!(false)));
    let (s, _) = call(
        &base,
        &dev,
        Method::POST,
        &format!("{hooks}/{endpoint}/test"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let deliveries = format!("/manage/v1/apps/{app_id}/webhook-deliveries");
    let (s, d) = call(&base, &collab, Method::GET, &deliveries, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d[0]["eventType"], "webhook.test");
    let (s, _) = call(
        &base,
        &dev,
        Method::DELETE,
        &format!("{hooks}/{endpoint}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = call(&base, &dev, Method::GET, &hooks, None).await;
    assert_eq!(list, json!([]));
    // Documented in the OpenAPI document.
    let doc: Value = plain_client()
        .get(format!("{base}/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/manage/v1/apps/{app_id}/webhooks"]["post"].is_object());
    f.finish().await;
}
on_both_backends!(webhooks_through_the_api);

/// The Team and Accounts pages through keys (issue 17, item 2): what a key may read and
/// change is what its role may on the dashboard; no token is ever in an answer.
async fn team_and_accounts_through_keys(backend: Backend) {
    use crate::common::flow::{connect, FlowApp};
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Keyed").await;
    let (account_id, token) = connect(&base, &app, &[]).await;
    let t = app.owner.own_team.clone();
    let admin = key(&mut app.owner, &t, "Administrator").await;
    let collab = key(&mut app.owner, &t, "Collaborator").await;

    let (s, page) = call(&base, &admin, Method::GET, "/manage/v1/accounts", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["records"][0]["id"], account_id);
    assert_eq!(page["records"][0]["tokenStatus"], "active");
    let (_, dead) = call(
        &base,
        &collab,
        Method::GET,
        "/manage/v1/accounts?status=dead",
        None,
    )
    .await;
    assert_eq!(dead["records"], json!([]));
    let (s, _) = call(
        &base,
        &admin,
        Method::GET,
        "/manage/v1/accounts?status=sleepy",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let one = format!("/manage/v1/accounts/{account_id}");
    let (s, detail) = call(&base, &collab, Method::GET, &one, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(detail["serviceType"], "Sandbox");
    assert!(!detail.to_string().contains(&token), "never a token");
    let (s, _) = call(&base, &collab, Method::POST, &format!("{one}/check"), None).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "checking is for Developers and up"
    );
    let (s, checked) = call(&base, &admin, Method::POST, &format!("{one}/check"), None).await;
    assert_eq!(
        (s, checked["outcome"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    let (_, listed) = call(
        &base,
        &admin,
        Method::GET,
        &format!("/manage/v1/apps/{}/accounts", app.id),
        None,
    )
    .await;
    assert_eq!(listed["totalSize"], 1);
    let (s, users) = call(
        &base,
        &admin,
        Method::GET,
        &format!("/manage/v1/apps/{}/end-users", app.id),
        None,
    )
    .await;
    assert_eq!((s, users), (StatusCode::OK, json!([])));

    // Members, invites, keys and the audit log.
    let (_, members) = call(&base, &admin, Method::GET, "/manage/v1/members", None).await;
    assert_eq!(members[0]["role"], "Owner");
    let (s, _) = call(
        &base,
        &collab,
        Method::POST,
        "/manage/v1/invites",
        Some(json!({ "email": "new@keyed.example", "role": "Developer" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &base,
        &admin,
        Method::POST,
        "/manage/v1/invites",
        Some(json!({ "email": "boss@keyed.example", "role": "Administrator" })),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key does not bring in key makers"
    );
    let (s, invite) = call(
        &base,
        &admin,
        Method::POST,
        "/manage/v1/invites",
        Some(json!({ "email": "new@keyed.example", "role": "Developer" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{invite}");
    assert!(
        invite["link"].as_str().unwrap().contains("/invite/"),
        "{invite}"
    );
    let (_, pending) = call(&base, &admin, Method::GET, "/manage/v1/invites", None).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(
        pending[0]["invitedBy"],
        app.owner.email.as_str(),
        "kept in the name of the key's maker"
    );
    let invite_id = invite["invite"]["id"].as_str().unwrap();
    let (s, _) = call(
        &base,
        &admin,
        Method::DELETE,
        &format!("/manage/v1/invites/{invite_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, keys) = call(&base, &admin, Method::GET, "/manage/v1/api-keys", None).await;
    assert_eq!(keys.as_array().unwrap().len(), 2);
    assert!(
        !keys.to_string().contains(&collab),
        "a key's secret is never listed"
    );
    let collab_id = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["role"] == "Collaborator")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = call(&base, &collab, Method::GET, "/manage/v1/audit", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = call(
        &base,
        &admin,
        Method::DELETE,
        &format!("/manage/v1/api-keys/{collab_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&base, &collab, Method::GET, "/manage/v1/accounts", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "revoked");
    let (s, log) = call(
        &base,
        &admin,
        Method::GET,
        "/manage/v1/audit?action=invite.",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(log["events"].as_array().unwrap().len() >= 2, "{log}");
    assert_eq!(
        log["events"][0]["actor"], "Administrator",
        "the key acted, under its name"
    );
    let (s, _) = call(
        &base,
        &admin,
        Method::PATCH,
        "/manage/v1/team",
        Some(json!({ "name": "Keyed team" })),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, team) = call(&base, &admin, Method::GET, "/manage/v1/team", None).await;
    assert_eq!(team["name"], "Keyed team");

    // Deleted through the key: gone, and its token with it.
    let (s, _) = call(&base, &admin, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&base, &admin, Method::GET, &one, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let r = crate::common::flow::account(&base, &token, "").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    f.finish().await;
}
on_both_backends!(team_and_accounts_through_keys);
