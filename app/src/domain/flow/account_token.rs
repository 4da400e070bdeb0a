//! Platform access tokens of accounts: 256 random bits shown once, stored only as keyed
//! hashes and looked up by them. Tokens issued under an earlier master key still work and
//! are re-hashed under the current one on first use.
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{FlowError, FlowKeys};
use crate::domain::crypto::random_token;
use crate::domain::DomainError;
use crate::entity::{account, account_token};

pub const PREFIX: &str = "lga_";
const MAX_LEN: usize = 128;

/// Issues a token for an account; `code_hash` names the code whose exchange issued it.
pub async fn mint(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    account: &account::Model,
    code_hash: Option<String>,
    now: i64,
) -> Result<String, DomainError> {
    mint_for(db, keys, account.id, account.app_id, code_hash, now).await
}

/// [`mint`] by ids, for the code exchange, which knows them from the code's row.
pub async fn mint_for(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    account_id: i64,
    app_id: Uuid,
    code_hash: Option<String>,
    now: i64,
) -> Result<String, DomainError> {
    let token = random_token(PREFIX);
    account_token::ActiveModel {
        token_hash: Set(keys.token.hash(token.as_bytes())),
        account_id: Set(account_id),
        app_id: Set(app_id),
        code_hash: Set(code_hash),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Whether a presented value could be a token at all (checked before it is hashed).
pub fn well_formed(presented: &str) -> bool {
    presented.starts_with(PREFIX) && presented.len() <= MAX_LEN
}

/// The account a presented token belongs to, with the token's current hash.
pub async fn lookup(
    db: &sea_orm::DatabaseConnection,
    keys: &FlowKeys,
    presented: &str,
) -> Result<(account::Model, String), DomainError> {
    if !well_formed(presented) {
        return Err(FlowError::TokenInvalid.into());
    }
    let current = keys.token.hash(presented.as_bytes());
    lookup_hashed(db, keys, presented, current).await
}

/// [`lookup`] of a well-formed token whose current hash the caller has already made (the
/// answer cache is keyed by it).
pub async fn lookup_hashed(
    db: &sea_orm::DatabaseConnection,
    keys: &FlowKeys,
    presented: &str,
    current: String,
) -> Result<(account::Model, String), DomainError> {
    // The hot path: one query from token hash to account.
    if let Some(account) = account_by_token_hash(db, &current).await? {
        return Ok((account, current));
    }
    // Tokens issued under an earlier master key: re-hash on first use.
    for old in &keys.previous_token {
        let old_hash = old.hash(presented.as_bytes());
        if let Some(account) = account_by_token_hash(db, &old_hash).await? {
            // A write to the tokens: in its turn, like every other (answer_cache).
            let txn = crate::domain::write_transaction::begin_write(db).await?;
            account_token::Entity::update_many()
                .col_expr(
                    account_token::Column::TokenHash,
                    Expr::value(current.clone()),
                )
                .filter(account_token::Column::TokenHash.eq(old_hash))
                .exec(&txn)
                .await?;
            txn.commit().await?;
            return Ok((account, current));
        }
    }
    Err(FlowError::TokenInvalid.into())
}

async fn account_by_token_hash(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<account::Model>, DomainError> {
    let of_token = Query::select()
        .column(account_token::Column::AccountId)
        .from(account_token::Entity)
        .and_where(account_token::Column::TokenHash.eq(hash))
        .to_owned();
    Ok(account::Entity::find()
        .filter(account::Column::Id.in_subquery(of_token))
        .one(db)
        .await?)
}

pub async fn revoke_all(db: &impl ConnectionTrait, account_id: i64) -> Result<u64, DomainError> {
    Ok(account_token::Entity::delete_many()
        .filter(account_token::Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Revokes what one code's exchange issued (a replayed code, RFC 6749 §4.1.2).
pub async fn revoke_issued_by(
    db: &impl ConnectionTrait,
    app_id: Uuid,
    code_hash: &str,
) -> Result<u64, DomainError> {
    Ok(account_token::Entity::delete_many()
        .filter(account_token::Column::AppId.eq(app_id))
        .filter(account_token::Column::CodeHash.eq(code_hash))
        .exec(db)
        .await?
        .rows_affected)
}
