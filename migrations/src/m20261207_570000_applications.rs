//! Applications to higher levels for funds and policies (争取上级资金和政策), imported from
//! the office's file and upserted by a stable key, with an append-only history of their
//! changes (state and amounts: who, when, old → new, from which file).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("applications")
                .col(big_integer("number"))
                .col(text("app_key"))
                .col(string_null("ref_no"))
                .col(text("title"))
                .col(uuid_null("project_id"))
                .col(string("category"))
                .col(text("unit"))
                .col(big_integer_null("applied_yuan"))
                .col(big_integer_null("approved_yuan"))
                .col(big_integer_null("received_yuan"))
                .col(string("state"))
                .col(date("state_date"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk("applications", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "applications", &["number"], true).await?;
        index(m, "applications", &["app_key"], true).await?;
        index(m, "applications", &["state_date"], false).await?;
        m.create_table(
            table("application_events")
                .col(uuid("application_id"))
                .col(integer("seq"))
                .col(string("action"))
                .col(string("actor"))
                .col(string_null("from_state"))
                .col(string("to_state"))
                .col(text("changes"))
                .col(text("source_file"))
                .col(instant("at"))
                .foreign_key(&mut fk(
                    "application_events",
                    "application_id",
                    "applications",
                ))
                .take(),
        )
        .await?;
        index(m, "application_events", &["application_id", "seq"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["application_events", "applications"]).await
    }
}
