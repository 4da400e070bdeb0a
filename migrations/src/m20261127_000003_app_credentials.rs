//! Application credentials: a public client id, client secrets (keyed hash to verify, sealed
//! copy for signatures) with expiry for rotation, a sealed webhook signing secret, and the
//! authorized return URLs.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    ClientId,
    WildcardReturnUrls,
    SigningSecret,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppSecrets {
    Table,
    Id,
    AppId,
    SecretHash,
    Sealed,
    DisplayPrefix,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ReturnUrls {
    Table,
    Id,
    AppId,
    Url,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            ColumnDef::new(Applications::ClientId)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Applications::WildcardReturnUrls)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Applications::SigningSecret)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Applications::UpdatedAt)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        // Applications made before credentials existed get a client id now.
        let db = m.get_connection();
        let select = Query::select()
            .column(Applications::Id)
            .from(Applications::Table)
            .to_owned();
        let rows = db.query_all(&select).await?;
        for row in rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let client_id = format!("lg_app_{}", uuid::Uuid::new_v4().simple());
            let update = Query::update()
                .table(Applications::Table)
                .value(Applications::ClientId, client_id)
                .and_where(Expr::col(Applications::Id).eq(id))
                .to_owned();
            m.exec_stmt(update).await?;
        }
        m.create_index(
            Index::create()
                .name("idx_applications_client_id")
                .table(Applications::Table)
                .col(Applications::ClientId)
                .unique()
                .to_owned(),
        )
        .await?;

        // One pending invite per email and team, even when two are made at once.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_invites_one_pending ON invites (team_id, email) \
             WHERE accepted_at IS NULL AND revoked_at IS NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AppSecrets::Table)
                .col(
                    ColumnDef::new(AppSecrets::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AppSecrets::AppId).uuid().not_null())
                .col(
                    ColumnDef::new(AppSecrets::SecretHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(AppSecrets::Sealed).text().not_null())
                .col(
                    ColumnDef::new(AppSecrets::DisplayPrefix)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AppSecrets::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(AppSecrets::LastUsedAt).big_integer().null())
                .col(ColumnDef::new(AppSecrets::ExpiresAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(AppSecrets::Table, AppSecrets::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_app_secrets_app")
                .table(AppSecrets::Table)
                .col(AppSecrets::AppId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ReturnUrls::Table)
                .col(
                    ColumnDef::new(ReturnUrls::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ReturnUrls::AppId).uuid().not_null())
                .col(ColumnDef::new(ReturnUrls::Url).string().not_null())
                .col(
                    ColumnDef::new(ReturnUrls::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ReturnUrls::Table, ReturnUrls::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_return_urls_app_url")
                .table(ReturnUrls::Table)
                .col(ReturnUrls::AppId)
                .col(ReturnUrls::Url)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_invites_one_pending")
            .await?;
        m.drop_table(Table::drop().table(ReturnUrls::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AppSecrets::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_applications_client_id")
                .table(Applications::Table)
                .to_owned(),
        )
        .await?;
        for col in [
            Applications::UpdatedAt,
            Applications::SigningSecret,
            Applications::WildcardReturnUrls,
            Applications::ClientId,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
