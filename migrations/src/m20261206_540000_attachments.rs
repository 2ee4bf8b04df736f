//! Attachments (附件): files uploaded with weekly reports (形象进度照片) and issues (批文). The
//! bytes live outside the database in a content-addressed folder, named by their SHA-256;
//! this table lists each upload with its object, uploader and time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string("object_kind"))
                .col(uuid("object_id"))
                .col(string("name"))
                .col(string("mime"))
                .col(big_integer("size"))
                .col(string("sha256"))
                .col(string("uploaded_by"))
                .col(big_integer("uploaded_at"))
                .take(),
        )
        .await?;
        index(m, "attachments", &["object_kind", "object_id"], false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachments").if_exists().take())
            .await
    }
}
