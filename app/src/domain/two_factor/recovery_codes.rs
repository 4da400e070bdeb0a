//! Ten single-use recovery codes, shown once when two-factor sign-in is set up, kept only as
//! keyed hashes. Each is 10 characters of a 32-letter alphabet without look-alikes (50 bits).
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::crypto::KeyedHasher;
use crate::domain::DomainError;
use crate::entity::recovery_code;

pub const COUNT: usize = 10;
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// As typed: case, spaces and dashes do not matter.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn one() -> String {
    let mut rng = rand::rngs::OsRng;
    let letters: String = (0..10)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{}-{}", &letters[..5], &letters[5..])
}

/// Replaces the user's codes with ten new ones; returns them (the only copies).
pub async fn replace(
    txn: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    user_id: Uuid,
) -> Result<Vec<String>, DomainError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    let codes: Vec<String> = (0..COUNT).map(|_| one()).collect();
    let rows = codes.iter().map(|c| recovery_code::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user_id),
        code_hash: Set(hasher.hash(normalise(c).as_bytes())),
        used_at: Set(None),
    });
    recovery_code::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(codes)
}

/// Uses one of the user's codes: exactly one of any number of parallel requests gets it.
pub async fn redeem(
    txn: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    user_id: Uuid,
    code: &str,
    now: i64,
) -> Result<bool, DomainError> {
    let code = normalise(code);
    if code.len() != 10 {
        return Ok(false);
    }
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.eq(hasher.hash(code.as_bytes())))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(used.rows_affected == 1)
}

pub async fn remaining(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DomainError> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

pub async fn delete_all(txn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DomainError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_typed_loosely() {
        let c = one();
        assert_eq!(c.len(), 11);
        assert_eq!(
            normalise(&c.to_uppercase().replace('-', " ")),
            normalise(&c)
        );
        assert!(!c.contains(['0', 'o', '1', 'l', 'i']));
    }
}
