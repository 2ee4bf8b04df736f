//! The ledger of schedule firings (unique per schedule and period) and named leases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("schedule_firings")
                .col(string("schedule"))
                .col(string("period"))
                .col(instant("due_at"))
                .col(instant("fired_at"))
                .col(string("owner"))
                .col(text("outcome"))
                .take(),
        )
        .await?;
        index(m, "schedule_firings", &["schedule", "period"], true).await?;
        m.create_table(
            Table::create()
                .table("leases")
                .if_not_exists()
                .col(string("name").primary_key())
                .col(string("holder"))
                .col(big_integer("token"))
                .col(instant("expires_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["leases", "schedule_firings"]).await
    }
}
