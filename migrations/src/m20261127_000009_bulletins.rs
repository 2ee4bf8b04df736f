//! Monthly bulletins as built and sent: the running issue number and the model.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("bulletins")
                .col(integer("month"))
                .col(integer("issue_number"))
                .col(date("cutoff"))
                .col(text("model_json"))
                .col(instant("built_at"))
                .take(),
        )
        .await?;
        index(m, "bulletins", &["month"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["bulletins"]).await
    }
}
