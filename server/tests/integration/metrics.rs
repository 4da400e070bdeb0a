//! `/metrics`: off unless asked for; behind a bearer token on the public listener, or open
//! on a listener of its own; requests by route pattern (never a path with a token in it),
//! flows by service and outcome, and the gauges read at each scrape. The recorder belongs to
//! the process (tests share it), so figures are checked for presence and growth.
use crate::common::flow::{connect, FlowApp};
use crate::common::{plain_client, Backend, Fixture};
use reqwest::StatusCode;

const TOKEN: &str = "0123456789abcdef0123456789abcdef-metrics";

async fn scrape(url: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut rb = plain_client().get(url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.expect("GET /metrics");
    (r.status(), r.text().await.unwrap_or_default())
}

/// The value of the first series whose line starts with `prefix`.
fn value(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn metrics_behind_a_token(backend: Backend) {
    let f = Fixture::start_with(backend, |c| c.metrics_token = Some(TOKEN.into())).await;
    let url = f.server.url("/metrics");
    assert_eq!(scrape(&url, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(&url, Some("wrong")).await.0,
        StatusCode::UNAUTHORIZED
    );

    // A Sandbox flow from start to code, and a link with a token in its path.
    let app = FlowApp::create(&f.server.base, "Metered").await;
    let (before_status, before) = scrape(&url, Some(TOKEN)).await;
    assert_eq!(before_status, StatusCode::OK);
    let started = |t: &str| {
        value(
            t,
            "linkgate_flows_started_total{service=\"Sandbox\",flow=\"account\"}",
        )
        .unwrap_or(0.0)
    };
    connect(&f.server.base, &app, &[]).await;
    let secret_path = "/invite/lg_invite_not_a_real_token_but_secret";
    plain_client()
        .get(f.server.url(secret_path))
        .send()
        .await
        .unwrap();

    let (status, after) = scrape(&url, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started(&after) >= started(&before) + 1.0, "{after}");
    assert!(
        after.contains("linkgate_flows_finished_total{service=\"Sandbox\",outcome=\"success\"}")
    );
    assert!(after.contains(
        "linkgate_http_requests_total{route=\"/signup\",method=\"POST\",status=\"303\"}"
    ));
    assert!(
        after.contains("route=\"/invite/{token}\""),
        "routes by pattern"
    );
    assert!(
        !after.contains("not_a_real_token"),
        "no path with a token in it"
    );
    assert!(after.contains("linkgate_http_request_duration_seconds_bucket{"));
    assert!(after.contains("linkgate_db_pool_connections{state=\"in_use\"}"));
    assert!(after.contains("linkgate_mail_queued "));
    assert!(after.contains("linkgate_webhook_deliveries_pending "));
    f.finish().await;
}
on_both_backends!(metrics_behind_a_token);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_their_own_listener_or_not_at_all() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let f = Fixture::start_with(Backend::Sqlite, move |c| c.metrics_bind = Some(bind)).await;
    let (status, text) = scrape(&format!("http://{bind}/metrics"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("linkgate_db_pool_connections"));
    // Not on the public listener: it has no token set.
    assert_eq!(
        scrape(&f.server.url("/metrics"), None).await.0,
        StatusCode::NOT_FOUND
    );
    f.finish().await;

    let plain = Fixture::start(Backend::Sqlite).await;
    assert_eq!(
        scrape(&plain.server.url("/metrics"), Some(TOKEN)).await.0,
        StatusCode::NOT_FOUND
    );
    plain.finish().await;
}
