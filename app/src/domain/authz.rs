//! The one place that decides whether an actor may do an action in a team. Default deny;
//! every surface (pages, server functions, HTTP handlers) asks here. The rights are the
//! table "Team roles" of wire-api.md.
//!
//! Unknown or foreign ids answer `NotFound`, never `Forbidden`, so guessing ids reveals
//! nothing; `Forbidden` is only for things the actor can already see.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::DomainError;
use crate::entity::{api_key, app_grant, application, team_member, user};
use crate::viewer::Role;

/// Who is asking: a signed-in user, or a team API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    User(Uuid),
    ApiKey(Uuid),
}

/// A principal inside one team, with the role the database gives it right now.
#[derive(Clone, Debug)]
pub struct Actor {
    pub principal: Principal,
    pub team_id: Uuid,
    pub role: Role,
    /// How the audit log names the actor (the user's email, or the key's name).
    pub label: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the team, its members and the apps one may see.
    ViewTeam,
    /// Rename the team.
    EditTeam,
    /// Invite, re-role and remove members; list and revoke invites.
    ManageMembers,
    TransferOwnership,
    /// Grant or deny apps to Developers and Collaborators.
    GrantApps,
    ManageApiKeys,
    ViewAuditLog,
    CreateApp,
    /// Read an app: client id, accounts, end users.
    ViewApp(Uuid),
    /// Change an app's settings: return URLs, registrations, new client secrets.
    EditApp(Uuid),
    /// Rename or delete an app, regenerate its signing secret.
    AdministerApp(Uuid),
}

impl Action {
    pub fn app(self) -> Option<Uuid> {
        match self {
            Action::ViewApp(id) | Action::EditApp(id) | Action::AdministerApp(id) => Some(id),
            _ => None,
        }
    }
}

/// The rights table. `granted`: the app of an app action is granted to the actor.
pub fn allows(role: Role, action: Action, granted: bool) -> bool {
    let admin = role >= Role::Administrator;
    match action {
        Action::ViewTeam => true,
        Action::EditTeam
        | Action::ManageMembers
        | Action::GrantApps
        | Action::ManageApiKeys
        | Action::ViewAuditLog
        | Action::CreateApp
        | Action::AdministerApp(_) => admin,
        Action::TransferOwnership => role == Role::Owner,
        Action::ViewApp(_) => admin || granted,
        Action::EditApp(_) => admin || (role == Role::Developer && granted),
    }
}

/// The actor for a user in a team; a non-member gets `NotFound`, as if the team did not exist.
pub async fn user_actor(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    team_id: Uuid,
) -> Result<Actor, DomainError> {
    // Every dashboard server function starts here: membership and user in one query.
    let (member, member_user) = team_member::Entity::find_by_id((team_id, user_id))
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let role =
        Role::parse(&member.role).ok_or(DomainError::Internal("unknown role in database"))?;
    let member_user = member_user.ok_or(DomainError::NotFound)?;
    // A team that requires a second factor refuses members without one (read only for them).
    if member_user.totp_enabled_at.is_none() {
        let required = crate::entity::team::Entity::find_by_id(team_id)
            .one(db)
            .await?
            .is_some_and(|t| t.require_two_factor);
        if required {
            return Err(super::two_factor::TwoFactorRule::RequiredByTeam.into());
        }
    }
    let label = member_user.email;
    Ok(Actor {
        principal: Principal::User(user_id),
        team_id,
        role,
        label,
    })
}

/// Whether the app is granted to the actor. API keys act for the whole team: a key is an
/// integration an Administrator made, so it reaches every app of the team within its role.
async fn is_granted(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<bool, DomainError> {
    match actor.principal {
        Principal::ApiKey(_) => Ok(true),
        Principal::User(user_id) => Ok(app_grant::Entity::find_by_id((app_id, user_id))
            .one(db)
            .await?
            .is_some()),
    }
}

/// Decides `action` for `actor`; `Ok(())` means go ahead.
/// What the actor may do with one app, from one lookup: `NotFound` when the app is not in
/// the actor's team or the actor may not even read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppAccess {
    pub can_edit: bool,
    pub can_administer: bool,
}

async fn app_granted(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<bool, DomainError> {
    app_in_team(db, actor, app_id).await?;
    is_granted(db, actor, app_id).await
}

/// An app of another team is, for this actor, an app that does not exist.
async fn app_in_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<(), DomainError> {
    let in_team = application::Entity::find_by_id(app_id)
        .filter(application::Column::TeamId.eq(actor.team_id))
        .one(db)
        .await?
        .is_some();
    if in_team {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

pub async fn app_access(
    db: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
) -> Result<AppAccess, DomainError> {
    let granted = app_granted(db, actor, app_id).await?;
    if !allows(actor.role, Action::ViewApp(app_id), granted) {
        return Err(DomainError::NotFound);
    }
    Ok(AppAccess {
        can_edit: allows(actor.role, Action::EditApp(app_id), granted),
        can_administer: allows(actor.role, Action::AdministerApp(app_id), granted),
    })
}

pub async fn authorize(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: Action,
) -> Result<(), DomainError> {
    let granted = match action.app() {
        None => false,
        // The grant is read only when it can change the answer (not for administrators).
        Some(app_id) if allows(actor.role, action, false) => {
            app_in_team(db, actor, app_id).await?;
            false
        }
        Some(app_id) => app_granted(db, actor, app_id).await?,
    };
    if allows(actor.role, action, granted) {
        return Ok(());
    }
    // An app the actor cannot even read is, for them, an app that does not exist.
    match action.app() {
        Some(app_id) if !allows(actor.role, Action::ViewApp(app_id), granted) => {
            Err(DomainError::NotFound)
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// Keeps a revoked key or a key of another team from acting (used by API-key auth).
pub async fn api_key_actor(db: &impl ConnectionTrait, key_id: Uuid) -> Result<Actor, DomainError> {
    let key = api_key::Entity::find_by_id(key_id)
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let role = Role::parse(&key.role).ok_or(DomainError::Internal("unknown role in database"))?;
    Ok(Actor {
        principal: Principal::ApiKey(key.id),
        team_id: key.team_id,
        role,
        label: key.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 4] = [
        Role::Collaborator,
        Role::Developer,
        Role::Administrator,
        Role::Owner,
    ];

    #[test]
    fn the_rights_table_of_wire_api_md() {
        let app = Uuid::nil();
        // (action, granted) -> roles allowed, lowest to highest.
        let table: [(Action, bool, [bool; 4]); 14] = [
            (Action::ViewTeam, false, [true, true, true, true]),
            (Action::EditTeam, false, [false, false, true, true]),
            (Action::ManageMembers, false, [false, false, true, true]),
            (
                Action::TransferOwnership,
                false,
                [false, false, false, true],
            ),
            (Action::GrantApps, false, [false, false, true, true]),
            (Action::ManageApiKeys, false, [false, false, true, true]),
            (Action::ViewAuditLog, false, [false, false, true, true]),
            (Action::CreateApp, false, [false, false, true, true]),
            (Action::ViewApp(app), true, [true, true, true, true]),
            (Action::ViewApp(app), false, [false, false, true, true]),
            (Action::EditApp(app), true, [false, true, true, true]),
            (Action::EditApp(app), false, [false, false, true, true]),
            (Action::AdministerApp(app), true, [false, false, true, true]),
            (
                Action::AdministerApp(app),
                false,
                [false, false, true, true],
            ),
        ];
        let mut cells = 0;
        for (action, granted, expected) in table {
            for (role, want) in ROLES.into_iter().zip(expected) {
                assert_eq!(
                    allows(role, action, granted),
                    want,
                    "{role:?} {action:?} granted={granted}"
                );
                cells += 1;
            }
        }
        println!("rights table: {cells} cells checked");
    }
}
