//! The Sandbox's token, userinfo and revocation endpoints (RFC 6749 §4.1.3 and §6, RFC 7009).
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{SandboxError, ACCESS_TTL_SECS, REFRESH_TTL_SECS};
use crate::domain::crypto::random_token;
use crate::domain::flow::FlowContext;
use crate::entity::{application, sandbox_grant};

#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
    /// OpenID Connect: when `openid` was granted (authorization code grant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

#[derive(Serialize)]
pub struct UserInfo {
    pub sub: String,
    pub email: String,
    /// OpenID Connect's standard claim: the Sandbox's addresses count as verified.
    pub email_verified: bool,
    pub name: String,
}

/// Checks the client's id and derived secret (constant time).
pub async fn authenticate_client(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    client_id: &str,
    secret: &str,
) -> Result<(), SandboxError> {
    let expected = ctx.sandbox_client_secret(client_id);
    if !bool::from(expected.as_bytes().ct_eq(secret.as_bytes())) {
        return Err(SandboxError::InvalidClient);
    }
    application::Entity::find()
        .filter(application::Column::ClientId.eq(client_id))
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(SandboxError::InvalidClient)
}

use super::params::OAuthParams;

fn hash(ctx: &FlowContext, token: &str) -> String {
    ctx.keys.sandbox_token.hash(token.as_bytes())
}

async fn find_live(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    token: &str,
    kind: &str,
    now: i64,
) -> Result<sandbox_grant::Model, SandboxError> {
    sandbox_grant::Entity::find_by_id(hash(ctx, token))
        .filter(sandbox_grant::Column::Kind.eq(kind))
        .filter(sandbox_grant::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or(if kind == "access" {
            SandboxError::InvalidToken
        } else {
            SandboxError::InvalidGrant
        })
}

fn issued(
    ctx: &FlowContext,
    from: &sandbox_grant::Model,
    kind: &str,
    token: &str,
    by: &str,
    ttl: i64,
    now: i64,
) -> sandbox_grant::ActiveModel {
    sandbox_grant::ActiveModel {
        token_hash: Set(hash(ctx, token)),
        kind: Set(kind.into()),
        grant_id: Set(from.grant_id),
        client_id: Set(from.client_id.clone()),
        subject: Set(from.subject.clone()),
        email: Set(from.email.clone()),
        name: Set(from.name.clone()),
        scope: Set(from.scope.clone()),
        redirect_uri: Set(None),
        code_challenge: Set(None),
        issued_by: Set(by.into()),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        nonce: Set(None),
        org: Set(from.org.clone()),
        admin: Set(from.admin),
    }
}

#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: String,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    email: &'a str,
    email_verified: bool,
    name: &'a str,
    /// Office 365's tenant and Google's Workspace domain, when the user named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    tid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hd: Option<&'a str>,
    /// Office 365's directory role templates: Global Administrator, or the member role.
    #[serde(skip_serializing_if = "Option::is_none")]
    wids: Option<[&'static str; 1]>,
}

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const MEMBER: &str = "b79fbf4d-3ef9-4689-8143-76b194e85509";

/// An OpenID Connect ID token for a code's grant, signed HS256 with the client's secret
/// (OpenID Connect Core §10.1); the platform reads it straight from this endpoint over TLS.
fn id_token(ctx: &FlowContext, g: &sandbox_grant::Model, now: i64) -> Result<String, SandboxError> {
    let claims = IdTokenClaims {
        iss: format!("{}/sandbox", ctx.public_origin),
        sub: &g.subject,
        aud: &g.client_id,
        iat: now,
        exp: now + ACCESS_TTL_SECS,
        nonce: g.nonce.as_deref(),
        email: &g.email,
        email_verified: true,
        name: &g.name,
        tid: g.org.as_deref(),
        hd: g.org.as_deref(),
        wids: g.org.as_ref().map(|_| {
            [if g.admin {
                GLOBAL_ADMINISTRATOR
            } else {
                MEMBER
            }]
        }),
    };
    let key =
        jsonwebtoken::EncodingKey::from_secret(ctx.sandbox_client_secret(&g.client_id).as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key)
        .map_err(|_| SandboxError::InvalidRequest("the ID token could not be signed".into()))
}

/// The two grants for service accounts: `client_credentials` (after client authentication,
/// by secret or assertion) and the JWT-bearer grant (the assertion is the authentication).
/// Their tokens have no refresh token: a new grant is the refresh.
pub async fn service_grant(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    client_id: Option<&str>,
    p: &OAuthParams,
    now: i64,
) -> Result<TokenResponse, SandboxError> {
    let (subject, email, scope, by) = match p.grant_type.as_deref() {
        Some("client_credentials") => {
            let client = client_id.ok_or(SandboxError::InvalidClient)?;
            let scope = p.scope.as_deref().unwrap_or_default().to_owned();
            (
                format!("app|{client}"),
                client.to_owned(),
                scope,
                "client_credentials",
            )
        }
        Some(JWT_BEARER) => {
            let assertion = p.assertion.as_deref().ok_or(SandboxError::InvalidGrant)?;
            let claims = super::assertion::verify(db, ctx, assertion, None).await?;
            let mailbox = claims.sub.clone().unwrap_or_else(|| claims.iss.clone());
            (
                format!("delegated|{}|{mailbox}", claims.iss),
                mailbox,
                claims.scope.unwrap_or_default(),
                "jwt_bearer",
            )
        }
        _ => return Err(SandboxError::UnsupportedGrantType),
    };
    let access = random_token("sbx_at_");
    sandbox_grant::ActiveModel {
        token_hash: Set(hash(ctx, &access)),
        kind: Set("access".into()),
        grant_id: Set(uuid::Uuid::new_v4()),
        client_id: Set(client_id.unwrap_or("service-account").to_owned()),
        subject: Set(subject),
        email: Set(email.clone()),
        name: Set(email),
        scope: Set(scope.clone()),
        redirect_uri: Set(None),
        code_challenge: Set(None),
        issued_by: Set(by.into()),
        created_at: Set(now),
        expires_at: Set(now + ACCESS_TTL_SECS),
        used_at: Set(None),
        nonce: Set(None),
        org: Set(None),
        admin: Set(false),
    }
    .insert(db)
    .await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: ACCESS_TTL_SECS,
        refresh_token: None,
        scope,
        id_token: None,
    })
}

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub const CLIENT_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The token endpoint, after client authentication.
pub async fn grant(
    db: &DatabaseConnection,
    ctx: &FlowContext,
    client_id: &str,
    p: &OAuthParams,
    now: i64,
) -> Result<TokenResponse, SandboxError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let (from, refresh_token, by) = match p.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = p.code.as_deref().ok_or(SandboxError::InvalidGrant)?;
            let row = find_live(&txn, ctx, code, "code", now).await?;
            let used = sandbox_grant::Entity::update_many()
                .col_expr(sandbox_grant::Column::UsedAt, Expr::value(now))
                .filter(sandbox_grant::Column::TokenHash.eq(row.token_hash.clone()))
                .filter(sandbox_grant::Column::UsedAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected;
            if used != 1 || row.client_id != client_id {
                return Err(SandboxError::InvalidGrant);
            }
            if p.redirect_uri.as_deref() != row.redirect_uri.as_deref() {
                return Err(SandboxError::InvalidGrant);
            }
            if let Some(challenge) = &row.code_challenge {
                let verifier = p
                    .code_verifier
                    .as_deref()
                    .ok_or(SandboxError::InvalidGrant)?;
                let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                if !bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                    return Err(SandboxError::InvalidGrant);
                }
            }
            let refresh = random_token("sbx_rt_");
            issued(
                ctx,
                &row,
                "refresh",
                &refresh,
                "consent",
                REFRESH_TTL_SECS,
                now,
            )
            .insert(&txn)
            .await?;
            (row, Some(refresh), "consent")
        }
        Some("refresh_token") => {
            let token = p
                .refresh_token
                .as_deref()
                .ok_or(SandboxError::InvalidGrant)?;
            let row = find_live(&txn, ctx, token, "refresh", now).await?;
            if row.client_id != client_id {
                return Err(SandboxError::InvalidGrant);
            }
            (row, None, "refresh")
        }
        Some(_) => return Err(SandboxError::UnsupportedGrantType),
        None => return Err(SandboxError::InvalidRequest("grant_type is missing".into())),
    };
    let access = random_token("sbx_at_");
    issued(ctx, &from, "access", &access, by, ACCESS_TTL_SECS, now)
        .insert(&txn)
        .await?;
    let id_token = if by == "consent" && from.scope.split_whitespace().any(|s| s == "openid") {
        Some(id_token(ctx, &from, now)?)
    } else {
        None
    };
    txn.commit().await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: ACCESS_TTL_SECS,
        refresh_token,
        scope: from.scope,
        id_token,
    })
}

/// The directory entry of a user, as Google's Admin SDK answers it: only an administrator's
/// token with the directory scope may read it; anyone else gets `Forbidden`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    pub id: String,
    pub primary_email: String,
    pub is_admin: bool,
}

pub async fn directory_user(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    access_token: &str,
    user: &str,
    now: i64,
) -> Result<DirectoryUser, SandboxError> {
    let row = find_live(db, ctx, access_token, "access", now).await?;
    let scoped = row
        .scope
        .split_whitespace()
        .any(|s| s.ends_with("admin.directory.user.readonly"));
    if !scoped || !row.admin || row.subject != user {
        return Err(SandboxError::Forbidden);
    }
    Ok(DirectoryUser {
        id: row.subject,
        primary_email: row.email,
        is_admin: true,
    })
}

pub async fn userinfo(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    access_token: &str,
    now: i64,
) -> Result<UserInfo, SandboxError> {
    let row = find_live(db, ctx, access_token, "access", now).await?;
    Ok(UserInfo {
        sub: row.subject,
        email: row.email,
        email_verified: true,
        name: row.name,
    })
}

/// RFC 7009: revoking any token of a grant revokes the whole grant (as Google does). An
/// unknown token is not an error (§2.2). Revoked rows are expired, not deleted, so what the
/// Sandbox issued can still be counted.
pub async fn revoke(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    client_id: &str,
    token: &str,
) -> Result<(), SandboxError> {
    let row = sandbox_grant::Entity::find_by_id(hash(ctx, token))
        .one(db)
        .await?;
    if let Some(row) = row.filter(|r| r.client_id == client_id) {
        sandbox_grant::Entity::update_many()
            .col_expr(sandbox_grant::Column::ExpiresAt, Expr::value(0))
            .filter(sandbox_grant::Column::GrantId.eq(row.grant_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many access tokens the Sandbox issued by refreshing, for a client (tests count the
/// platform's upstream refreshes at the provider with this).
pub async fn refresh_count(
    db: &impl ConnectionTrait,
    client_id: &str,
) -> Result<u64, SandboxError> {
    use sea_orm::PaginatorTrait;
    Ok(sandbox_grant::Entity::find()
        .filter(sandbox_grant::Column::ClientId.eq(client_id))
        .filter(sandbox_grant::Column::IssuedBy.eq("refresh"))
        .filter(sandbox_grant::Column::Kind.eq("access"))
        .count(db)
        .await?)
}
