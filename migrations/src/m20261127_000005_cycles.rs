//! Weekly dispatch cycles, one report slot per active project, and weekly reports.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, instant_null, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("dispatch_cycles")
                .col(string_uniq("week"))
                .col(string("state"))
                .col(instant("opened_at"))
                .col(instant("deadline_at"))
                .col(boolean("deadline_provisional"))
                .col(instant("closes_at"))
                .col(instant_null("closed_at"))
                .take(),
        )
        .await?;
        m.create_table(
            table("weekly_reports")
                .col(uuid("project_id"))
                .col(string("week"))
                .col(uuid_null("cycle_id"))
                .col(big_integer_null("week_amount_yuan"))
                .col(big_integer_null("ytd_completed_yuan"))
                .col(text("progress"))
                .col(text("milestones"))
                .col(text("next_week_plan"))
                .col(string("contact"))
                .col(boolean("no_change"))
                .col(boolean("late"))
                .col(string("submitted_by"))
                .col(instant("submitted_at"))
                .foreign_key(&mut fk("weekly_reports", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "weekly_reports", &["project_id", "week"], false).await?;
        index(m, "weekly_reports", &["week"], false).await?;
        m.create_table(
            table("report_slots")
                .col(uuid("cycle_id"))
                .col(uuid("project_id"))
                .col(string("status"))
                .col(uuid_null("report_id"))
                .col(instant("updated_at"))
                .foreign_key(&mut fk("report_slots", "cycle_id", "dispatch_cycles"))
                .foreign_key(&mut fk("report_slots", "project_id", "projects"))
                .take(),
        )
        .await?;
        index(m, "report_slots", &["cycle_id", "project_id"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["report_slots", "weekly_reports", "dispatch_cycles"]).await
    }
}
