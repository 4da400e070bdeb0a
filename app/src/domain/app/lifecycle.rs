//! Creating, renaming, reading and deleting applications.
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{return_urls, secrets, signing_secret, AppKeys};
use crate::app_views::{AppDetail, NewApp};
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::team::audit::{self, Change};
use crate::domain::{short_name, DomainError};
use crate::entity::{app_grant, application, team};
use crate::form_outcome::FieldErrors;

fn parse_name(raw: &str) -> Result<String, DomainError> {
    short_name::parse(raw, "a name for the application").map_err(|m| {
        let mut e = FieldErrors::default();
        e.add("name", m);
        DomainError::Invalid(e)
    })
}

/// Locks the team's row against other creates and renames (PostgreSQL; SQLite serialises
/// writers by itself). `FOR NO KEY UPDATE`, so inserts that only reference the team (audit
/// events, invites) are not held up and cannot deadlock with it.
async fn lock_team_names(txn: &impl ConnectionTrait, team_id: Uuid) -> Result<(), DomainError> {
    team::Entity::find_by_id(team_id)
        .lock(LockType::NoKeyUpdate)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(())
}

/// Refuses a name another application of the team already has (in any case): two apps
/// called the same are told apart by nobody. Call with the team locked.
async fn ensure_unique_name(
    txn: &impl ConnectionTrait,
    team_id: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> Result<(), DomainError> {
    let wanted = name.to_lowercase();
    let taken = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .column(application::Column::Name)
        .filter(application::Column::TeamId.eq(team_id))
        .into_tuple::<(Uuid, String)>()
        .all(txn)
        .await?
        .into_iter()
        .any(|(id, n)| Some(id) != except && n.to_lowercase() == wanted);
    if taken {
        let mut e = FieldErrors::default();
        e.add(
            "name",
            format!("The team already has an application called {name}. Choose another name."),
        );
        return Err(DomainError::Invalid(e));
    }
    Ok(())
}

/// Creates an application with its client id and first secret (returned once).
pub async fn create(
    db: &DatabaseConnection,
    keys: &AppKeys,
    actor: &Actor,
    name: &str,
    now: i64,
) -> Result<NewApp, DomainError> {
    authz::authorize(db, actor, Action::CreateApp).await?;
    // Applications are what a stranger could abuse a throwaway sign-up for: only someone
    // whose address is confirmed makes one (a key, in the name of the member who made it).
    let person = match actor.principal {
        Principal::User(user) => user,
        Principal::ApiKey(key) => crate::domain::team::api_keys::creator_of(db, key).await?,
    };
    crate::domain::email_link::verification::require_verified(db, person).await?;
    let name = parse_name(name)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    lock_team_names(&txn, actor.team_id).await?;
    ensure_unique_name(&txn, actor.team_id, &name, None).await?;
    let id = Uuid::new_v4();
    let client_id = format!("lg_app_{}", Uuid::new_v4().simple());
    application::ActiveModel {
        id: Set(id),
        team_id: Set(actor.team_id),
        name: Set(name.clone()),
        created_at: Set(now),
        client_id: Set(Some(client_id.clone())),
        wildcard_return_urls: Set(false),
        signing_secret: Set(None),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let (secret_row, secret) = secrets::issue(&txn, keys, id, now).await?;
    signing_secret::replace(&txn, keys, id, now).await?;
    let change = Change {
        action: "app.created",
        target_kind: "app",
        target_id: id.to_string(),
        target_label: name.clone(),
        before: None,
        after: Some(
            json!({ "name": name, "client_id": client_id, "secret": secret_row.display_prefix }),
        ),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(NewApp {
        id: id.to_string(),
        name,
        client_id,
        secret,
    })
}

/// What `ensure_named` found or made.
pub enum Ensured {
    /// Made now, with its first secret (shown this once).
    Created(NewApp),
    /// The team's application of that name, as it is.
    Existing {
        id: String,
        name: String,
        client_id: String,
    },
}

async fn named(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    name: &str,
) -> Result<Option<Ensured>, DomainError> {
    Ok(application::Entity::find()
        .filter(application::Column::TeamId.eq(team_id))
        .filter(application::Column::Name.eq(name))
        .one(db)
        .await?
        .map(|a| Ensured::Existing {
            id: a.id.to_string(),
            name: a.name,
            client_id: a.client_id.unwrap_or_default(),
        }))
}

/// The team's application called `name`, made if there is none: a script that runs twice
/// changes nothing the second time (names are unique in a team).
pub async fn ensure_named(
    db: &DatabaseConnection,
    keys: &AppKeys,
    actor: &Actor,
    name: &str,
    now: i64,
) -> Result<Ensured, DomainError> {
    authz::authorize(db, actor, Action::CreateApp).await?;
    let name = parse_name(name)?;
    if let Some(found) = named(db, actor.team_id, &name).await? {
        return Ok(found);
    }
    match create(db, keys, actor, &name, now).await {
        Ok(made) => Ok(Ensured::Created(made)),
        // Made by a concurrent call meanwhile: that one is it.
        Err(DomainError::Invalid(e)) => named(db, actor.team_id, &name)
            .await?
            .ok_or(DomainError::Invalid(e)),
        Err(other) => Err(other),
    }
}

/// The callback path every provider redirects to (wire-api.md).
pub const CALLBACK_PATH: &str = "/v1/auth/callback";

/// `public_origin`: the deployment's public URL, for the redirect URI to register.
pub async fn detail(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    public_origin: &str,
    now: i64,
) -> Result<AppDetail, DomainError> {
    let access = authz::app_access(db, actor, app_id).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(AppDetail {
        id: app.id.to_string(),
        name: app.name,
        client_id: app.client_id.unwrap_or_default(),
        created_at: app.created_at,
        wildcard_return_urls: app.wildcard_return_urls,
        secrets: secrets::live_secrets(db, app_id, now)
            .await?
            .iter()
            .map(secrets::view)
            .collect(),
        return_urls: return_urls::list(db, app_id)
            .await?
            .iter()
            .map(return_urls::view)
            .collect(),
        redirect_uri: format!("{}{CALLBACK_PATH}", public_origin.trim_end_matches('/')),
        public_origin: public_origin.trim_end_matches('/').to_owned(),
        // The edge knows whether the Sandbox is served; the domain does not decide it.
        try_return_url: None,
        can_edit: access.can_edit,
        can_administer: access.can_administer,
        has_logo: super::logo::exists(db, app_id).await?,
    })
}

pub async fn rename(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    name: &str,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::AdministerApp(app_id)).await?;
    let name = parse_name(name)?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    // The team first: NO KEY UPDATE cannot deadlock with a change holding the app row.
    lock_team_names(&txn, actor.team_id).await?;
    let app = application::Entity::find_by_id(app_id)
        .filter(application::Column::TeamId.eq(actor.team_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    ensure_unique_name(&txn, app.team_id, &name, Some(app_id)).await?;
    application::Entity::update_many()
        .col_expr(application::Column::Name, Expr::value(name.clone()))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(app_id))
        .exec(&txn)
        .await?;
    let change = Change {
        action: "app.renamed",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: name.clone(),
        before: Some(json!({ "name": app.name })),
        after: Some(json!({ "name": name })),
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes the application with everything that hangs off it (secrets, return URLs,
/// grants; accounts and end users once they exist), by the schema's cascades.
/// `confirm_name` must repeat the app's name, so a stray click deletes nothing.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    confirm_name: &str,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::AdministerApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let app = application::Entity::find_by_id(app_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    if confirm_name.trim() != app.name {
        let mut e = FieldErrors::default();
        e.add(
            "confirm_name",
            "Type the application's name exactly to delete it.",
        );
        return Err(DomainError::Invalid(e));
    }
    // Cascades do this in PostgreSQL; SQLite needs foreign keys on, which sqlx sets. Grants
    // are removed explicitly all the same, so the count below is what was really removed.
    let grants = app_grant::Entity::delete_many()
        .filter(app_grant::Column::AppId.eq(app_id))
        .exec(&txn)
        .await?;
    application::Entity::delete_by_id(app_id).exec(&txn).await?;
    let change = Change {
        action: "app.deleted",
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app.name.clone(),
        before: Some(
            json!({ "name": app.name, "client_id": app.client_id, "grants": grants.rows_affected }),
        ),
        after: None,
    };
    audit::record(&txn, actor, change, now).await?;
    txn.commit().await?;
    Ok(())
}
