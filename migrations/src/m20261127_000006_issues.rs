//! Blocking issues and their append-only event history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("issues")
                .col(uuid("project_id"))
                .col(string("category"))
                .col(text("title"))
                .col(text("title_key"))
                .col(text("detail"))
                .col(string("severity"))
                .col(string("state"))
                .col(string_null("task_force"))
                .col(string_null("lead_handler"))
                .col(text("co_handlers"))
                .col(string("raised_by"))
                .col(uuid_null("report_id"))
                .col(instant("raised_at"))
                .col(date_null("accept_due"))
                .col(date_null("due"))
                .col(boolean("due_provisional"))
                .col(integer("escalation_rung"))
                .col(text_null("resolution"))
                .col(integer("version"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk("issues", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "issues", &["state"], false).await?;
        index(m, "issues", &["task_force"], false).await?;
        // The same open problem raised twice is one issue: unique while open.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS ux_issues_open_title \
                 ON issues (project_id, category, title_key) \
                 WHERE state NOT IN ('closed', 'withdrawn')",
            )
            .await?;
        m.create_table(
            table("issue_events")
                .col(uuid("issue_id"))
                .col(integer("seq"))
                .col(string("action"))
                .col(string("actor"))
                .col(string_null("from_state"))
                .col(string("to_state"))
                .col(text_null("note"))
                .col(text_null("data"))
                .col(instant("at"))
                .foreign_key(&mut fk("issue_events", "issue_id", "issues"))
                .take(),
        )
        .await?;
        index(m, "issue_events", &["issue_id", "seq"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["issue_events", "issues"]).await
    }
}
