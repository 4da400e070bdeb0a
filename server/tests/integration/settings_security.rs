//! Settings: the list of one's sessions, "sign out everywhere else", and a password change
//! (the current password first; other sessions end; a notice is mailed).
use crate::common::mailbox::{count_mail, wait_for_mail};
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

/// The `lg_device` cookie an answer sets, if any.
fn device_cookie(a: &crate::common::Answer) -> Option<String> {
    a.headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("lg_device="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

async fn a_sign_in_from_a_new_browser_is_mailed(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let email = format!("nia-{}@example.com", uuid::Uuid::new_v4().simple());
    let mut first = Browser::new(&base);
    let signed_up = first.sign_up("Nia New", &email).await;
    let device = device_cookie(&signed_up).expect("sign-up names the browser");
    assert!(device.len() > "lg_device=lg_dev_".len() + 40, "{device}");
    const NOTICE: &str = "signed in to from a browser it had not been used from before";

    // The same browser again: no mail, no new cookie.
    let mut same = Browser::new(&base);
    let again = same
        .post_form_with(
            "/signin",
            &[("email", &email), ("password", PASSWORD)],
            &[("cookie", &device)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(device_cookie(&again), None);

    // Another browser: mailed, with what it called itself.
    let mut other = Browser::new(&base);
    let elsewhere = other
        .post_form_with(
            "/signin",
            &[("email", &email), ("password", PASSWORD)],
            &[("user-agent", "Unfamiliar Browser/9")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    assert!(device_cookie(&elsewhere).is_some());
    let text = wait_for_mail(&base, &email, NOTICE).await;
    assert!(text.contains("Unfamiliar Browser/9"), "{text}");
    assert_eq!(
        count_mail(&base, &email, NOTICE).await,
        1,
        "the known browser was not mailed"
    );

    // Turned off in Settings: a new browser is not mailed.
    let off = other.call("profile/new_sign_in_mail", &[]).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let mut third = Browser::new(&base);
    assert_eq!(
        third.sign_in(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // A mail would be queued in the sign-in's own transaction; the worker looks every 250 ms.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(count_mail(&base, &email, NOTICE).await, 1);

    // An address nobody confirmed is anyone's sign-up: it gets no notices at all.
    let squatted = format!("squat-{}@example.com", uuid::Uuid::new_v4().simple());
    Browser::new(&base)
        .sign_up_unverified("Squat", &squatted)
        .await;
    for _ in 0..3 {
        let mut fresh = Browser::new(&base);
        assert_eq!(
            fresh.sign_in(&squatted, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(count_mail(&base, &squatted, NOTICE).await, 0);
    f.finish().await;
}
on_both_backends!(a_sign_in_from_a_new_browser_is_mailed);
