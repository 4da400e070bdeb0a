//! The team's accounts across the applications the viewer may see.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, PostUrl};

use crate::app_views::{AccountDetail, TeamAccountPage};

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::domain::account::detail::{self, CheckOutcome};
    pub use crate::domain::account::directory::{self, DirectoryFilter};
    pub use crate::domain::now_unix;
    pub use crate::entity::account::TokenStatus;
    pub use crate::shown_once::ShownOnce;
    pub use crate::web::server_context::actor_in;
    pub use crate::web::server_fn_error::to_server_fn_error as fail;
    pub use crate::web::shown_once_flash;
    pub use leptos::server_fn::ServerFn;
}

/// Filters a browser sends as they are; an unknown application or status matches nothing.
#[server(prefix = "/api", endpoint = "team/accounts", input = GetUrl)]
pub async fn team_accounts(
    team_id: String,
    email: Option<String>,
    app_id: Option<String>,
    service_type: Option<String>,
    status: Option<String>,
    before: Option<i64>,
) -> Result<TeamAccountPage, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let given = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let app_id = given(app_id);
    let status = given(status);
    let app = app_id.as_deref().map(uuid::Uuid::parse_str);
    let token_status = status.as_deref().map(TokenStatus::parse);
    // A malformed filter value is a filter nothing passes (no application has the nil id).
    let malformed = matches!(app, Some(Err(_))) || matches!(token_status, Some(None));
    let filter = DirectoryFilter {
        email: given(email),
        app_id: if malformed {
            Some(uuid::Uuid::nil())
        } else {
            app.and_then(Result::ok)
        },
        service_type: given(service_type),
        token_status: token_status.flatten(),
        before,
    };
    directory::page(&c.state.db, &actor, filter)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "accounts/detail", input = GetUrl)]
pub async fn get_account(team_id: String, account_id: i64) -> Result<AccountDetail, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    detail::detail(&c.state.db, &actor, account_id)
        .await
        .map_err(fail)
}

/// *Check now*: what the provider said, in plain words.
#[server(prefix = "/api", endpoint = "accounts/check", input = PostUrl)]
pub async fn check_account(team_id: String, account_id: i64) -> Result<String, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let outcome = detail::check_now(&c.state.db, &c.state.flows, &actor, account_id)
        .await
        .map_err(fail)?;
    let sentence = match outcome {
        CheckOutcome::Accepted => "The provider accepted the token: the account works.".to_owned(),
        CheckOutcome::Refused => "The provider refused the token: the account is now invalid. If it stays so, its user should connect it again.".to_owned(),
        CheckOutcome::Dead => "This account's grant was refused or revoked, so nothing was asked: its user must connect it again.".to_owned(),
        CheckOutcome::Revoked => "The provider refused the token, then its grant: the account is dead, and its user must connect it again.".to_owned(),
        CheckOutcome::Unanswered(why) => format!("The provider could not be asked: {why}"),
    };
    let notice = ShownOnce::notice(CheckAccount::PATH, sentence.clone());
    shown_once_flash::keep(&c, &account_id.to_string(), notice).await?;
    Ok(sentence)
}

/// *Delete* on the account's page: the account and its tokens go, then the accounts list.
#[server(prefix = "/api", endpoint = "accounts/delete", input = PostUrl)]
pub async fn delete_account(team_id: String, account_id: i64) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    detail::delete(&c.state.db, &actor, account_id, now_unix())
        .await
        .map_err(fail)?;
    // This instance forgets its answers at once; others on notice (answer_cache).
    c.state.answers.evict_account(account_id);
    leptos_axum::redirect("/accounts");
    Ok(())
}
