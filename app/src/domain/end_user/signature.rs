//! A server names an existing end user for a secondary account with `userId`, `timestamp`
//! and `userSignature` = HMAC-SHA256(key = the app's client secret, data = userId followed
//! by timestamp), in hex, base64 or base64url. Any live secret of the app is accepted (so a
//! rotation breaks nothing); the timestamp is unix seconds (milliseconds also accepted) within
//! 5 minutes; each signature is accepted once; comparisons take constant time.
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::domain::app::secret_place;
use crate::domain::app::secrets::live_secrets;
use crate::domain::flow::authorize_request::UserSignature;
use crate::domain::flow::{FlowError, FlowKeys};
use crate::domain::DomainError;
use crate::entity::{end_user, used_signature};

pub const WINDOW_SECS: i64 = 5 * 60;

fn invalid(message: &str) -> DomainError {
    FlowError::parameter("userSignature.invalid", message).into()
}

fn decode(signature: &str) -> Option<Vec<u8>> {
    let s = signature.trim();
    if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        return hex::decode(s).ok();
    }
    STANDARD
        .decode(s)
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
        .ok()
}

/// The HMAC a caller must send, hex-encoded (also what tests and docs compute).
pub fn sign(secret: &str, user_id: &str, timestamp: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(user_id.as_bytes());
    mac.update(timestamp.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The end user the signature names, once; anything wrong is a 400 `userSignature.invalid`.
pub async fn verify(
    db: &impl ConnectionTrait,
    keys: &FlowKeys,
    app_id: Uuid,
    s: &UserSignature,
    now: i64,
) -> Result<end_user::Model, DomainError> {
    let ts: i64 = s
        .timestamp
        .parse()
        .map_err(|_| invalid("timestamp must be unix seconds."))?;
    let ts_secs = if ts > 100_000_000_000 { ts / 1000 } else { ts };
    if (now - ts_secs).abs() > WINDOW_SECS {
        return Err(invalid(
            "The timestamp is more than 5 minutes away from now.",
        ));
    }
    let presented =
        decode(&s.signature).ok_or_else(|| invalid("The signature is not hex or base64."))?;
    let mut matched = false;
    for secret in live_secrets(db, app_id, now).await? {
        let Ok(opened) = keys.ring.open(&secret_place(secret.id), &secret.sealed) else {
            continue;
        };
        let expected = hex::decode(sign(&opened.0, &s.user_id, &s.timestamp)).unwrap_or_default();
        matched |= bool::from(expected.ct_eq(&presented));
    }
    if !matched {
        return Err(invalid(
            "The signature does not match any live client secret.",
        ));
    }
    let user = end_user::Entity::find_by_id(s.user_id.clone())
        .one(db)
        .await?
        .filter(|u| u.app_id == app_id)
        .ok_or_else(|| invalid("No end user of this application has this userId."))?;
    // Once: the primary key refuses a second insert of the same signature.
    let once = keys.token.hash(
        format!(
            "sig|{app_id}|{}|{}|{}",
            s.user_id,
            s.timestamp,
            hex::encode(&presented)
        )
        .as_bytes(),
    );
    let inserted = used_signature::ActiveModel {
        signature_hash: Set(once),
        created_at: Set(now),
    }
    .insert(db)
    .await;
    if inserted.is_err() {
        return Err(invalid("This signature was already used."));
    }
    Ok(user)
}

/// Used signatures only matter within their window.
pub async fn delete_stale(db: &impl ConnectionTrait, now: i64) -> Result<u64, DomainError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(used_signature::Entity::delete_many()
        .filter(used_signature::Column::CreatedAt.lt(now - 2 * WINDOW_SECS))
        .exec(db)
        .await?
        .rows_affected)
}
