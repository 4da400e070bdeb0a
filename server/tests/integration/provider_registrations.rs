//! Provider registrations over HTTP: secrets are write-only and sealed in the database,
//! bad input is refused field by field with nothing half-saved.
use crate::common::team::{join, sign_up};
use crate::common::{plain_client, Backend, Fixture};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};

const GOOGLE_SECRET: &str = "GOCSPX-very-secret-provider-value";

async fn raw_registrations(url: &str) -> Vec<(String, Option<String>)> {
    let db = Database::connect(url.to_owned()).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT client_id, client_secret FROM provider_registrations".to_owned(),
        ))
        .await
        .unwrap();
    db.close().await.ok();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "client_id").unwrap(),
                r.try_get("", "client_secret").unwrap(),
            )
        })
        .collect()
}

async fn registration_round_trip_keeps_secrets_sealed_and_write_only(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let app = owner
        .browser
        .call("team/apps/create", &[("team_id", &t), ("name", "App")])
        .await
        .json();
    let (app_id, client_id, secret) = (
        app["id"].as_str().unwrap().to_owned(),
        app["client_id"].as_str().unwrap().to_owned(),
        app["secret"].as_str().unwrap().to_owned(),
    );
    let save = |extra: Vec<(&'static str, &'static str)>| {
        let mut fields = vec![("team_id", t.clone()), ("app_id", app_id.clone())];
        fields.extend(extra.into_iter().map(|(k, v)| (k, v.to_owned())));
        fields
    };
    let pairs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, s)| (*k, s.clone())).collect::<Vec<_>>()
    };

    let fields = save(vec![
        ("service_type", "Google"),
        ("client_id", "1234.apps.googleusercontent.com"),
        ("client_secret", GOOGLE_SECRET),
        ("scopes", "Mail.Read, Calendar.ReadOnly"),
        ("token_url", "http://127.0.0.1:9999/token"),
        ("revoke_url", "http://localhost:9999/revoke"),
    ]);
    let p = pairs(&fields);
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = owner.browser.call("apps/registrations/save", &p).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains(GOOGLE_SECRET));
    let v = r.json();
    assert_eq!(v["client_secret_set"], true);
    assert_eq!(
        v["scopes"],
        serde_json::json!(["Mail.Read", "Calendar.Read"]),
        "aliases resolved"
    );
    assert_eq!(v["overrides"]["token_url"], "http://127.0.0.1:9999/token");
    assert_eq!(v["overrides"]["revoke_url"], "http://localhost:9999/revoke");

    // In the database: sealed with a key id, no plaintext.
    let rows = raw_registrations(&f.db.url).await;
    let sealed_first = rows[0].1.clone().expect("sealed secret");
    assert!(
        sealed_first.starts_with("lg1.") && !sealed_first.contains("very-secret"),
        "{sealed_first}"
    );

    // Update without a secret (same endpoints) keeps it; with one replaces it.
    let fields = save(vec![
        ("service_type", "Google"),
        ("client_id", "5678.apps.googleusercontent.com"),
        ("token_url", "http://127.0.0.1:9999/token"),
        ("revoke_url", "http://localhost:9999/revoke"),
    ]);
    let p = pairs(&fields);
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        owner
            .browser
            .call("apps/registrations/save", &p)
            .await
            .status,
        StatusCode::OK
    );
    let rows = raw_registrations(&f.db.url).await;
    assert_eq!(
        rows[0],
        (
            "5678.apps.googleusercontent.com".to_owned(),
            Some(sealed_first.clone())
        )
    );
    let fields = save(vec![
        ("service_type", "Google"),
        ("client_id", "5678.apps.googleusercontent.com"),
        ("client_secret", "GOCSPX-new"),
        ("token_url", "http://127.0.0.1:9999/token"),
        ("revoke_url", "http://localhost:9999/revoke"),
    ]);
    let p = pairs(&fields);
    let p: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        owner
            .browser
            .call("apps/registrations/save", &p)
            .await
            .status,
        StatusCode::OK
    );
    assert_ne!(raw_registrations(&f.db.url).await[0].1, Some(sealed_first));

    // Moving an endpoint needs the secret again: it would be sent to the new host.
    let moved = [
        ("team_id", t.as_str()),
        ("app_id", app_id.as_str()),
        ("service_type", "Google"),
        ("client_id", "5678.apps.googleusercontent.com"),
        ("token_url", "https://attacker.example/token"),
    ];
    let r = owner.browser.call("apps/registrations/save", &moved).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("Enter the client secret again"),
        "{}",
        r.body
    );
    let listed = owner
        .browser
        .query(
            "apps/registrations",
            &[("team_id", &t), ("app_id", &app_id)],
        )
        .await
        .json();
    assert_eq!(
        listed[0]["overrides"]["token_url"], "http://127.0.0.1:9999/token",
        "unchanged"
    );

    // Nowhere readable back: not the list, not the audit log, not /v1/am/oauth_regs.
    let listed = owner
        .browser
        .query(
            "apps/registrations",
            &[("team_id", &t), ("app_id", &app_id)],
        )
        .await;
    let audit = owner.browser.query("team/audit", &[("team_id", &t)]).await;
    let basic = STANDARD.encode(format!("{client_id}:{secret}"));
    let regs = plain_client()
        .get(format!("{base}/v1/am/oauth_regs"))
        .header("authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(regs.status(), StatusCode::OK);
    let regs = regs.text().await.unwrap();
    for body in [&listed.body, &audit.body, &regs] {
        assert!(
            !body.contains("very-secret") && !body.contains("GOCSPX-new"),
            "{body}"
        );
    }
    assert!(
        regs.contains("\"serviceType\":\"Google\"") && regs.contains("\"clientSecretSet\":true"),
        "{regs}"
    );
    assert!(audit.body.contains("app.registration_saved"));
    f.finish().await;
}
on_both_backends!(registration_round_trip_keeps_secrets_sealed_and_write_only);

async fn bad_registrations_are_refused_field_by_field(backend: Backend) {
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
    let long_id = "x".repeat(300);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("service_type", "MySpace"),
                ("client_id", "a"),
                ("client_secret", "b"),
            ],
            "Choose a service type",
        ),
        (
            vec![
                ("service_type", "IMAP"),
                ("client_id", "a"),
                ("client_secret", "b"),
            ],
            "takes no secrets here",
        ),
        (
            vec![
                ("service_type", "Google"),
                ("client_id", &long_id),
                ("client_secret", "b"),
            ],
            "client id",
        ),
        (
            vec![("service_type", "Google"), ("client_id", "a")],
            "Enter the provider's client secret",
        ),
        (
            vec![
                ("service_type", "Google"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("scopes", "Mail.Everything"),
            ],
            "not a unified scope",
        ),
        (
            vec![
                ("service_type", "Zoho"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("scopes", "Tasks.Read"),
            ],
            "Zoho has no native scope for Tasks.Read",
        ),
        (
            vec![
                ("service_type", "Google"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("tenant", "common"),
            ],
            "Google takes no tenant",
        ),
        (
            vec![
                ("service_type", "Zoho"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("data_center", "mars"),
            ],
            "Use one of ca, com, com.au",
        ),
        (
            vec![
                ("service_type", "Office365"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("token_url", "https://{tenant}.example/oauth2/v2.0/token"),
            ],
            "may stand only in the path",
        ),
        (
            vec![
                ("service_type", "Office365"),
                ("client_id", "a"),
                ("client_secret", "b"),
                (
                    "daemon_secret",
                    "{\"thumbprint\": \"not hex\", \"private_key\": \"k\"}",
                ),
            ],
            "40 hex digits",
        ),
        (
            vec![
                ("service_type", "Salesforce"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("login_host", "evil.example"),
            ],
            "login.salesforce.com",
        ),
        (
            vec![
                ("service_type", "Google"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("authorize_url", "http://provider.example/auth"),
            ],
            "Use https",
        ),
        (
            vec![
                ("service_type", "Google"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("token_url", "not a url"),
            ],
            "absolute URL",
        ),
        (
            vec![
                ("service_type", "Google"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("daemon_secret", "{\"client_email\":\"x\"}"),
            ],
            "client_email and private_key",
        ),
        (
            vec![
                ("service_type", "Hubspot"),
                ("client_id", "a"),
                ("client_secret", "b"),
                ("daemon_secret", "anything"),
            ],
            "no service-account flow",
        ),
    ];
    for (extra, reason) in cases {
        let mut fields = vec![("team_id", t.as_str()), ("app_id", app_id.as_str())];
        fields.extend(extra.iter().copied());
        let r = owner.browser.call("apps/registrations/save", &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{extra:?}: {}",
            r.body
        );
        assert!(r.body.contains(reason), "{extra:?}: {}", r.body);
    }
    assert!(
        raw_registrations(&f.db.url).await.is_empty(),
        "nothing half-saved"
    );
    // Every option at once is fine where the provider takes them.
    let ok = [
        ("team_id", t.as_str()),
        ("app_id", app_id.as_str()),
        ("service_type", "Office365"),
        ("client_id", "a"),
        ("client_secret", "b"),
        ("tenant", "organizations"),
        ("scopes", "Mail.All"),
    ];
    assert_eq!(
        owner
            .browser
            .call("apps/registrations/save", &ok)
            .await
            .status,
        StatusCode::OK
    );

    // A Collaborator reads registrations but cannot change them.
    let mut collab = sign_up(&base, "Collab").await;
    join(&mut owner.browser, &t, &mut collab, "Collaborator").await;
    owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &app_id),
                ("user_id", &collab.user_id),
                ("granted", "true"),
            ],
        )
        .await;
    assert_eq!(
        collab
            .browser
            .query(
                "apps/registrations",
                &[("team_id", &t), ("app_id", &app_id)]
            )
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        collab
            .browser
            .call("apps/registrations/save", &ok)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let rm = [
        ("team_id", t.as_str()),
        ("app_id", app_id.as_str()),
        ("service_type", "Office365"),
    ];
    assert_eq!(
        collab
            .browser
            .call("apps/registrations/remove", &rm)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        owner
            .browser
            .call("apps/registrations/remove", &rm)
            .await
            .status,
        StatusCode::OK
    );
    assert!(raw_registrations(&f.db.url).await.is_empty());
    f.finish().await;
}
on_both_backends!(bad_registrations_are_refused_field_by_field);

async fn custom_providers_are_defined_per_application(backend: Backend) {
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
    let good: Vec<(&str, &str)> = vec![
        ("team_id", &t),
        ("app_id", &app_id),
        ("name", "acme-sso"),
        ("client_id", "acme-client"),
        ("client_secret", "acme-secret-value"),
        ("authorize_url", "https://sso.acme.example/authorize"),
        ("token_url", "http://127.0.0.1:9000/token"),
        ("userinfo_url", "https://sso.acme.example/userinfo"),
        ("id_claim", "uid"),
        ("scope_separator", ","),
        ("pkce", "on"),
        ("extra_authorize_params", "audience=api&prompt=login"),
        ("client_auth", "post"),
        ("native_scopes", "openid profile"),
    ];
    let r = owner
        .browser
        .call("apps/custom_providers/save", &good)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["service_type"], "acme-sso");
    assert_eq!(v["custom"]["id_claim"], "uid");
    assert_eq!(
        v["custom"]["email_claim"], "email",
        "defaults fill what is not given"
    );
    assert_eq!(v["custom"]["pkce"], true);
    assert_eq!(v["custom"]["client_auth"], "post");
    assert_eq!(v["custom"]["extra_authorize_params"]["audience"], "api");
    assert!(!r.body.contains("acme-secret-value"));

    let with = |k: &'static str, val: &'static str| -> Vec<(&str, String)> {
        good.iter()
            .map(|(a, b)| {
                (
                    *a,
                    if *a == k {
                        val.to_owned()
                    } else {
                        (*b).to_owned()
                    },
                )
            })
            .collect()
    };
    for (field, value, reason) in [
        ("name", "Google", "unlike any catalog provider"),
        ("name", "has spaces", "unlike any catalog provider"),
        ("token_url", "", "Enter the provider's URL"),
        (
            "authorize_url",
            "http://sso.acme.example/authorize",
            "Use https",
        ),
        ("client_auth", "jwt", "Use basic or post"),
        ("scope_separator", ";", "Use a space or a comma"),
        ("extra_authorize_params", "novalue", "key=value pairs"),
        ("pkce", "maybe", "Choose true or false"),
    ] {
        let fields = with(field, value);
        let p: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = owner.browser.call("apps/custom_providers/save", &p).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            r.body
        );
        assert!(r.body.contains(reason), "{field}={value}: {}", r.body);
    }
    // Through the management API too, where unified scopes are refused for custom providers.
    let key = owner
        .browser
        .call(
            "team/api_keys/create",
            &[("team_id", &t), ("name", "k"), ("role", "Developer")],
        )
        .await
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |body: serde_json::Value| {
        let (base, key, app_id) = (base.clone(), key.clone(), app_id.clone());
        async move {
            plain_client()
                .put(format!(
                    "{base}/manage/v1/apps/{app_id}/registrations/okta-dev"
                ))
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let custom = serde_json::json!({ "authorizeUrl": "https://okta.example/authorize", "tokenUrl": "https://okta.example/token" });
    let r = put(serde_json::json!({ "clientId": "c", "clientSecret": "s", "scopes": "Mail.Read", "custom": custom })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = put(serde_json::json!({ "clientId": "c", "clientSecret": "s", "nativeScopes": "openid", "custom": custom })).await;
    assert_eq!(r.status(), StatusCode::OK);
    let listed = owner
        .browser
        .query(
            "apps/registrations",
            &[("team_id", &t), ("app_id", &app_id)],
        )
        .await
        .json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_type"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["acme-sso", "okta-dev"]);
    f.finish().await;
}
on_both_backends!(custom_providers_are_defined_per_application);
