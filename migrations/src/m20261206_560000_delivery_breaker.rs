//! Delivery under faults: when a row's last error was recorded (`outbox.last_error_at`), and
//! the circuit breaker of a mail route (`delivery_breaker`, one row per route, e.g. `smtp`):
//! consecutive connection failures, the instant delivery is paused until, the cool-down the
//! next trip will use, and why.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, instant, instant_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("outbox")
                .add_column(instant_null("last_error_at"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("delivery_breaker")
                .if_not_exists()
                .col(string("name").primary_key())
                .col(integer("failures"))
                .col(instant_null("paused_until"))
                .col(big_integer("cooldown_ms"))
                .col(text_null("reason"))
                .col(instant("updated_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["delivery_breaker"]).await?;
        m.alter_table(
            Table::alter()
                .table("outbox")
                .drop_column("last_error_at")
                .take(),
        )
        .await
    }
}
