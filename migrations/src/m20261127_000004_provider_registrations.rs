//! Provider registrations: an application's OAuth client at each provider. Secrets (client
//! secret, daemon credentials) are sealed; options and URL overrides are JSON.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProviderRegistrations {
    Table,
    Id,
    AppId,
    ServiceType,
    ClientId,
    ClientSecret,
    Scopes,
    NativeScopes,
    Options,
    Overrides,
    DaemonSecret,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProviderRegistrations::Table)
                .col(
                    ColumnDef::new(ProviderRegistrations::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::AppId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::ServiceType)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::ClientId)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::ClientSecret)
                        .text()
                        .null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::Scopes)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::NativeScopes)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::Options)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::Overrides)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::DaemonSecret)
                        .text()
                        .null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProviderRegistrations::UpdatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ProviderRegistrations::Table, ProviderRegistrations::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_provider_registrations_app_type")
                .table(ProviderRegistrations::Table)
                .col(ProviderRegistrations::AppId)
                .col(ProviderRegistrations::ServiceType)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ProviderRegistrations::Table).to_owned())
            .await
    }
}
