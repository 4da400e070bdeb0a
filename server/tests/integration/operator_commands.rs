//! `linkgate user …`: the one who holds the server but has lost the dashboard creates a
//! user, resets a password (every session ends), and makes a user Owner of a team.
use crate::common::team::sign_up;
use crate::common::{Backend, Browser, Fixture};
use reqwest::StatusCode;
use server::config::{Config, UserCommand};

fn config(f: &Fixture) -> Config {
    let mut c = Config::defaults();
    c.data_dir = f.db.dir.clone();
    c.database_url = Some(f.db.url.clone());
    c
}

/// The password the command printed ("… Password (shown once): X").
fn printed_password(said: &str) -> String {
    said.rsplit("Password (shown once): ")
        .next()
        .expect("a password")
        .trim()
        .to_owned()
}

async fn the_operator_recovers_a_team(backend: Backend) {
    let f = Fixture::start(backend).await;
    let c = config(&f);

    // A new user: confirmed, with a team, signed in with the printed password.
    let email = format!("ops-{}@example.com", uuid::Uuid::new_v4().simple());
    let said = server::user_command(
        &c,
        &UserCommand::Create {
            email: email.clone(),
            name: "Olga Ops".into(),
            password_stdin: false,
        },
    )
    .await
    .expect("create");
    let password = printed_password(&said);
    assert!(password.len() >= 40, "{said}");
    let mut olga = Browser::new(&f.server.base);
    assert_eq!(
        olga.sign_in(&email, &password).await.status,
        StatusCode::SEE_OTHER
    );
    let page = olga.get("/applications").await;
    assert!(
        !page.body.contains("Confirm your email address:"),
        "created confirmed"
    );

    // An Owner who lost their password: a new one, and their old sessions end.
    let mut owner = sign_up(&f.server.base, "Lost Owner").await;
    let said = server::user_command(
        &c,
        &UserCommand::ResetPassword {
            email: owner.email.clone(),
            password_stdin: false,
        },
    )
    .await
    .expect("reset");
    assert_eq!(
        owner.browser.query("teams", &[]).await.status,
        StatusCode::UNAUTHORIZED,
        "the old session ended"
    );
    let mut again = Browser::new(&f.server.base);
    let signed_in = again.sign_in(&owner.email, &printed_password(&said)).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);

    // Olga becomes the Owner of that team (by id); the Owner becomes an Administrator.
    let said = server::user_command(
        &c,
        &UserCommand::MakeOwner {
            email: email.clone(),
            team: owner.own_team.clone(),
        },
    )
    .await
    .expect("make owner");
    assert!(said.contains("is now the Owner of Lost Owner"), "{said}");
    let members = again
        .query("team/members", &[("team_id", &owner.own_team)])
        .await
        .json();
    let role_of = |who: &str| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == who)
            .map(|m| m["role"].as_str().unwrap().to_owned())
    };
    assert_eq!(role_of(&email).as_deref(), Some("Owner"));
    assert_eq!(role_of(&owner.email).as_deref(), Some("Administrator"));
    let log = again
        .query("team/audit", &[("team_id", &owner.own_team)])
        .await;
    assert!(
        log.body.contains("user.password_set_by_operator"),
        "{}",
        log.body
    );

    // Mistakes are said in words.
    let unknown = server::user_command(
        &c,
        &UserCommand::MakeOwner {
            email: "nobody@example.com".into(),
            team: owner.own_team.clone(),
        },
    )
    .await;
    assert!(unknown.is_err_and(|e| e.to_string().contains("Not found")));
    let taken = server::user_command(
        &c,
        &UserCommand::Create {
            email: email.clone(),
            name: "Again".into(),
            password_stdin: false,
        },
    )
    .await;
    assert!(taken.is_err_and(|e| e.to_string().contains("already exists")));
    f.finish().await;
}
on_both_backends!(the_operator_recovers_a_team);

#[test]
fn the_subcommands_say_what_they_do() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .args(["user", "--help"])
        .output()
        .expect("run linkgate");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for line in ["create", "reset-password", "make-owner"] {
        assert!(help.contains(line), "{help}");
    }
}
