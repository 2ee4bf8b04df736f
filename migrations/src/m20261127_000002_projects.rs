//! The project library: projects, their plans per year, and the record of every change an
//! import made.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("imports")
                .col(string("kind"))
                .col(string("source_file"))
                .col(integer("rows"))
                .col(string("actor"))
                .col(instant("imported_at"))
                .take(),
        )
        .await?;
        m.create_table(
            table("projects")
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("level"))
                .col(string("stage"))
                .col(string("category"))
                .col(string("owner_unit"))
                .col(string_null("district"))
                .col(string_null("responsible_official"))
                .col(string_null("contact_email"))
                .col(boolean("special_bond"))
                .col(big_integer("total_investment_yuan"))
                .col(instant("created_at"))
                .col(instant("updated_at"))
                .take(),
        )
        .await?;
        index(m, "projects", &["stage"], false).await?;
        // One row per project and plan year: next year's library never changes this year's
        // figures. Classification is kept per year too, for the bulletin's groups.
        let mut plans = table("project_plans")
            .col(uuid("project_id"))
            .col(integer("plan_year"))
            .col(string("level"))
            .col(string("stage"))
            .col(string("category"))
            .col(string_null("district"))
            .col(big_integer("annual_plan_yuan"))
            .foreign_key(&mut fk("project_plans", "project_id", "projects"))
            .take();
        for m in 1..=12 {
            plans.col(big_integer_null(format!("plan_m{m:02}_yuan")));
        }
        plans.col(instant("updated_at"));
        m.create_table(plans).await?;
        index(m, "project_plans", &["project_id", "plan_year"], true).await?;
        index(m, "project_plans", &["plan_year"], false).await?;
        m.create_table(
            table("project_changes")
                .col(uuid("project_id"))
                .col(uuid_null("import_id"))
                .col(string("field"))
                .col(text_null("old_value"))
                .col(text_null("new_value"))
                .col(string("source_file"))
                .col(instant("changed_at"))
                .foreign_key(&mut fk("project_changes", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "project_changes", &["project_id"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &["project_changes", "project_plans", "projects", "imports"],
        )
        .await
    }
}
