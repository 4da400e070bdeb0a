//! Accounts (wire-api.md, "Accounts"): what the hosted flows create. Provider tokens come
//! with the flows; this is the part the dashboard lists and filters.
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
    ServiceProvider,
    Type,
    Active,
    TokenStatus,
    TokenError,
    LoginString,
    Email,
    Name,
    ClientOrgId,
    AuthUserId,
    AuthOrgId,
    AuthScopes,
    AuthNativeScopes,
    AuthObtainedAt,
    AuthExpiresAt,
    ParentId,
    UserId,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(
                    ColumnDef::new(Accounts::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Accounts::AppId).uuid().not_null())
                .col(ColumnDef::new(Accounts::ServiceType).string().not_null())
                .col(
                    ColumnDef::new(Accounts::ServiceProvider)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(Accounts::Type).string().not_null())
                .col(
                    ColumnDef::new(Accounts::Active)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .col(ColumnDef::new(Accounts::TokenStatus).string().not_null())
                .col(ColumnDef::new(Accounts::TokenError).text().null())
                .col(ColumnDef::new(Accounts::LoginString).string().null())
                .col(ColumnDef::new(Accounts::Email).string().null())
                .col(ColumnDef::new(Accounts::Name).string().null())
                .col(ColumnDef::new(Accounts::ClientOrgId).string().null())
                .col(ColumnDef::new(Accounts::AuthUserId).string().null())
                .col(ColumnDef::new(Accounts::AuthOrgId).string().null())
                .col(ColumnDef::new(Accounts::AuthScopes).text().not_null())
                .col(ColumnDef::new(Accounts::AuthNativeScopes).text().not_null())
                .col(
                    ColumnDef::new(Accounts::AuthObtainedAt)
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(Accounts::AuthExpiresAt).big_integer().null())
                .col(ColumnDef::new(Accounts::ParentId).big_integer().null())
                .col(ColumnDef::new(Accounts::UserId).string().null())
                .col(ColumnDef::new(Accounts::CreatedAt).big_integer().not_null())
                .col(ColumnDef::new(Accounts::UpdatedAt).big_integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Accounts::Table, Accounts::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_accounts_app_service", Accounts::ServiceType),
            ("idx_accounts_app_client_org", Accounts::ClientOrgId),
            ("idx_accounts_app_auth_org", Accounts::AuthOrgId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Accounts::Table)
                    .col(Accounts::AppId)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await
    }
}
