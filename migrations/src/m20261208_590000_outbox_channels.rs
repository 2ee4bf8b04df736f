//! Channels besides email (企业微信 and 钉钉 group robots, an SMS gateway): an outbox row
//! names its `channel` (`email`, or the id of a configured `[[channels]]` entry), and an
//! email row records whether its channel copies were made (`fanned_out`). Rows already in
//! the outbox count as fanned out, so configuring a channel never posts old messages.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        m.alter_table(
            Table::alter()
                .table("outbox")
                .add_column(string("channel").default("email"))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("outbox")
                .add_column(boolean("fanned_out").default(false))
                .take(),
        )
        .await?;
        m.exec_stmt(
            Query::update()
                .table("outbox")
                .value("fanned_out", true)
                .to_owned(),
        )
        .await?;
        index(m, "outbox", &["fanned_out", "channel"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_outbox_fanned_out_channel")
                .table("outbox")
                .to_owned(),
        )
        .await?;
        for col in ["fanned_out", "channel"] {
            m.alter_table(Table::alter().table("outbox").drop_column(col).take())
                .await?;
        }
        Ok(())
    }
}
