//! An application's logo for its connect links' page: PNG, JPEG or WebP, recognised by its
//! first bytes (never by what the upload claims, so no SVG with a script slips in), at most
//! 256 KiB. Served with the type read here and `nosniff`.
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::secrets::app_label;
use crate::domain::authz::{self, Action, Actor};
use crate::domain::team::audit::{self, Change};
use crate::domain::DomainError;
use crate::entity::app_logo;

pub use crate::logo_refusal::{LogoRefusal, MAX_LOGO_BYTES as MAX_BYTES};

/// The image type of `bytes`, if it is one the page shows.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Saves `bytes` as the logo of `app_id` (replacing any), as `actor`; or why not.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    bytes: Vec<u8>,
    now: i64,
) -> Result<Result<(), LogoRefusal>, DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    if bytes.is_empty() {
        return Ok(Err(LogoRefusal::Empty));
    }
    if bytes.len() > MAX_BYTES {
        return Ok(Err(LogoRefusal::TooLarge));
    }
    let Some(content_type) = image_type(&bytes) else {
        return Ok(Err(LogoRefusal::NotImage));
    };
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    app_logo::Entity::delete_by_id(app_id).exec(&txn).await?;
    let size = bytes.len();
    app_logo::ActiveModel {
        app_id: Set(app_id),
        content_type: Set(content_type.to_owned()),
        bytes: Set(bytes),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let after = json!({ "type": content_type, "bytes": size });
    audited(&txn, actor, app_id, "app.logo_changed", Some(after), now).await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Removes the logo of `app_id`, as `actor`.
pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
    now: i64,
) -> Result<(), DomainError> {
    authz::authorize(db, actor, Action::EditApp(app_id)).await?;
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let removed = app_logo::Entity::delete_by_id(app_id).exec(&txn).await?;
    if removed.rows_affected > 0 {
        audited(&txn, actor, app_id, "app.logo_removed", None, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn audited(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    app_id: Uuid,
    action: &'static str,
    after: Option<serde_json::Value>,
    now: i64,
) -> Result<(), DomainError> {
    let change = Change {
        action,
        target_kind: "app",
        target_id: app_id.to_string(),
        target_label: app_label(txn, app_id).await?,
        before: None,
        after,
    };
    audit::record(txn, actor, change, now).await
}

/// Whether `app_id` has a logo.
pub async fn exists(db: &impl ConnectionTrait, app_id: Uuid) -> Result<bool, DomainError> {
    Ok(app_logo::Entity::find_by_id(app_id).count(db).await? > 0)
}

/// The logo of `app_id` for a member who may see the app: its type and bytes.
pub async fn shown_to(
    db: &DatabaseConnection,
    actor: &Actor,
    app_id: Uuid,
) -> Result<Option<(String, Vec<u8>)>, DomainError> {
    authz::authorize(db, actor, Action::ViewApp(app_id)).await?;
    find(db, app_id).await
}

/// The logo of `app_id`: its type and bytes.
pub async fn find(
    db: &impl ConnectionTrait,
    app_id: Uuid,
) -> Result<Option<(String, Vec<u8>)>, DomainError> {
    Ok(app_logo::Entity::find_by_id(app_id)
        .one(db)
        .await?
        .map(|l| (l.content_type, l.bytes)))
}

#[cfg(test)]
mod tests {
    use super::image_type;

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            image_type(b"<svg xmlns='http://www.w3.org/2000/svg'><script/>"),
            None
        );
        assert_eq!(image_type(b"GIF89a"), None);
        assert_eq!(image_type(b""), None);
    }
}
