//! An end user's settings (`PATCH /v1/user/settings`): its working hours, as JSON; and the
//! end user an app-owned copy of an account was made by (copyAsManaged), so a copy is only
//! ever found again by its own maker's copy, never by a sign-in or another user.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    Settings,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    CopiedBy,
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
        .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(ColumnDef::new(Accounts::CopiedBy).string().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::CopiedBy)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(EndUsers::Table)
                .drop_column(EndUsers::Settings)
                .to_owned(),
        )
        .await
    }
}
