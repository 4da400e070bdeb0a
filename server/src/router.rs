//! Every route and layer in one place.
use app::domain::session_store::DbSessionStore;
use app::page_context::PageContext;
use app::web::accepts_html::accepts_html;
use app::web::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, handle_server_fns_with_context,
    AxumRouteListing, LeptosRoutes,
};
use std::sync::OnceLock;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;
use crate::{
    api_error, app_logo_form, auth_forms, bundle_files, email_link_forms, health, http_metrics,
    manage, pages, run_to_completion, same_origin, sandbox, security_headers, session_touch, v1,
};

pub const SESSION_COOKIE: &str = "linkgate_session";

/// Runs a Leptos server function with the app state in its context.
/// Arguments that do not decode are the caller's mistake: 400, where server_fn says 500.
async fn server_fns(State(state): State<AppState>, req: Request<Body>) -> Response {
    let plain_form_post = accepts_html(req.headers());
    let mut response = handle_server_fns_with_context(move || provide_context(state.clone()), req)
        .await
        .into_response();
    // A refused plain form post: Leptos points it back to its page with the error in the
    // query, but a 4xx status set by the error would keep the browser on a raw text answer.
    if plain_form_post && response.headers().contains_key(LOCATION) {
        *response.status_mut() = StatusCode::SEE_OTHER;
    }
    if response.status().is_redirection() {
        // A plain form post is sent back to its page; the answer (perhaps a secret, which
        // the session carries sealed to that page) has no business in the redirect.
        let (mut parts, _) = response.into_parts();
        parts
            .headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Response::from_parts(parts, Body::empty());
    }
    // Answers carry private data and, once, secrets: no cache may keep them.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    if ["Args|", "MissingArg|", "Deserialization|"]
        .iter()
        .any(|p| text.trim_matches('"').starts_with(p))
    {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The dashboard's routes, generated once per process. Generating them runs the app with
/// resource loading suspended process-wide, so a page another instance in this process was
/// rendering at that moment never finished (tests start many servers in one process).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState, store: DbSessionStore, config: &Config) -> Router {
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.is_https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            config.session_idle_secs,
        )))
        // Activity pushes the idle expiry forward, in the store as in the cookie, through
        // `session_touch` (at most once a minute) rather than a write on every request.
        .with_always_save(false);

    let not_found = file_and_error_handler_with_context::<AppState, _>(
        move || provide_context(PageContext::default()),
        shell,
    );

    let site_root = state.leptos_options.site_root.to_string();
    Router::new()
        .route("/signup", post(auth_forms::sign_up))
        .route("/signin", post(auth_forms::sign_in))
        .route("/signin/two-factor", post(auth_forms::sign_in_second_step))
        .route("/signout", post(auth_forms::sign_out))
        .route("/verify-email", post(email_link_forms::verify_email))
        .route("/change-email", post(email_link_forms::change_email))
        .route("/forgot-password", post(email_link_forms::forgot_password))
        .route("/reset-password", post(email_link_forms::reset_password))
        .route(
            "/applications/{id}/logo",
            get(app_logo_form::preview).post(app_logo_form::upload).layer(
                axum::extract::DefaultBodyLimit::max(app_logo_form::FORM_LIMIT_BYTES),
            ),
        )
        .route(
            "/applications/{id}/logo/remove",
            post(app_logo_form::remove).layer(axum::extract::DefaultBodyLimit::max(4096)),
        )
        .route("/api/{*fn_name}", get(server_fns).post(server_fns))
        .leptos_routes_with_handler(route_list(), get(pages::page))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), same_origin::same_origin_only))
        .layer(middleware::from_fn_with_state(
            session_touch::interval_secs(config.session_idle_secs),
            session_touch::touch,
        ))
        .layer(sessions)
        // Added after the session layer: assets, probes and the key-authenticated management
        // API never load or save a session, and need no same-origin check.
        .merge(manage::routes())
        .merge(v1::routes(&state))
        .merge(if state.flows.sandbox_enabled {
            sandbox::routes()
        } else {
            Router::new()
        })
        .nest("/pkg", bundle_files::service(&site_root))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .merge(match &config.metrics_token {
            Some(token) => Router::new()
                .route("/metrics", get(http_metrics::scrape))
                .with_state(http_metrics::Scrape {
                    db: state.db.clone(),
                    token: Some(token.clone()),
                }),
            None => Router::new(),
        })
        .layer(middleware::from_fn_with_state(
            config.metrics_enabled(),
            http_metrics::record,
        ))
        .layer(middleware::from_fn(run_to_completion::run))
        .layer(middleware::from_fn_with_state(
            security_headers::Https(config.is_https()),
            security_headers::add,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            // The path only: query strings may carry codes and tokens.
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let path = crate::telemetry::loggable_path(req.uri().path());
            tracing::info_span!("request", method = %req.method(), path = %path, request_id = %id)
        }))
        // The hottest read, answered from memory before the layers above (issue 18).
        .layer(middleware::from_fn_with_state(
            v1::account_fast_path::FastPath {
                state: state.clone(),
                https: security_headers::Https(config.is_https()),
                metrics: config.metrics_enabled(),
            },
            v1::account_fast_path::answer_from_memory,
        ))
        // Inside the request-id layer, outside everything that can refuse a request.
        .layer(middleware::from_fn(api_error::with_request_id))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
