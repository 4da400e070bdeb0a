//! The accounts list of an application: filters, pages, and who may see it. Accounts are
//! seeded straight into the database (the hosted flows that create them come later).
use crate::common::team::{join, sign_up};
use crate::common::{Backend, Fixture};
use app::entity::account;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, Database, Set};

async fn accounts_are_filtered_and_paged(backend: Backend) {
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
    let db = Database::connect(f.db.url.clone()).await.unwrap();
    for i in 0..45 {
        let (service, org) = if i % 3 == 0 {
            ("Office365", "acme")
        } else {
            ("Google", "globex")
        };
        account::ActiveModel {
            app_id: Set(app_id.parse().unwrap()),
            service_type: Set(service.into()),
            service_provider: Set(service.into()),
            kind: Set(app::entity::account::AccountKind::Personal),
            active: Set(true),
            token_status: Set(app::entity::account::TokenStatus::Active),
            email: Set(Some(format!("user{i}@example.com"))),
            client_org_id: Set(Some(org.into())),
            auth_scopes: Set("Mail.Read".into()),
            auth_native_scopes: Set(String::new()),
            created_at: Set(1_800_000_000 + i),
            updated_at: Set(1_800_000_000 + i),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
    }
    db.close().await.ok();
    let list = |extra: &[(&'static str, &'static str)]| {
        let mut q = vec![("team_id", t.clone()), ("app_id", app_id.clone())];
        q.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        q
    };
    let get = |q: Vec<(&'static str, String)>| {
        let mut b = owner.browser.at(&base);
        async move {
            let p: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.query("apps/accounts", &p).await
        }
    };
    let page = get(list(&[])).await.json();
    assert_eq!(
        (
            page["total_size"].as_u64(),
            page["records"].as_array().unwrap().len(),
            page["done"].as_bool()
        ),
        (Some(45), 20, Some(false))
    );
    let last = get(list(&[("offset", "40")])).await.json();
    assert_eq!(
        (
            last["records"].as_array().unwrap().len(),
            last["done"].as_bool()
        ),
        (5, Some(true))
    );
    let office = get(list(&[("service_type", "Office365")])).await.json();
    assert_eq!(office["total_size"], 15);
    assert!(office["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["service_type"] == "Office365"));
    let acme = get(list(&[
        ("client_org_id", "acme"),
        ("service_type", "Google"),
    ]))
    .await
    .json();
    assert_eq!(acme["total_size"], 0);
    assert_eq!(
        get(list(&[("offset", "-1")])).await.status,
        StatusCode::BAD_REQUEST
    );
    let far = get(list(&[("offset", "18446744073709551615")])).await;
    assert_eq!(
        far.status,
        StatusCode::OK,
        "a huge offset is an empty page, not a crash: {}",
        far.body
    );
    assert_eq!(far.json()["records"].as_array().unwrap().len(), 0);

    // The page renders the filtered list on the server.
    let html = owner
        .browser
        .get(&format!(
            "/applications/{app_id}/accounts?serviceType=Office365"
        ))
        .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("user0@example.com") && !html.body.contains("user1@example.com"));
    assert!(html.body.contains("1–15 of 15"));

    // A Collaborator without the grant, and another team, see nothing.
    let mut collab = sign_up(&base, "Collab").await;
    join(&mut owner.browser, &t, &mut collab, "Collaborator").await;
    assert_eq!(
        collab
            .browser
            .query("apps/accounts", &[("team_id", &t), ("app_id", &app_id)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut other = sign_up(&base, "Other").await;
    let ot = other.own_team.clone();
    assert_eq!(
        other
            .browser
            .query("apps/accounts", &[("team_id", &ot), ("app_id", &app_id)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    f.finish().await;
}
on_both_backends!(accounts_are_filtered_and_paged);

async fn seed(db: &sea_orm::DatabaseConnection, app_id: &str, n: i64, service: &str, email: &str) {
    for i in 0..n {
        let status = match i % 3 {
            0 => app::entity::account::TokenStatus::Active,
            1 => app::entity::account::TokenStatus::Invalid,
            _ => app::entity::account::TokenStatus::Dead,
        };
        account::ActiveModel {
            app_id: Set(app_id.parse().unwrap()),
            service_type: Set(service.into()),
            service_provider: Set(service.into()),
            kind: Set(app::entity::account::AccountKind::Personal),
            active: Set(true),
            token_status: Set(status),
            email: Set(Some(email.replace("{i}", &i.to_string()))),
            auth_scopes: Set(String::new()),
            auth_native_scopes: Set(String::new()),
            created_at: Set(1_800_000_000 + i),
            updated_at: Set(1_800_000_000 + i),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
}

/// The team's accounts page: every application the viewer may see, newest first, 50 a page
/// with *Older* (no row twice, none missed), search by the start of the email in any case
/// (typed `%` and `_` are themselves), filters by application, service and token status.
async fn the_teams_accounts_across_its_applications(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let create = |name: &'static str| {
        let mut b = owner.browser.at(&base);
        let t = t.clone();
        async move {
            b.call("team/apps/create", &[("team_id", &t), ("name", name)])
                .await
                .json()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let crm = create("CRM sync").await;
    let mail = create("Mail desk").await;
    let db = Database::connect(f.db.url.clone()).await.unwrap();
    seed(&db, &crm, 70, "Google", "Sales{i}@Acme.test").await;
    seed(&db, &mail, 40, "IMAP", "inbox{i}@globex.test").await;
    seed(&db, &mail, 1, "IMAP", "odd_100%@globex.test").await;
    db.close().await.ok();

    let list = |q: &[(&str, &str)]| {
        let mut all = vec![("team_id", t.as_str())];
        all.extend_from_slice(q);
        all.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let read = |q: Vec<(String, String)>| {
        let mut b = owner.browser.at(&base);
        async move {
            let p: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = b.query("team/accounts", &p).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()
        }
    };
    let emails = |p: &serde_json::Value| -> Vec<String> {
        p["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap().to_owned())
            .collect()
    };

    // Every account once, newest first, across pages.
    let mut seen = Vec::new();
    let mut ids = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let mut q = list(&[]);
        if let Some(b) = &before {
            q.push(("before".into(), b.clone()));
        }
        let p = read(q).await;
        let page: Vec<i64> = p["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert!(page.len() <= 50);
        seen.extend(emails(&p));
        ids.extend(page);
        match p["older"].as_i64() {
            Some(b) => before = Some(b.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 111);
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(ids, sorted, "newest first, none twice");
    let first = read(list(&[])).await;
    assert_eq!(first["apps"].as_array().unwrap().len(), 2);

    // Search by the start of the email, in any case; a typed % or _ is itself.
    assert_eq!(emails(&read(list(&[("email", "SALES1")])).await).len(), 11);
    assert_eq!(
        emails(&read(list(&[("email", "odd_100%")])).await),
        ["odd_100%@globex.test"]
    );
    assert_eq!(emails(&read(list(&[("email", "odd_1_0")])).await).len(), 0);
    assert_eq!(
        emails(&read(list(&[("email", "ales1")])).await).len(),
        0,
        "a prefix, not a part"
    );
    // Filters, alone and together.
    let only_mail = read(list(&[("app_id", &mail)])).await;
    assert!(only_mail["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["app_name"] == "Mail desk"));
    assert_eq!(only_mail["records"].as_array().unwrap().len(), 41);
    let dead_google = read(list(&[("service_type", "Google"), ("status", "dead")])).await;
    let rows = dead_google["records"].as_array().unwrap();
    assert_eq!(rows.len(), 23);
    assert!(rows
        .iter()
        .all(|a| a["token_status"] == "dead" && a["service_type"] == "Google"));
    // Nonsense filters match nothing and fail nothing.
    assert!(emails(&read(list(&[("status", "sleepy")])).await).is_empty());
    assert!(emails(&read(list(&[("app_id", "not-an-id")])).await).is_empty());

    // A Collaborator sees only the applications granted to them.
    let mut collab = sign_up(&base, "Collab").await;
    join(&mut owner.browser, &t, &mut collab, "Collaborator").await;
    let r = owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &mail),
                ("user_id", &collab.user_id),
                ("granted", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let theirs = collab
        .browser
        .query("team/accounts", &[("team_id", &t), ("app_id", &crm)])
        .await
        .json();
    assert!(theirs["records"].as_array().unwrap().is_empty());
    let theirs = collab
        .browser
        .query("team/accounts", &[("team_id", &t)])
        .await
        .json();
    assert_eq!(theirs["records"].as_array().unwrap().len(), 41);
    assert_eq!(theirs["apps"].as_array().unwrap().len(), 1);
    // Another team's member is refused.
    let mut other = sign_up(&base, "Other").await;
    let r = other
        .browser
        .query("team/accounts", &[("team_id", &t)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The page renders them on the server, with the search kept in the form.
    let html = owner
        .browser
        .get("/accounts?email=inbox3&status=active")
        .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("inbox3@globex.test") && html.body.contains("Mail desk"));
    assert!(!html.body.contains("Acme.test"));
    assert!(html.body.contains("Clear filters"));
    f.finish().await;
}
on_both_backends!(the_teams_accounts_across_its_applications);
