//! Two optional facts of the project library: the national 24-character project code
//! (项目代码) of the online approval platform, and tags such as 重大工程 or 十四五
//! (comma-separated text).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table("projects")
                .add_column(string_null("national_code"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("projects")
                .add_column(text_null("tags"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["tags", "national_code"] {
            m.alter_table(Table::alter().table("projects").drop_column(c).take())
                .await?;
        }
        Ok(())
    }
}
