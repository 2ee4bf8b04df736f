//! Weekly reports carry the owner unit's problems text (存在问题/需协调事项) as submitted;
//! raising them as blocking issues is the workflow's part.

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
                .add_column(text("problems").default(""))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("weekly_reports")
                .drop_column("problems")
                .take(),
        )
        .await
    }
}
