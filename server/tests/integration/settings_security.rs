//! Settings: the list of one's sessions, "sign out everywhere else", and a password change
//! (the current password first; other sessions end; a notice is mailed).
use crate::common::mailbox::wait_for_mail;
use crate::common::team::sign_up;
use crate::common::{Backend, Browser, Fixture, PASSWORD};
use reqwest::StatusCode;

async fn sessions_and_password(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut laptop = sign_up(&f.server.base, "Sam Settings").await;
    let email = laptop.email.clone();
    let mut phone = Browser::new(&f.server.base);
    let signed_in = phone
        .post_form_with(
            "/signin",
            &[("email", &email), ("password", PASSWORD)],
            &[("user-agent", "Phone Browser/1.0")],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);

    // Both sessions are listed; the one asking is first and marked.
    let list = laptop.browser.query("profile/sessions", &[]).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[1]["current"], false);
    assert_eq!(list[1]["device"], "Phone Browser/1.0");
    let from_phone = phone.query("profile/sessions", &[]).await.json();
    assert_eq!(from_phone[0]["device"], "Phone Browser/1.0");

    // Sign out everywhere else: the phone is signed out, the laptop is not.
    let ended = laptop
        .browser
        .call("profile/sessions/end_others", &[])
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.body.trim(), "1");
    assert_eq!(
        phone.query("teams", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        laptop.browser.query("teams", &[]).await.status,
        StatusCode::OK
    );

    // A password change needs the current password, keeps this session, ends the others.
    assert_eq!(
        phone.sign_in(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let wrong = laptop
        .browser
        .call(
            "profile/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "a new long passphrase"),
            ],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("not your current password"));
    let weak = laptop
        .browser
        .call(
            "profile/password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = laptop
        .browser
        .call(
            "profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a new long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        laptop.browser.query("teams", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        phone.query("teams", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut later = Browser::new(&f.server.base);
    assert_eq!(
        later.sign_in(&email, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        later.sign_in(&email, "a new long passphrase").await.status,
        StatusCode::SEE_OTHER
    );
    wait_for_mail(&f.server.base, &email, "every other session was signed out").await;
    let audit = laptop
        .browser
        .query("team/audit", &[("team_id", &laptop.own_team)])
        .await;
    for action in ["user.signed_out_elsewhere", "user.password_changed"] {
        assert!(audit.body.contains(action), "{action}: {}", audit.body);
    }
    f.finish().await;
}
on_both_backends!(sessions_and_password);

async fn guessing_the_current_password_is_throttled(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut stolen = sign_up(&f.server.base, "Tess Throttle").await;
    let mut tries = Vec::new();
    for n in 0..14 {
        let mut b = stolen.browser.at(&f.server.base);
        tries.push(tokio::spawn(async move {
            let guess = format!("guess number {n}");
            b.call(
                "profile/password",
                &[
                    ("current_password", guess.as_str()),
                    ("new_password", "whatever it is now"),
                ],
            )
            .await
            .status
        }));
    }
    let mut refused = 0;
    let mut limited = 0;
    for t in tries {
        match t.await.unwrap() {
            StatusCode::UNPROCESSABLE_ENTITY => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((refused, limited), (10, 4), "ten tries per 15 minutes");
    // The real password is refused too until the window passes: the limit is per user.
    let r = stolen
        .browser
        .call(
            "profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "whatever it is now"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    f.finish().await;
}
on_both_backends!(guessing_the_current_password_is_throttled);
