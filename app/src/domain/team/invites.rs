//! Invites: an Administrator invites an email with a role; the single-use link (a random
//! token, stored as a keyed hash) joins the team within 7 days unless revoked.
use sea_orm::sea_query::Expr;
use sea_orm::SqlErr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Change};
use super::rule::TeamRule;
use crate::domain::authz::{self, Action, Actor, Principal};
use crate::domain::crypto::{random_token, KeyedHasher};
use crate::domain::email_address::EmailAddress;
use crate::domain::email_link::{verification, EmailLinkRule};
use crate::domain::mail::{outbox, texts, MailContext};
use crate::domain::rate_limit::{self, Limit};
use crate::domain::DomainError;
use crate::entity::{invite, team, team_member, user};
use crate::team_views::{InvitePreview, InviteView, NewInvite};
use crate::viewer::Role;

pub const LIFETIME_SECS: i64 = 7 * 24 * 3600;
pub const TOKEN_PREFIX: &str = "lg_invite_";
/// Invites (each a mail) one team may send per day.
const INVITES_PER_TEAM: Limit = Limit::new(200, 86_400);
/// Invite mails one address may receive per day, from every team together.
const INVITES_PER_RECIPIENT: Limit = Limit::new(10, 86_400);

async fn label_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<String, DomainError> {
    Ok(user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(|u| u.email)
        .unwrap_or_default())
}

fn view(row: &invite::Model, invited_by: String) -> Result<InviteView, DomainError> {
    Ok(InviteView {
        id: row.id.to_string(),
        email: row.email.clone(),
        role: Role::parse(&row.role).ok_or(DomainError::Internal("unknown role in database"))?,
        invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}

/// Creates an invite and mails it. The returned link (for the inviter to pass on by hand)
/// and the mailed one hold the only copies of their tokens; only the mailed one proves the
/// invitee's address.
pub async fn create(
    db: &DatabaseConnection,
    hasher: &KeyedHasher,
    actor: &Actor,
    mail: &MailContext,
    email: &str,
    role: Role,
    now: i64,
) -> Result<NewInvite, DomainError> {
    authz::authorize(db, actor, Action::ManageMembers).await?;
    // A key invites in the name of the Administrator who made it (who vouched for it).
    let inviter = match actor.principal {
        Principal::User(user) => user,
        // A key may not bring in people who could make keys of their own.
        Principal::ApiKey(_) if role >= Role::Administrator => return Err(DomainError::invalid(
            "role",
            "A key invites Developers and Collaborators; an Administrator invites Administrators.",
        )),
        Principal::ApiKey(key) => super::api_keys::creator_of(db, key).await?,
    };
    let email = EmailAddress::parse(email).map_err(|m| DomainError::invalid("email", m))?;
    if role == Role::Owner {
        return Err(TeamRule::OwnerOnlyByTransfer.into());
    }
    // Every invite is a mail in the inviter's name: only a confirmed address sends them.
    verification::require_verified(db, inviter).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    // Bounded per team and per recipient, so invites cannot be a way to mail anyone often.
    let buckets = [
        (format!("invite:team:{}", actor.team_id), INVITES_PER_TEAM),
        (
            format!("invite:to:{}", hasher.hash(email.as_str().as_bytes())),
            INVITES_PER_RECIPIENT,
        ),
    ];
    for (bucket, limit) in buckets {
        if let Err(r) = rate_limit::hit(&txn, &bucket, limit, now).await? {
            return Err(DomainError::RateLimited {
                message: "Too many invites were sent from this team, or to this address, today.",
                retry_after_secs: r.retry_after_secs,
            });
        }
    }
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
    {
        if team_member::Entity::find_by_id((actor.team_id, existing.id))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(TeamRule::AlreadyMember.into());
        }
    }
    // An expired invite no longer holds the place of "the pending invite" for this email.
    invite::Entity::update_many()
        .col_expr(invite::Column::RevokedAt, Expr::value(now))
        .filter(invite::Column::TeamId.eq(actor.team_id))
        .filter(invite::Column::Email.eq(email.as_str()))
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::RevokedAt.is_null())
        .filter(invite::Column::ExpiresAt.lte(now))
        .exec(&txn)
        .await?;
    let pending = invite::Entity::find()
        .filter(invite::Column::TeamId.eq(actor.team_id))
        .filter(invite::Column::Email.eq(email.as_str()))
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::RevokedAt.is_null())
        .filter(invite::Column::ExpiresAt.gt(now))
        .one(&txn)
        .await?;
    if pending.is_some() {
        return Err(TeamRule::InvitePending.into());
    }
    let token = random_token(TOKEN_PREFIX);
    let mail_token = random_token(TOKEN_PREFIX);
    let row = invite::ActiveModel {
        id: Set(Uuid::new_v4()),
        team_id: Set(actor.team_id),
        email: Set(email.as_str().to_owned()),
        role: Set(role.as_str().to_owned()),
        token_hash: Set(hasher.hash(token.as_bytes())),
        invited_by: Set(inviter),
        created_at: Set(now),
        expires_at: Set(now + LIFETIME_SECS),
        accepted_at: Set(None),
        revoked_at: Set(None),
        mail_token_hash: Set(Some(hasher.hash(mail_token.as_bytes()))),
    }
    .insert(&txn)
    .await
    // Two invites raced past the check above; the partial unique index keeps one.
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => TeamRule::InvitePending.into(),
        _ => DomainError::Storage(e),
    })?;
    let change = Change {
        action: "invite.created",
        target_kind: "invite",
        target_id: row.id.to_string(),
        target_label: row.email.clone(),
        before: None,
        after: Some(json!({ "email": row.email, "role": row.role, "expires_at": row.expires_at })),
    };
    audit::record(&txn, actor, change, now).await?;
    let team_name = team::Entity::find_by_id(actor.team_id)
        .one(&txn)
        .await?
        .map(|t| t.name)
        .ok_or(DomainError::NotFound)?;
    let inviter_label = label_of(&txn, inviter).await?;
    let invite_mail = texts::invite(
        &row.email,
        &team_name,
        &inviter_label,
        role.as_str(),
        &mail.link(&format!("/invite/{mail_token}")),
    );
    outbox::enqueue(&txn, mail, &invite_mail, now).await?;
    txn.commit().await?;
    Ok(NewInvite {
        invite: view(&row, actor.label.clone())?,
        link: mail.link(&format!("/invite/{token}")),
    })
}

pub async fn list_pending(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: i64,
) -> Result<Vec<InviteView>, DomainError> {
    authz::authorize(db, actor, Action::ManageMembers).await?;
    let rows = invite::Entity::find()
        .filter(invite::Column::TeamId.eq(actor.team_id))
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::RevokedAt.is_null())
        .filter(invite::Column::ExpiresAt.gt(now))
        .order_by_desc(invite::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(view(r, label_of(db, r.invited_by).await?)?);
    }
    Ok(out)
}

pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    invite_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::ManageMembers).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let row = invite::Entity::find_by_id(invite_id)
        .filter(invite::Column::TeamId.eq(actor.team_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound)?;
    check_usable(&row, now)?;
    let revoked = invite::Entity::update_many()
        .col_expr(invite::Column::RevokedAt, Expr::value(now))
        .filter(invite::Column::Id.eq(invite_id))
        .filter(invite::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if revoked.rows_affected == 1 {
        let change = Change {
            action: "invite.revoked",
            target_kind: "invite",
            target_id: invite_id.to_string(),
            target_label: row.email.clone(),
            before: Some(json!({ "email": row.email, "role": row.role })),
            after: None,
        };
        audit::record(&txn, actor, change, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Used, then expired, then revoked: an expired invite is retired (revoked) when a new one
/// is made for the same email, and its link should still say it expired.
fn check_usable(row: &invite::Model, now: i64) -> Result<(), DomainError> {
    if row.accepted_at.is_some() {
        return Err(TeamRule::InviteUsed.into());
    }
    if row.expires_at <= now {
        return Err(TeamRule::InviteExpired.into());
    }
    if row.revoked_at.is_some() {
        return Err(TeamRule::InviteRevoked.into());
    }
    Ok(())
}

/// A forged or unknown token is `NotFound`; a known one that cannot be used says why.
/// The flag says whether it is the mailed token (which proves the invitee's address).
async fn find_by_token(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    token: &str,
) -> Result<(invite::Model, bool), DomainError> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Err(DomainError::NotFound);
    }
    let hash = hasher.hash(token.as_bytes());
    let row = invite::Entity::find()
        .filter(
            Condition::any()
                .add(invite::Column::TokenHash.eq(hash.as_str()))
                .add(invite::Column::MailTokenHash.eq(hash.as_str())),
        )
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mailed = row.mail_token_hash.as_deref() == Some(hash.as_str());
    Ok((row, mailed))
}

pub async fn preview(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    token: &str,
    now: i64,
) -> Result<InvitePreview, DomainError> {
    let (row, _) = find_by_token(db, hasher, token).await?;
    check_usable(&row, now)?;
    let team_name = team::Entity::find_by_id(row.team_id)
        .one(db)
        .await?
        .map(|t| t.name)
        .ok_or(DomainError::NotFound)?;
    Ok(InvitePreview {
        team_name,
        role: Role::parse(&row.role).ok_or(DomainError::Internal("unknown role in database"))?,
        email: row.email.clone(),
        invited_by: label_of(db, row.invited_by).await?,
    })
}

/// The signed-in user joins the invite's team; returns the team id. From the mailed link
/// this also confirms their address; from the link the inviter passed on by hand, the
/// address must already be confirmed (a leaked link is no use to whoever signs up with it).
pub async fn accept(
    db: &DatabaseConnection,
    hasher: &KeyedHasher,
    user_id: Uuid,
    token: &str,
    now: i64,
) -> Result<Uuid, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let (row, mailed) = find_by_token(&txn, hasher, token).await?;
    check_usable(&row, now)?;
    let joining = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if joining.email != row.email {
        return Err(TeamRule::InviteForAnotherEmail.into());
    }
    if mailed {
        verification::mark_verified(&txn, &joining, "invite_mail", now).await?;
    } else if joining.email_verified_at.is_none() {
        return Err(EmailLinkRule::EmailNotVerified.into());
    }
    if team_member::Entity::find_by_id((row.team_id, user_id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(TeamRule::AlreadyMember.into());
    }
    // Single use even under concurrency: only one request flips accepted_at.
    let claimed = invite::Entity::update_many()
        .col_expr(invite::Column::AcceptedAt, Expr::value(now))
        .filter(invite::Column::Id.eq(row.id))
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(TeamRule::InviteUsed.into());
    }
    team_member::ActiveModel {
        team_id: Set(row.team_id),
        user_id: Set(user_id),
        role: Set(row.role.clone()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let actor = Actor {
        principal: Principal::User(user_id),
        team_id: row.team_id,
        role: Role::parse(&row.role).ok_or(DomainError::Internal("unknown role in database"))?,
        label: joining.email.clone(),
    };
    let change = Change {
        action: "member.joined",
        target_kind: "member",
        target_id: user_id.to_string(),
        target_label: joining.email,
        before: None,
        after: Some(json!({ "role": row.role, "invite": row.id.to_string() })),
    };
    audit::record(&txn, &actor, change, now).await?;
    txn.commit().await?;
    Ok(row.team_id)
}
