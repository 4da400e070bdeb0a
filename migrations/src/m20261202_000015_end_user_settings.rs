//! An end user's settings (`PATCH /v1/user/settings`): its working hours, as JSON.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    Settings,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(EndUsers::Table)
                .add_column(ColumnDef::new(EndUsers::Settings).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(EndUsers::Table)
                .drop_column(EndUsers::Settings)
                .to_owned(),
        )
        .await
    }
}
