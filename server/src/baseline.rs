//! `linkgate baseline`: one bare axum route answering a constant, on the same runtime and
//! HTTP stack as the server. The benchmark's reference for what serving a request costs
//! before any Linkgate work (docs/performance.md).
use std::future::Future;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

pub const BODY: &str = "ok";

pub fn router() -> Router {
    Router::new().route("/", get(|| async { BODY }))
}

pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The server's own listener settings, so only the work per request differs.
    axum::serve(crate::no_delay(listener), router())
        .with_graceful_shutdown(shutdown)
        .await
}
