//! Report slots are written only by the set-based opening of a cycle, from `projects` and
//! `dispatch_cycles` rows in the same statement, and nothing is ever deleted; on PostgreSQL
//! their two foreign keys cost a per-row trigger lookup that more than doubles the opening of a
//! 100,000-project cycle (1.4 s against 0.6 s). They are dropped there; SQLite keeps them
//! (dropping a constraint would mean rebuilding the table, and its insert is fast anyway).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "ALTER TABLE report_slots DROP CONSTRAINT IF EXISTS fk_report_slots_cycle_id; \
                     ALTER TABLE report_slots DROP CONSTRAINT IF EXISTS fk_report_slots_project_id",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "ALTER TABLE report_slots ADD CONSTRAINT fk_report_slots_cycle_id FOREIGN KEY (cycle_id) REFERENCES dispatch_cycles (id); \
                     ALTER TABLE report_slots ADD CONSTRAINT fk_report_slots_project_id FOREIGN KEY (project_id) REFERENCES projects (id)",
                )
                .await?;
        }
        Ok(())
    }
}
