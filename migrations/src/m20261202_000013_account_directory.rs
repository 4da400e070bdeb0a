//! The team's accounts page reads an application's accounts newest first, a page at a
//! time (keyset on the id): an index on (app_id, id) serves that without a scan of the
//! other tenants' rows.
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
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("accounts_app_newest").to_owned())
            .await
    }
}
