//! Working-day calendar years imported after deployment (`docket calendar import`). The
//! table is kept as the TOML text it was imported from; the shipped years live in
//! `config/calendar/` and an imported year takes precedence over a shipped one.

use sea_orm::ConnectionTrait;

use crate::StoreError;
use crate::sql::stmt;

/// A stored year's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredYear {
    /// The year.
    pub year: i32,
    /// Where the table came from (the notice).
    pub source: String,
    /// The table as TOML, in the format of `config/calendar/*.toml`.
    pub table_toml: String,
    /// When it was imported (UTC ms).
    pub imported_at: i64,
}

/// Stores (or replaces) a year's table. Expects the caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn save_year<C: ConnectionTrait>(conn: &C, year: &StoredYear) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "INSERT INTO calendar_years (year, source, table_toml, imported_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year) DO UPDATE SET source = excluded.source, table_toml = excluded.table_toml, \
         imported_at = excluded.imported_at",
        vec![
            year.year.into(),
            year.source.clone().into(),
            year.table_toml.clone().into(),
            year.imported_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Every stored year, in year order.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list_years<C: ConnectionTrait>(conn: &C) -> Result<Vec<StoredYear>, StoreError> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(stmt(
            backend,
            "SELECT year, source, table_toml, imported_at FROM calendar_years ORDER BY year",
            vec![],
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredYear {
                year: r.try_get("", "year")?,
                source: r.try_get("", "source")?,
                table_toml: r.try_get("", "table_toml")?,
                imported_at: r.try_get("", "imported_at")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}
