//! Where an imported account goes: upsertPersonal's `userAccount`, `userId` and
//! `recycleKeys`, read the way the hosted user-session flow reads them.
//!
//! Decisions:
//! - `userAccount=primary` makes (or finds, by the account's identity) the end user whose
//!   primary account it is, and answers a new session for them, as a primary sign-in does.
//! - `userId` names an end user of this application whom the account joins as a secondary
//!   one; `userAccount=secondary` needs it, `userAccount=primary` refuses it.
//! - `recycleKeys` names the fields that find the existing account instead of the provider
//!   identity (all must match, and each must have a value: an absent one would match every
//!   account without it). `serverUrl` is refused: a password service's server is already
//!   part of its identity (`userId`), and OAuth accounts have none. A primary account is
//!   found by its identity only: recycling by other fields would hand one end user's
//!   session to another.
//! - Without `ensureAccess`, the identity is the app's word (`authUserId`), so a primary
//!   import may start a session for any end user of that app it names. The app's own
//!   credentials already reach all its accounts; the hosted flow, which anyone may start,
//!   is what needs the provider's proof.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::end_user::{session, users};
use crate::domain::flow::{FlowError, FlowKeys};
use crate::domain::DomainError;
use crate::entity::account::{self, AccountKind};
use crate::entity::end_user;

/// A field that finds the account to update (Aurinko's ServiceKey).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecycleKey {
    Email,
    OrgId,
    UserId,
    Username,
    ClientOrgId,
}

impl RecycleKey {
    fn parse(s: &str) -> Result<Self, DomainError> {
        Ok(match s {
            "email" => Self::Email,
            "orgId" => Self::OrgId,
            "userId" => Self::UserId,
            "username" => Self::Username,
            "clientOrgId" => Self::ClientOrgId,
            "serverUrl" => return Err(invalid("recycleKeys.invalid", "serverUrl is already part of a password service's identity (userId); OAuth accounts have none.")),
            _ => return Err(invalid("recycleKeys.invalid", "recycleKeys are email, orgId, userId, username or clientOrgId.")),
        })
    }
}

fn invalid(field: &'static str, message: &'static str) -> DomainError {
    FlowError::parameter(field, message).into()
}

/// Whom the imported account belongs to, and how its existing row is found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    pub owner: Owner,
    pub recycle_keys: Vec<RecycleKey>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Owner {
    /// The application's, as an account-flow account.
    #[default]
    App,
    /// An end user's primary account: the user is made or found by it.
    Primary,
    /// One more account of this end user of the application.
    Secondary(String),
}

impl Placement {
    /// From the query's `userAccount`, `userId` and `recycleKeys` (repeated or
    /// comma-separated).
    pub fn parse(
        user_account: Option<&str>,
        user_id: Option<&str>,
        recycle_keys: &[&str],
    ) -> Result<Self, DomainError> {
        let user_id = user_id.map(str::trim).filter(|u| !u.is_empty());
        if user_id.is_some_and(|u| u.len() > 128) {
            return Err(invalid(
                "userId.invalid",
                "userId is at most 128 characters.",
            ));
        }
        let owner = match (user_account, user_id) {
            (None, None) => Owner::App,
            (Some("primary"), None) => Owner::Primary,
            (Some("primary"), Some(_)) => return Err(invalid(
                "userId.invalid",
                "A primary account makes or finds its own end user; userId names the end user a secondary account joins.",
            )),
            (Some("secondary") | None, Some(u)) => Owner::Secondary(u.to_owned()),
            (Some("secondary"), None) => return Err(invalid(
                "userId.invalid",
                "A secondary account joins an end user: give their userId.",
            )),
            (Some(_), _) => return Err(invalid(
                "userAccount.invalid",
                "userAccount must be primary or secondary.",
            )),
        };
        let mut keys = Vec::new();
        for k in recycle_keys
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            let k = RecycleKey::parse(k)?;
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        if owner == Owner::Primary && !keys.is_empty() {
            return Err(invalid(
                "recycleKeys.invalid",
                "A primary account is found by its identity; recycleKeys apply to app and secondary accounts.",
            ));
        }
        Ok(Self {
            owner,
            recycle_keys: keys,
        })
    }
}

/// The imported account's identifying fields, as they will be saved.
pub struct Found<'a> {
    pub auth_user_id: &'a str,
    pub org: Option<&'a str>,
    /// HubSpot: the same user in another hub is another account.
    pub per_org: bool,
    pub email: Option<&'a str>,
    pub login: Option<&'a str>,
    pub client_org_id: Option<&'a str>,
}

/// The app's existing personal account this import updates, if any (in the caller's
/// transaction). A secondary import looks only among its end user's accounts; a primary one
/// never takes an app-owned copy or another end user's secondary account, as a sign-in
/// would not.
pub async fn existing(
    txn: &impl ConnectionTrait,
    app_id: uuid::Uuid,
    service_type: &str,
    f: &Found<'_>,
    p: &Placement,
) -> Result<Option<account::Model>, DomainError> {
    let mut q = account::Entity::find()
        .filter(account::Column::AppId.eq(app_id))
        .filter(account::Column::ServiceType.eq(service_type))
        .filter(account::Column::Kind.eq(AccountKind::Personal));
    if p.recycle_keys.is_empty() {
        q = q.filter(account::Column::AuthUserId.eq(f.auth_user_id));
        if f.per_org {
            q = q.filter(account::Column::AuthOrgId.eq_or_null(f.org));
        }
    }
    for k in &p.recycle_keys {
        let (column, value, name) = match k {
            RecycleKey::Email => (account::Column::Email, f.email, "email"),
            RecycleKey::OrgId => (account::Column::AuthOrgId, f.org, "orgId"),
            RecycleKey::UserId => (account::Column::AuthUserId, Some(f.auth_user_id), "userId"),
            RecycleKey::Username => (account::Column::LoginString, f.login, "username"),
            RecycleKey::ClientOrgId => {
                (account::Column::ClientOrgId, f.client_org_id, "clientOrgId")
            }
        };
        let value = value.filter(|v| !v.is_empty()).ok_or_else(|| {
            DomainError::from(FlowError::parameter(
                "recycleKeys.invalid",
                format!(
                    "The account has no {name} to find it by; leave {name} out of recycleKeys."
                ),
            ))
        })?;
        q = q.filter(column.eq(value));
    }
    match &p.owner {
        Owner::App => {}
        Owner::Primary => q = q.filter(account::Column::CopiedBy.is_null()),
        Owner::Secondary(uid) => q = q.filter(account::Column::UserId.eq(uid.clone())),
    }
    let found = q.order_by_asc(account::Column::Id).one(txn).await?;
    // Recycling may find an account by other fields than its identity; an end user's account
    // must not take another identity that way, or that identity's next sign-in would get
    // the user's session.
    if let Some(a) = &found {
        if !p.recycle_keys.is_empty()
            && a.user_id.is_some()
            && a.auth_user_id.as_deref() != Some(f.auth_user_id)
        {
            return Err(FlowError::parameter(
                "recycleKeys.invalid",
                "The account these recycleKeys find belongs to an end user under another identity; it is not changed.",
            )
            .into());
        }
    }
    if let (Owner::Primary, Some(a)) = (&p.owner, &found) {
        if let Some(uid) = &a.user_id {
            let owner = end_user::Entity::find_by_id(uid.clone()).one(txn).await?;
            if owner.is_some_and(|u| u.primary_account_id != Some(a.id)) {
                return Ok(None);
            }
        }
    }
    Ok(found)
}

/// The secondary import's end user, held until commit so they cannot be deleted while an
/// account joins them (as the hosted flow holds them). 404 if not this app's.
pub async fn joined_user(
    txn: &impl ConnectionTrait,
    app_id: uuid::Uuid,
    p: &Placement,
) -> Result<Option<end_user::Model>, DomainError> {
    let Owner::Secondary(uid) = &p.owner else {
        return Ok(None);
    };
    end_user::Entity::find_by_id(uid.clone())
        .filter(end_user::Column::AppId.eq(app_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .map(Some)
        .ok_or(DomainError::NotFound)
}

/// The end user of the saved account, and a new session for a primary one (in the caller's
/// transaction).
pub async fn attach(
    txn: &impl ConnectionTrait,
    keys: &FlowKeys,
    row: &account::Model,
    p: &Placement,
    joined: Option<end_user::Model>,
    now: i64,
) -> Result<(Option<end_user::Model>, Option<String>), DomainError> {
    match (&p.owner, joined) {
        (Owner::Primary, _) => {
            let user = users::for_primary(txn, row, now).await?;
            let token = session::start(txn, keys, &user, now).await?;
            Ok((Some(user), Some(token)))
        }
        (Owner::Secondary(_), Some(user)) => {
            users::link(txn, row, &user.id).await?;
            Ok((Some(user), None))
        }
        _ => Ok((None, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_account_and_user_id_are_read_as_the_user_session_flow_reads_them() {
        let p = |a, u| Placement::parse(a, u, &[]).map(|p| p.owner);
        assert_eq!(p(None, None).unwrap(), Owner::App);
        assert_eq!(p(Some("primary"), None).unwrap(), Owner::Primary);
        assert_eq!(
            p(None, Some("u_1")).unwrap(),
            Owner::Secondary("u_1".into())
        );
        assert_eq!(
            p(Some("secondary"), Some("u_1")).unwrap(),
            Owner::Secondary("u_1".into())
        );
        assert!(p(Some("secondary"), None).is_err());
        assert!(p(Some("primary"), Some("u_1")).is_err());
        assert!(p(Some("owner"), None).is_err());
    }

    #[test]
    fn a_primary_account_is_found_by_its_identity_only() {
        assert!(Placement::parse(Some("primary"), None, &["email"]).is_err());
        assert!(Placement::parse(Some("secondary"), Some("u"), &["email"]).is_ok());
    }

    #[test]
    fn recycle_keys_may_repeat_or_be_comma_separated() {
        let keys = Placement::parse(None, None, &["email,userId", "email"])
            .unwrap()
            .recycle_keys;
        assert_eq!(keys, [RecycleKey::Email, RecycleKey::UserId]);
        assert!(Placement::parse(None, None, &["serverUrl"]).is_err());
        assert!(Placement::parse(None, None, &["password"]).is_err());
    }
}
