//! The dashboard's tower-sessions store, kept in the database so every server instance sees
//! every session. Session ids are stored only as keyed hashes: a leaked table opens nothing.
use async_trait::async_trait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result as StoreResult, SessionStore};

use super::crypto::KeyedHasher;
use crate::entity::dashboard_session as row;

#[derive(Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    hasher: KeyedHasher,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

/// The session key under which `web::dashboard_session` keeps the signed-in user.
pub const USER_ID_KEY: &str = "user_id";
/// The key under which it keeps who is half-way through signing in.
pub const SECOND_FACTOR_USER_KEY: &str = "second_factor_user";

/// The signed-in user a session holds (`dashboard_session::begin`), kept beside the data so
/// a password reset or "sign out everywhere" finds every session of one user.
/// A session half-way through signing in (password given, second factor due) counts as the
/// user's too: a password reset or "sign out everywhere" ends it as well.
fn user_of(record: &Record) -> Option<uuid::Uuid> {
    [USER_ID_KEY, SECOND_FACTOR_USER_KEY]
        .iter()
        .find_map(|k| record.data.get(*k))
        .and_then(|v| v.as_str())
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
}

/// How a session id is stored (its row's key).
pub fn id_hash(hasher: &KeyedHasher, id: &Id) -> String {
    hasher.hash(&id.0.to_le_bytes())
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, hasher: KeyedHasher) -> Self {
        DbSessionStore { db, hasher }
    }

    fn key(&self, id: &Id) -> String {
        id_hash(&self.hasher, id)
    }

    fn active_model(&self, record: &Record) -> StoreResult<row::ActiveModel> {
        let data = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        Ok(row::ActiveModel {
            id_hash: Set(self.key(&record.id)),
            data: Set(data),
            expires_at: Set(record.expiry_date.unix_timestamp()),
            user_id: Set(user_of(record)),
        })
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> StoreResult<()> {
        // A 128-bit collision is not expected; retry with a fresh id rather than overwrite.
        loop {
            let model = self.active_model(record)?;
            match row::Entity::insert(model)
                .on_conflict(
                    OnConflict::column(row::Column::IdHash)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?
            {
                0 => record.id = Id::default(),
                _ => return Ok(()),
            }
        }
    }

    /// Updates only. New sessions go through `create`; a session deleted meanwhile (signed
    /// out, or its id cycled at sign-in by a parallel request) must stay deleted, so a slow
    /// request still holding it cannot write it back.
    async fn save(&self, record: &Record) -> StoreResult<()> {
        let data = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        row::Entity::update_many()
            .col_expr(row::Column::Data, Expr::value(data))
            .col_expr(
                row::Column::ExpiresAt,
                Expr::value(record.expiry_date.unix_timestamp()),
            )
            .col_expr(row::Column::UserId, Expr::value(user_of(record)))
            .filter(row::Column::IdHash.eq(self.key(&record.id)))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> StoreResult<Option<Record>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let found = row::Entity::find_by_id(self.key(id))
            .filter(row::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await
            .map_err(backend)?;
        match found {
            None => Ok(None),
            Some(m) => {
                let mut record: Record =
                    serde_json::from_slice(&m.data).map_err(|e| Error::Decode(e.to_string()))?;
                record.id = *id;
                Ok(Some(record))
            }
        }
    }

    async fn delete(&self, id: &Id) -> StoreResult<()> {
        row::Entity::delete_by_id(self.key(id))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> StoreResult<()> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        row::Entity::delete_many()
            .filter(row::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crypto::{HashPurpose, MasterKey};
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{ConnectOptions, Database};

    async fn store() -> DbSessionStore {
        // One connection: each in-memory SQLite connection is a database of its own.
        let db = Database::connect(
            ConnectOptions::new("sqlite::memory:")
                .max_connections(1)
                .to_owned(),
        )
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();
        DbSessionStore::new(
            db,
            MasterKey::generate().hasher(HashPurpose::DashboardSession),
        )
    }

    fn record() -> Record {
        Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[tokio::test]
    async fn a_deleted_session_is_not_written_back_by_a_late_save() {
        let store = store().await;
        let mut r = record();
        r.data
            .insert("user_id".into(), serde_json::json!("someone"));
        store.create(&mut r).await.unwrap();
        assert!(store.load(&r.id).await.unwrap().is_some());
        store.delete(&r.id).await.unwrap();
        // A request that loaded the session before sign-out finishes afterwards.
        store.save(&r).await.unwrap();
        assert!(store.load(&r.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn ids_are_stored_only_as_keyed_hashes_and_expired_rows_do_not_load() {
        let store = store().await;
        let mut r = record();
        store.create(&mut r).await.unwrap();
        let rows = row::Entity::find().all(&store.db).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].id_hash, r.id.to_string());
        assert_ne!(rows[0].id_hash, r.id.0.to_string());
        r.expiry_date = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
        store.save(&r).await.unwrap();
        assert!(store.load(&r.id).await.unwrap().is_none());
        store.delete_expired().await.unwrap();
        assert!(row::Entity::find().all(&store.db).await.unwrap().is_empty());
    }
}
