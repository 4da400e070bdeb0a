//! The signed-in person's own settings.
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

#[server(prefix = "/api", endpoint = "profile/rename", input = PostUrl)]
pub async fn rename_profile(name: String) -> Result<String, ServerFnError> {
    use crate::domain::profile;
    use crate::shown_once::ShownOnce;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    use crate::web::shown_once_flash;
    use leptos::server_fn::ServerFn;
    let c = caller().await?;
    let saved = profile::rename(&c.state.db, c.user_id, &name)
        .await
        .map_err(to_server_fn_error)?;
    let sentence = format!("Saved: your team sees you as {saved}.");
    let scope = c.user_id.to_string();
    shown_once_flash::keep(&c, &scope, ShownOnce::notice(RenameProfile::PATH, sentence)).await?;
    Ok(saved)
}

/// Mails a new confirmation link to the signed-in user's address.
#[server(prefix = "/api", endpoint = "profile/verification/resend", input = PostUrl)]
pub async fn resend_verification() -> Result<(), ServerFnError> {
    use crate::domain::email_link::verification::{self, Resent};
    use crate::domain::now_unix;
    use crate::shown_once::ShownOnce;
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
    let scope = c.user_id.to_string();
    let notice = ShownOnce::notice(ResendVerification::PATH, sentence.to_owned());
    shown_once_flash::keep(&c, &scope, notice).await?;
    Ok(())
}
