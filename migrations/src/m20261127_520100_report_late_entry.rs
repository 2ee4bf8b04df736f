//! A weekly report recorded after its week's cycle closed is a 补报 (late entry), allowed
//! only to the office and marked as such: the closed week's sheet stays as it was sent, the
//! 补报 shows in the report listing and among the next sheet's late reports.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("weekly_reports")
                .add_column(boolean("late_entry").default(false))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("weekly_reports")
                .drop_column("late_entry")
                .take(),
        )
        .await
    }
}
