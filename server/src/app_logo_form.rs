//! The logo form of an application's page: `POST /applications/{id}/logo` (a plain
//! multipart form post), `POST /applications/{id}/logo/remove`, and the preview `GET
//! /applications/{id}/logo` for members who may see the app. Each post goes back to the
//! page's logo section with one fixed word saying what happened (`?logo=saved#logo`).
use app::domain::app::logo::{self, LogoRefusal};
use app::domain::authz::{self, Actor};
use app::domain::{now_unix, DomainError};
use app::web::{dashboard_session, AppState};
use axum::extract::{Multipart, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use sea_orm::EntityTrait;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::api_error::ApiError;

/// The largest upload form: a 256 KB logo and the multipart framing around it. Set on the
/// route, so a larger body is cut off before it is read.
pub const FORM_LIMIT_BYTES: usize = 300 * 1024;

async fn signed_in(state: &AppState, session: &Session) -> Result<Uuid, DomainError> {
    dashboard_session::current_user(session, state.session_max_age_secs, now_unix())
        .await?
        .ok_or(DomainError::Unauthenticated)
}

async fn actor(state: &AppState, user: Uuid, team_id: &str) -> Result<Actor, DomainError> {
    let team = Uuid::parse_str(team_id.trim()).map_err(|_| DomainError::NotFound)?;
    authz::user_actor(&state.db, user, team).await
}

fn back(app_id: Uuid, word: &str) -> Response {
    Redirect::to(&format!("/applications/{app_id}?logo={word}#logo")).into_response()
}

/// Back to the form, with what happened as a fixed word the page says in full.
fn answer(app_id: Uuid, result: Result<(), LogoRefusal>, done: &str) -> Response {
    match result {
        Ok(()) => back(app_id, done),
        Err(refusal) => back(app_id, refusal.word()),
    }
}

fn app_id_of(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::from(DomainError::NotFound))
}

pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(app_id): Path<String>,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let app_id = app_id_of(&app_id)?;
    // Who asks is known before anything of the body is read.
    let user = signed_in(&state, &session).await?;
    let (mut team_id, mut bytes) = (String::new(), Vec::new());
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            // Past the request body limit, or not multipart at all.
            Err(_) => return Ok(back(app_id, LogoRefusal::TooLarge.word())),
        };
        match field.name() {
            Some("team_id") => team_id = field.text().await.unwrap_or_default(),
            Some("logo") => match field.bytes().await {
                Ok(b) => bytes = b.to_vec(),
                Err(_) => return Ok(back(app_id, LogoRefusal::TooLarge.word())),
            },
            _ => {}
        }
    }
    let actor = actor(&state, user, &team_id).await?;
    let result = logo::save(&state.db, &actor, app_id, bytes, now_unix()).await?;
    Ok(answer(app_id, result, "saved"))
}

#[derive(Deserialize)]
pub struct TeamForm {
    team_id: String,
}

pub async fn remove(
    State(state): State<AppState>,
    session: Session,
    Path(app_id): Path<String>,
    Form(form): Form<TeamForm>,
) -> Result<Response, ApiError> {
    let app_id = app_id_of(&app_id)?;
    let user = signed_in(&state, &session).await?;
    let actor = actor(&state, user, &form.team_id).await?;
    logo::remove(&state.db, &actor, app_id, now_unix()).await?;
    Ok(back(app_id, "removed"))
}

/// The preview, for a member of the team the app belongs to (anyone else: 404).
pub async fn preview(
    State(state): State<AppState>,
    session: Session,
    Path(app_id): Path<String>,
) -> Result<Response, ApiError> {
    let app_id = app_id_of(&app_id)?;
    // Signed in first: a stranger learns nothing of which applications exist.
    let user = signed_in(&state, &session).await?;
    let found = app::entity::application::Entity::find_by_id(app_id)
        .one(&state.db)
        .await
        .map_err(DomainError::from)?
        .ok_or(DomainError::NotFound)?;
    let actor = actor(&state, user, &found.team_id.to_string()).await?;
    match logo::shown_to(&state.db, &actor, app_id).await? {
        Some((content_type, bytes)) => Ok((
            [
                (CONTENT_TYPE, content_type),
                (CACHE_CONTROL, "private, no-store".to_owned()),
                (
                    CONTENT_SECURITY_POLICY,
                    "default-src 'none'; sandbox".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response()),
        None => Err(DomainError::NotFound.into()),
    }
}
