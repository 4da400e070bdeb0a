//! The Sandbox's authorization endpoint: checks the request, shows a consent page (the
//! surface renders it), and on approval issues a code to the platform's callback.
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use url::Url;
use uuid::Uuid;

use super::{SandboxError, CODE_TTL_SECS};
use crate::domain::crypto::random_token;
use crate::domain::flow::FlowContext;
use crate::entity::{application, sandbox_grant};

/// A checked authorization request; what the consent page shows and posts back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRequest {
    pub client_id: String,
    pub app_name: String,
    pub redirect_uri: String,
    pub state: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub login_hint: Option<String>,
    /// OpenID `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
}

use super::params::OAuthParams;

fn invalid(m: &str) -> SandboxError {
    SandboxError::InvalidRequest(m.to_owned())
}

/// Checks what the authorization endpoint (or the consent form) received. Errors here are
/// shown on the page, never redirected: the redirect URI may be the thing that is wrong.
pub async fn check(
    db: &impl ConnectionTrait,
    ctx: &FlowContext,
    p: &OAuthParams,
) -> Result<ConsentRequest, SandboxError> {
    let client_id = p
        .client_id
        .as_deref()
        .ok_or_else(|| invalid("client_id is missing."))?;
    let app = application::Entity::find()
        .filter(application::Column::ClientId.eq(client_id))
        .one(db)
        .await?
        .ok_or_else(|| invalid("No application has this client_id."))?;
    let redirect_uri = p
        .redirect_uri
        .as_deref()
        .ok_or_else(|| invalid("redirect_uri is missing."))?;
    if redirect_uri != ctx.callback_url() {
        return Err(invalid(
            "The Sandbox only redirects to this platform's callback.",
        ));
    }
    if p.response_type.as_deref() != Some("code") {
        return Err(invalid("response_type must be code."));
    }
    let code_challenge = p.code_challenge.as_deref().map(str::to_owned);
    if code_challenge.is_some() && p.code_challenge_method.as_deref() != Some("S256") {
        return Err(invalid("Only the S256 code challenge method is supported."));
    }
    let state = p
        .state
        .as_deref()
        .ok_or_else(|| invalid("state is missing."))?;
    let scopes = p
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    Ok(ConsentRequest {
        client_id: client_id.to_owned(),
        app_name: app.name,
        redirect_uri: redirect_uri.to_owned(),
        state: state.to_owned(),
        scopes,
        code_challenge,
        login_hint: p.login_hint.as_deref().map(str::to_owned),
        nonce: p
            .nonce
            .as_deref()
            .filter(|n| n.len() <= 256)
            .map(str::to_owned),
    })
}

fn redirect(
    req: &ConsentRequest,
    ctx: &FlowContext,
    params: &[(&str, &str)],
) -> Result<Url, SandboxError> {
    let mut url =
        Url::parse(&req.redirect_uri).map_err(|_| invalid("redirect_uri is not a URL."))?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("state", &req.state);
        // RFC 9207: say who answered, so the client can detect a mix-up.
        q.append_pair("iss", &format!("{}/sandbox", ctx.public_origin));
    }
    Ok(url)
}

/// The user declined: back to the client with `access_denied`.
pub fn deny(req: &ConsentRequest, ctx: &FlowContext) -> Result<Url, SandboxError> {
    redirect(req, ctx, &[("error", "access_denied")])
}

/// Who signs in at the consent page: an email, a name, and optionally the organization
/// (Office 365 tenant or Google Workspace domain) the ID token names as `tid` and `hd`.
pub struct SignedInAs<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub org: &'a str,
    /// An administrator of `org`: Office 365's Global Administrator role in `wids`, and
    /// `isAdmin` in the directory (Google).
    pub admin: bool,
}

/// The user approved as `who`, granting `granted` (a subset of what was asked).
pub async fn approve(
    db: &sea_orm::DatabaseConnection,
    ctx: &FlowContext,
    req: &ConsentRequest,
    who: SignedInAs<'_>,
    granted: &[String],
    now: i64,
) -> Result<Url, SandboxError> {
    let SignedInAs {
        email,
        name,
        org,
        admin,
    } = who;
    let org = org.trim().to_ascii_lowercase();
    if org.len() > 253
        || !org
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(invalid("Enter the organization as a domain or tenant id."));
    }
    let email = email.trim().to_ascii_lowercase();
    if email.len() > 254 || !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(invalid("Enter an email address to sign in as."));
    }
    let name = name.trim();
    if name.len() > 100 || name.chars().any(char::is_control) {
        return Err(invalid("Use a name of at most 100 characters."));
    }
    let granted: Vec<&String> = granted.iter().filter(|s| req.scopes.contains(s)).collect();
    let code = random_token("sbx_code_");
    let row = sandbox_grant::ActiveModel {
        token_hash: Set(ctx.keys.sandbox_token.hash(code.as_bytes())),
        kind: Set("code".into()),
        grant_id: Set(Uuid::new_v4()),
        client_id: Set(req.client_id.clone()),
        subject: Set(format!("sandbox|{email}")),
        email: Set(email.clone()),
        name: Set(if name.is_empty() {
            email.clone()
        } else {
            name.to_owned()
        }),
        scope: Set(granted
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")),
        redirect_uri: Set(Some(req.redirect_uri.clone())),
        code_challenge: Set(req.code_challenge.clone()),
        issued_by: Set("consent".into()),
        created_at: Set(now),
        expires_at: Set(now + CODE_TTL_SECS),
        used_at: Set(None),
        nonce: Set(req.nonce.clone()),
        admin: Set(admin && !org.is_empty()),
        org: Set(Some(org).filter(|o| !o.is_empty())),
    };
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    row.insert(&txn).await?;
    txn.commit().await?;
    redirect(req, ctx, &[("code", &code)])
}

/// An Office 365-style admin-consent request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminConsentRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
}

pub fn check_admin(
    ctx: &FlowContext,
    p: &OAuthParams,
) -> Result<AdminConsentRequest, SandboxError> {
    let client_id = p
        .client_id
        .as_deref()
        .ok_or_else(|| invalid("client_id is missing."))?;
    let redirect_uri = p
        .redirect_uri
        .as_deref()
        .ok_or_else(|| invalid("redirect_uri is missing."))?;
    if redirect_uri != ctx.callback_url() {
        return Err(invalid(
            "The Sandbox only redirects to this platform's callback.",
        ));
    }
    let state = p
        .state
        .as_deref()
        .ok_or_else(|| invalid("state is missing."))?;
    Ok(AdminConsentRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: state.to_owned(),
    })
}

/// Back to the client: `admin_consent=True&tenant=…`, or `error=access_denied`.
pub fn admin_decision(
    req: &AdminConsentRequest,
    approve: bool,
    tenant: &str,
) -> Result<Url, SandboxError> {
    let mut url =
        Url::parse(&req.redirect_uri).map_err(|_| invalid("redirect_uri is not a URL."))?;
    {
        let mut q = url.query_pairs_mut();
        if approve {
            let tenant = tenant.trim();
            if tenant.is_empty()
                || tenant.len() > 253
                || !tenant
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return Err(invalid("Enter the tenant as a domain or id."));
            }
            q.append_pair("admin_consent", "True");
            q.append_pair("tenant", tenant);
        } else {
            q.append_pair("error", "access_denied");
            q.append_pair("error_description", "The administrator declined.");
        }
        q.append_pair("state", &req.state);
    }
    Ok(url)
}
