//! The user-session flow (end users, their sessions, accepted user signatures) and the
//! service-account flow (what the pending flows and codes must remember for them; public
//! keys the Sandbox trusts for JWT-bearer and client-assertion grants).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EndUsers {
    Table,
    Id,
    AppId,
    PrimaryAccountId,
    Email,
    Name,
    AuthOrgId,
    CreatedAt,
    LastActivityAt,
}

#[derive(DeriveIden)]
enum UserSessions {
    Table,
    TokenHash,
    UserId,
    AppId,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum UsedSignatures {
    Table,
    SignatureHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SandboxServiceKeys {
    Table,
    KeyId,
    PublicKeyPem,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PendingFlows {
    Table,
    AccountRole,
    EndUserId,
    BrowserBinding,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    RefreshLeaseId,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    CodeHash,
}

#[derive(DeriveIden)]
enum AuthCodes {
    Table,
    EndUserId,
    IssueSession,
}

fn big(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(EndUsers::Table)
                .col(
                    ColumnDef::new(EndUsers::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(EndUsers::AppId).uuid().not_null())
                .col(
                    ColumnDef::new(EndUsers::PrimaryAccountId)
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(EndUsers::Email).string().null())
                .col(ColumnDef::new(EndUsers::Name).string().null())
                .col(ColumnDef::new(EndUsers::AuthOrgId).string().null())
                .col(big(EndUsers::CreatedAt))
                .col(big(EndUsers::LastActivityAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EndUsers::Table, EndUsers::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_end_users_app")
                .table(EndUsers::Table)
                .col(EndUsers::AppId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserSessions::Table)
                .col(
                    ColumnDef::new(UserSessions::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(UserSessions::UserId).string().not_null())
                .col(ColumnDef::new(UserSessions::AppId).uuid().not_null())
                .col(big(UserSessions::CreatedAt))
                .col(big(UserSessions::LastUsedAt))
                .col(big(UserSessions::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(UserSessions::Table, UserSessions::UserId)
                        .to(EndUsers::Table, EndUsers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_user_sessions_user")
                .table(UserSessions::Table)
                .col(UserSessions::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UsedSignatures::Table)
                .col(
                    ColumnDef::new(UsedSignatures::SignatureHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(big(UsedSignatures::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SandboxServiceKeys::Table)
                .col(
                    ColumnDef::new(SandboxServiceKeys::KeyId)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(SandboxServiceKeys::PublicKeyPem)
                        .text()
                        .not_null(),
                )
                .col(big(SandboxServiceKeys::CreatedAt))
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(PendingFlows::AccountRole)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(PendingFlows::EndUserId)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(PendingFlows::BrowserBinding)
                .string()
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
        for col in [
            ColumnDef::new(AuthCodes::EndUserId)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(AuthCodes::IssueSession)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuthCodes::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        // Fencing for the refresh lease: only the holder's write lands.
        m.alter_table(
            Table::alter()
                .table(Accounts::Table)
                .add_column(ColumnDef::new(Accounts::RefreshLeaseId).string().null())
                .to_owned(),
        )
        .await?;
        // A replayed code revokes the tokens it issued: find them without a scan.
        m.create_index(
            Index::create()
                .name("idx_account_tokens_code")
                .table(AccountTokens::Table)
                .col(AccountTokens::CodeHash)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SandboxServiceKeys::Table.into_iden(),
            UsedSignatures::Table.into_iden(),
            UserSessions::Table.into_iden(),
            EndUsers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
