//! Signed assertions the Sandbox accepts (RFC 7523): a Google-style JWT-bearer grant signed
//! by a service account's key, and an Office 365-style client assertion signed by a
//! certificate's key. Public keys are registered with the Sandbox by key id (the service
//! account's email, or the client id), as a provider's console would hold them.
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::Deserialize;

use super::SandboxError;
use crate::domain::flow::identity::jwt_claims;
use crate::domain::flow::FlowContext;
use crate::entity::sandbox_service_key;

#[derive(Debug, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: Option<String>,
    pub scope: Option<String>,
    pub iat: Option<i64>,
    pub exp: i64,
}

/// Registers (or replaces) a public key; refuses anything that is not an RSA public key.
pub async fn register_key(
    db: &impl ConnectionTrait,
    key_id: &str,
    public_key_pem: &str,
    now: i64,
) -> Result<(), SandboxError> {
    if key_id.is_empty() || key_id.len() > 320 {
        return Err(SandboxError::InvalidRequest("key_id is required".into()));
    }
    DecodingKey::from_rsa_pem(public_key_pem.as_bytes()).map_err(|_| {
        SandboxError::InvalidRequest("public_key is not an RSA public key in PEM".into())
    })?;
    sandbox_service_key::Entity::delete_by_id(key_id.to_owned())
        .exec(db)
        .await?;
    sandbox_service_key::ActiveModel {
        key_id: Set(key_id.to_owned()),
        public_key_pem: Set(public_key_pem.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub fn token_url(ctx: &FlowContext) -> String {
    format!("{}/sandbox/token", ctx.public_origin)
}

/// Verifies an assertion signed by the key registered for its `iss`, for this token URL,
/// living at most an hour; `expected_iss` pins the issuer (client assertions).
pub async fn verify(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    jwt: &str,
    expected_iss: Option<&str>,
) -> Result<Claims, SandboxError> {
    let peek = jwt_claims(jwt).ok_or(SandboxError::InvalidGrant)?;
    let iss = peek
        .get("iss")
        .and_then(|v| v.as_str())
        .ok_or(SandboxError::InvalidGrant)?
        .to_owned();
    if expected_iss.is_some_and(|e| e != iss) {
        return Err(SandboxError::InvalidClient);
    }
    let key = sandbox_service_key::Entity::find_by_id(iss)
        .one(db)
        .await?
        .ok_or(SandboxError::InvalidGrant)?;
    let decoding = DecodingKey::from_rsa_pem(key.public_key_pem.as_bytes())
        .map_err(|_| SandboxError::InvalidGrant)?;
    let mut validation = Validation::new(Algorithm::RS256);
    // As Microsoft: RS256, or PS256 (what a certificate with `x5t#S256` signs with).
    validation.algorithms = vec![Algorithm::RS256, Algorithm::PS256];
    validation.set_audience(&[token_url(ctx)]);
    validation.set_required_spec_claims(&["exp", "aud", "iss"]);
    let claims = decode::<Claims>(jwt, &decoding, &validation)
        .map_err(|_| SandboxError::InvalidGrant)?
        .claims;
    if claims.iat.is_some_and(|iat| claims.exp - iat > 3600) {
        return Err(SandboxError::InvalidGrant);
    }
    Ok(claims)
}
