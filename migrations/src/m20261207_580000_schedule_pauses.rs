//! Pausing a schedule (`docket schedule pause NAME` / `resume NAME`): one row per pause or
//! resume, with who, when and why. A schedule is paused from a pause until the next resume;
//! the periods due meanwhile are recorded in the ledger as skipped and never caught up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("schedule_pauses")
                .col(string("schedule"))
                .col(string("action"))
                .col(text_null("reason"))
                .col(string("actor"))
                .col(instant("at"))
                .take(),
        )
        .await?;
        index(m, "schedule_pauses", &["schedule", "at"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["schedule_pauses"]).await
    }
}
