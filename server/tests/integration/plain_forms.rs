//! Dashboard forms the browser posts itself (JavaScript off, or a click before the wasm):
//! the show-once value reaches the page the post returns to, once, resting in the session
//! store only sealed; a refused post reads in plain words on that page; pages are not cached.
use crate::common::team::sign_up;
use crate::common::{Backend, Fixture};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};

/// The first `prefix…` token in `html`.
fn token_in(html: &str, prefix: &str) -> Option<String> {
    let at = html.find(prefix)?;
    Some(
        html[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
    )
}

async fn session_data(db_url: &str) -> String {
    let db = Database::connect(db_url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT data FROM dashboard_sessions",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| String::from_utf8_lossy(&r.try_get::<Vec<u8>>("", "data").unwrap()).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn a_plain_post_shows_its_secret_once_on_the_page_it_returns_to(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let referer = format!("{base}/applications");
    let plain = [("accept", "text/html"), ("referer", referer.as_str())];
    let fields = [("team_id", t.as_str()), ("name", "Plain")];

    let r = owner
        .browser
        .post_form_with("/api/team/apps/create", &fields, &plain)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Back to the form's page (Leptos may leave an empty query).
    assert!(
        r.location().unwrap().starts_with(&referer),
        "{:?}",
        r.location()
    );
    assert!(!r.body.contains("lg_secret_"), "the answer is a redirect");
    assert!(
        !session_data(&f.db.url).await.contains("lg_secret_"),
        "the session store holds the secret only sealed"
    );

    let page = owner.browser.get("/applications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let secret = token_in(&page.body, "lg_secret_").expect("the new secret is on the page");
    assert!(page.body.contains("class=\"copy-field new-secret\""));
    assert!(
        page.body.contains(">Plain<"),
        "the list is rendered by the server"
    );

    // The secret is the app's: it authenticates as the app.
    let client_id = token_in(&page.body, "lg_app_").unwrap();
    let apps = owner.browser.query("team/apps", &[("team_id", &t)]).await;
    assert!(apps.body.contains("Plain"));
    let r = reqwest::Client::new()
        .get(format!("{base}/v1/am/application"))
        .basic_auth(&client_id, Some(&secret))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Shown once: the next page load does not have it.
    let again = owner.browser.get("/applications").await;
    assert!(!again.body.contains(&secret));

    // A hydrated form gets the value as its answer and nothing is kept for a page.
    let r = owner
        .browser
        .call("team/apps/create", &[("team_id", &t), ("name", "Hydrated")])
        .await;
    let hydrated_secret = r.json()["secret"].as_str().unwrap().to_owned();
    let page = owner.browser.get("/applications").await;
    assert!(!page.body.contains(&hydrated_secret));

    // A refused plain post returns to the page, which says why in plain words.
    let r = owner
        .browser
        .post_form_with("/api/team/apps/create", &fields, &plain)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let back = r.location().unwrap().to_owned();
    assert!(back.starts_with(&referer), "{back}");
    let page = owner.browser.get(back.trim_start_matches(&base)).await;
    assert!(
        page.body
            .contains("The team already has an application called Plain."),
        "{}",
        page.body
    );
    f.finish().await;
}
on_both_backends!(a_plain_post_shows_its_secret_once_on_the_page_it_returns_to);

async fn a_person_renames_themselves(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut ada = sign_up(&base, "Ada").await;
    let r = ada
        .browser
        .call("profile/rename", &[("name", "  Ada Lovelace ")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), serde_json::json!("Ada Lovelace"));
    let page = ada.browser.get("/settings").await;
    assert!(
        page.body.contains("value=\"Ada Lovelace\""),
        "{}",
        page.body
    );
    let r = ada.browser.call("profile/rename", &[("name", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Enter your name."));
    // Signed out, nobody can rename anyone.
    let mut stranger = f.browser();
    let r = stranger
        .call("profile/rename", &[("name", "Mallory")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    f.finish().await;
}
on_both_backends!(a_person_renames_themselves);

async fn a_notice_shows_once_and_never_pushes_out_a_secret(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Nell").await;
    let t = owner.own_team.clone();
    let team_page = format!("{base}/team");
    let from_team = [("accept", "text/html"), ("referer", team_page.as_str())];
    let rename = [("team_id", t.as_str()), ("name", "Nell's crew")];

    // A plain post's notice is on the page it returns to, once.
    let r = owner
        .browser
        .post_form_with("/api/teams/rename", &rename, &from_team)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = owner.browser.get("/team").await;
    assert!(page.body.contains("Team renamed."), "{}", page.body);
    assert!(!owner
        .browser
        .get("/team")
        .await
        .body
        .contains("Team renamed."));

    // A secret waiting for its page (another tab) is not replaced by a later notice.
    let apps_page = format!("{base}/applications");
    let from_apps = [("accept", "text/html"), ("referer", apps_page.as_str())];
    let create = [("team_id", t.as_str()), ("name", "Tabbed")];
    let r = owner
        .browser
        .post_form_with("/api/team/apps/create", &create, &from_apps)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = owner
        .browser
        .post_form_with("/api/teams/rename", &rename, &from_team)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = owner.browser.get("/applications").await;
    assert!(
        token_in(&page.body, "lg_secret_").is_some(),
        "the secret still waits"
    );
    f.finish().await;
}
on_both_backends!(a_notice_shows_once_and_never_pushes_out_a_secret);

async fn a_new_sign_in_starts_with_nothing_of_the_last(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut ann = sign_up(&base, "Ann").await;
    let ben = sign_up(&base, "Ben").await;
    let team = [("team_id", ann.own_team.as_str())];
    let r = ann.browser.post_form("/api/teams/switch", &team).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Ben signs in on Ann's browser: the page is Ben's team's, with no word of Ann's.
    let creds = [
        ("email", ben.email.as_str()),
        ("password", crate::common::PASSWORD),
    ];
    let r = ann.browser.post_form("/signin", &creds).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = ann.browser.get("/team").await;
    assert!(page.body.contains(&ben.email), "{}", page.body);
    assert!(
        !page.body.contains("no longer have access"),
        "{}",
        page.body
    );
    f.finish().await;
}
on_both_backends!(a_new_sign_in_starts_with_nothing_of_the_last);
