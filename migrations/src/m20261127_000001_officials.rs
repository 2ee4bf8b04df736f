//! Officials and task forces, mirrored from the configuration at start-up so that queries can
//! join them (the configuration stays the source of truth).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("officials")
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("title"))
                .col(string("email"))
                .col(string_null("unit"))
                .col(string("digest"))
                .col(boolean("active"))
                .col(instant("updated_at"))
                .take(),
        )
        .await?;
        m.create_table(
            table("task_forces")
                .col(string_uniq("code"))
                .col(string("name"))
                .col(text("categories"))
                .col(boolean("active"))
                .col(instant("updated_at"))
                .take(),
        )
        .await?;
        m.create_table(
            table("task_force_members")
                .col(uuid("task_force_id"))
                .col(uuid("official_id"))
                .col(string("role"))
                .foreign_key(&mut fk(
                    "task_force_members",
                    "task_force_id",
                    "task_forces",
                ))
                .foreign_key(&mut fk("task_force_members", "official_id", "officials"))
                .take(),
        )
        .await?;
        index(
            m,
            "task_force_members",
            &["task_force_id", "official_id", "role"],
            true,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["task_force_members", "task_forces", "officials"]).await
    }
}
