//! The schema of Docket, as sea-orm migrations: the only way the schema is made, on SQLite
//! and PostgreSQL alike.
//!
//! One migration per file (the name comes from the file name, CRATES.md trap 3). A migration
//! describes the schema as it was when written and imports nothing of Docket's, so it never
//! changes when entities do.
//!
//! Conventions: UUID keys; amounts as `BIGINT` whole yuan (exact on both backends, CRATES.md
//! trap 1); instants as `BIGINT` UTC milliseconds since the epoch (SQLite compares text
//! timestamps with mixed offsets wrongly, trap 2); business dates as `DATE`; months as
//! `INTEGER` `YYYYMM`; ISO weeks as text `YYYY-Www`.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_officials;
mod m20261127_000002_projects;
mod m20261127_000003_progress;
mod m20261127_000004_calendar;
mod m20261127_000005_cycles;
mod m20261127_000006_issues;
mod m20261127_000007_outbox;
mod m20261127_000008_scheduling;
mod m20261127_000009_bulletins;
mod m20261127_501000_report_problems;
mod m20261127_502000_report_slots_unchecked;
mod m20261127_510000_auth;
mod m20261127_520100_report_late_entry;
mod m20261206_520000_issue_numbers;
mod m20261206_540000_attachments;
mod m20261206_550000_holds;
mod m20261206_550100_sheet_versions;
mod m20261206_560000_delivery_breaker;
mod m20261207_570000_applications;
mod m20261207_570100_project_tags;
mod m20261207_580000_schedule_pauses;
mod m20261208_590000_outbox_channels;
mod util;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_officials::Migration),
            Box::new(m20261127_000002_projects::Migration),
            Box::new(m20261127_000003_progress::Migration),
            Box::new(m20261127_000004_calendar::Migration),
            Box::new(m20261127_000005_cycles::Migration),
            Box::new(m20261127_000006_issues::Migration),
            Box::new(m20261127_000007_outbox::Migration),
            Box::new(m20261127_000008_scheduling::Migration),
            Box::new(m20261127_000009_bulletins::Migration),
            Box::new(m20261127_501000_report_problems::Migration),
            Box::new(m20261127_502000_report_slots_unchecked::Migration),
            Box::new(m20261127_510000_auth::Migration),
            Box::new(m20261127_520100_report_late_entry::Migration),
            Box::new(m20261206_520000_issue_numbers::Migration),
            Box::new(m20261206_540000_attachments::Migration),
            Box::new(m20261206_550000_holds::Migration),
            Box::new(m20261206_550100_sheet_versions::Migration),
            Box::new(m20261206_560000_delivery_breaker::Migration),
            Box::new(m20261207_570000_applications::Migration),
            Box::new(m20261207_570100_project_tags::Migration),
            Box::new(m20261207_580000_schedule_pauses::Migration),
            Box::new(m20261208_590000_outbox_channels::Migration),
        ]
    }
}
