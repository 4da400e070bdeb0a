//! Two-factor sign-in: a user's TOTP secret (sealed; a pending one while they set it up),
//! the last time step a code was accepted for (a code works once), hashed single-use
//! recovery codes, and a team's rule that its members sign in with a second factor.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TotpSecret,
    TotpPending,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(Users::TotpSecret).text().null().to_owned(),
            ColumnDef::new(Users::TotpPending).text().null().to_owned(),
            ColumnDef::new(Users::TotpEnabledAt)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Users::TotpLastStep)
                .big_integer()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Teams::Table)
                .add_column(
                    ColumnDef::new(Teams::RequireTwoFactor)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(
                    ColumnDef::new(RecoveryCodes::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(RecoveryCodes::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(RecoveryCodes::CodeHash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(RecoveryCodes::UsedAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recovery_codes_user")
                .table(RecoveryCodes::Table)
                .col(RecoveryCodes::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Teams::Table)
                .drop_column(Teams::RequireTwoFactor)
                .to_owned(),
        )
        .await?;
        for column in [
            Users::TotpSecret,
            Users::TotpPending,
            Users::TotpEnabledAt,
            Users::TotpLastStep,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
