//! Password-based accounts (IMAP, EWS, SugarCRM) through a hosted form: sealed credentials
//! on the account, attempts counted per flow and per client address.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    ProviderCredentials,
}

#[derive(DeriveIden)]
enum PendingFlows {
    Table,
    Attempts,
    ServerUrl,
}

#[derive(DeriveIden)]
enum PasswordAttempts {
    Table,
    Id,
    KeyHash,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(ColumnDef::new(Accounts::ProviderCredentials).text().null())
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(PendingFlows::Attempts)
                .integer()
                .not_null()
                .default(0)
                .to_owned(),
            ColumnDef::new(PendingFlows::ServerUrl)
                .text()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(PendingFlows::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(PasswordAttempts::Table)
                .col(
                    ColumnDef::new(PasswordAttempts::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(PasswordAttempts::KeyHash)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(PasswordAttempts::At)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_password_attempts_key_at")
                .table(PasswordAttempts::Table)
                .col(PasswordAttempts::KeyHash)
                .col(PasswordAttempts::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PasswordAttempts::Table).to_owned())
            .await
    }
}
