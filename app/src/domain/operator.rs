//! What the one who holds the server can do without the dashboard (`linkgate user …`):
//! create a user, set a user's password, make a user the Owner of a team. Each is recorded
//! in the audit log of the teams it touches, as done by Linkgate's operator.
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::authz::{Actor, Principal};
use super::email_address::EmailAddress;
use super::password::{self, PasswordGate};
use super::rate_limit::Limit;
use super::sign_up::{sign_up, SignUpInput, SignUpLimits, Verification};
use super::team::api_keys;
use super::team::audit::{self, Change};
use super::write_transaction::begin_write;
use super::DomainError;
use crate::entity::{team, team_member, user};
use crate::viewer::Role;

/// How the operator appears in audit logs.
const OPERATOR: &str = "Linkgate operator (command line)";

async fn user_by_email(db: &DatabaseConnection, email: &str) -> Result<user::Model, DomainError> {
    let email = EmailAddress::parse(email).map_err(|m| DomainError::invalid("email", m))?;
    user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)
}

/// A user with a confirmed address (the operator vouches for it) and a team of their own.
pub async fn create_user(
    db: &DatabaseConnection,
    passwords: &PasswordGate,
    email: &str,
    name: &str,
    new_password: String,
    now: i64,
) -> Result<Uuid, DomainError> {
    // The command line is not a stranger: no sign-up limit applies.
    let unlimited = SignUpLimits {
        per_address: Limit::new(i64::MAX, 3600),
        overall: Limit::new(i64::MAX, 3600),
    };
    let input = SignUpInput {
        name: name.to_owned(),
        email: email.to_owned(),
        password: new_password,
        client_addr: "operator".to_owned(),
    };
    sign_up(db, passwords, unlimited, Verification::Trusted, input, now).await
}

/// Sets a user's password; every session of theirs ends.
pub async fn set_password(
    db: &DatabaseConnection,
    passwords: &PasswordGate,
    email: &str,
    new_password: String,
    now: i64,
) -> Result<Uuid, DomainError> {
    password::check_policy(&new_password).map_err(|m| DomainError::invalid("password", m))?;
    let user = user_by_email(db, email).await?;
    let hash = passwords.hash(new_password).await?;
    let txn = begin_write(db).await?;
    super::email_link::password_reset::replace_password(&txn, user.id, hash, None, now).await?;
    let change = Change {
        action: "user.password_set_by_operator",
        target_kind: "user",
        target_id: user.id.to_string(),
        target_label: user.email.clone(),
        before: None,
        after: None,
    };
    audit::record_personal(&txn, user.id, OPERATOR, change, now).await?;
    txn.commit().await?;
    Ok(user.id)
}

/// The team named by its id, or by its exact name when that is unique.
async fn find_team(db: &DatabaseConnection, team_ref: &str) -> Result<team::Model, DomainError> {
    if let Ok(id) = Uuid::parse_str(team_ref) {
        return team::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound);
    }
    let mut named = team::Entity::find()
        .filter(team::Column::Name.eq(team_ref))
        .all(db)
        .await?;
    match named.len() {
        0 => Err(DomainError::NotFound),
        1 => Ok(named.remove(0)),
        _ => Err(DomainError::invalid(
            "team",
            "Several teams have this name: give the team's id instead.",
        )),
    }
}

/// Makes the user the Owner of the team (adding them if they are not a member); the
/// previous Owner becomes an Administrator and loses the Administrator keys they made.
/// Returns the team's name.
pub async fn make_owner(
    db: &DatabaseConnection,
    email: &str,
    team_ref: &str,
    now: i64,
) -> Result<String, DomainError> {
    let user = user_by_email(db, email).await?;
    let team = find_team(db, team_ref).await?;
    let txn = begin_write(db).await?;
    let owner = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team.id))
        .filter(team_member::Column::Role.eq(Role::Owner.as_str()))
        .one(&txn)
        .await?;
    if owner.as_ref().is_some_and(|o| o.user_id == user.id) {
        return Ok(team.name);
    }
    if let Some(previous) = &owner {
        // Demote first: the database allows one Owner per team at any moment.
        team_member::Entity::update_many()
            .col_expr(
                team_member::Column::Role,
                Expr::value(Role::Administrator.as_str()),
            )
            .filter(team_member::Column::TeamId.eq(team.id))
            .filter(team_member::Column::UserId.eq(previous.user_id))
            .exec(&txn)
            .await?;
        let as_operator = Actor {
            principal: Principal::User(previous.user_id),
            team_id: team.id,
            role: Role::Owner,
            label: OPERATOR.to_owned(),
        };
        api_keys::revoke_admin_keys_made_by(&txn, &as_operator, previous.user_id, now).await?;
    }
    let before = team_member::Entity::find_by_id((team.id, user.id))
        .one(&txn)
        .await?;
    match &before {
        Some(_) => {
            team_member::Entity::update_many()
                .col_expr(team_member::Column::Role, Expr::value(Role::Owner.as_str()))
                .filter(team_member::Column::TeamId.eq(team.id))
                .filter(team_member::Column::UserId.eq(user.id))
                .exec(&txn)
                .await?;
        }
        None => {
            team_member::ActiveModel {
                team_id: Set(team.id),
                user_id: Set(user.id),
                role: Set(Role::Owner.as_str().to_owned()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    let change = Change {
        action: "team.ownership_transferred",
        target_kind: "member",
        target_id: user.id.to_string(),
        target_label: user.email.clone(),
        before: Some(json!({ "role": before.map(|m| m.role), "by": "operator" })),
        after: Some(json!({ "role": Role::Owner.as_str() })),
    };
    audit::record_system(&txn, team.id, change, now).await?;
    txn.commit().await?;
    Ok(team.name)
}

/// Turns a user's two-factor sign-in off (a lost phone and lost recovery codes); they sign in
/// with the password alone and can set it up again.
pub async fn reset_two_factor(
    db: &DatabaseConnection,
    mail: &super::mail::MailContext,
    email: &str,
    now: i64,
) -> Result<Uuid, DomainError> {
    let user = user_by_email(db, email).await?;
    let txn = begin_write(db).await?;
    super::two_factor::enrollment::turn_off(&txn, mail, &user, OPERATOR, now).await?;
    txn.commit().await?;
    Ok(user.id)
}
