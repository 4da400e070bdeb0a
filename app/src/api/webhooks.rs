//! Webhook endpoints of an application and their deliveries.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, PostUrl};

use crate::app_views::{WebhookDeliveryView, WebhookEndpointView};

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::domain::now_unix;
    pub use crate::domain::webhook::endpoints;
    pub use crate::shown_once::ShownOnce;
    pub use crate::web::server_context::{actor_in, parse_id};
    pub use crate::web::server_fn_error::to_server_fn_error as fail;
    pub use crate::web::shown_once_flash;
    pub use leptos::server_fn::ServerFn;
}

#[server(prefix = "/api", endpoint = "apps/webhooks", input = GetUrl)]
pub async fn list_webhooks(
    team_id: String,
    app_id: String,
) -> Result<Vec<WebhookEndpointView>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    endpoints::list(&c.state.db, &actor, parse_id(&app_id)?)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/webhooks/add", input = PostUrl)]
pub async fn add_webhook(
    team_id: String,
    app_id: String,
    url: String,
    event_types: Option<String>,
) -> Result<WebhookEndpointView, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let s = &c.state;
    endpoints::create(
        &s.db,
        s.flows.http.policy(),
        &actor,
        parse_id(&app_id)?,
        &url,
        event_types.as_deref().unwrap_or_default(),
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/webhooks/enable", input = PostUrl)]
pub async fn enable_webhook(
    team_id: String,
    app_id: String,
    endpoint_id: String,
    enabled: bool,
) -> Result<WebhookEndpointView, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let (app, endpoint) = (parse_id(&app_id)?, parse_id(&endpoint_id)?);
    endpoints::set_enabled(&c.state.db, &actor, app, endpoint, enabled, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/webhooks/remove", input = PostUrl)]
pub async fn remove_webhook(
    team_id: String,
    app_id: String,
    endpoint_id: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let (app, endpoint) = (parse_id(&app_id)?, parse_id(&endpoint_id)?);
    endpoints::remove(&c.state.db, &actor, app, endpoint, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/webhooks/test", input = PostUrl)]
pub async fn test_webhook(
    team_id: String,
    app_id: String,
    endpoint_id: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let (app, endpoint) = (parse_id(&app_id)?, parse_id(&endpoint_id)?);
    endpoints::send_test(&c.state.db, &actor, app, endpoint, now_unix())
        .await
        .map_err(fail)?;
    let notice = ShownOnce::notice(
        TestWebhook::PATH,
        "Test event queued; see Deliveries.".to_owned(),
    );
    shown_once_flash::keep(&c, &app_id, notice).await
}

#[server(prefix = "/api", endpoint = "apps/webhooks/deliveries", input = GetUrl)]
pub async fn list_deliveries(
    team_id: String,
    app_id: String,
) -> Result<Vec<WebhookDeliveryView>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    endpoints::deliveries(&c.state.db, &actor, parse_id(&app_id)?, 100)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/webhooks/redeliver", input = PostUrl)]
pub async fn redeliver_webhook(
    team_id: String,
    app_id: String,
    delivery_id: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let (app, delivery) = (parse_id(&app_id)?, parse_id(&delivery_id)?);
    endpoints::redeliver(&c.state.db, &actor, app, delivery, now_unix())
        .await
        .map_err(fail)
}
