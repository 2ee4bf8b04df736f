//! Counts for the service's health and metrics: rows by state, in one query each.

use sea_orm::{ConnectionTrait, Statement};

use crate::StoreError;

/// Grouped counts of a column of a table: `(value, count)` pairs ordered by value.
async fn grouped<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    column: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let sql = format!(
        "SELECT {column} AS k, COUNT(*) AS n FROM {table} GROUP BY {column} ORDER BY {column}"
    );
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String>("", "k")?, r.try_get::<i64>("", "n")?)))
        .collect()
}

/// Issues by state code.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn issues_by_state<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, i64)>, StoreError> {
    grouped(conn, "issues", "state").await
}

/// Dispatch cycles by state code (open, closed).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn cycles_by_state<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, i64)>, StoreError> {
    grouped(conn, "dispatch_cycles", "state").await
}

/// Whether the database answers a trivial query.
///
/// # Errors
/// [`StoreError::Db`] when it does not.
pub async fn ping<C: ConnectionTrait>(conn: &C) -> Result<(), StoreError> {
    conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT 1".to_string(),
    ))
    .await?;
    Ok(())
}
