//! Weekly dispatch cycles (周调度), their report slots and the weekly reports.
//!
//! Opening a cycle is one `INSERT … SELECT` of a slot per active project (stages preparatory,
//! new and continuing), never a statement per project; opening it again adds only the slots
//! of projects that became active since (`ON CONFLICT DO NOTHING`). Slot status: `due` →
//! `submitted` (in time) or `late` (after the deadline, or after closing); `due` becomes
//! `missing` at closing, and `missing` becomes `late` if the report arrives afterwards.

use docket_domain::cycle::CycleState;
use docket_domain::project::Stage;
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, QueryResult};
use uuid::Uuid;

use crate::StoreError;
use crate::sql::stmt;

pub use crate::dispatch_sheet::*;
pub use crate::weekly_reports::*;

/// Stages whose projects get a weekly report slot: those where [`Stage::is_active`].
pub static ACTIVE_STAGES: std::sync::LazyLock<Vec<Stage>> = std::sync::LazyLock::new(|| {
    Stage::ALL
        .iter()
        .copied()
        .filter(|s| s.is_active())
        .collect()
});

/// The active stages as an SQL list of literals, `'preparatory','new','continuing'` (codes
/// are fixed ASCII words, never user text).
pub(crate) fn active_stages_sql() -> String {
    ACTIVE_STAGES
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads a coded column into its typed value; an unknown stored code is a database error.
pub(crate) fn coded<T>(
    r: &QueryResult,
    col: &str,
    parse: impl Fn(&str) -> Result<T, docket_domain::DomainError>,
) -> Result<T, sea_orm::DbErr> {
    let v: String = r.try_get("", col)?;
    parse(&v).map_err(|e| sea_orm::DbErr::Type(format!("{col} {v:?}: {e}")))
}

/// A cycle to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCycle {
    /// ISO week `YYYY-Www`.
    pub week: String,
    /// When it opens (UTC ms).
    pub opened_at: i64,
    /// The report deadline (UTC ms).
    pub deadline_at: i64,
    /// Whether the deadline was computed over a year without a calendar table.
    pub deadline_provisional: bool,
    /// When it closes (UTC ms).
    pub closes_at: i64,
}

/// A stored cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// Id.
    pub id: Uuid,
    /// ISO week.
    pub week: String,
    /// Open or closed.
    pub state: CycleState,
    /// Opened (UTC ms).
    pub opened_at: i64,
    /// Deadline (UTC ms).
    pub deadline_at: i64,
    /// Deadline provisional.
    pub deadline_provisional: bool,
    /// Planned close (UTC ms).
    pub closes_at: i64,
    /// Actual close (UTC ms).
    pub closed_at: Option<i64>,
    /// The dispatch sheet's version last sent: 1 at closing, then one more per correction.
    pub sheet_version: i32,
    /// When the latest correction was queued (UTC ms), if any.
    pub sheet_versioned_at: Option<i64>,
}

/// What opening did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOutcome {
    /// The cycle (new or existing).
    pub cycle: Cycle,
    /// Whether the cycle row was created now.
    pub created: bool,
    /// Slots added now.
    pub slots_added: u64,
}

const CYCLE_COLS: &str = "id, week, state, opened_at, deadline_at, deadline_provisional, closes_at, closed_at, \
     sheet_version, sheet_versioned_at";

pub(crate) fn cycle_from(r: &QueryResult) -> Result<Cycle, sea_orm::DbErr> {
    Ok(Cycle {
        id: r.try_get("", "id")?,
        week: r.try_get("", "week")?,
        state: coded(r, "state", CycleState::parse)?,
        opened_at: r.try_get("", "opened_at")?,
        deadline_at: r.try_get("", "deadline_at")?,
        deadline_provisional: r.try_get("", "deadline_provisional")?,
        closes_at: r.try_get("", "closes_at")?,
        closed_at: r.try_get("", "closed_at")?,
        sheet_version: r.try_get("", "sheet_version")?,
        sheet_versioned_at: r.try_get("", "sheet_versioned_at")?,
    })
}

/// Opens the cycle of `c.week` (or finds it open already) and adds a `due` slot for every
/// active project that has none, in one set-based statement. Expects the caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn open_cycle<C: ConnectionTrait>(
    conn: &C,
    c: &NewCycle,
    now_ms: i64,
) -> Result<OpenOutcome, StoreError> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute_raw(stmt(
            backend,
            "INSERT INTO dispatch_cycles (id, week, state, opened_at, deadline_at, deadline_provisional, closes_at, closed_at) \
             VALUES ($1, $2, 'open', $3, $4, $5, $6, NULL) ON CONFLICT (week) DO NOTHING",
            vec![
                Uuid::now_v7().into(),
                c.week.clone().into(),
                c.opened_at.into(),
                c.deadline_at.into(),
                c.deadline_provisional.into(),
                c.closes_at.into(),
            ],
        ))
        .await?;
    let created = r.rows_affected() == 1;
    let cycle = cycle(conn, &c.week)
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            table: "dispatch_cycles",
            column: "week",
            reason: "vanished".into(),
        })?;
    let slots_added = if cycle.state == CycleState::Open {
        add_slots(conn, cycle.id, now_ms).await?
    } else {
        0
    };
    Ok(OpenOutcome {
        cycle,
        created,
        slots_added,
    })
}

async fn add_slots<C: ConnectionTrait>(
    conn: &C,
    cycle_id: Uuid,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let backend = conn.get_database_backend();
    let stages = active_stages_sql();
    // Slot ids on PostgreSQL: the cycle's (time-ordered v7) id with a running number in its
    // last 48 bits, in project order — index pages fill in order instead of at random.
    let id = match backend {
        DatabaseBackend::Postgres => {
            "(substr(replace(CAST($1 AS text), '-', ''), 1, 20) || lpad(to_hex(row_number() OVER (ORDER BY p.id)), 12, '0'))::uuid"
        }
        // sqlx stores a UUID as its 16 bytes on SQLite.
        _ => "randomblob(16)",
    };
    let sql = format!(
        "INSERT INTO report_slots (id, cycle_id, project_id, status, report_id, updated_at) \
         SELECT {id}, $1, p.id, 'due', NULL, $2 FROM projects p WHERE p.stage IN ({stages}) ORDER BY p.id \
         ON CONFLICT (cycle_id, project_id) DO NOTHING",
    );
    let r = conn
        .execute_raw(stmt(backend, &sql, vec![cycle_id.into(), now_ms.into()]))
        .await?;
    Ok(r.rows_affected())
}

/// The cycle of `week`, if opened.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn cycle<C: ConnectionTrait>(conn: &C, week: &str) -> Result<Option<Cycle>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = format!("SELECT {CYCLE_COLS} FROM dispatch_cycles WHERE week = $1");
    match conn
        .query_one_raw(stmt(backend, &sql, vec![week.into()]))
        .await?
    {
        Some(r) => Ok(Some(cycle_from(&r)?)),
        None => Ok(None),
    }
}

/// The opened cycles of `weeks`, by week, in one query (a week without a cycle is absent).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn cycles_of_weeks<C: ConnectionTrait>(
    conn: &C,
    weeks: &[&str],
) -> Result<std::collections::HashMap<String, Cycle>, StoreError> {
    let mut out = std::collections::HashMap::with_capacity(weeks.len());
    if weeks.is_empty() {
        return Ok(out);
    }
    let backend = conn.get_database_backend();
    for chunk in weeks.chunks(crate::sql::batch_rows(1)) {
        let sql = format!(
            "SELECT {CYCLE_COLS} FROM dispatch_cycles WHERE week IN ({})",
            crate::sql::placeholders(1, chunk.len())
        );
        let values = chunk.iter().map(|w| (*w).into()).collect();
        for r in conn.query_all_raw(stmt(backend, &sql, values)).await? {
            let c = cycle_from(&r)?;
            out.insert(c.week.clone(), c);
        }
    }
    Ok(out)
}

/// The most recent cycle (by week), if any.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn latest_cycle<C: ConnectionTrait>(conn: &C) -> Result<Option<Cycle>, StoreError> {
    let backend = conn.get_database_backend();
    let sql = format!("SELECT {CYCLE_COLS} FROM dispatch_cycles ORDER BY week DESC LIMIT 1");
    match conn.query_one_raw(stmt(backend, &sql, vec![])).await? {
        Some(r) => Ok(Some(cycle_from(&r)?)),
        None => Ok(None),
    }
}

/// Closes an open cycle: every slot still `due` becomes `missing`. Returns whether it was
/// open. Expects the caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn close_cycle<C: ConnectionTrait>(
    conn: &C,
    cycle_id: Uuid,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute_raw(stmt(
            backend,
            "UPDATE dispatch_cycles SET state = 'closed', closed_at = $2 WHERE id = $1 AND state = 'open'",
            vec![cycle_id.into(), now_ms.into()],
        ))
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    conn.execute_raw(stmt(
        backend,
        "UPDATE report_slots SET status = 'missing', updated_at = $2 WHERE cycle_id = $1 AND status = 'due'",
        vec![cycle_id.into(), now_ms.into()],
    ))
    .await?;
    Ok(true)
}

/// Records a corrected dispatch sheet of a closed cycle: the version becomes the next one,
/// stamped `now_ms`. Returns the new version. Expects the caller's transaction (the
/// corrected sheet's emails are queued in it).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn next_sheet_version<C: ConnectionTrait>(
    conn: &C,
    cycle_id: Uuid,
    now_ms: i64,
) -> Result<i32, StoreError> {
    let backend = conn.get_database_backend();
    let r = conn
        .query_one_raw(stmt(
            backend,
            "UPDATE dispatch_cycles SET sheet_version = sheet_version + 1, sheet_versioned_at = $2 \
             WHERE id = $1 RETURNING sheet_version",
            vec![cycle_id.into(), now_ms.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            table: "dispatch_cycles",
            column: "sheet_version",
            reason: "the cycle vanished".into(),
        })?;
    Ok(r.try_get("", "sheet_version")?)
}

/// A cycle's counts, as `docket cycle show` prints them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CycleSummary {
    /// ISO week.
    pub week: String,
    /// Open or closed.
    pub state: CycleState,
    /// Slots (active projects when it opened).
    pub projects: i64,
    /// Reports received, late ones included.
    pub reported: i64,
    /// Codes of the projects that have not reported, sorted.
    pub missing: Vec<String>,
}

/// The counts of the cycle of `week`, if opened.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn cycle_summary<C: ConnectionTrait>(
    conn: &C,
    week: &str,
) -> Result<Option<CycleSummary>, StoreError> {
    let Some(c) = cycle(conn, week).await? else {
        return Ok(None);
    };
    let backend = conn.get_database_backend();
    let counts = conn
        .query_one_raw(stmt(
            backend,
            "SELECT COUNT(*) AS projects, \
             COALESCE(SUM(CASE WHEN status IN ('submitted', 'late') THEN 1 ELSE 0 END), 0) AS reported \
             FROM report_slots WHERE cycle_id = $1",
            vec![c.id.into()],
        ))
        .await?;
    let (projects, reported) = match counts {
        Some(r) => (get_i64(&r, "projects")?, get_i64(&r, "reported")?),
        None => (0, 0),
    };
    let rows = conn
        .query_all_raw(stmt(
            backend,
            "SELECT p.code FROM report_slots s JOIN projects p ON p.id = s.project_id \
             WHERE s.cycle_id = $1 AND s.status IN ('due', 'missing') ORDER BY p.code",
            vec![c.id.into()],
        ))
        .await?;
    let missing = rows
        .iter()
        .map(|r| r.try_get::<String>("", "code"))
        .collect::<Result<_, _>>()?;
    Ok(Some(CycleSummary {
        week: c.week,
        state: c.state,
        projects,
        reported,
        missing,
    }))
}

/// Reads an integer aggregate (SUM is NUMERIC on PostgreSQL, INTEGER on SQLite).
pub(crate) fn get_i64(r: &QueryResult, col: &str) -> Result<i64, sea_orm::DbErr> {
    if let Ok(v) = r.try_get::<i64>("", col) {
        return Ok(v);
    }
    if let Ok(v) = r.try_get::<i32>("", col) {
        return Ok(i64::from(v));
    }
    let d: sea_orm::prelude::Decimal = r.try_get("", col)?;
    Ok(d.try_into().unwrap_or_default())
}

/// A project that has not reported in an open cycle, with whom to remind.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct PendingSlot {
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// Owner unit.
    pub owner_unit: String,
    /// Responsible official's id.
    pub responsible_official: Option<String>,
    /// The project's contact email.
    pub contact_email: Option<String>,
}

/// The projects whose slot in `cycle_id` is still `due`, by code.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn pending_slots<C: ConnectionTrait>(
    conn: &C,
    cycle_id: Uuid,
) -> Result<Vec<PendingSlot>, StoreError> {
    let backend = conn.get_database_backend();
    Ok(PendingSlot::find_by_statement(stmt(
        backend,
        "SELECT p.code, p.name, p.owner_unit, p.responsible_official, p.contact_email \
         FROM report_slots s JOIN projects p ON p.id = s.project_id \
         WHERE s.cycle_id = $1 AND s.status = 'due' ORDER BY p.code",
        vec![cycle_id.into()],
    ))
    .all(conn)
    .await?)
}

/// The number of active projects (those that get a slot).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn active_project_count<C: ConnectionTrait>(conn: &C) -> Result<i64, StoreError> {
    let backend = conn.get_database_backend();
    let stages = active_stages_sql();
    let r = conn
        .query_one_raw(stmt(
            backend,
            &format!("SELECT COUNT(*) AS n FROM projects WHERE stage IN ({stages})"),
            vec![],
        ))
        .await?;
    Ok(match r {
        Some(r) => get_i64(&r, "n")?,
        None => 0,
    })
}

/// Every active project with whom a reminder would reach (for previews).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn active_contacts<C: ConnectionTrait>(conn: &C) -> Result<Vec<PendingSlot>, StoreError> {
    let backend = conn.get_database_backend();
    let stages = active_stages_sql();
    Ok(PendingSlot::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT code, name, owner_unit, responsible_official, contact_email FROM projects \
             WHERE stage IN ({stages}) ORDER BY code"
        ),
        vec![],
    ))
    .all(conn)
    .await?)
}
