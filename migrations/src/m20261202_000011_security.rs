//! Security hardening (issue 13): prepared tokens that start service-account flows, flow
//! stages for the administrator's sign-in, atomic rate counters for anonymous endpoints,
//! and the provider endpoints each account's tokens are bound to.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PreparedTokens {
    Table,
    TokenHash,
    AppId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum RateCounters {
    Table,
    Bucket,
    WindowStart,
    Count,
}

#[derive(DeriveIden)]
enum PendingFlows {
    Table,
    Stage,
    OrgClaim,
}

#[derive(DeriveIden)]
enum SandboxGrants {
    Table,
    Nonce,
    Org,
    Admin,
}

/// Replaced by `rate_counters` (hosted password form submissions per address).
#[derive(DeriveIden)]
enum PasswordAttempts {
    Table,
    Id,
    KeyHash,
    At,
}

/// Replaced by `rate_counters` (sign-in attempts are counted before they are checked).
#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    EmailKey,
    ClientAddr,
    FailedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    ProviderBinding,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PreparedTokens::Table)
                .col(
                    ColumnDef::new(PreparedTokens::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(PreparedTokens::AppId).uuid().not_null())
                .col(
                    ColumnDef::new(PreparedTokens::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(PreparedTokens::ExpiresAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("prepared_tokens_expires_at")
                .table(PreparedTokens::Table)
                .col(PreparedTokens::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RateCounters::Table)
                .col(
                    ColumnDef::new(RateCounters::Bucket)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(RateCounters::WindowStart)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(RateCounters::Count).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("rate_counters_window_start")
                .table(RateCounters::Table)
                .col(RateCounters::WindowStart)
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(PendingFlows::Stage)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(PendingFlows::OrgClaim)
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
        // The Sandbox issues ID tokens (with `tid`/`hd`) so the administrator's sign-in of
        // the service-account flows can be tested without Microsoft or Google.
        for col in [SandboxGrants::Nonce, SandboxGrants::Org] {
            m.alter_table(
                Table::alter()
                    .table(SandboxGrants::Table)
                    .add_column(ColumnDef::new(col).text().null())
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(SandboxGrants::Table)
                .add_column(
                    ColumnDef::new(SandboxGrants::Admin)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SignInFailures::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PasswordAttempts::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(ColumnDef::new(Accounts::ProviderBinding).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
        m.create_table(
            Table::create()
                .table(SignInFailures::Table)
                .col(
                    ColumnDef::new(SignInFailures::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(SignInFailures::EmailKey).string().not_null())
                .col(
                    ColumnDef::new(SignInFailures::ClientAddr)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SignInFailures::FailedAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .drop_column(Accounts::ProviderBinding)
                .to_owned(),
        )
        .await?;
        for col in [
            SandboxGrants::Nonce,
            SandboxGrants::Org,
            SandboxGrants::Admin,
        ] {
            m.alter_table(
                Table::alter()
                    .table(SandboxGrants::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for col in [PendingFlows::Stage, PendingFlows::OrgClaim] {
            m.alter_table(
                Table::alter()
                    .table(PendingFlows::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(RateCounters::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PreparedTokens::Table).to_owned())
            .await
    }
}
