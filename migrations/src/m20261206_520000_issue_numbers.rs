//! Short issue numbers (问题编号, e.g. `2024-031`) for people: emails, pages and the CLI show
//! them instead of the UUID. Numbers count per year of raising, from a counter row per year
//! that each raise advances by an `UPDATE … RETURNING` (so concurrent raisers on PostgreSQL
//! queue on the row, and SQLite has one writer). Issues raised before this migration keep a
//! null number and are shown by their id.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("issues")
                .add_column(string_null("number"))
                .take(),
        )
        .await?;
        index(m, "issues", &["number"], true).await?;
        m.create_table(
            Table::create()
                .table("issue_counters")
                .if_not_exists()
                .col(integer("year").primary_key())
                .col(big_integer("last"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("issue_counters").if_exists().take())
            .await?;
        m.drop_index(
            Index::drop()
                .name("ux_issues_number")
                .table("issues")
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("issues").drop_column("number").take())
            .await
    }
}
