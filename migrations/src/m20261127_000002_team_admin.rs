//! Team administration: applications (the minimum that grants need), per-member app
//! grants, invites, team API keys and the audit log. Secrets (invite tokens, API keys)
//! are stored only as keyed hashes.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    TeamId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AppGrants {
    Table,
    AppId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    Id,
    TeamId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    TeamId,
    Name,
    Role,
    KeyHash,
    DisplayPrefix,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    TeamId,
    At,
    ActorKind,
    ActorId,
    ActorLabel,
    Action,
    TargetKind,
    TargetId,
    TargetLabel,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Applications::Table)
                .col(
                    ColumnDef::new(Applications::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Applications::TeamId).uuid().not_null())
                .col(ColumnDef::new(Applications::Name).string().not_null())
                .col(
                    ColumnDef::new(Applications::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Applications::Table, Applications::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_applications_team")
                .table(Applications::Table)
                .col(Applications::TeamId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AppGrants::Table)
                .col(ColumnDef::new(AppGrants::AppId).uuid().not_null())
                .col(ColumnDef::new(AppGrants::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(AppGrants::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(Index::create().col(AppGrants::AppId).col(AppGrants::UserId))
                .foreign_key(
                    ForeignKey::create()
                        .from(AppGrants::Table, AppGrants::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AppGrants::Table, AppGrants::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_app_grants_user")
                .table(AppGrants::Table)
                .col(AppGrants::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invites::Table)
                .col(ColumnDef::new(Invites::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Invites::TeamId).uuid().not_null())
                .col(ColumnDef::new(Invites::Email).string().not_null())
                .col(ColumnDef::new(Invites::Role).string().not_null())
                .col(
                    ColumnDef::new(Invites::TokenHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Invites::InvitedBy).uuid().not_null())
                .col(ColumnDef::new(Invites::CreatedAt).big_integer().not_null())
                .col(ColumnDef::new(Invites::ExpiresAt).big_integer().not_null())
                .col(ColumnDef::new(Invites::AcceptedAt).big_integer().null())
                .col(ColumnDef::new(Invites::RevokedAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Invites::Table, Invites::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_invites_team")
                .table(Invites::Table)
                .col(Invites::TeamId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(ColumnDef::new(ApiKeys::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(ApiKeys::TeamId).uuid().not_null())
                .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                .col(ColumnDef::new(ApiKeys::Role).string().not_null())
                .col(
                    ColumnDef::new(ApiKeys::KeyHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(ApiKeys::DisplayPrefix).string().not_null())
                .col(ColumnDef::new(ApiKeys::CreatedBy).uuid().not_null())
                .col(ColumnDef::new(ApiKeys::CreatedAt).big_integer().not_null())
                .col(ColumnDef::new(ApiKeys::LastUsedAt).big_integer().null())
                .col(ColumnDef::new(ApiKeys::RevokedAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, ApiKeys::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_api_keys_team")
                .table(ApiKeys::Table)
                .col(ApiKeys::TeamId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(
                    ColumnDef::new(AuditEvents::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(AuditEvents::TeamId).uuid().not_null())
                .col(ColumnDef::new(AuditEvents::At).big_integer().not_null())
                .col(ColumnDef::new(AuditEvents::ActorKind).string().not_null())
                .col(ColumnDef::new(AuditEvents::ActorId).string().not_null())
                .col(ColumnDef::new(AuditEvents::ActorLabel).string().not_null())
                .col(ColumnDef::new(AuditEvents::Action).string().not_null())
                .col(ColumnDef::new(AuditEvents::TargetKind).string().not_null())
                .col(ColumnDef::new(AuditEvents::TargetId).string().not_null())
                .col(ColumnDef::new(AuditEvents::TargetLabel).string().not_null())
                .col(ColumnDef::new(AuditEvents::Before).text().null())
                .col(ColumnDef::new(AuditEvents::After).text().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(AuditEvents::Table, AuditEvents::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_team_id")
                .table(AuditEvents::Table)
                .col(AuditEvents::TeamId)
                .col(AuditEvents::Id)
                .to_owned(),
        )
        .await?;

        // Exactly one Owner per team, held by the database as well as the domain.
        // Partial unique indexes read the same in SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX idx_team_members_one_owner ON team_members (team_id) WHERE role = 'Owner'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX idx_team_members_one_owner")
            .await?;
        for t in [
            AuditEvents::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Invites::Table.into_iden(),
            AppGrants::Table.into_iden(),
            Applications::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
