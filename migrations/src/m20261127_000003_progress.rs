//! Monthly progress, pre-construction milestones and city-wide indicators.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("monthly_progress")
                .col(uuid("project_id"))
                .col(integer("month"))
                .col(big_integer("ytd_completed_yuan"))
                .col(big_integer_null("prior_ytd_completed_yuan"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk("monthly_progress", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "monthly_progress", &["project_id", "month"], true).await?;
        index(m, "monthly_progress", &["month"], false).await?;
        m.create_table(
            table("milestones")
                .col(uuid("project_id"))
                .col(string("milestone"))
                .col(date_null("planned_date"))
                .col(date_null("actual_date"))
                .col(string("source"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk("milestones", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "milestones", &["project_id", "milestone"], true).await?;
        m.create_table(
            table("indicators")
                .col(integer("month"))
                .col(string("indicator"))
                .col(big_integer("ytd_yuan"))
                .col(big_integer_null("prior_ytd_yuan"))
                .col(instant("updated_at"))
                .take(),
        )
        .await?;
        index(m, "indicators", &["month", "indicator"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["indicators", "milestones", "monthly_progress"]).await
    }
}
