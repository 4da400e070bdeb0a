//! The dashboard's tower-sessions store, kept in the database so every server instance sees
//! every session. Session ids are stored only as keyed hashes: a leaked table opens nothing.
use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
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

impl DbSessionStore {
    pub fn new(db: DatabaseConnection, hasher: KeyedHasher) -> Self {
        DbSessionStore { db, hasher }
    }

    fn key(&self, id: &Id) -> String {
        self.hasher.hash(&id.0.to_le_bytes())
    }

    fn active_model(&self, record: &Record) -> StoreResult<row::ActiveModel> {
        let data = serde_json::to_vec(record).map_err(|e| Error::Encode(e.to_string()))?;
        Ok(row::ActiveModel {
            id_hash: Set(self.key(&record.id)),
            data: Set(data),
            expires_at: Set(record.expiry_date.unix_timestamp()),
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

    async fn save(&self, record: &Record) -> StoreResult<()> {
        let model = self.active_model(record)?;
        row::Entity::insert(model)
            .on_conflict(
                OnConflict::column(row::Column::IdHash)
                    .update_columns([row::Column::Data, row::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
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
