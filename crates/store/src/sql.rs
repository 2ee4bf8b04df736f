//! Helpers for set-based statements that work on both backends.

use sea_orm::sea_query::{InsertStatement, OnConflict, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr};

/// PostgreSQL accepts at most 65,535 bind parameters per statement; SQLite 32,766. Batches
/// stay under the smaller so one code path serves both.
pub const MAX_PARAMS: usize = 32_000;

/// Rows per multi-row statement for a table of `columns` columns.
pub fn batch_rows(columns: usize) -> usize {
    (MAX_PARAMS / columns.max(1)).max(1)
}

/// Inserts `rows` into `table` in as few multi-row statements as the parameter limit allows,
/// with an optional `ON CONFLICT` clause; calls `progress` with the rows written so far.
///
/// Few large statements rather than many small ones: each statement over loopback
/// PostgreSQL can stall ~40 ms on Nagle's algorithm (CRATES.md trap 5), once per statement.
///
/// # Errors
/// The first failing statement's error; the caller's transaction then rolls back.
pub async fn insert_batched<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SimpleExpr>>,
    on_conflict: Option<OnConflict>,
    mut progress: impl FnMut(usize),
) -> Result<usize, DbErr> {
    let per = batch_rows(columns.len());
    let mut done = 0;
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let mut stmt: InsertStatement = Query::insert()
            .into_table(table.to_string())
            .columns(columns.iter().map(|c| c.to_string()))
            .to_owned();
        let mut n = 0;
        for row in it.by_ref().take(per) {
            stmt.values(row).map_err(|e| DbErr::Custom(e.to_string()))?;
            n += 1;
        }
        if let Some(oc) = &on_conflict {
            stmt.on_conflict(oc.clone());
        }
        conn.execute(&stmt).await?;
        done += n;
        progress(done);
    }
    Ok(done)
}
