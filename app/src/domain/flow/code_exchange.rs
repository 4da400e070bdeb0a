//! Step 3: the app trades the one-time code for `{accountId, accessToken}` (AppAuth).
//! A code is single use, bound to its app and lives 5 minutes; a second use is refused and
//! revokes what the first use issued (wire-api.md, "Code exchange").
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::{account_token, FlowError, FlowKeys, CODE_TTL_SECS};
use crate::domain::crypto::random_token;
use crate::domain::end_user::session;
use crate::domain::DomainError;
use crate::entity::{auth_code, end_user};

pub const PREFIX: &str = "lgc_";

/// Issues a code for an account of an app (in the caller's transaction); in the user-session
/// flow it names the end user, and its exchange also starts a session.
pub async fn issue(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    app_id: Uuid,
    account_id: i64,
    end_user_id: Option<String>,
    now: i64,
) -> Result<String, DomainError> {
    let code = random_token(PREFIX);
    auth_code::ActiveModel {
        code_hash: Set(keys.code.hash(code.as_bytes())),
        app_id: Set(app_id),
        account_id: Set(account_id),
        issued_at: Set(now),
        expires_at: Set(now + CODE_TTL_SECS),
        used_at: Set(None),
        issue_session: Set(end_user_id.is_some()),
        end_user_id: Set(end_user_id),
    }
    .insert(db)
    .await?;
    Ok(code)
}

/// What an exchange hands the app; holds tokens, so its `Debug` shows none.
pub struct Exchanged {
    pub account_id: i64,
    pub access_token: String,
    /// User-session flow: the end user and a new session.
    pub user: Option<(String, String)>,
}

impl std::fmt::Debug for Exchanged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Exchanged(account {}, tokens ..)", self.account_id)
    }
}

pub async fn exchange(
    db: &DatabaseConnection,
    keys: &FlowKeys,
    app_id: Uuid,
    code: &str,
    now: i64,
) -> Result<Exchanged, DomainError> {
    if !code.starts_with(PREFIX) || code.len() > 128 {
        return Err(FlowError::CodeInvalid.into());
    }
    let code_hash = keys.code.hash(code.as_bytes());
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    // Claim first: a conditional update as the transaction's first statement takes SQLite's
    // write lock at once, and lets exactly one of two concurrent exchanges win; it returns
    // the row, so the winner needs no second read.
    let claimed = auth_code::Entity::update_many()
        .col_expr(auth_code::Column::UsedAt, Expr::value(now))
        .filter(auth_code::Column::CodeHash.eq(code_hash.clone()))
        .filter(auth_code::Column::AppId.eq(app_id))
        .filter(auth_code::Column::UsedAt.is_null())
        .filter(auth_code::Column::ExpiresAt.gt(now))
        .exec_with_returning(&txn)
        .await?
        .into_iter()
        .next();
    let Some(row) = claimed else {
        let row = auth_code::Entity::find_by_id(code_hash.clone())
            .one(&txn)
            .await?
            .ok_or(FlowError::CodeInvalid)?;
        // Another app's code is unknown to this one: no hint, no revocation on its behalf.
        if row.app_id == app_id && row.used_at.is_some() {
            account_token::revoke_issued_by(&txn, app_id, &code_hash).await?;
            if let (Some(uid), true) = (&row.end_user_id, row.issue_session) {
                session::end_all(&txn, uid).await?;
            }
            txn.commit().await?;
            tracing::warn!(
                account_id = row.account_id,
                "a code was replayed; its tokens are revoked"
            );
            return Err(FlowError::CodeReplayed {
                account_id: row.account_id,
            }
            .into());
        }
        return Err(FlowError::CodeInvalid.into());
    };
    // The account is there: deleting it deletes its codes (foreign key, cascade).
    let access_token =
        account_token::mint_for(&txn, keys, row.account_id, app_id, Some(code_hash), now).await?;
    let user = match (&row.end_user_id, row.issue_session) {
        (Some(uid), true) => {
            let u = end_user::Entity::find_by_id(uid.clone())
                .one(&txn)
                .await?
                .ok_or(FlowError::CodeInvalid)?;
            Some((u.id.clone(), session::start(&txn, keys, &u, now).await?))
        }
        _ => None,
    };
    txn.commit().await?;
    Ok(Exchanged {
        account_id: row.account_id,
        access_token,
        user,
    })
}

/// Codes are kept a while after expiry to recognise replays; then they go.
pub async fn delete_stale(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    Ok(auth_code::Entity::delete_many()
        .filter(auth_code::Column::ExpiresAt.lt(now - 24 * 3600))
        .exec(db)
        .await?
        .rows_affected)
}
