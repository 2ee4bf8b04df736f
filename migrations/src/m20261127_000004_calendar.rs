//! Working-day calendar years imported after deployment (the shipped years live in
//! `config/calendar/`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, instant};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendar_years")
                .if_not_exists()
                .col(integer("year").primary_key())
                .col(text("source"))
                .col(text("table_toml"))
                .col(instant("imported_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["calendar_years"]).await
    }
}
