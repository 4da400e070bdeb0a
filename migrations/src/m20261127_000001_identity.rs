//! Users, teams, memberships, dashboard sessions and sign-in attempts.
//! Times compared in SQL (expiry, attempt windows) are unix seconds so both backends order them alike.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Name,
    Email,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TeamMembers {
    Table,
    TeamId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DashboardSessions {
    Table,
    IdHash,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    EmailKey,
    ClientAddr,
    FailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Users::Name).string().not_null())
                .col(
                    ColumnDef::new(Users::Email)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                .col(ColumnDef::new(Users::CreatedAt).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(ColumnDef::new(Teams::Id).uuid().not_null().primary_key())
                .col(ColumnDef::new(Teams::Name).string().not_null())
                .col(ColumnDef::new(Teams::CreatedAt).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TeamMembers::Table)
                .col(ColumnDef::new(TeamMembers::TeamId).uuid().not_null())
                .col(ColumnDef::new(TeamMembers::UserId).uuid().not_null())
                .col(ColumnDef::new(TeamMembers::Role).string().not_null())
                .col(
                    ColumnDef::new(TeamMembers::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(TeamMembers::TeamId)
                        .col(TeamMembers::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamMembers::Table, TeamMembers::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamMembers::Table, TeamMembers::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_team_members_user")
                .table(TeamMembers::Table)
                .col(TeamMembers::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DashboardSessions::Table)
                .col(
                    ColumnDef::new(DashboardSessions::IdHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(DashboardSessions::Data).binary().not_null())
                .col(
                    ColumnDef::new(DashboardSessions::ExpiresAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dashboard_sessions_expires")
                .table(DashboardSessions::Table)
                .col(DashboardSessions::ExpiresAt)
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
        for (name, col) in [
            ("idx_sign_in_failures_email", SignInFailures::EmailKey),
            ("idx_sign_in_failures_addr", SignInFailures::ClientAddr),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(SignInFailures::Table)
                    .col(col)
                    .col(SignInFailures::FailedAt)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SignInFailures::Table.into_iden(),
            DashboardSessions::Table.into_iden(),
            TeamMembers::Table.into_iden(),
            Teams::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
