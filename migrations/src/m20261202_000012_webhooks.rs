//! Webhooks (issue 14): an outbox of account-lifecycle events written in the transaction of
//! the change, the app's endpoints, one delivery per event and endpoint, and the attempts
//! each delivery took.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    Id,
    AppId,
    EventType,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    AppId,
    Url,
    EventTypes,
    Enabled,
    FailingSince,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EventId,
    EndpointId,
    AppId,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    ClaimId,
    LastStatus,
    LastError,
    LastLatencyMs,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    Number,
    At,
    HttpStatus,
    Error,
    LatencyMs,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookEvents::Table)
                .col(
                    ColumnDef::new(WebhookEvents::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(WebhookEvents::AppId).uuid().not_null())
                .col(ColumnDef::new(WebhookEvents::EventType).string().not_null())
                .col(ColumnDef::new(WebhookEvents::Payload).text().not_null())
                .col(
                    ColumnDef::new(WebhookEvents::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookEvents::Table, WebhookEvents::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("webhook_events_app_created")
                .table(WebhookEvents::Table)
                .col(WebhookEvents::AppId)
                .col(WebhookEvents::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(
                    ColumnDef::new(WebhookEndpoints::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(WebhookEndpoints::AppId).uuid().not_null())
                .col(ColumnDef::new(WebhookEndpoints::Url).text().not_null())
                .col(
                    ColumnDef::new(WebhookEndpoints::EventTypes)
                        .text()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookEndpoints::Enabled)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookEndpoints::FailingSince)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(WebhookEndpoints::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookEndpoints::UpdatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookEndpoints::Table, WebhookEndpoints::AppId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(
                    ColumnDef::new(WebhookDeliveries::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::EventId)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::EndpointId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(WebhookDeliveries::AppId).uuid().not_null())
                .col(
                    ColumnDef::new(WebhookDeliveries::Status)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::Attempts)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::NextAttemptAt)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::ClaimedUntil)
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(WebhookDeliveries::ClaimId).string().null())
                .col(
                    ColumnDef::new(WebhookDeliveries::LastStatus)
                        .integer()
                        .null(),
                )
                .col(ColumnDef::new(WebhookDeliveries::LastError).text().null())
                .col(
                    ColumnDef::new(WebhookDeliveries::LastLatencyMs)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::DeliveredAt)
                        .big_integer()
                        .null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookDeliveries::Table, WebhookDeliveries::EventId)
                        .to(WebhookEvents::Table, WebhookEvents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                        .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("webhook_deliveries_due")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::Status)
                .col(WebhookDeliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("webhook_deliveries_app")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::AppId)
                .col(WebhookDeliveries::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookAttempts::Table)
                .col(
                    ColumnDef::new(WebhookAttempts::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(WebhookAttempts::DeliveryId)
                        .uuid()
                        .not_null(),
                )
                // The attempt's place in its delivery (1, 2, …): seconds can tie.
                .col(ColumnDef::new(WebhookAttempts::Number).integer().not_null())
                .col(ColumnDef::new(WebhookAttempts::At).big_integer().not_null())
                .col(ColumnDef::new(WebhookAttempts::HttpStatus).integer().null())
                .col(ColumnDef::new(WebhookAttempts::Error).text().null())
                .col(
                    ColumnDef::new(WebhookAttempts::LatencyMs)
                        .big_integer()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                        .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("webhook_attempts_delivery")
                .table(WebhookAttempts::Table)
                .col(WebhookAttempts::DeliveryId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            WebhookEvents::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
