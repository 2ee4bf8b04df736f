//! Reading the outbox for people: rows by state, one row, counts per state.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{OutboxRow, State};
use crate::StoreError;
use crate::entity::outbox::{Column as Col, Entity as Outbox};

/// Rows in a state (all when `None`), oldest first, at most `limit`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    state: Option<State>,
    limit: u64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let mut q = Outbox::find();
    if let Some(s) = state {
        q = q.filter(Col::State.eq(s.code()));
    }
    Ok(q.order_by_asc(Col::CreatedAt)
        .order_by_asc(Col::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// One row by id.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<OutboxRow>, StoreError> {
    Ok(Outbox::find_by_id(id).one(conn).await?)
}

/// How many rows are in each state.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn count_by_state<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(Outbox::find()
        .select_only()
        .column(Col::State)
        .column_as(Col::Id.count(), "n")
        .group_by(Col::State)
        .order_by_asc(Col::State)
        .into_tuple()
        .all(conn)
        .await?)
}
