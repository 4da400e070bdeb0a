//! The browsers each user has signed in from (a long-lived cookie's keyed hash), so a sign-in
//! from a new one can be mailed to them; and whether they want that mail.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    NotifyNewSignIn,
}

#[derive(DeriveIden)]
enum KnownDevices {
    Table,
    UserId,
    DeviceHash,
    FirstSeenAt,
    LastSeenAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(
                    ColumnDef::new(Users::NotifyNewSignIn)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(KnownDevices::Table)
                .col(ColumnDef::new(KnownDevices::UserId).uuid().not_null())
                .col(ColumnDef::new(KnownDevices::DeviceHash).string().not_null())
                .col(
                    ColumnDef::new(KnownDevices::FirstSeenAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(KnownDevices::LastSeenAt)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(KnownDevices::UserId)
                        .col(KnownDevices::DeviceHash),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(KnownDevices::Table, KnownDevices::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(KnownDevices::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::NotifyNewSignIn)
                .to_owned(),
        )
        .await
    }
}
