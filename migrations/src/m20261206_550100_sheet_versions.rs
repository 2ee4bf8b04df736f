//! A dispatch sheet once sent is never silently changed: a corrected sheet (after a 补报 for
//! a closed week) is a new numbered version. `sheet_version` is the version last sent (1 for
//! the sheet sent at closing), `sheet_versioned_at` when the latest correction was queued.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("dispatch_cycles")
                .add_column(integer("sheet_version").default(1))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("dispatch_cycles")
                .add_column(big_integer_null("sheet_versioned_at"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["sheet_versioned_at", "sheet_version"] {
            m.alter_table(
                Table::alter()
                    .table("dispatch_cycles")
                    .drop_column(col)
                    .take(),
            )
            .await?;
        }
        Ok(())
    }
}
