//! Prometheus metrics at `/metrics` (the `metrics` facade, rendered by
//! `metrics-exporter-prometheus`): requests by route, method and status with their latency;
//! what the domain counts (flows started and finished, token refreshes, webhook deliveries,
//! mail); and gauges read at each scrape (the database pool, the mail and webhook queues).
//! Off unless asked for: on a listener of its own (`--metrics-bind`), or on the public one
//! behind a bearer token (`--metrics-token`).
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;
use std::sync::OnceLock;
use std::time::Instant;

/// Request latency buckets, in seconds: a cached lookup is well under a millisecond, a flow
/// step that calls a provider can take seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use (one per process: a metric belongs to the
/// process, and tests run many servers in one).
pub fn handle() -> Option<&'static PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            match metrics::set_global_recorder(recorder) {
                Ok(()) => Some(handle),
                Err(_) => {
                    tracing::warn!("another metrics recorder is installed; /metrics stays empty");
                    None
                }
            }
        })
        .as_ref()
}

/// Methods as labels: the usual ones by name, anything else as `other` (a label's values
/// must stay few, whatever a client sends).
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

pub fn observe(route: String, method: &'static str, status: StatusCode, started: Instant) {
    metrics::counter!(
        "linkgate_http_requests_total",
        "route" => route.clone(),
        "method" => method,
        "status" => status.as_str().to_owned()
    )
    .increment(1);
    metrics::histogram!(
        "linkgate_http_request_duration_seconds",
        "route" => route,
        "method" => method
    )
    .record(started.elapsed().as_secs_f64());
}

/// Counts each request under its route's pattern (`/applications/{id}`, never the path
/// itself: ids and tokens stay out, and the series stay few). `on` is false when no one
/// scrapes: then it only passes the request on.
pub async fn record(State(on): State<bool>, req: Request, next: Next) -> Response {
    if !on {
        return next.run(req).await;
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    observe(route, method, response.status(), started);
    response
}

/// What a scrape reads fresh: pool use and queue lengths.
async fn read_gauges(db: &DatabaseConnection) {
    let (size, idle) = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics::gauge!("linkgate_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("linkgate_db_pool_connections", "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    match app::domain::mail::sender::queued(db).await {
        Ok(n) => metrics::gauge!("linkgate_mail_queued").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: the mail queue could not be counted"),
    }
    match app::domain::webhook::delivery::pending(db).await {
        Ok(n) => metrics::gauge!("linkgate_webhook_deliveries_pending").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "metrics: webhook deliveries could not be counted"),
    }
}

async fn render(db: &DatabaseConnection) -> Response {
    let Some(handle) = handle() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    read_gauges(db).await;
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// What `/metrics` needs: the database, and the token the public listener asks for.
#[derive(Clone)]
pub struct Scrape {
    pub db: DatabaseConnection,
    /// `None` on the metrics listener of its own (it is reached only from where it is bound).
    pub token: Option<String>,
}

pub async fn scrape(State(s): State<Scrape>, headers: HeaderMap) -> Response {
    if let Some(expected) = &s.token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let same: bool =
            subtle::ConstantTimeEq::ct_eq(presented.as_bytes(), expected.as_bytes()).into();
        if !same {
            return Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header(header::WWW_AUTHENTICATE, "Bearer")
                .body(Body::from("A valid metrics token is required.\n"))
                .unwrap_or_else(|_| StatusCode::UNAUTHORIZED.into_response());
        }
    }
    render(&s.db).await
}

/// The router of the metrics listener of its own (`--metrics-bind`).
pub fn own_listener(db: DatabaseConnection) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(Scrape { db, token: None })
}
