//! Attachments as listed in the database (the bytes live in the content-addressed folder
//! the application layer keeps).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::entity::attachments;
use crate::error::StoreError;

/// Records one attachment.
///
/// # Errors
/// [`StoreError::Db`] if the insert fails.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    row: attachments::Model,
) -> Result<(), StoreError> {
    row.into_active_model().insert(conn).await?;
    Ok(())
}

/// The attachments of one object, oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn of_object<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    id: Uuid,
) -> Result<Vec<attachments::Model>, StoreError> {
    Ok(attachments::Entity::find()
        .filter(attachments::Column::ObjectKind.eq(kind))
        .filter(attachments::Column::ObjectId.eq(id))
        .order_by_asc(attachments::Column::UploadedAt)
        .order_by_asc(attachments::Column::Id)
        .all(conn)
        .await?)
}

/// One attachment by id.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<Option<attachments::Model>, StoreError> {
    Ok(attachments::Entity::find_by_id(id).one(conn).await?)
}

/// The attachments of the objects `ids` of one `kind`, by object, oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn of_objects<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    ids: &[Uuid],
) -> Result<Vec<attachments::Model>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(attachments::Entity::find()
        .filter(attachments::Column::ObjectKind.eq(kind))
        .filter(attachments::Column::ObjectId.is_in(ids.iter().copied()))
        .order_by_asc(attachments::Column::ObjectId)
        .order_by_asc(attachments::Column::UploadedAt)
        .order_by_asc(attachments::Column::Id)
        .all(conn)
        .await?)
}
