//! Held products (扣发): rows of `holds`, one per bulletin or dispatch sheet kept back, with a
//! short number for people. A product has at most one row in state `held` at a time
//! ([`hold`] returns the existing one); deciding (release or drop) is a conditional
//! `UPDATE … WHERE state = 'held'`, so two deciders cannot both send it. Nothing is deleted.

use docket_domain::hold::{HoldKind, HoldReason, HoldState};
use sea_orm::{ConnectionTrait, QueryResult};
use uuid::Uuid;

use crate::StoreError;
use crate::cycles::coded;
use crate::sql::stmt;

/// A held product as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hold {
    /// Id (never shown to people).
    #[serde(skip)]
    pub id: Uuid,
    /// The short number people use (`docket hold release 3`).
    pub number: i64,
    /// Bulletin or dispatch sheet.
    pub kind: HoldKind,
    /// The month (`2026-11`) or ISO week (`2026-W49`).
    pub period: String,
    /// Why, as a code.
    pub reason_code: HoldReason,
    /// Why, in words for the office (Chinese).
    pub reason: String,
    /// When it was held (UTC ms).
    pub held_at: i64,
    /// Held, released or dropped.
    pub state: HoldState,
    /// Who released or dropped it.
    pub decided_by: Option<String>,
    /// When (UTC ms).
    pub decided_at: Option<i64>,
}

const COLS: &str =
    "id, number, kind, period, reason_code, reason, held_at, state, decided_by, decided_at";

fn hold_from(r: &QueryResult) -> Result<Hold, sea_orm::DbErr> {
    Ok(Hold {
        id: r.try_get("", "id")?,
        number: r.try_get("", "number")?,
        kind: coded(r, "kind", HoldKind::parse)?,
        period: r.try_get("", "period")?,
        reason_code: coded(r, "reason_code", HoldReason::parse)?,
        reason: r.try_get("", "reason")?,
        held_at: r.try_get("", "held_at")?,
        state: coded(r, "state", HoldState::parse)?,
        decided_by: r.try_get("", "decided_by")?,
        decided_at: r.try_get("", "decided_at")?,
    })
}

/// Holds `kind` of `period` for `reason`, or returns the hold already waiting for it (the
/// first reason stands). Expects the caller's write transaction (numbers are the next after
/// the highest; SQLite has one writer, and on PostgreSQL a concurrent hold fails on the
/// unique number and the caller's transaction retries).
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn hold<C: ConnectionTrait>(
    conn: &C,
    kind: HoldKind,
    period: &str,
    reason_code: HoldReason,
    reason: &str,
    now_ms: i64,
) -> Result<Hold, StoreError> {
    if let Some(h) = waiting(conn, kind, period).await? {
        return Ok(h);
    }
    let backend = conn.get_database_backend();
    let sql = format!(
        "INSERT INTO holds ({COLS}) \
         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4, $5, $6, 'held', NULL, NULL FROM holds \
         RETURNING {COLS}"
    );
    let r = conn
        .query_one_raw(stmt(
            backend,
            &sql,
            vec![
                Uuid::now_v7().into(),
                kind.code().into(),
                period.into(),
                reason_code.code().into(),
                reason.into(),
                now_ms.into(),
            ],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            table: "holds",
            column: "number",
            reason: "the insert returned no row".into(),
        })?;
    Ok(hold_from(&r)?)
}

/// The hold still waiting (state `held`) for `kind` of `period`, if any.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn waiting<C: ConnectionTrait>(
    conn: &C,
    kind: HoldKind,
    period: &str,
) -> Result<Option<Hold>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT {COLS} FROM holds WHERE kind = $1 AND period = $2 AND state = 'held' ORDER BY number LIMIT 1"
    );
    match conn
        .query_one_raw(stmt(backend, &sql, vec![kind.code().into(), period.into()]))
        .await?
    {
        Some(r) => Ok(Some(hold_from(&r)?)),
        None => Ok(None),
    }
}

/// The hold numbered `number`, if any.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn by_number<C: ConnectionTrait>(
    conn: &C,
    number: i64,
) -> Result<Option<Hold>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = format!("SELECT {COLS} FROM holds WHERE number = $1");
    match conn
        .query_one_raw(stmt(backend, &sql, vec![number.into()]))
        .await?
    {
        Some(r) => Ok(Some(hold_from(&r)?)),
        None => Ok(None),
    }
}

/// Holds by number; only those still waiting unless `all`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list<C: ConnectionTrait>(conn: &C, all: bool) -> Result<Vec<Hold>, StoreError> {
    let backend = conn.get_database_backend();
    let filter = if all { "" } else { "WHERE state = 'held'" };
    let sql = format!("SELECT {COLS} FROM holds {filter} ORDER BY number");
    conn.query_all_raw(stmt(backend, &sql, vec![]))
        .await?
        .iter()
        .map(hold_from)
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// Decides a waiting hold: `to` is released or dropped, by `by` at `now_ms`. Returns whether
/// it was still waiting (false: someone decided it first). Expects the caller's transaction
/// (a release queues the product's emails in it).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn decide<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    to: HoldState,
    by: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute_raw(stmt(
            backend,
            "UPDATE holds SET state = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND state = 'held'",
            vec![id.into(), to.code().into(), by.into(), now_ms.into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}
