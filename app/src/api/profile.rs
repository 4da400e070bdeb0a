//! The signed-in person's own settings.
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

#[server(prefix = "/api", endpoint = "profile/rename", input = PostUrl)]
pub async fn rename_profile(name: String) -> Result<String, ServerFnError> {
    use crate::domain::profile;
    use crate::web::server_context::caller;
    use crate::web::server_fn_error::to_server_fn_error;
    let c = caller().await?;
    profile::rename(&c.state.db, c.user_id, &name)
        .await
        .map_err(to_server_fn_error)
}
