//! Trusted domains of an application: the browser origins allowed to call its user API with
//! credentials (CORS), used by the user-session flow.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TrustedDomains {
    Table,
    Id,
    AppId,
    Domain,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TrustedDomains::Table)
                .col(
                    ColumnDef::new(TrustedDomains::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(TrustedDomains::AppId).uuid().not_null())
                .col(ColumnDef::new(TrustedDomains::Domain).string().not_null())
                .col(
                    ColumnDef::new(TrustedDomains::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TrustedDomains::Table, TrustedDomains::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_trusted_domains_app_domain")
                .table(TrustedDomains::Table)
                .col(TrustedDomains::AppId)
                .col(TrustedDomains::Domain)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TrustedDomains::Table).to_owned())
            .await
    }
}
