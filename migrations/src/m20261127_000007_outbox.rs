//! The email outbox: one row per message, written in the transaction that causes it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, fk, index, instant, instant_null, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("outbox")
                .col(string_uniq("dedupe_key"))
                .col(string("kind"))
                .col(string("to_email"))
                .col(string("to_name"))
                .col(string_null("official"))
                .col(text("context"))
                .col(text_null("subject"))
                .col(text_null("text_body"))
                .col(text_null("html_body"))
                .col(string("delivery"))
                .col(string_null("period"))
                .col(string("state"))
                .col(integer("attempts"))
                .col(instant("next_attempt_at"))
                .col(instant_null("lease_until"))
                .col(string_null("lease_owner"))
                .col(text_null("last_error"))
                .col(instant("created_at"))
                .col(instant_null("sent_at"))
                .take(),
        )
        .await?;
        index(m, "outbox", &["state", "next_attempt_at"], false).await?;
        m.create_table(
            table("outbox_attachments")
                .col(uuid("message_id"))
                .col(string("filename"))
                .col(string("content_type"))
                .col(blob("data"))
                .foreign_key(&mut fk("outbox_attachments", "message_id", "outbox"))
                .take(),
        )
        .await?;
        index(m, "outbox_attachments", &["message_id"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["outbox_attachments", "outbox"]).await
    }
}
