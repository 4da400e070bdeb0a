//! The team's accounts page reads an application's accounts newest first, a page at a
//! time (keyset on the id): an index on (app_id, id) serves that without a scan of the
//! other tenants' rows. Its search is "email starts with", in any case: an index on the
//! lowercased email in byte order (PostgreSQL's "C" collation, SQLite's own) finds it
//! without reading every account.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    AppId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("accounts_app_newest")
                .table(Accounts::Table)
                .col(Accounts::AppId)
                .col(Accounts::Id)
                .to_owned(),
        )
        .await?;
        let prefix = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                r#"CREATE INDEX accounts_email_prefix ON accounts ((lower(email) COLLATE "C"))"#
            }
            _ => "CREATE INDEX accounts_email_prefix ON accounts (lower(email))",
        };
        m.get_connection().execute_unprepared(prefix).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("accounts_email_prefix").to_owned())
            .await?;
        m.drop_index(Index::drop().name("accounts_app_newest").to_owned())
            .await
    }
}
