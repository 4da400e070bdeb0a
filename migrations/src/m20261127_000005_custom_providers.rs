//! Custom providers: a registration may carry its own provider definition (JSON), for a
//! generic OAuth 2.0 provider that is not in the catalog.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProviderRegistrations {
    Table,
    Custom,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ProviderRegistrations::Table)
                .add_column(ColumnDef::new(ProviderRegistrations::Custom).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ProviderRegistrations::Table)
                .drop_column(ProviderRegistrations::Custom)
                .to_owned(),
        )
        .await
    }
}
