//! Re-sealing after a master-key change (client secrets, signing secrets, provider secrets,
//! provider tokens of accounts, queued mail): every sealed value is opened (with the previous key it
//! names) and sealed again under the current key, in one transaction. Pending flows live 15
//! minutes and are left alone (previous keys still open them). Client secrets are
//! also re-hashed, since their sealed copy holds them. Values that exist only as keyed
//! hashes (session ids, API keys, invite tokens) cannot be carried over: sessions end, and
//! API keys and pending invites must be issued again (docs/operations.md). Account tokens
//! are the exception: their lookup also tries the previous keys and re-hashes on use.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::account::store;
use super::app::registrations::{client_secret_place, daemon_secret_place};
use super::app::{secret_place, signing_secret, AppKeys};
use super::flow::provider_binding::{access_place, refresh_place};
use super::sealed::SealError;
use super::DomainError;
use crate::entity::{account, app_secret, application, outgoing_mail, provider_registration};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ResealReport {
    pub checked: usize,
    pub resealed: usize,
    /// The key everything is sealed under now.
    pub key_id: String,
}

fn sealing(e: SealError) -> DomainError {
    tracing::error!(error = %e, "a sealed value does not open; is a previous master key missing?");
    DomainError::Internal("a sealed value does not open with the configured keys")
}

pub async fn reseal_all(
    db: &DatabaseConnection,
    keys: &AppKeys,
) -> Result<ResealReport, DomainError> {
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let mut report = ResealReport {
        key_id: keys.ring.current_key_id(),
        ..ResealReport::default()
    };
    for s in app_secret::Entity::find().all(&txn).await? {
        report.checked += 1;
        let place = secret_place(s.id);
        let opened = keys.ring.open(&place, &s.sealed).map_err(sealing)?;
        let hash = keys.secret_hasher.hash(opened.0.as_bytes());
        if let Some(resealed) = keys.ring.reseal(&place, &s.sealed).map_err(sealing)? {
            app_secret::Entity::update_many()
                .col_expr(app_secret::Column::Sealed, Expr::value(resealed))
                .col_expr(app_secret::Column::SecretHash, Expr::value(hash))
                .filter(app_secret::Column::Id.eq(s.id))
                .exec(&txn)
                .await?;
            report.resealed += 1;
        }
    }
    for a in application::Entity::find().all(&txn).await? {
        let Some(sealed) = a.signing_secret else {
            continue;
        };
        report.checked += 1;
        if let Some(resealed) = keys
            .ring
            .reseal(&signing_secret::place(a.id), &sealed)
            .map_err(sealing)?
        {
            application::Entity::update_many()
                .col_expr(application::Column::SigningSecret, Expr::value(resealed))
                .filter(application::Column::Id.eq(a.id))
                .exec(&txn)
                .await?;
            report.resealed += 1;
        }
    }
    for r in provider_registration::Entity::find().all(&txn).await? {
        for (column, value, place) in [
            (
                provider_registration::Column::ClientSecret,
                &r.client_secret,
                client_secret_place(r.id),
            ),
            (
                provider_registration::Column::DaemonSecret,
                &r.daemon_secret,
                daemon_secret_place(r.id),
            ),
        ] {
            let Some(sealed) = value else { continue };
            report.checked += 1;
            if let Some(resealed) = keys.ring.reseal(&place, sealed).map_err(sealing)? {
                provider_registration::Entity::update_many()
                    .col_expr(column, Expr::value(resealed))
                    .filter(provider_registration::Column::Id.eq(r.id))
                    .exec(&txn)
                    .await?;
                report.resealed += 1;
            }
        }
    }
    // Queued mail still goes out; the links in it were hashed under the old key and no
    // longer work, like invites (docs/operations.md).
    for m in outgoing_mail::Entity::find().all(&txn).await? {
        report.checked += 1;
        if let Some(resealed) = keys
            .ring
            .reseal(&crate::domain::mail::outbox::place(m.id), &m.sealed)
            .map_err(sealing)?
        {
            outgoing_mail::Entity::update_many()
                .col_expr(outgoing_mail::Column::Sealed, Expr::value(resealed))
                .filter(outgoing_mail::Column::Id.eq(m.id))
                .exec(&txn)
                .await?;
            report.resealed += 1;
        }
    }
    for a in account::Entity::find().all(&txn).await? {
        for (column, value, place) in [
            (
                account::Column::ProviderAccessToken,
                &a.provider_access_token,
                access_place(a.id, a.provider_binding.as_deref()),
            ),
            (
                account::Column::ProviderRefreshToken,
                &a.provider_refresh_token,
                refresh_place(a.id, a.provider_binding.as_deref()),
            ),
        ] {
            let Some(sealed) = value else { continue };
            report.checked += 1;
            if let Some(resealed) = keys.ring.reseal(&place, sealed).map_err(sealing)? {
                store::resealed(&txn, a.id, column, resealed).await?;
                report.resealed += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(report)
}
