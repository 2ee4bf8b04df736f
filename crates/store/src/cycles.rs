//! Weekly dispatch cycles (周调度), their report slots and the weekly reports.
//!
//! Opening a cycle is one `INSERT … SELECT` of a slot per active project (stages preparatory,
//! new and continuing), never a statement per project; opening it again adds only the slots
//! of projects that became active since (`ON CONFLICT DO NOTHING`). Slot status: `due` →
//! `submitted` (in time) or `late` (after the deadline, or after closing); `due` becomes
//! `missing` at closing, and `missing` becomes `late` if the report arrives afterwards.

use std::collections::HashMap;

use chrono::NaiveDate;
use docket_domain::cycle::{CycleState, SlotStatus};
use docket_domain::project::Stage;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, QueryResult, Value};
use uuid::Uuid;

use crate::StoreError;
use crate::sql::{insert_batched, stmt};

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
fn active_stages_sql() -> String {
    ACTIVE_STAGES
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads a coded column into its typed value; an unknown stored code is a database error.
fn coded<T>(
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

const CYCLE_COLS: &str =
    "id, week, state, opened_at, deadline_at, deadline_provisional, closes_at, closed_at";

fn cycle_from(r: &QueryResult) -> Result<Cycle, sea_orm::DbErr> {
    Ok(Cycle {
        id: r.try_get("", "id")?,
        week: r.try_get("", "week")?,
        state: coded(r, "state", CycleState::parse)?,
        opened_at: r.try_get("", "opened_at")?,
        deadline_at: r.try_get("", "deadline_at")?,
        deadline_provisional: r.try_get("", "deadline_provisional")?,
        closes_at: r.try_get("", "closes_at")?,
        closed_at: r.try_get("", "closed_at")?,
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
fn get_i64(r: &QueryResult, col: &str) -> Result<i64, sea_orm::DbErr> {
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

/// A weekly report to record (amounts in whole yuan).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewReport {
    /// The project's id.
    pub project_id: Uuid,
    /// ISO week.
    pub week: String,
    /// Investment completed this week.
    pub week_amount: Option<i64>,
    /// Year-to-date completed investment.
    pub ytd_completed: Option<i64>,
    /// Physical progress (形象进度).
    pub progress: String,
    /// Milestones reached, as text.
    pub milestones: String,
    /// Problems needing coordination (存在问题), as text.
    pub problems: String,
    /// Next week's plan.
    pub next_week_plan: String,
    /// Contact person.
    pub contact: String,
    /// "本期无变化": the previous report's progress and year-to-date figure carry over.
    pub no_change: bool,
    /// Who submitted.
    pub submitted_by: String,
}

/// What recording a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The report's id.
    pub report_id: Uuid,
    /// The project's id.
    pub project_id: Uuid,
    /// The week.
    pub week: String,
    /// Whether it counts as late.
    pub late: bool,
    /// The slot's status now (`None` when the week has no cycle).
    pub slot_status: Option<SlotStatus>,
}

/// Records weekly reports set-based (one multi-row insert, one slot update per week). A
/// report after its cycle's deadline, or after closing, is late; after closing it also shows
/// in the next sheet. A no-change report copies the project's previous progress and
/// year-to-date figure. Expects the caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn submit_reports<C: ConnectionTrait>(
    conn: &C,
    reports: &[NewReport],
    now_ms: i64,
) -> Result<Vec<Submitted>, StoreError> {
    let backend = conn.get_database_backend();
    let mut weeks: Vec<&str> = reports.iter().map(|r| r.week.as_str()).collect();
    weeks.sort_unstable();
    weeks.dedup();
    let mut cycles: HashMap<String, Cycle> = HashMap::new();
    for w in &weeks {
        if let Some(c) = cycle(conn, w).await? {
            cycles.insert(w.to_string(), c);
        }
    }
    let carry: Vec<Uuid> = reports
        .iter()
        .filter(|r| r.no_change)
        .map(|r| r.project_id)
        .collect();
    let previous = if carry.is_empty() {
        HashMap::new()
    } else {
        reports_of(conn, &carry).await?
    };
    let mut rows: Vec<Vec<SimpleExpr>> = Vec::with_capacity(reports.len());
    let mut out = Vec::with_capacity(reports.len());
    for r in reports {
        let c = cycles.get(&r.week);
        let late = c.is_some_and(|c| now_ms > c.deadline_at || c.state == CycleState::Closed);
        let id = Uuid::now_v7();
        let (mut progress, mut ytd, mut amount) =
            (r.progress.clone(), r.ytd_completed, r.week_amount);
        if r.no_change {
            // The newest report of an earlier week carries over.
            let prev = previous
                .get(&r.project_id)
                .and_then(|list| {
                    list.iter()
                        .rev()
                        .find(|(w, _, _)| w.as_str() < r.week.as_str())
                })
                .map(|(_, p, y)| (p.clone(), *y));
            if progress.trim().is_empty() {
                progress = prev
                    .as_ref()
                    .map(|p| p.0.clone())
                    .unwrap_or_else(|| "本期无变化".into());
            }
            ytd = ytd.or(prev.and_then(|p| p.1));
            amount = amount.or(Some(0));
        }
        rows.push(vec![
            Expr::val(id),
            Expr::val(r.project_id),
            Expr::val(r.week.clone()),
            Expr::val(c.map(|c| c.id)),
            Expr::val(amount),
            Expr::val(ytd),
            Expr::val(progress),
            Expr::val(r.milestones.clone()),
            Expr::val(r.next_week_plan.clone()),
            Expr::val(r.contact.clone()),
            Expr::val(r.no_change),
            Expr::val(late),
            Expr::val(r.submitted_by.clone()),
            Expr::val(now_ms),
            Expr::val(r.problems.clone()),
        ]);
        out.push(Submitted {
            report_id: id,
            project_id: r.project_id,
            week: r.week.clone(),
            late,
            slot_status: None,
        });
    }
    let cols = [
        "id",
        "project_id",
        "week",
        "cycle_id",
        "week_amount_yuan",
        "ytd_completed_yuan",
        "progress",
        "milestones",
        "next_week_plan",
        "contact",
        "no_change",
        "late",
        "submitted_by",
        "submitted_at",
        "problems",
    ];
    insert_batched(conn, "weekly_reports", &cols, rows, None, |_| {}).await?;
    // Point each slot at its newest report; status by the report's lateness, never downgrading
    // an in-time submission to late.
    for (week, c) in &cycles {
        let late = now_ms > c.deadline_at || c.state == CycleState::Closed;
        let status = if late {
            SlotStatus::Late
        } else {
            SlotStatus::Submitted
        }
        .code();
        conn.execute_raw(stmt(
            backend,
            "UPDATE report_slots SET \
               status = CASE WHEN status = 'submitted' THEN 'submitted' ELSE $3 END, \
               report_id = (SELECT w.id FROM weekly_reports w WHERE w.project_id = report_slots.project_id \
                            AND w.week = $2 ORDER BY w.submitted_at DESC, w.id DESC LIMIT 1), \
               updated_at = $4 \
             WHERE cycle_id = $1 AND project_id IN \
               (SELECT project_id FROM weekly_reports WHERE week = $2 AND submitted_at = $4)",
            vec![c.id.into(), week.clone().into(), status.into(), now_ms.into()],
        ))
        .await?;
        let st = conn
            .query_all_raw(stmt(
                backend,
                "SELECT project_id, status FROM report_slots WHERE cycle_id = $1 AND updated_at = $2",
                vec![c.id.into(), now_ms.into()],
            ))
            .await?;
        let mut by_project = HashMap::new();
        for r in st {
            by_project.insert(
                r.try_get::<Uuid>("", "project_id")?,
                coded(&r, "status", SlotStatus::parse)?,
            );
        }
        for s in out.iter_mut().filter(|s| &s.week == week) {
            s.slot_status = by_project.get(&s.project_id).cloned();
        }
    }
    Ok(out)
}

/// The reports of the given projects, oldest first per project: (week, progress, ytd).
async fn reports_of<C: ConnectionTrait>(
    conn: &C,
    projects: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(String, String, Option<i64>)>>, StoreError> {
    let backend = conn.get_database_backend();
    let mut out: HashMap<Uuid, Vec<(String, String, Option<i64>)>> = HashMap::new();
    for chunk in projects.chunks(crate::sql::batch_rows(1)) {
        let sql = format!(
            "SELECT project_id, week, progress, ytd_completed_yuan FROM weekly_reports \
             WHERE project_id IN ({}) ORDER BY project_id, week, submitted_at",
            crate::sql::placeholders(1, chunk.len())
        );
        let rows = conn
            .query_all_raw(stmt(
                backend,
                &sql,
                chunk.iter().map(|u| (*u).into()).collect(),
            ))
            .await?;
        for r in rows {
            out.entry(r.try_get("", "project_id")?).or_default().push((
                r.try_get("", "week")?,
                r.try_get("", "progress")?,
                r.try_get("", "ytd_completed_yuan")?,
            ));
        }
    }
    Ok(out)
}

/// One project's line on a dispatch sheet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owner unit.
    pub owner_unit: String,
    /// Responsible official's id.
    pub responsible_official: Option<String>,
    /// Slot status.
    pub status: SlotStatus,
    /// This week's investment (yuan).
    pub week_amount: Option<i64>,
    /// Year to date (yuan).
    pub ytd_completed: Option<i64>,
    /// Progress text.
    pub progress: String,
    /// Problems text.
    pub problems: String,
    /// No-change report.
    pub no_change: bool,
}

/// A report for an earlier week that arrived after that week closed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LateReport {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The week it reports.
    pub week: String,
    /// When it arrived (UTC ms).
    pub submitted_at: i64,
    /// This week's amount (yuan).
    pub week_amount: Option<i64>,
}

/// A blocking issue as a sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssueLine {
    /// Project code.
    pub project: String,
    /// Category code.
    pub category: String,
    /// Title.
    pub title: String,
    /// State code.
    pub state: String,
    /// Task force id, if routed to one.
    pub task_force: Option<String>,
    /// Due date.
    pub due: Option<NaiveDate>,
}

/// Everything a dispatch sheet shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetData {
    /// The cycle's week.
    pub week: String,
    /// Open or closed.
    pub state: CycleState,
    /// Every slot's line, by code.
    pub rows: Vec<SheetRow>,
    /// Reports of earlier weeks received after those weeks closed, since the previous sheet.
    pub late_earlier: Vec<LateReport>,
    /// Issues raised in the window.
    pub new_issues: Vec<IssueLine>,
    /// Issues resolved in the window.
    pub resolved_issues: Vec<IssueLine>,
    /// Open issues past their due date.
    pub overdue_issues: Vec<IssueLine>,
}

/// The data of the sheet of `week`: slots with their newest report, late reports for earlier
/// weeks received in `[from_ms, to_ms)`, issues raised and resolved in that window, and
/// issues overdue on `today`.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn sheet_data<C: ConnectionTrait>(
    conn: &C,
    week: &str,
    from_ms: i64,
    to_ms: i64,
    today: NaiveDate,
) -> Result<Option<SheetData>, StoreError> {
    let Some(c) = cycle(conn, week).await? else {
        return Ok(None);
    };
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(stmt(
            backend,
            "SELECT p.code, p.name, p.owner_unit, p.responsible_official, s.status, \
                    w.week_amount_yuan, w.ytd_completed_yuan, w.progress, w.problems, w.no_change \
             FROM report_slots s JOIN projects p ON p.id = s.project_id \
             LEFT JOIN weekly_reports w ON w.id = s.report_id \
             WHERE s.cycle_id = $1 ORDER BY p.code",
            vec![c.id.into()],
        ))
        .await?;
    let rows = rows
        .iter()
        .map(|r| {
            Ok(SheetRow {
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
                owner_unit: r.try_get("", "owner_unit")?,
                responsible_official: r.try_get("", "responsible_official")?,
                status: coded(r, "status", SlotStatus::parse)?,
                week_amount: r.try_get("", "week_amount_yuan")?,
                ytd_completed: r.try_get("", "ytd_completed_yuan")?,
                progress: r
                    .try_get::<Option<String>>("", "progress")?
                    .unwrap_or_default(),
                problems: r
                    .try_get::<Option<String>>("", "problems")?
                    .unwrap_or_default(),
                no_change: r.try_get::<Option<bool>>("", "no_change")?.unwrap_or(false),
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    let late = conn
        .query_all_raw(stmt(
            backend,
            "SELECT p.code, p.name, w.week, w.submitted_at, w.week_amount_yuan \
             FROM weekly_reports w JOIN projects p ON p.id = w.project_id \
             JOIN dispatch_cycles c ON c.id = w.cycle_id \
             WHERE w.week < $1 AND c.closed_at IS NOT NULL AND w.submitted_at > c.closed_at \
               AND w.submitted_at >= $2 AND w.submitted_at < $3 \
             ORDER BY w.week, p.code",
            vec![week.into(), from_ms.into(), to_ms.into()],
        ))
        .await?;
    let late_earlier = late
        .iter()
        .map(|r| {
            Ok(LateReport {
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
                week: r.try_get("", "week")?,
                submitted_at: r.try_get("", "submitted_at")?,
                week_amount: r.try_get("", "week_amount_yuan")?,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    let issue_cols = "p.code AS project, i.category, i.title, i.state, i.task_force, i.due";
    let new_issues = issue_lines(
        conn,
        &format!(
            "SELECT {issue_cols} FROM issues i JOIN projects p ON p.id = i.project_id \
             WHERE i.raised_at >= $1 AND i.raised_at < $2 ORDER BY i.raised_at"
        ),
        vec![from_ms.into(), to_ms.into()],
    )
    .await?;
    let resolved_issues = issue_lines(
        conn,
        &format!(
            "SELECT {issue_cols} FROM issues i JOIN projects p ON p.id = i.project_id \
             WHERE EXISTS (SELECT 1 FROM issue_events e WHERE e.issue_id = i.id AND e.to_state = 'resolved' \
                           AND e.at >= $1 AND e.at < $2) ORDER BY p.code"
        ),
        vec![from_ms.into(), to_ms.into()],
    )
    .await?;
    let overdue_issues = issue_lines(
        conn,
        &format!(
            "SELECT {issue_cols} FROM issues i JOIN projects p ON p.id = i.project_id \
             WHERE i.state IN ('assigned', 'accepted', 'in_progress') AND i.due IS NOT NULL AND i.due < $1 \
             ORDER BY i.due, p.code"
        ),
        vec![today.into()],
    )
    .await?;
    Ok(Some(SheetData {
        week: c.week,
        state: c.state,
        rows,
        late_earlier,
        new_issues,
        resolved_issues,
        overdue_issues,
    }))
}

async fn issue_lines<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<IssueLine>, StoreError> {
    let backend = conn.get_database_backend();
    let rows = conn.query_all_raw(stmt(backend, sql, values)).await?;
    rows.iter()
        .map(|r| {
            Ok(IssueLine {
                project: r.try_get("", "project")?,
                category: r.try_get("", "category")?,
                title: r.try_get("", "title")?,
                state: r.try_get("", "state")?,
                task_force: r.try_get("", "task_force")?,
                due: r.try_get("", "due")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
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
