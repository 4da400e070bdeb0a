//! Application credentials over HTTP: client secret lifecycle with rotation, AppAuth, return
//! URL rules, deletion; on SQLite and PostgreSQL.
use crate::common::team::{join, sign_up, Member};
use crate::common::{plain_client, Backend, Fixture};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};

struct App {
    id: String,
    client_id: String,
    secret: String,
}

async fn create_app(owner: &mut Member, name: &str) -> App {
    let t = owner.own_team.clone();
    let r = owner
        .browser
        .call("team/apps/create", &[("team_id", &t), ("name", name)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    App {
        id: j["id"].as_str().unwrap().to_owned(),
        client_id: j["client_id"].as_str().unwrap().to_owned(),
        secret: j["secret"].as_str().unwrap().to_owned(),
    }
}

/// `GET /v1/am/application` with Basic client id and secret.
async fn app_auth(base: &str, client_id: &str, secret: &str) -> reqwest::Response {
    let basic = STANDARD.encode(format!("{client_id}:{secret}"));
    plain_client()
        .get(format!("{base}/v1/am/application"))
        .header("authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap()
}

fn code(r: &crate::common::Answer) -> String {
    let text = r.body.trim_matches('"');
    let text = text.strip_prefix("ServerError|").unwrap_or(text);
    text.split(':').next().unwrap_or_default().to_owned()
}

async fn client_secret_rotation_lifecycle(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app = create_app(&mut owner, "Mail sync").await;
    assert!(
        app.secret.starts_with("lg_secret_") && app.secret.len() >= 10 + 43,
        "256-bit secret with a prefix"
    );
    assert!(app.client_id.starts_with("lg_app_"));

    // The first secret works.
    let r = app_auth(&base, &app.client_id, &app.secret).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["name"], "Mail sync");
    assert_eq!(body["clientId"], app.client_id.as_str());
    assert!(
        !body.to_string().contains(&app.secret),
        "no secret is ever returned"
    );

    // Rotate: the old one keeps working for 2 seconds, the new one works at once.
    let r = owner
        .browser
        .call(
            "apps/secrets/rotate",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("old_valid_for_secs", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_secret = r.json()["value"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, app.secret);
    assert_eq!(
        app_auth(&base, &app.client_id, &app.secret).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app_auth(&base, &app.client_id, &new_secret).await.status(),
        StatusCode::OK
    );

    // The page lists both with creation, last use and expiry, and never their values.
    let detail = owner
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await;
    assert!(!detail.body.contains(&app.secret) && !detail.body.contains(&new_secret));
    let secrets = detail.json()["secrets"].as_array().unwrap().clone();
    assert_eq!(secrets.len(), 2);
    assert!(secrets.iter().all(|s| s["last_used_at"].is_i64()));
    assert_eq!(
        secrets.iter().filter(|s| s["expires_at"].is_i64()).count(),
        1,
        "only the old one expires"
    );

    // Two are live: a third is refused until the old one is gone.
    let r = owner
        .browser
        .call(
            "apps/secrets/rotate",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("old_valid_for_secs", "60"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::CONFLICT, "secret.too_many")
    );

    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let old = app_auth(&base, &app.client_id, &app.secret).await;
    assert_eq!(
        old.status(),
        StatusCode::UNAUTHORIZED,
        "the old secret expired"
    );
    assert_eq!(
        app_auth(&base, &app.client_id, &new_secret).await.status(),
        StatusCode::OK
    );

    // The last live secret cannot be revoked.
    let detail = owner
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    let only = detail["secrets"][0]["id"].as_str().unwrap().to_owned();
    let r = owner
        .browser
        .call(
            "apps/secrets/revoke",
            &[("team_id", &t), ("app_id", &app.id), ("secret_id", &only)],
        )
        .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::CONFLICT, "secret.last")
    );

    // In the database: a keyed hash and a sealed copy, never the secret itself.
    let db = Database::connect(f.db.url.clone()).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT secret_hash, sealed FROM app_secrets".to_owned(),
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let hash: String = row.try_get("", "secret_hash").unwrap();
        let sealed: String = row.try_get("", "sealed").unwrap();
        for plain in [&app.secret, &new_secret] {
            assert!(!hash.contains(plain.as_str()) && !sealed.contains(plain.as_str()));
            assert!(!sealed.contains(&plain[10..30]));
        }
        assert!(sealed.starts_with("lg1."), "sealed with a key id: {sealed}");
    }
    db.close().await.ok();
    // And the audit log names the secrets by prefix only.
    let audit = owner.browser.query("team/audit", &[("team_id", &t)]).await;
    assert!(audit.body.contains("app.secret_created"));
    assert!(!audit.body.contains(&app.secret) && !audit.body.contains(&new_secret));
    f.finish().await;
}
on_both_backends!(client_secret_rotation_lifecycle);

async fn app_auth_failures_are_401_with_a_basic_challenge(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let app = create_app(&mut owner, "App").await;
    let other = create_app(&mut owner, "Other").await;
    let mut cases = vec![
        app_auth(&base, &app.client_id, "lg_secret_wrong").await,
        app_auth(&base, &app.client_id, &other.secret).await,
        app_auth(&base, "lg_app_unknown", &app.secret).await,
        app_auth(&base, &app.client_id, "").await,
    ];
    for header in [
        "Basic !!!",
        "Bearer abc",
        "Basic",
        &format!("Basic {}", STANDARD.encode("no-colon")),
    ] {
        cases.push(
            plain_client()
                .get(format!("{base}/v1/am/application"))
                .header("authorization", header)
                .send()
                .await
                .unwrap(),
        );
    }
    cases.push(
        plain_client()
            .get(format!("{base}/v1/am/application"))
            .send()
            .await
            .unwrap(),
    );
    for r in cases {
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic"));
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["code"], "auth.required");
        assert!(e["requestId"].as_str().is_some_and(|s| !s.is_empty()));
    }
    f.finish().await;
}
on_both_backends!(app_auth_failures_are_401_with_a_basic_challenge);

async fn return_url_rules_with_reasons(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app = create_app(&mut owner, "App").await;
    let add = |url: &str| {
        vec![
            ("team_id".to_owned(), t.clone()),
            ("app_id".to_owned(), app.id.clone()),
            ("url".to_owned(), url.to_owned()),
        ]
    };

    // Each rule of wire-api.md: one accepted and one refused example, with its reason.
    let rules: [(&str, &str, &str); 7] = [
        (
            "https://app.example.com/callback",
            "http://app.example.com/callback",
            "Only https URLs are allowed",
        ),
        (
            "http://localhost:8080/cb",
            "http://10.0.0.5/cb",
            "Only https URLs are allowed",
        ),
        (
            "https://app.example.com/a?x=1",
            "https://app.example.com/b#frag",
            "cannot contain a fragment",
        ),
        (
            "https://app.example.com/c",
            "https://user:pw@app.example.com/c",
            "cannot contain a user name or password",
        ),
        (
            "https://app.example.com/d",
            "javascript:alert(1)",
            "Only https URLs are allowed",
        ),
        (
            "https://app.example.com/e",
            "https://аpp.example.com/e",
            "ASCII host name",
        ),
        (
            "http://[::1]/cb",
            "data:text/html,hi",
            "Only https URLs are allowed",
        ),
    ];
    for (ok, bad, reason) in rules {
        let fields = add(ok);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = owner.browser.call("apps/return_urls/add", &pairs).await;
        assert_eq!(r.status, StatusCode::OK, "{ok}: {}", r.body);
        let fields = add(bad);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = owner.browser.call("apps/return_urls/add", &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.body.contains(reason), "{bad}: {}", r.body);
    }
    // Wildcards: refused until an Administrator turns them on; never a bare `*`.
    let wildcard = add("https://*.tenant.example.com/cb");
    let pairs: Vec<(&str, &str)> = wildcard
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = owner.browser.call("apps/return_urls/add", &pairs).await;
    assert!(
        r.body.contains("Wildcard return URLs are turned off"),
        "{}",
        r.body
    );
    let r = owner
        .browser
        .call(
            "apps/wildcards",
            &[("team_id", &t), ("app_id", &app.id), ("allowed", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        owner
            .browser
            .call("apps/return_urls/add", &pairs)
            .await
            .status,
        StatusCode::OK
    );
    for bad in ["*", "https://*/cb", "https://*.com/cb"] {
        let fields = add(bad);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            owner
                .browser
                .call("apps/return_urls/add", &pairs)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    // Duplicates and oversized URLs are refused; nothing half-saved.
    let dup = add("https://app.example.com/callback");
    let pairs: Vec<(&str, &str)> = dup.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = owner.browser.call("apps/return_urls/add", &pairs).await;
    assert!(r.body.contains("already registered"), "{}", r.body);
    let long = add(&format!("https://app.example.com/{}", "x".repeat(3000)));
    let pairs: Vec<(&str, &str)> = long.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        owner
            .browser
            .call("apps/return_urls/add", &pairs)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let urls = |d: serde_json::Value| -> Vec<String> {
        d["return_urls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["url"].as_str().unwrap().to_owned())
            .collect()
    };
    let detail = owner
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    assert_eq!(
        urls(detail).len(),
        8,
        "seven accepted examples and one wildcard"
    );
    // The app reads them back with AppAuth.
    let r: serde_json::Value = app_auth(&base, &app.client_id, &app.secret)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["returnUrls"].as_array().unwrap().len(), 8);
    // Turning wildcards off removes the wildcard registration.
    owner
        .browser
        .call(
            "apps/wildcards",
            &[("team_id", &t), ("app_id", &app.id), ("allowed", "false")],
        )
        .await;
    let detail = owner
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    assert!(!urls(detail).iter().any(|u| u.contains('*')));
    f.finish().await;
}
on_both_backends!(return_url_rules_with_reasons);

async fn who_may_change_an_application(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app = create_app(&mut owner, "App").await;
    let mut dev = sign_up(&base, "Dev").await;
    let mut collab = sign_up(&base, "Collab").await;
    join(&mut owner.browser, &t, &mut dev, "Developer").await;
    join(&mut owner.browser, &t, &mut collab, "Collaborator").await;
    for m in [&dev.user_id, &collab.user_id] {
        owner
            .browser
            .call(
                "team/apps/grant",
                &[
                    ("team_id", &t),
                    ("app_id", &app.id),
                    ("user_id", m),
                    ("granted", "true"),
                ],
            )
            .await;
    }
    let url = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("url", "https://dev.example.com/cb"),
    ];
    // A Collaborator reads but cannot change; a Developer changes settings but cannot delete.
    assert_eq!(
        collab
            .browser
            .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        collab
            .browser
            .call("apps/return_urls/add", &url)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let rotate = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("old_valid_for_secs", "0"),
    ];
    assert_eq!(
        collab
            .browser
            .call("apps/secrets/rotate", &rotate)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        dev.browser.call("apps/return_urls/add", &url).await.status,
        StatusCode::OK
    );
    let del = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("confirm_name", "App"),
    ];
    assert_eq!(
        dev.browser.call("apps/delete", &del).await.status,
        StatusCode::FORBIDDEN
    );
    let detail = dev
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    assert_eq!(
        (
            detail["can_edit"].as_bool(),
            detail["can_administer"].as_bool()
        ),
        (Some(true), Some(false))
    );

    // The signing secret: Developers see it, Collaborators do not, Administrators regenerate it.
    let sign = [("team_id", t.as_str()), ("app_id", app.id.as_str())];
    let shown = dev.browser.call("apps/signing_secret", &sign).await;
    assert_eq!(shown.status, StatusCode::OK);
    let first = shown.json().as_str().unwrap().to_owned();
    assert!(first.starts_with("whsec_"));
    assert_eq!(
        collab
            .browser
            .call("apps/signing_secret", &sign)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        dev.browser
            .call("apps/signing_secret/regenerate", &sign)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let regenerated = owner
        .browser
        .call("apps/signing_secret/regenerate", &sign)
        .await
        .json()
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(regenerated, first);
    assert_eq!(
        dev.browser
            .call("apps/signing_secret", &sign)
            .await
            .json()
            .as_str(),
        Some(regenerated.as_str())
    );
    let audit = owner.browser.query("team/audit", &[("team_id", &t)]).await;
    assert!(
        audit.body.contains("app.signing_secret_regenerated") && !audit.body.contains(&regenerated)
    );

    // Deleting needs the name typed again; then the app and its secrets are gone.
    let wrong = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("confirm_name", "app"),
    ];
    assert_eq!(
        owner.browser.call("apps/delete", &wrong).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app_auth(&base, &app.client_id, &app.secret).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        owner.browser.call("apps/delete", &del).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app_auth(&base, &app.client_id, &app.secret).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        owner
            .browser
            .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let db = Database::connect(f.db.url.clone()).await.unwrap();
    for table in ["app_secrets", "return_urls", "app_grants"] {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT * FROM {table}"),
            ))
            .await
            .unwrap();
        assert!(rows.is_empty(), "{table} still has rows of the deleted app");
    }
    db.close().await.ok();
    f.finish().await;
}
on_both_backends!(who_may_change_an_application);

async fn trusted_domains_are_validated(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app = create_app(&mut owner, "App").await;
    let add = |d: &'static str| {
        vec![
            ("team_id", t.clone()),
            ("app_id", app.id.clone()),
            ("domain", d.to_owned()),
        ]
    };
    for ok in ["app.example.com", "*.tenant.example.com"] {
        let fields = add(ok);
        let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            owner
                .browser
                .call("apps/trusted_domains/add", &p)
                .await
                .status,
            StatusCode::OK,
            "{ok}"
        );
    }
    for (bad, reason) in [
        ("https://app.example.com", "no scheme, port or path"),
        ("*.com", "registrable domain"),
        ("exämple.com", "ASCII"),
        ("APP.example.com", "already trusted"),
    ] {
        let fields = add(bad);
        let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = owner.browser.call("apps/trusted_domains/add", &p).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.body.contains(reason), "{bad}: {}", r.body);
    }
    let list = owner
        .browser
        .query(
            "apps/trusted_domains",
            &[("team_id", &t), ("app_id", &app.id)],
        )
        .await
        .json();
    let domains: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_str().unwrap())
        .collect();
    assert_eq!(domains, vec!["*.tenant.example.com", "app.example.com"]);
    let id = list[0][0].as_str().unwrap().to_owned();
    let rm = [
        ("team_id", t.as_str()),
        ("app_id", app.id.as_str()),
        ("domain_id", id.as_str()),
    ];
    assert_eq!(
        owner
            .browser
            .call("apps/trusted_domains/remove", &rm)
            .await
            .status,
        StatusCode::OK
    );
    let page = owner
        .browser
        .get(&format!("/applications/{}", app.id))
        .await;
    assert!(page.body.contains("app.example.com") && !page.body.contains("*.tenant.example.com"));
    f.finish().await;
}
on_both_backends!(trusted_domains_are_validated);

async fn the_permanent_secret_cannot_be_revoked_while_only_an_expiring_one_remains(
    backend: Backend,
) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app = create_app(&mut owner, "App").await;
    let r = owner
        .browser
        .call(
            "apps/secrets/rotate",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("old_valid_for_secs", "600"),
            ],
        )
        .await;
    let new_id = r.json()["secret"]["id"].as_str().unwrap().to_owned();
    let detail = owner
        .browser
        .query("apps/detail", &[("team_id", &t), ("app_id", &app.id)])
        .await
        .json();
    let old_id = detail["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] != new_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoke = |id: &str| {
        vec![
            ("team_id", t.clone()),
            ("app_id", app.id.clone()),
            ("secret_id", id.to_owned()),
        ]
    };
    let fields = revoke(&new_id);
    let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = owner.browser.call("apps/secrets/revoke", &p).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::CONFLICT, "secret.last"),
        "only an expiring secret would remain"
    );
    let fields = revoke(&old_id);
    let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        owner.browser.call("apps/secrets/revoke", &p).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app_auth(&base, &app.client_id, &app.secret).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old one stops at once"
    );
    f.finish().await;
}
on_both_backends!(the_permanent_secret_cannot_be_revoked_while_only_an_expiring_one_remains);

/// Two applications of one team cannot share a name (in any case), by create or rename;
/// another team may use it.
async fn application_names_are_unique_in_a_team(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    create_app(&mut owner, "Mail sync").await;
    let r = owner
        .browser
        .call(
            "team/apps/create",
            &[("team_id", &t), ("name", "mail SYNC")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("already has an application called mail SYNC"),
        "{}",
        r.body
    );
    let other = create_app(&mut owner, "Calendar").await;
    let rename = |name: &'static str| {
        vec![
            ("team_id", t.clone()),
            ("app_id", other.id.clone()),
            ("name", name.to_owned()),
        ]
    };
    let fields = rename("Mail Sync");
    let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = owner.browser.call("apps/rename", &p).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Renaming an app to its own name in another case is fine.
    let fields = rename("CALENDAR");
    let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        owner.browser.call("apps/rename", &p).await.status,
        StatusCode::OK
    );
    // Another team may have its own "Mail sync".
    let mut stranger = sign_up(&base, "Stranger").await;
    create_app(&mut stranger, "Mail sync").await;
    f.finish().await;
}
on_both_backends!(application_names_are_unique_in_a_team);
