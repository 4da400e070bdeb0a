//! A request, once started, runs to its end even if the client goes away. Dropping a handler
//! mid-`BEGIN` left a pooled PostgreSQL connection inside a transaction that sqlx did not
//! know about, so later autocommit writes on it stayed invisible (found by the benchmark,
//! whose load tool closes connections mid-request; docs/performance.md).
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::api_error::ApiError;

pub async fn run(req: Request, next: Next) -> Response {
    let handled = tokio::spawn(next.run(req).instrument(tracing::Span::current()));
    match handled.await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(panicked = e.is_panic(), "a request handler did not finish");
            ApiError::refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side; try again.",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_handler_finishes_after_the_client_hangs_up() -> std::io::Result<()> {
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        let app = Router::new()
            .route(
                "/",
                get(move || async move {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    flag.store(true, Ordering::SeqCst);
                    "done"
                }),
            )
            .layer(axum::middleware::from_fn(super::run));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, app).await });

        let mut client = tokio::net::TcpStream::connect(addr).await?;
        client
            .write_all(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
            .await?;
        tokio::time::sleep(Duration::from_millis(30)).await;
        drop(client);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(finished.load(Ordering::SeqCst), "the handler was dropped");
        Ok(())
    }
}
