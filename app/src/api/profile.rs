//! The signed-in person's own settings.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, PostUrl};

use crate::profile_views::{SessionView, TwoFactorSetupView};

#[server(prefix = "/api", endpoint = "profile/rename", input = PostUrl)]
pub async fn rename_profile(name: String) -> Result<String, ServerFnError> {
    use crate::domain::profile;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let saved = profile::rename(&c.state.db, c.user_id, &name)
        .await
        .map_err(to_server_fn_error)?;
    let sentence = format!("Saved: your team sees you as {saved}.");
    shown_once_flash::keep_personal_notice(&c, RenameProfile::PATH, sentence).await?;
    Ok(saved)
}

/// Mails a new confirmation link to the signed-in user's address.
#[server(prefix = "/api", endpoint = "profile/verification/resend", input = PostUrl)]
pub async fn resend_verification() -> Result<(), ServerFnError> {
    use crate::domain::email_link::verification::{self, Resent};
    use crate::domain::now_unix;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let resent = verification::resend(&c.state.db, &c.state.links, c.user_id, now_unix())
        .await
        .map_err(to_server_fn_error)?;
    let sentence = match resent {
        Resent::Sent => "A new link is on its way. Links sent before it no longer work.",
        Resent::AlreadyVerified => "Your email address is already confirmed.",
    };
    shown_once_flash::keep_personal_notice(&c, ResendVerification::PATH, sentence.to_owned())
        .await?;
    Ok(())
}

/// The signed-in user's dashboard sessions, this one first.
#[server(prefix = "/api", endpoint = "profile/sessions", input = GetUrl)]
pub async fn list_sessions() -> Result<Vec<SessionView>, ServerFnError> {
    use crate::domain::{now_unix, signed_in_sessions};
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    let c = caller().await?;
    let current = c
        .session
        .id()
        .map(|id| signed_in_sessions::current_hash(&c.state.session_ids, &id));
    signed_in_sessions::list(&c.state.db, c.user_id, current.as_deref(), now_unix())
        .await
        .map_err(to_server_fn_error)
}

/// Ends every other session of the signed-in user; returns how many ended.
#[server(prefix = "/api", endpoint = "profile/sessions/end_others", input = PostUrl)]
pub async fn end_other_sessions() -> Result<u64, ServerFnError> {
    use crate::domain::{now_unix, signed_in_sessions, DomainError};
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let id = c
        .session
        .id()
        .ok_or_else(|| to_server_fn_error(DomainError::Unauthenticated))?;
    let keep = signed_in_sessions::current_hash(&c.state.session_ids, &id);
    let ended = signed_in_sessions::end_others(&c.state.db, c.user_id, &keep, now_unix())
        .await
        .map_err(to_server_fn_error)?;
    let sentence = match ended {
        0 => "No other session was signed in.".to_owned(),
        1 => "Signed out 1 other session.".to_owned(),
        n => format!("Signed out {n} other sessions."),
    };
    shown_once_flash::keep_personal_notice(&c, EndOtherSessions::PATH, sentence).await?;
    Ok(ended)
}

/// Changes the signed-in user's password; their other sessions end.
#[server(prefix = "/api", endpoint = "profile/password", input = PostUrl)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ServerFnError> {
    use crate::domain::password_change::{self, PasswordChange};
    use crate::domain::{now_unix, signed_in_sessions, DomainError};
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let id = c
        .session
        .id()
        .ok_or_else(|| to_server_fn_error(DomainError::Unauthenticated))?;
    let change = PasswordChange {
        current: current_password,
        new: new_password,
        keep_session: signed_in_sessions::current_hash(&c.state.session_ids, &id),
    };
    let s = &c.state;
    password_change::change(
        &s.db,
        &s.passwords,
        &s.links.mail,
        c.user_id,
        change,
        now_unix(),
    )
    .await
    .map_err(to_server_fn_error)?;
    let sentence = "Password changed. Your other sessions were signed out.".to_owned();
    shown_once_flash::keep_personal_notice(&c, ChangePassword::PATH, sentence).await?;
    Ok(())
}

/// The two-factor setup in progress, if any.
#[server(prefix = "/api", endpoint = "profile/two_factor/setup", input = GetUrl)]
pub async fn two_factor_setup() -> Result<Option<TwoFactorSetupView>, ServerFnError> {
    use crate::domain::two_factor::enrollment;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    let c = caller().await?;
    let setup = enrollment::pending(&c.state.db, &c.state.two_factor, c.user_id)
        .await
        .map_err(to_server_fn_error)?;
    Ok(setup.map(|s| TwoFactorSetupView {
        qr_svg: s.qr_svg,
        secret_base32: s.secret_base32,
    }))
}

/// Starts setting up two-factor sign-in (a new secret to scan).
#[server(prefix = "/api", endpoint = "profile/two_factor/begin", input = PostUrl)]
pub async fn begin_two_factor() -> Result<(), ServerFnError> {
    use crate::domain::two_factor::enrollment;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    let c = caller().await?;
    enrollment::begin(&c.state.db, &c.state.two_factor, c.user_id)
        .await
        .map_err(to_server_fn_error)?;
    Ok(())
}

/// Confirms the setup with a code from the app; returns the recovery codes (shown once).
#[server(prefix = "/api", endpoint = "profile/two_factor/confirm", input = PostUrl)]
pub async fn confirm_two_factor(
    code: String,
    password: String,
) -> Result<Vec<String>, ServerFnError> {
    use crate::domain::two_factor::enrollment::{self, Confirmation};
    use crate::domain::{now_unix, signed_in_sessions, DomainError};
    use crate::shown_once::ShownOnce;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let id = c
        .session
        .id()
        .ok_or_else(|| to_server_fn_error(DomainError::Unauthenticated))?;
    let keep = signed_in_sessions::current_hash(&c.state.session_ids, &id);
    let confirmation = Confirmation {
        code: &code,
        password,
        keep_session: &keep,
    };
    let s = &c.state;
    let codes = enrollment::confirm(
        &s.db,
        &s.two_factor,
        &s.passwords,
        c.user_id,
        confirmation,
        now_unix(),
    )
    .await
    .map_err(to_server_fn_error)?;
    let scope = c.user_id.to_string();
    let shown = ShownOnce::recovery_codes(ConfirmTwoFactor::PATH, &codes);
    shown_once_flash::keep(&c, &scope, shown).await?;
    Ok(codes)
}

/// Turns two-factor sign-in off, with the password and a code.
#[server(prefix = "/api", endpoint = "profile/two_factor/disable", input = PostUrl)]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), ServerFnError> {
    use crate::domain::now_unix;
    use crate::domain::two_factor::enrollment;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let s = &c.state;
    enrollment::disable(
        &s.db,
        &s.two_factor,
        &s.passwords,
        c.user_id,
        password,
        &code,
        now_unix(),
    )
    .await
    .map_err(to_server_fn_error)?;
    let sentence = "Two-factor sign-in is off.".to_owned();
    shown_once_flash::keep_personal_notice(&c, DisableTwoFactor::PATH, sentence).await?;
    Ok(())
}

/// Mails a link to a new sign-in address; the change happens when it is opened.
#[server(prefix = "/api", endpoint = "profile/email", input = PostUrl)]
pub async fn change_email(email: String, password: String) -> Result<String, ServerFnError> {
    use crate::domain::email_link::email_change;
    use crate::domain::now_unix;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let s = &c.state;
    let to = email_change::request(
        &s.db,
        &s.links,
        &s.passwords,
        c.user_id,
        &email,
        password,
        now_unix(),
    )
    .await
    .map_err(to_server_fn_error)?;
    let sentence = format!(
        "We mailed a link to {to}. Your address changes when you open it (within 24 hours)."
    );
    shown_once_flash::keep_personal_notice(&c, ChangeEmail::PATH, sentence).await?;
    Ok(to)
}

/// Whether to mail the signed-in user about each sign-in from a new browser.
#[server(prefix = "/api", endpoint = "profile/new_sign_in_mail", input = PostUrl)]
pub async fn set_new_sign_in_mail(on: Option<String>) -> Result<(), ServerFnError> {
    use crate::domain::known_devices;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let on = on.is_some_and(|v| v == "on" || v == "true");
    known_devices::set_notify(&c.state.db, c.user_id, on)
        .await
        .map_err(to_server_fn_error)?;
    let sentence = match on {
        true => "Saved: a sign-in from a new browser is mailed to you.",
        false => "Saved: sign-ins from new browsers are not mailed to you.",
    };
    shown_once_flash::keep_personal_notice(&c, SetNewSignInMail::PATH, sentence).await?;
    Ok(())
}
