//! The scheduler's bookkeeping: the ledger of firings (unique per schedule and period, written
//! in the same transaction as the work it records) and named leases with a fencing token.
//!
//! A lease is one row per name; taking over an expired lease increments its token, and every
//! write a leader makes first checks, inside its own transaction, that the lease still carries
//! its token ([`check_fence`]). On PostgreSQL that check locks the lease row until the
//! transaction ends, so a take-over waits for the old leader's commit and a paused stale
//! leader's transaction fails instead of writing.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use crate::StoreError;

use crate::sql::stmt;

/// A firing in the ledger: to record, or as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiringRow {
    /// The schedule's name, e.g. `open`, `remind`, `bulletin`.
    pub schedule: String,
    /// The period it fired for, e.g. `2024-W37`, `2024-W37/r2`, `2024-09`.
    pub period: String,
    /// When it was due (UTC ms).
    pub due_at: i64,
    /// When it fired (UTC ms).
    pub fired_at: i64,
    /// Who fired it (the scheduler's holder id).
    pub owner: String,
    /// What it did, or `skipped: …` for a period passed over by the misfire policy.
    pub outcome: String,
}

/// Records firings; returns the (schedule, period) pairs that were new. A pair already in the
/// ledger is left as it is (another replica, or an earlier run, did it). Expects the caller's
/// transaction, in which the work is done too.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn record_firings<C: ConnectionTrait>(
    conn: &C,
    rows: &[FiringRow],
) -> Result<Vec<(String, String)>, StoreError> {
    let backend = conn.get_database_backend();
    let mut inserted = Vec::new();
    for chunk in rows.chunks(crate::sql::batch_rows(7)) {
        let mut sql = String::from(
            "INSERT INTO schedule_firings (id, schedule, period, due_at, fired_at, owner, outcome) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7);
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 7;
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
            values.extend([
                Uuid::now_v7().into(),
                r.schedule.clone().into(),
                r.period.clone().into(),
                r.due_at.into(),
                r.fired_at.into(),
                r.owner.clone().into(),
                r.outcome.clone().into(),
            ]);
        }
        sql.push_str(" ON CONFLICT (schedule, period) DO NOTHING RETURNING schedule, period");
        let got = conn.query_all_raw(stmt(backend, &sql, values)).await?;
        for row in got {
            inserted.push((
                row.try_get::<String>("", "schedule")?,
                row.try_get::<String>("", "period")?,
            ));
        }
    }
    Ok(inserted)
}

/// Sets the outcome of a recorded firing (after its work, in the same transaction).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn set_outcome<C: ConnectionTrait>(
    conn: &C,
    schedule: &str,
    period: &str,
    outcome: &str,
) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "UPDATE schedule_firings SET outcome = $1 WHERE schedule = $2 AND period = $3",
        vec![outcome.into(), schedule.into(), period.into()],
    ))
    .await?;
    Ok(())
}

/// The (schedule, period) pairs in the ledger that were due at or after `since_ms`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn fired_since<C: ConnectionTrait>(
    conn: &C,
    since_ms: i64,
) -> Result<HashSet<(String, String)>, StoreError> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(stmt(
            backend,
            "SELECT schedule, period FROM schedule_firings WHERE due_at >= $1",
            vec![since_ms.into()],
        ))
        .await?;
    let mut out = HashSet::with_capacity(rows.len());
    for r in rows {
        out.insert((
            r.try_get::<String>("", "schedule")?,
            r.try_get::<String>("", "period")?,
        ));
    }
    Ok(out)
}

/// One ledger row, as listed: the same fields as recorded.
pub type Firing = FiringRow;

/// Every ledger row of `schedule` (all schedules when `None`), oldest due first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list_firings<C: ConnectionTrait>(
    conn: &C,
    schedule: Option<&str>,
) -> Result<Vec<Firing>, StoreError> {
    let backend = conn.get_database_backend();
    let (sql, values): (&str, Vec<Value>) = match schedule {
        Some(s) => (
            "SELECT schedule, period, due_at, fired_at, owner, outcome FROM schedule_firings WHERE schedule = $1 ORDER BY due_at, period",
            vec![s.into()],
        ),
        None => (
            "SELECT schedule, period, due_at, fired_at, owner, outcome FROM schedule_firings ORDER BY due_at, schedule, period",
            vec![],
        ),
    };
    let rows = conn.query_all_raw(stmt(backend, sql, values)).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Firing {
                schedule: r.try_get("", "schedule")?,
                period: r.try_get("", "period")?,
                due_at: r.try_get("", "due_at")?,
                fired_at: r.try_get("", "fired_at")?,
                owner: r.try_get("", "owner")?,
                outcome: r.try_get("", "outcome")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// A lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Who holds it.
    pub holder: String,
    /// The fencing token: increases on every change of holder.
    pub token: i64,
    /// When it lapses unless renewed (UTC ms).
    pub expires_at: i64,
}

/// Reads the lease `name`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn lease<C: ConnectionTrait>(conn: &C, name: &str) -> Result<Option<Lease>, StoreError> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(stmt(
            backend,
            "SELECT holder, token, expires_at FROM leases WHERE name = $1",
            vec![name.into()],
        ))
        .await?;
    match row {
        Some(r) => Ok(Some(Lease {
            holder: r.try_get("", "holder")?,
            token: r.try_get("", "token")?,
            expires_at: r.try_get("", "expires_at")?,
        })),
        None => Ok(None),
    }
}

/// Takes or renews the lease `name` for `holder` until `now_ms + ttl_ms`: renewed when
/// `holder` has it, taken over (token + 1) when it has lapsed, created when absent. Returns
/// the token if `holder` now holds the lease, `None` if someone else does.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn acquire_lease<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<Option<i64>, StoreError> {
    let backend = conn.get_database_backend();
    let until = now_ms + ttl_ms;
    conn.execute_raw(stmt(
        backend,
        "INSERT INTO leases (name, holder, token, expires_at) VALUES ($1, $2, 1, $3) ON CONFLICT (name) DO NOTHING",
        vec![name.into(), holder.into(), until.into()],
    ))
    .await?;
    // Renew our own lease (same token), or take over a lapsed one (new token).
    conn.execute_raw(stmt(
        backend,
        "UPDATE leases SET token = CASE WHEN holder = $2 THEN token ELSE token + 1 END, holder = $2, expires_at = $3 \
         WHERE name = $1 AND (holder = $2 OR expires_at <= $4)",
        vec![name.into(), holder.into(), until.into(), now_ms.into()],
    ))
    .await?;
    Ok(lease(conn, name)
        .await?
        .filter(|l| l.holder == holder)
        .map(|l| l.token))
}

/// Takes lease `name` for `holder` whoever holds it (a new token, so the old holder's
/// writes are fenced off): only for a caller that knows the holder is gone, e.g. a
/// `docket run` holding the SQLite file's run lock after a kill -9 left the lease unexpired.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn seize_lease<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<Option<i64>, StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "UPDATE leases SET token = token + 1, holder = $2, expires_at = $3 WHERE name = $1 AND holder <> $2",
        vec![name.into(), holder.into(), (now_ms + ttl_ms).into()],
    ))
    .await?;
    acquire_lease(conn, name, holder, now_ms, ttl_ms).await
}

/// Checks, inside the caller's transaction, that `holder` still holds `name` with `token`
/// (the fence every leader write passes). On PostgreSQL it locks the lease row until the
/// transaction ends, so no take-over can slip in before the commit.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn check_fence<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    holder: &str,
    token: i64,
) -> Result<bool, StoreError> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute_raw(stmt(
            backend,
            "UPDATE leases SET token = token WHERE name = $1 AND holder = $2 AND token = $3",
            vec![name.into(), holder.into(), token.into()],
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives the lease up if `holder` has it (a clean shutdown), so another process need not wait
/// for it to lapse.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn release_lease<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    holder: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "UPDATE leases SET expires_at = $3 WHERE name = $1 AND holder = $2",
        vec![name.into(), holder.into(), now_ms.into()],
    ))
    .await?;
    Ok(())
}
