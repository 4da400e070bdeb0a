//! Two-factor sign-in: set up with a code from the secret the page shows, sign in with a
//! code (once per time step) or a recovery code (once), the step's throttle, turning it
//! off, and a team that requires it.
use crate::common::mailbox::wait_for_mail;
use crate::common::team::{join, sign_up, Member};
use crate::common::{Backend, Browser, Fixture, PASSWORD};
use reqwest::StatusCode;
use totp_rs::{Builder, Secret};

fn code_at(secret_base32: &str, unix: u64) -> String {
    let secret = Secret::try_from_base32(secret_base32).expect("base32 secret");
    Builder::new()
        .with_secret(secret)
        .build()
        .expect("generator")
        .generate(unix)
        .to_string()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Turns two-factor sign-in on; the secret, the recovery codes, and the code that did it.
async fn turn_on(m: &mut Member) -> (String, Vec<String>, String) {
    let r = m.browser.call("profile/two_factor/begin", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let setup = m
        .browser
        .query("profile/two_factor/setup", &[])
        .await
        .json();
    let secret = setup["secret_base32"].as_str().expect("secret").to_owned();
    assert!(setup["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    // The password too: a session alone does not put a phone on the account.
    let code = code_at(&secret, now());
    let no_password = m
        .browser
        .call(
            "profile/two_factor/confirm",
            &[("code", &code), ("password", "not the password")],
        )
        .await;
    assert_eq!(no_password.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = m
        .browser
        .call(
            "profile/two_factor/confirm",
            &[("code", "000000"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    let code = code_at(&secret, now());
    let on = m
        .browser
        .call(
            "profile/two_factor/confirm",
            &[("code", &code), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let codes: Vec<String> = serde_json::from_str(&on.body).unwrap();
    assert_eq!(codes.len(), 10);
    (secret, codes, code)
}

async fn password_step(b: &mut Browser, email: &str) {
    let r = b.sign_in(email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/signin/two-factor"));
    assert_eq!(
        b.query("teams", &[]).await.status,
        StatusCode::UNAUTHORIZED,
        "half-way is not signed in"
    );
}

async fn sign_in_with_a_second_factor(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut owner = sign_up(&f.server.base, "Tom Totp").await;
    let (secret, recovery, used) = turn_on(&mut owner).await;
    wait_for_mail(
        &f.server.base,
        &owner.email,
        "Two-factor sign-in was turned on",
    )
    .await;

    // The code that turned it on is refused (the clock may have moved to the next step since,
    // so the code is replayed as it was, not recomputed); a later step's is taken.
    let mut b = Browser::new(&f.server.base);
    password_step(&mut b, &owner.email).await;
    let replay = b.post_form("/signin/two-factor", &[("code", &used)]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "a code works once");
    let next = code_at(&secret, now() + 30);
    let ok = b.post_form("/signin/two-factor", &[("code", &next)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), Some("/applications"));
    assert_eq!(b.query("teams", &[]).await.status, StatusCode::OK);

    // A recovery code, once.
    let mut c = Browser::new(&f.server.base);
    password_step(&mut c, &owner.email).await;
    let upper = recovery[0].to_uppercase();
    let by_recovery = c.post_form("/signin/two-factor", &[("code", &upper)]).await;
    assert_eq!(
        by_recovery.status,
        StatusCode::SEE_OTHER,
        "{}",
        by_recovery.body
    );
    let mut d = Browser::new(&f.server.base);
    password_step(&mut d, &owner.email).await;
    let again = d
        .post_form("/signin/two-factor", &[("code", &recovery[0])])
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(again.body.contains("That code is not right"));

    let audit = b.query("team/audit", &[("team_id", &owner.own_team)]).await;
    for action in ["user.two_factor_enabled", "user.recovery_code_used"] {
        assert!(audit.body.contains(action), "{action}");
    }

    // Turning it off takes the password and a code; then the password alone signs in.
    let off = b
        .call(
            "profile/two_factor/disable",
            &[("password", PASSWORD), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let mut e = Browser::new(&f.server.base);
    let plain = e.sign_in(&owner.email, PASSWORD).await;
    assert_eq!(plain.location(), Some("/applications"));
    // Guessing is throttled per user: five wrong tries per 15 minutes, whoever makes them
    // (the wrong password and the wrong code tried while setting it up were the first two).
    let mut guessed = sign_up(&f.server.base, "Gus Guessed").await;
    turn_on(&mut guessed).await;
    let mut d = Browser::new(&f.server.base);
    password_step(&mut d, &guessed.email).await;
    let mut statuses = Vec::new();
    for n in 0..6 {
        let r = d
            .post_form("/signin/two-factor", &[("code", &format!("{n:06}"))])
            .await;
        statuses.push(r.status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);

    // Turning it off from a session is no way to guess the password: counted first.
    let off = guessed
        .browser
        .call(
            "profile/two_factor/disable",
            &[("password", "a guess"), ("code", "123456")],
        )
        .await;
    assert_eq!(off.status, StatusCode::TOO_MANY_REQUESTS, "{}", off.body);

    // The operator turns it off for someone who lost their phone and their codes.
    let mut config = server::config::Config::defaults();
    config.data_dir = f.db.dir.clone();
    config.database_url = Some(f.db.url.clone());
    config.master_key = Some(f.master_key_base64.clone());
    let said = server::user_command(
        &config,
        &server::config::UserCommand::ResetTwoFactor {
            email: guessed.email.clone(),
        },
    )
    .await
    .expect("reset-two-factor");
    assert!(said.contains("Two-factor sign-in is off"), "{said}");
    let mut back = Browser::new(&f.server.base);
    assert_eq!(
        back.sign_in(&guessed.email, PASSWORD).await.location(),
        Some("/applications")
    );
    f.finish().await;
}
on_both_backends!(sign_in_with_a_second_factor);

async fn a_team_can_require_it(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut owner = sign_up(&f.server.base, "Rhea Require").await;
    let team = owner.own_team.clone();
    let mut dev = sign_up(&f.server.base, "Dev Without").await;
    join(&mut owner.browser, &team, &mut dev, "Developer").await;

    // Only someone with a second factor turns the rule on (or they would lock themselves out).
    let early = owner
        .browser
        .call("team/two_factor", &[("team_id", &team), ("required", "on")])
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    turn_on(&mut owner).await;
    let on = owner
        .browser
        .call("team/two_factor", &[("team_id", &team), ("required", "on")])
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);

    // The Developer without one sees the team's name and nothing else.
    let refused = dev
        .browser
        .query("team/members", &[("team_id", &team)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("requires two-factor sign-in"));
    let page = dev.browser.get("/team").await;
    assert!(page.body.contains("Set it up in Settings"));
    // Their own team is unaffected, and so is the Owner.
    assert_eq!(
        dev.browser
            .query("team/members", &[("team_id", &dev.own_team)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        owner
            .browser
            .query("team/members", &[("team_id", &team)])
            .await
            .status,
        StatusCode::OK
    );
    // Once the Developer sets it up, the team opens.
    turn_on(&mut dev).await;
    assert_eq!(
        dev.browser
            .query("team/members", &[("team_id", &team)])
            .await
            .status,
        StatusCode::OK
    );
    f.finish().await;
}
on_both_backends!(a_team_can_require_it);
