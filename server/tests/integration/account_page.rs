//! An account's page: its health and why, its scopes and history; *Check now* asks the
//! provider (the Sandbox) as `pingProvider` does; who may see, check and delete it.
use crate::common::flow::{account, connect, revoke_at_sandbox, FlowApp};
use crate::common::team::{join, sign_up};
use crate::common::{Backend, TestDatabase, TestServer};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;

async fn the_account_page_tells_the_connections_health(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let key = MasterKey::generate();
    let server = TestServer::start(&db, &key, |_| {}).await;
    let base = server.base.clone();
    let mut app = FlowApp::create(&base, "Health").await;
    let t = app.owner.own_team.clone();
    let (id, token) = connect(&base, &app, &[]).await;
    let id_s = id.to_string();
    let detail = |app: &mut FlowApp| {
        let mut b = app.owner.browser.at(&base);
        let (t, id) = (t.clone(), id_s.clone());
        async move {
            let r = b
                .query("accounts/detail", &[("team_id", &t), ("account_id", &id)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()
        }
    };
    let check = |app: &mut FlowApp| {
        let mut b = app.owner.browser.at(&base);
        let (t, id) = (t.clone(), id_s.clone());
        async move {
            let r = b
                .call("accounts/check", &[("team_id", &t), ("account_id", &id)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json().as_str().unwrap().to_owned()
        }
    };

    let d = detail(&mut app).await;
    assert_eq!(d["token_status"], "active");
    assert_eq!(d["service_type"], "Sandbox");
    assert!(!d["scopes"].as_array().unwrap().is_empty());
    assert_eq!(d["checkable"], true);
    // Its history is kept even without a webhook endpoint.
    assert_eq!(d["events"][0]["event_type"], "account.created");
    assert!(d["events"][0]["delivery"].is_null());
    assert!(!d.to_string().contains(&token), "never a token");
    assert!(check(&mut app).await.contains("accepted"));

    // The user revokes the grant at the provider: the check finds the token refused, renews
    // it once, the grant is refused too, and the page says so and why.
    revoke_at_sandbox(&base, &app, &key, &token).await;
    assert!(check(&mut app)
        .await
        .contains("refused the token, then its grant"));
    let d = detail(&mut app).await;
    assert_eq!(d["token_status"], "dead");
    assert!(d["token_error"].as_str().unwrap().contains("invalid_grant"));
    assert_eq!(d["events"][0]["event_type"], "account.dead");
    assert!(check(&mut app).await.contains("nothing was asked"));
    // The page shows it, rendered on the server.
    let html = app.owner.browser.get(&format!("/accounts/{id}")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("data-status=\"dead\"") && html.body.contains("invalid_grant"));
    assert!(html.body.contains("Check now") && html.body.contains("Delete account"));

    // A Collaborator granted the app reads it but may not check or delete it; without the
    // grant, and from another team, the account does not exist.
    let mut collab = sign_up(&base, "Collab").await;
    join(&mut app.owner.browser, &t, &mut collab, "Collaborator").await;
    let ask = |who: &mut crate::common::team::Member| {
        let mut b = who.browser.at(&base);
        let (t, id) = (t.clone(), id_s.clone());
        async move {
            b.query("accounts/detail", &[("team_id", &t), ("account_id", &id)])
                .await
                .status
        }
    };
    assert_eq!(ask(&mut collab).await, StatusCode::NOT_FOUND);
    let r = app
        .owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("user_id", &collab.user_id),
                ("granted", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(ask(&mut collab).await, StatusCode::OK);
    let r = collab
        .browser
        .call("accounts/check", &[("team_id", &t), ("account_id", &id_s)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = collab
        .browser
        .call("accounts/delete", &[("team_id", &t), ("account_id", &id_s)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut other = sign_up(&base, "Other").await;
    let ot = other.own_team.clone();
    let r = other
        .browser
        .query(
            "accounts/detail",
            &[("team_id", &ot), ("account_id", &id_s)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Deleted from its page: gone, and the app's token with it.
    let r = app
        .owner
        .browser
        .call("accounts/delete", &[("team_id", &t), ("account_id", &id_s)])
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.status
    );
    let r = app
        .owner
        .browser
        .query("accounts/detail", &[("team_id", &t), ("account_id", &id_s)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        account(&base, &token, "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
    db.drop_it().await;
}
on_both_backends!(the_account_page_tells_the_connections_health);
