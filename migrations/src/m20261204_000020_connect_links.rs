//! Connect links (issue 20): a single-use link an app makes for one end user, which opens a
//! hosted page listing the services the app offers; and each application's logo for it.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ConnectSessions {
    Table,
    TokenHash,
    AppId,
    Services,
    ReturnUrl,
    State,
    LoginHint,
    ClientOrgId,
    UserId,
    ServiceAccount,
    CreatedAt,
    ExpiresAt,
    OpenedBy,
    UsedAt,
}

#[derive(DeriveIden)]
enum AppLogos {
    Table,
    AppId,
    ContentType,
    Bytes,
    UpdatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConnectSessions::Table)
                .col(
                    ColumnDef::new(ConnectSessions::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ConnectSessions::AppId).uuid().not_null())
                .col(ColumnDef::new(ConnectSessions::Services).text().not_null())
                .col(ColumnDef::new(ConnectSessions::ReturnUrl).text().not_null())
                .col(ColumnDef::new(ConnectSessions::State).text())
                .col(ColumnDef::new(ConnectSessions::LoginHint).string())
                .col(ColumnDef::new(ConnectSessions::ClientOrgId).string())
                .col(ColumnDef::new(ConnectSessions::UserId).string())
                .col(
                    ColumnDef::new(ConnectSessions::ServiceAccount)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(
                    ColumnDef::new(ConnectSessions::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ConnectSessions::ExpiresAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(ConnectSessions::OpenedBy).string())
                .col(ColumnDef::new(ConnectSessions::UsedAt).big_integer())
                .foreign_key(
                    ForeignKey::create()
                        .from(ConnectSessions::Table, ConnectSessions::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("connect_sessions_by_app")
                .table(ConnectSessions::Table)
                .col(ConnectSessions::AppId)
                .col(ConnectSessions::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AppLogos::Table)
                .col(
                    ColumnDef::new(AppLogos::AppId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AppLogos::ContentType).string().not_null())
                .col(ColumnDef::new(AppLogos::Bytes).binary().not_null())
                .col(ColumnDef::new(AppLogos::UpdatedAt).big_integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(AppLogos::Table, AppLogos::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AppLogos::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ConnectSessions::Table).to_owned())
            .await
    }
}
