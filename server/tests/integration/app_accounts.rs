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
