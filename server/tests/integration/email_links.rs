//! Mail through a real SMTP server (aiosmtpd), and the links it carries: email
//! verification, password reset, and the mailed invite. Single use, expiry, the wrong
//! user, enumeration, and throttles under parallel requests.
use crate::common::mailbox::token_after;
use crate::common::smtp::SmtpServer;
use crate::common::team::invite;
use crate::common::{Backend, Browser, Fixture, PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};

async fn with_smtp(backend: Backend) -> (Fixture, SmtpServer) {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let f = Fixture::start_with(backend, move |c| {
        c.smtp_url = Some(url);
        c.mail_from = Some("Linkgate Test <linkgate@example.test>".into());
    })
    .await;
    (f, smtp)
}

/// Signs up and confirms from the mail aiosmtpd received; the browser and the address.
async fn confirmed(f: &Fixture, smtp: &SmtpServer, name: &str) -> (Browser, String) {
    let email = address(&name.to_lowercase());
    let mut b = f.browser();
    assert_eq!(
        b.sign_up_unverified(name, &email).await.status,
        StatusCode::SEE_OTHER
    );
    let text = smtp.wait_for(&email, "/verify-email/").await.text;
    let token = token_after(&text, "/verify-email/");
    let r = b.post_form("/verify-email", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (b, email)
}

async fn own_team(b: &mut Browser) -> String {
    let teams = b.query("teams", &[]).await.json();
    teams
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["role"] == "Owner")
        .and_then(|t| t["id"].as_str())
        .expect("own team")
        .to_owned()
}

/// Waits for a mail to `to` with a `path` link other than `seen`; returns its token.
async fn another_token(smtp: &SmtpServer, to: &str, path: &str, seen: &str) -> String {
    for _ in 0..300 {
        let fresh = smtp
            .received()
            .iter()
            .filter(|m| m.header("x-rcptto").is_some_and(|r| r.contains(to)))
            .filter(|m| m.text.contains(path))
            .map(|m| token_after(&m.text, path))
            .find(|t| t != seen);
        if let Some(t) = fresh {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no second {path} mail to {to}");
}

/// Ages every unused mailed link past its expiry.
async fn expire_links(f: &Fixture) {
    let db = Database::connect(f.db.url.clone()).await.unwrap();
    db.execute_unprepared("UPDATE email_links SET expires_at = 1 WHERE used_at IS NULL")
        .await
        .unwrap();
    db.close().await.unwrap();
}

/// The page's content, without the per-response script nonce.
fn main_of(page: &str) -> String {
    let start = page.find("<main").unwrap_or(0);
    let end = page.find("</main>").unwrap_or(page.len());
    page[start..end].to_owned()
}

fn address(who: &str) -> String {
    format!("{who}-{}@example.com", uuid::Uuid::new_v4().simple())
}

async fn create_app(b: &mut Browser, name: &str) -> crate::common::Answer {
    // In the team they own (the one made at sign-up).
    let team = own_team(b).await;
    b.call("team/apps/create", &[("team_id", &team), ("name", name)])
        .await
}

async fn sign_up_confirm_and_use_once(backend: Backend) {
    let (f, smtp) = with_smtp(backend).await;
    let email = address("vera");
    let mut vera = f.browser();
    let r = vera.sign_up_unverified("Vera", &email).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Unconfirmed: no applications, and the dashboard says why and what to do.
    let refused = create_app(&mut vera, "Too soon").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("Confirm your email address first"));
    let page = vera.get("/applications").await;
    assert!(page
        .body
        .contains("Confirm your email address: we mailed a link to"));
    // With a real relay there is no development mailbox.
    assert_eq!(
        f.browser().get("/dev/mail").await.status,
        StatusCode::NOT_FOUND
    );

    let mail = smtp.wait_for(&email, "/verify-email/").await;
    let from = mail.header("from").unwrap_or_default();
    assert!(
        from.contains("Linkgate Test") && from.ends_with("<linkgate@example.test>"),
        "{from}"
    );
    assert_eq!(
        mail.header("subject"),
        Some("Confirm your email address for Linkgate")
    );
    let token = token_after(&mail.text, "/verify-email/");
    assert!(mail
        .text
        .contains(&format!("{}/verify-email/lg_verify_", f.server.base)));

    // Opening the link uses nothing (mail scanners fetch links); the button does.
    let shown = f.browser().get(&format!("/verify-email/{token}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&email));
    let confirmed = vera.post_form("/verify-email", &[("token", &token)]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(confirmed.location(), Some("/applications"));
    assert_eq!(create_app(&mut vera, "Now").await.status, StatusCode::OK);
    assert!(!vera
        .get("/applications")
        .await
        .body
        .contains("Confirm your email address:"));

    // Single use.
    let again = vera.post_form("/verify-email", &[("token", &token)]).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains("already been used"));
    // A forged token is not found, and says so in words.
    let forged = vera
        .post_form("/verify-email", &[("token", "lg_verify_forged")])
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert!(forged.body.contains("This link is not valid"));

    // The team's audit log says so.
    let teams = vera.query("teams", &[]).await.json();
    let team = teams[0]["id"].as_str().unwrap().to_owned();
    let log = vera.query("team/audit", &[("team_id", &team)]).await;
    assert!(log.body.contains("user.email_verified"), "{}", log.body);
    f.finish().await;
}
on_both_backends!(sign_up_confirm_and_use_once);

async fn a_link_is_only_for_its_own_user_and_expires(backend: Backend) {
    let (f, smtp) = with_smtp(backend).await;
    let (ann_email, ben_email) = (address("ann"), address("ben"));
    let mut ann = f.browser();
    let mut ben = f.browser();
    ann.sign_up_unverified("Ann", &ann_email).await;
    ben.sign_up_unverified("Ben", &ben_email).await;
    let ann_token = token_after(
        &smtp.wait_for(&ann_email, "/verify-email/").await.text,
        "/verify-email/",
    );
    // Ben, signed in, opens Ann's link: refused, and the link stays Ann's to use.
    let wrong = ben
        .post_form("/verify-email", &[("token", &ann_token)])
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    assert!(wrong.body.contains("for another account"));
    assert_eq!(
        create_app(&mut ben, "Ben's").await.status,
        StatusCode::FORBIDDEN
    );
    // Signed out, the link works (the mail is the proof), then sign-in says so.
    let signed_out = f
        .browser()
        .post_form("/verify-email", &[("token", &ann_token)])
        .await;
    assert_eq!(signed_out.location(), Some("/signin?notice=email-verified"));
    assert_eq!(create_app(&mut ann, "Ann's").await.status, StatusCode::OK);

    // Ben asks for a new link; the first one stops working; an expired one says so.
    let ben_first = token_after(
        &smtp.wait_for(&ben_email, "/verify-email/").await.text,
        "/verify-email/",
    );
    let resent = ben.call("profile/verification/resend", &[]).await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let replaced = ben
        .post_form("/verify-email", &[("token", &ben_first)])
        .await;
    assert_eq!(replaced.status, StatusCode::GONE);
    let ben_second = another_token(&smtp, &ben_email, "/verify-email/", &ben_first).await;
    expire_links(&f).await;
    let expired = ben
        .post_form("/verify-email", &[("token", &ben_second)])
        .await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("has expired"));
    f.finish().await;
}
on_both_backends!(a_link_is_only_for_its_own_user_and_expires);

async fn password_reset_is_single_use_and_ends_every_session(backend: Backend) {
    let (f, smtp) = with_smtp(backend).await;
    let (mut laptop, email) = confirmed(&f, &smtp, "Rita").await;
    let mut phone = f.browser();
    assert_eq!(
        phone.sign_in(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // The same answer for an address with an account and one without.
    let unknown = address("nobody");
    let mut stranger = f.browser();
    let known = stranger
        .post_form("/forgot-password", &[("email", &email)])
        .await;
    let none = stranger
        .post_form("/forgot-password", &[("email", &unknown)])
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(
        main_of(&known.body).replace(&email, "ADDRESS"),
        main_of(&none.body).replace(&unknown, "ADDRESS"),
        "the answer does not tell whether the address has an account"
    );
    let mail = smtp.wait_for(&email, "/reset-password/").await;
    assert_eq!(mail.header("subject"), Some("Reset your Linkgate password"));
    let token = token_after(&mail.text, "/reset-password/");
    assert!(
        !smtp
            .received()
            .iter()
            .any(|m| m.header("x-rcptto").is_some_and(|r| r.contains(&unknown))),
        "nothing is mailed to an address without an account"
    );

    // A weak password is refused and the link still works.
    let weak = stranger
        .post_form(
            "/reset-password",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Used by several requests at once: exactly one sets the password.
    let new_password = "a brand new passphrase";
    let mut tries = Vec::new();
    for _ in 0..6 {
        let mut b = f.browser();
        let token = token.clone();
        tries.push(tokio::spawn(async move {
            b.post_form(
                "/reset-password",
                &[("token", token.as_str()), ("password", new_password)],
            )
            .await
            .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::GONE));

    // Every session ended; the old password is gone, the new one works.
    for b in [&mut laptop, &mut phone] {
        let r = b.query("teams", &[]).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "a session survived the reset"
        );
    }
    let mut later = f.browser();
    assert_eq!(
        later.sign_in(&email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        later.sign_in(&email, new_password).await.status,
        StatusCode::SEE_OTHER
    );
    let notice = smtp.wait_for(&email, "every session was signed out").await;
    assert_eq!(
        notice.header("subject"),
        Some("Your Linkgate password was changed")
    );

    // An expired link says so.
    stranger
        .post_form("/forgot-password", &[("email", &email)])
        .await;
    let second = another_token(&smtp, &email, "/reset-password/", &token).await;
    expire_links(&f).await;
    let expired = stranger
        .post_form(
            "/reset-password",
            &[("token", &second), ("password", "another passphrase")],
        )
        .await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("has expired"));
    f.finish().await;
}
on_both_backends!(password_reset_is_single_use_and_ends_every_session);

async fn reset_requests_are_throttled_under_parallel_requests(backend: Backend) {
    let (f, _smtp) = with_smtp(backend).await;
    let mut tries = Vec::new();
    for n in 0..16 {
        let mut b = f.browser();
        tries.push(tokio::spawn(async move {
            let email = format!("someone{n}@example.com");
            b.post_form("/forgot-password", &[("email", email.as_str())])
                .await
                .status
        }));
    }
    let mut ok = 0;
    let mut limited = 0;
    for t in tries {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        (ok, limited),
        (10, 6),
        "ten per address per hour, counted atomically"
    );
    f.finish().await;
}
on_both_backends!(reset_requests_are_throttled_under_parallel_requests);

async fn a_mailed_invite_proves_the_address_a_copied_link_does_not(backend: Backend) {
    let (f, smtp) = with_smtp(backend).await;
    let (mut owner, _) = confirmed(&f, &smtp, "Owen").await;
    let team = own_team(&mut owner).await;
    let invited = address("ivy");
    let made = invite(&mut owner, &team, &invited, "Developer").await;
    let mail = smtp.wait_for(&invited, "/invite/").await;
    assert!(mail
        .header("subject")
        .is_some_and(|s| s.contains("invited you to")));
    let mailed = token_after(&mail.text, "/invite/");
    assert_ne!(
        mailed, made.token,
        "the mailed link is not the one shown to the inviter"
    );

    // Ivy signs up with the invited address and does not open the confirmation mail.
    let mut ivy = f.browser();
    ivy.sign_up_unverified("Ivy", &invited).await;
    let copied = ivy.call("invites/accept", &[("token", &made.token)]).await;
    assert_eq!(copied.status, StatusCode::FORBIDDEN, "{}", copied.body);
    assert!(copied.body.contains("Confirm your email address first"));
    let joined = ivy.call("invites/accept", &[("token", &mailed)]).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    // Joining from the mail confirmed the address; the copied link is now used up too.
    assert_eq!(create_app(&mut ivy, "Ivy's").await.status, StatusCode::OK);
    let reuse = ivy.call("invites/accept", &[("token", &made.token)]).await;
    assert_eq!(reuse.status, StatusCode::GONE);
    f.finish().await;
}
on_both_backends!(a_mailed_invite_proves_the_address_a_copied_link_does_not);

async fn an_unconfirmed_address_sends_no_invites_and_makes_no_keys(backend: Backend) {
    let (f, smtp) = with_smtp(backend).await;
    // A sign-up squatting an address: it must not leave keys or invites for the real owner.
    let mut squatter = f.browser();
    squatter
        .sign_up_unverified("Squatter", &address("victim"))
        .await;
    let team = own_team(&mut squatter).await;
    let invited = squatter
        .call(
            "team/invites/create",
            &[
                ("team_id", &team),
                ("email", "friend@example.com"),
                ("role", "Developer"),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::FORBIDDEN, "{}", invited.body);
    let key = squatter
        .call(
            "team/api_keys/create",
            &[
                ("team_id", &team),
                ("name", "left behind"),
                ("role", "Administrator"),
            ],
        )
        .await;
    assert_eq!(key.status, StatusCode::FORBIDDEN, "{}", key.body);
    assert!(key.body.contains("Confirm your email address first"));

    // A confirmed Owner mails one address at most ten invites a day, whatever they revoke.
    let (mut owner, _) = confirmed(&f, &smtp, "Mia").await;
    let team = own_team(&mut owner).await;
    let target = address("often");
    for n in 0..10 {
        let made = invite(&mut owner, &team, &target, "Developer").await;
        let revoked = owner
            .call(
                "team/invites/revoke",
                &[("team_id", &team), ("invite_id", &made.id)],
            )
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "revoke {n}");
    }
    let eleventh = owner
        .call(
            "team/invites/create",
            &[
                ("team_id", &team),
                ("email", &target),
                ("role", "Developer"),
            ],
        )
        .await;
    assert_eq!(
        eleventh.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        eleventh.body
    );
    f.finish().await;
}
on_both_backends!(an_unconfirmed_address_sends_no_invites_and_makes_no_keys);

async fn the_address_changes_when_the_new_one_confirms(backend: Backend) {
    let (f, smtp) = with_smtp(backend).await;
    let (mut ann, old) = confirmed(&f, &smtp, "Ann").await;
    let (_, taken) = confirmed(&f, &smtp, "Ben").await;
    let new = address("ann.new");

    let wrong = ann
        .call(
            "profile/email",
            &[("email", &new), ("password", "not my password")],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    // An address with an account gets a notice, and the answer is the same as for any other.
    let to_taken = ann
        .call(
            "profile/email",
            &[("email", &taken), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(to_taken.status, StatusCode::OK, "{}", to_taken.body);
    let notice = smtp.wait_for(&taken, "already uses it").await;
    assert!(!notice.text.contains("/change-email/"));
    let asked = ann
        .call("profile/email", &[("email", &new), ("password", PASSWORD)])
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);

    let mail = smtp.wait_for(&new, "/change-email/").await;
    let token = token_after(&mail.text, "/change-email/");
    // Nothing has changed yet.
    let mut check = f.browser();
    assert_eq!(
        check.sign_in(&old, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let moved = ann.post_form("/change-email", &[("token", &token)]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(moved.location(), Some("/settings"));
    let mut later = f.browser();
    assert_eq!(
        later.sign_in(&old, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        later.sign_in(&new, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    smtp.wait_for(&old, "now signs in as").await;
    let again = ann.post_form("/change-email", &[("token", &token)]).await;
    assert_eq!(again.status, StatusCode::GONE);
    let team = own_team(&mut ann).await;
    let log = ann.query("team/audit", &[("team_id", &team)]).await;
    assert!(log.body.contains("user.email_changed"));

    // A change asked for by someone else is told to the current address at once, and a new
    // password cancels it.
    let elsewhere = address("thief");
    ann.call(
        "profile/email",
        &[("email", &elsewhere), ("password", PASSWORD)],
    )
    .await;
    smtp.wait_for(&new, &format!("asked to move it to {elsewhere}"))
        .await;
    let stolen = token_after(
        &smtp.wait_for(&elsewhere, "/change-email/").await.text,
        "/change-email/",
    );
    let changed = ann
        .call(
            "profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let cancelled = f
        .browser()
        .post_form("/change-email", &[("token", &stolen)])
        .await;
    assert_eq!(cancelled.status, StatusCode::GONE);
    f.finish().await;
}
on_both_backends!(the_address_changes_when_the_new_one_confirms);
