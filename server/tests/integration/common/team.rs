//! Builds teams for tests through the same HTTP calls a dashboard makes.
use super::{Browser, PASSWORD};
use reqwest::StatusCode;

/// A signed-in user and the id of the team they own.
pub struct Member {
    pub browser: Browser,
    pub email: String,
    pub user_id: String,
    pub own_team: String,
}

pub async fn sign_up(base: &str, name: &str) -> Member {
    let email = format!(
        "{}-{}@example.com",
        name.to_lowercase().replace(' ', "."),
        uuid::Uuid::new_v4().simple()
    );
    let mut browser = Browser::new(base);
    let r = browser
        .post_form(
            "/signup",
            &[("name", name), ("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "sign-up of {name}: {}",
        r.body
    );
    super::mailbox::verify(&mut browser, &email).await;
    let teams = browser.query("teams", &[]).await.json();
    let own_team = teams[0]["id"].as_str().expect("own team").to_owned();
    let members = browser
        .query("team/members", &[("team_id", &own_team)])
        .await
        .json();
    let user_id = members[0]["user_id"].as_str().expect("user id").to_owned();
    Member {
        browser,
        email,
        user_id,
        own_team,
    }
}

pub struct Invite {
    pub id: String,
    pub link: String,
    pub token: String,
}

/// `admin` invites `email` to `team` with `role`.
pub async fn invite(admin: &mut Browser, team: &str, email: &str, role: &str) -> Invite {
    let r = admin
        .call(
            "team/invites/create",
            &[("team_id", team), ("email", email), ("role", role)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "invite: {}", r.body);
    let made = r.json();
    let link = made["link"].as_str().expect("link").to_owned();
    let token = link.rsplit('/').next().expect("token").to_owned();
    Invite {
        id: made["invite"]["id"].as_str().expect("id").to_owned(),
        link,
        token,
    }
}

/// `admin` invites `who` to `team` with `role`; `who` accepts through the link.
pub async fn join(admin: &mut Browser, team: &str, who: &mut Member, role: &str) {
    let token = invite(admin, team, &who.email, role).await.token;
    let r = who
        .browser
        .call("invites/accept", &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "accept: {}", r.body);
}
