//! The account flow (issue 5): pending flows any instance can finish, one-time codes, platform
//! account tokens (keyed hashes only), sealed provider tokens on accounts, and the Sandbox
//! provider's own grants.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    AppId,
    ServiceType,
    AuthUserId,
    ProviderAccessToken,
    ProviderRefreshToken,
    ProviderMeta,
    LastRefreshedAt,
    RefreshLeaseUntil,
}

#[derive(DeriveIden)]
enum PendingFlows {
    Table,
    Id,
    StateHash,
    AppId,
    FlowKind,
    ServiceType,
    ReturnUrl,
    ClientState,
    ResponseType,
    Scopes,
    NativeScopes,
    AccountId,
    LoginHint,
    ClientOrgId,
    EnsureScopes,
    Recycle,
    AuthEmail,
    PkceVerifier,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuthCodes {
    Table,
    CodeHash,
    AppId,
    AccountId,
    IssuedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    TokenHash,
    AccountId,
    AppId,
    CodeHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SandboxGrants {
    Table,
    TokenHash,
    Kind,
    GrantId,
    ClientId,
    Subject,
    Email,
    Name,
    Scope,
    RedirectUri,
    CodeChallenge,
    IssuedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

fn text(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).text().null().to_owned()
}

fn big(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one added column per ALTER TABLE.
        for col in [
            text(Accounts::ProviderAccessToken),
            text(Accounts::ProviderRefreshToken),
            text(Accounts::ProviderMeta),
            ColumnDef::new(Accounts::LastRefreshedAt)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Accounts::RefreshLeaseUntil)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_accounts_app_identity")
                .table(Accounts::Table)
                .col(Accounts::AppId)
                .col(Accounts::ServiceType)
                .col(Accounts::AuthUserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PendingFlows::Table)
                .col(
                    ColumnDef::new(PendingFlows::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(PendingFlows::StateHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(PendingFlows::AppId).uuid().not_null())
                .col(ColumnDef::new(PendingFlows::FlowKind).string().not_null())
                .col(
                    ColumnDef::new(PendingFlows::ServiceType)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(PendingFlows::ReturnUrl).text().not_null())
                .col(text(PendingFlows::ClientState))
                .col(
                    ColumnDef::new(PendingFlows::ResponseType)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(PendingFlows::Scopes).text().not_null())
                .col(ColumnDef::new(PendingFlows::NativeScopes).text().not_null())
                .col(ColumnDef::new(PendingFlows::AccountId).big_integer().null())
                .col(text(PendingFlows::LoginHint))
                .col(text(PendingFlows::ClientOrgId))
                .col(
                    ColumnDef::new(PendingFlows::EnsureScopes)
                        .boolean()
                        .not_null(),
                )
                .col(ColumnDef::new(PendingFlows::Recycle).boolean().not_null())
                .col(text(PendingFlows::AuthEmail))
                .col(text(PendingFlows::PkceVerifier))
                .col(big(PendingFlows::CreatedAt))
                .col(big(PendingFlows::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PendingFlows::Table, PendingFlows::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuthCodes::Table)
                .col(
                    ColumnDef::new(AuthCodes::CodeHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AuthCodes::AppId).uuid().not_null())
                .col(big(AuthCodes::AccountId))
                .col(big(AuthCodes::IssuedAt))
                .col(big(AuthCodes::ExpiresAt))
                .col(ColumnDef::new(AuthCodes::UsedAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthCodes::Table, AuthCodes::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AccountTokens::Table)
                .col(
                    ColumnDef::new(AccountTokens::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(big(AccountTokens::AccountId))
                .col(ColumnDef::new(AccountTokens::AppId).uuid().not_null())
                .col(ColumnDef::new(AccountTokens::CodeHash).string().null())
                .col(big(AccountTokens::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AccountTokens::Table, AccountTokens::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_account_tokens_account")
                .table(AccountTokens::Table)
                .col(AccountTokens::AccountId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SandboxGrants::Table)
                .col(
                    ColumnDef::new(SandboxGrants::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(SandboxGrants::Kind).string().not_null())
                .col(ColumnDef::new(SandboxGrants::GrantId).uuid().not_null())
                .col(ColumnDef::new(SandboxGrants::ClientId).string().not_null())
                .col(ColumnDef::new(SandboxGrants::Subject).string().not_null())
                .col(ColumnDef::new(SandboxGrants::Email).string().not_null())
                .col(ColumnDef::new(SandboxGrants::Name).string().not_null())
                .col(ColumnDef::new(SandboxGrants::Scope).text().not_null())
                .col(text(SandboxGrants::RedirectUri))
                .col(text(SandboxGrants::CodeChallenge))
                .col(ColumnDef::new(SandboxGrants::IssuedBy).string().not_null())
                .col(big(SandboxGrants::CreatedAt))
                .col(big(SandboxGrants::ExpiresAt))
                .col(ColumnDef::new(SandboxGrants::UsedAt).big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sandbox_grants_grant")
                .table(SandboxGrants::Table)
                .col(SandboxGrants::GrantId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SandboxGrants::Table.into_iden(),
            AccountTokens::Table.into_iden(),
            AuthCodes::Table.into_iden(),
            PendingFlows::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
