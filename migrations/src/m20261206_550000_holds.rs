//! Products held back instead of sent (扣发): a bulletin or dispatch sheet that looks wrong
//! (empty, no reports, too stale) or awaits the office's approval. One row per hold, with a
//! short number for people; the office releases (sends) or drops it, and who and when are
//! recorded. Nothing is deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, index, instant, instant_null, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("holds")
                .col(big_integer("number"))
                .col(string("kind"))
                .col(string("period"))
                .col(string("reason_code"))
                .col(text("reason"))
                .col(instant("held_at"))
                .col(string("state"))
                .col(string_null("decided_by"))
                .col(instant_null("decided_at"))
                .take(),
        )
        .await?;
        index(m, "holds", &["number"], true).await?;
        index(m, "holds", &["kind", "period"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["holds"]).await
    }
}
