//! Queued mail: written in the transaction of the change that sends it, so a mail goes out
//! exactly when its change commits, and survives a restart or an SMTP outage.
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use super::{Mail, MailContext};
use crate::domain::DomainError;
use crate::entity::outgoing_mail;

/// Where a queued mail's sealed contents live, bound into the ciphertext.
pub(crate) fn place(id: Uuid) -> String {
    format!("outgoing_mail:{id}:sealed")
}

pub async fn enqueue(
    txn: &impl ConnectionTrait,
    ctx: &MailContext,
    mail: &Mail,
    now: i64,
) -> Result<(), DomainError> {
    let id = Uuid::new_v4();
    let plain =
        serde_json::to_string(mail).map_err(|_| DomainError::Internal("mail not encodable"))?;
    outgoing_mail::ActiveModel {
        id: Set(id),
        sealed: Set(ctx.ring.seal(&place(id), &plain)),
        created_at: Set(now),
        next_attempt_at: Set(now),
        attempts: Set(0),
        claimed_until: Set(None),
        last_error: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}
