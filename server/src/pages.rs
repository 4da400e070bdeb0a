//! Serves the dashboard's Leptos pages: decides who may see which page, then renders it with
//! the page context (viewer, form outcome) the components read.
use app::domain::{now_unix, viewer_lookup, DomainError};
use app::page_context::PageContext;
use app::shell;
use app::viewer::Viewer;
use app::web::{dashboard_session, shown_once_flash, AppState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use tower_sessions::Session;
use uuid::Uuid;

use crate::api_error;

/// Pages only for visitors who are not signed in.
const SIGNED_OUT_PAGES: [&str; 4] = [
    "/signin",
    "/signup",
    "/forgot-password",
    "/signin/two-factor",
];
/// Pages anyone may see, signed in or not (an invite tells a stranger what to do).
/// Mailed links open whether or not the browser is signed in.
/// The development mailbox too: it is how a signed-out developer reads a reset link.
const OPEN_PREFIXES: [&str; 5] = [
    "/invite/",
    "/verify-email/",
    "/reset-password/",
    "/change-email/",
    "/dev/mail",
];

/// The signed-in viewer, read fresh from the database, and the team the session was
/// working in if that team is gone from their teams (removed from it, or it was deleted).
pub async fn current_viewer(
    state: &AppState,
    session: &Session,
) -> Result<(Option<Viewer>, Option<Uuid>), DomainError> {
    let Some(user_id) =
        dashboard_session::current_user(session, state.session_max_age_secs, now_unix()).await?
    else {
        return Ok((None, None));
    };
    let preferred = dashboard_session::current_team(session).await?;
    let viewer = viewer_lookup::load_viewer(&state.db, user_id, preferred).await?;
    let Some(v) = &viewer else {
        // The user or their last membership is gone: the session means nothing any more.
        dashboard_session::end(session).await?;
        return Ok((None, None));
    };
    let lost = preferred.filter(|p| p.to_string() != v.team_id);
    Ok((viewer, lost))
}

/// Once a page has said the team the session worked in is gone, the session works in the
/// team that page shows, so it is said once.
async fn move_to_shown_team(session: &Session, viewer: &Viewer) -> Result<(), DomainError> {
    let team = Uuid::parse_str(&viewer.team_id).map_err(|_| DomainError::Internal("team id"))?;
    dashboard_session::set_current_team(session, team).await
}

/// Renders the app for `req`'s path with `page` in context, with the given status.
pub async fn render(
    state: &AppState,
    req: Request<Body>,
    page: PageContext,
    status: StatusCode,
) -> Response {
    let options = state.leptos_options.clone();
    let app_state = state.clone();
    // Whole pages, data included, so lists and values read without the wasm.
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(page.clone());
            // Resources call server functions in-process while rendering; they need the state.
            provide_context(app_state.clone());
        },
        move || shell(options.clone()),
    );
    let mut response = render(req).await.into_response();
    if status != StatusCode::OK {
        *response.status_mut() = status;
    }
    // Pages carry private data and, once, secrets: no cache may keep them.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn error_page(e: &DomainError) -> Response {
    api_error::log(e);
    (
        api_error::status_of(e),
        "Something went wrong. Please try again.",
    )
        .into_response()
}

pub async fn page(State(state): State<AppState>, session: Session, req: Request<Body>) -> Response {
    let (viewer, lost_team) = match current_viewer(&state, &session).await {
        Ok(v) => v,
        Err(e) => return error_page(&e),
    };
    let path = req.uri().path();
    if path.starts_with("/dev/") && state.mail_directory.is_none() {
        return error_page(&DomainError::NotFound);
    }
    let open = OPEN_PREFIXES.iter().any(|p| path.starts_with(p));
    let signed_out_page = SIGNED_OUT_PAGES.contains(&path);
    match (&viewer, signed_out_page) {
        (None, false) if !open => Redirect::to("/signin").into_response(),
        (Some(_), true) => Redirect::to("/applications").into_response(),
        (Some(_), false) if path == "/" => Redirect::to("/applications").into_response(),
        _ => {
            // Only a dashboard page (not an invite) has the layout that says so.
            let team_lost = match (&viewer, lost_team) {
                (Some(v), Some(_)) if !open => {
                    if let Err(e) = move_to_shown_team(&session, v).await {
                        return error_page(&e);
                    }
                    true
                }
                _ => false,
            };
            let shown_once = match &viewer {
                Some(v) => match Uuid::parse_str(&v.user_id) {
                    Ok(user_id) => {
                        let ring = &state.app_keys.ring;
                        shown_once_flash::take(&session, ring, user_id, path, now_unix()).await
                    }
                    Err(_) => None,
                },
                None => None,
            };
            let page = PageContext {
                viewer,
                outcome: None,
                shown_once,
                team_lost,
                dev_mailbox: state.mail_directory.is_some(),
            };
            render(&state, req, page, StatusCode::OK).await
        }
    }
}
