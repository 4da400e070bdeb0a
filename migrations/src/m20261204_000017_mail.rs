//! Mail and the links it carries: outgoing mail queued with the change that sends it
//! (`outgoing_mail`, contents sealed: they hold single-use links), single-use links for
//! email verification and password reset (`email_links`, tokens as keyed hashes), a user's
//! verified address, the invite's mailed token (accepting it proves the address), and the
//! user a dashboard session belongs to (so a password reset can end them all).
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    MailTokenHash,
}

#[derive(DeriveIden)]
enum DashboardSessions {
    Table,
    UserId,
}

#[derive(DeriveIden)]
enum EmailLinks {
    Table,
    Id,
    UserId,
    Purpose,
    Email,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum OutgoingMail {
    Table,
    Id,
    Sealed,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    ClaimedUntil,
    LastError,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ColumnDef::new(Users::EmailVerifiedAt).big_integer().null())
                .to_owned(),
        )
        .await?;
        // Users from before verification existed keep what they could do: an upgrade
        // never locks a team out of creating applications.
        m.exec_stmt(
            Query::update()
                .table(Users::Table)
                .value(Users::EmailVerifiedAt, Expr::col(Users::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Invites::Table)
                .add_column(ColumnDef::new(Invites::MailTokenHash).string().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_invites_mail_token")
                .table(Invites::Table)
                .col(Invites::MailTokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        // A session from before this column names no user, so a password reset could not
        // end it: everyone signs in once more after this upgrade.
        m.exec_stmt(
            Query::delete()
                .from_table(DashboardSessions::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(DashboardSessions::Table)
                .add_column(ColumnDef::new(DashboardSessions::UserId).uuid().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dashboard_sessions_user")
                .table(DashboardSessions::Table)
                .col(DashboardSessions::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EmailLinks::Table)
                .col(
                    ColumnDef::new(EmailLinks::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(EmailLinks::UserId).uuid().not_null())
                .col(ColumnDef::new(EmailLinks::Purpose).string().not_null())
                .col(ColumnDef::new(EmailLinks::Email).string().not_null())
                .col(
                    ColumnDef::new(EmailLinks::TokenHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(EmailLinks::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(EmailLinks::ExpiresAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(EmailLinks::UsedAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(EmailLinks::Table, EmailLinks::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_email_links_user")
                .table(EmailLinks::Table)
                .col(EmailLinks::UserId)
                .col(EmailLinks::Purpose)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutgoingMail::Table)
                .col(
                    ColumnDef::new(OutgoingMail::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(OutgoingMail::Sealed).text().not_null())
                .col(
                    ColumnDef::new(OutgoingMail::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(OutgoingMail::NextAttemptAt)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(OutgoingMail::Attempts).integer().not_null())
                .col(
                    ColumnDef::new(OutgoingMail::ClaimedUntil)
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(OutgoingMail::LastError).string().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outgoing_mail_due")
                .table(OutgoingMail::Table)
                .col(OutgoingMail::NextAttemptAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OutgoingMail::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(EmailLinks::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_dashboard_sessions_user")
                .table(DashboardSessions::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(DashboardSessions::Table)
                .drop_column(DashboardSessions::UserId)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_invites_mail_token")
                .table(Invites::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Invites::Table)
                .drop_column(Invites::MailTokenHash)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::EmailVerifiedAt)
                .to_owned(),
        )
        .await
    }
}
