//! Events become each account's history (the account page lists them), and the delivery
//! worker's queries get their indexes. A migration of its own: 000012 has shipped, so a
//! database that ran it gets these as changes.
use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    AccountId,
    WrittenAtMs,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    EventId,
    Status,
    CreatedAt,
    ClaimedUntil,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The account an `account.*` event is about. One column per statement: SQLite adds
        // columns one at a time.
        m.alter_table(
            Table::alter()
                .table(WebhookEvents::Table)
                .add_column(
                    ColumnDef::new(WebhookEvents::AccountId)
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        // Milliseconds: two events of one account often share a second. Events written
        // before this take their second.
        m.alter_table(
            Table::alter()
                .table(WebhookEvents::Table)
                .add_column(
                    ColumnDef::new(WebhookEvents::WrittenAtMs)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::update()
                .table(WebhookEvents::Table)
                .value(
                    WebhookEvents::WrittenAtMs,
                    Expr::col(WebhookEvents::CreatedAt).mul(1000),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("webhook_events_account")
                .table(WebhookEvents::Table)
                .col(WebhookEvents::AccountId)
                .col(WebhookEvents::WrittenAtMs)
                .to_owned(),
        )
        .await?;
        // The event's deliveries (its foreign key, and retention), finished ones by age
        // (retention), and sends under way (the worker's per-app cap).
        for (name, cols) in [
            ("webhook_deliveries_event", vec![WebhookDeliveries::EventId]),
            (
                "webhook_deliveries_age",
                vec![WebhookDeliveries::Status, WebhookDeliveries::CreatedAt],
            ),
            (
                "webhook_deliveries_claimed",
                vec![WebhookDeliveries::ClaimedUntil],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(WebhookDeliveries::Table);
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "webhook_deliveries_claimed",
            "webhook_deliveries_age",
            "webhook_deliveries_event",
            "webhook_events_account",
        ] {
            m.drop_index(Index::drop().name(name).to_owned()).await?;
        }
        for column in [WebhookEvents::WrittenAtMs, WebhookEvents::AccountId] {
            m.alter_table(
                Table::alter()
                    .table(WebhookEvents::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
