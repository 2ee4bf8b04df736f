//! The data of a week's dispatch sheet (周调度单): one line per project, late reports of
//! earlier weeks, the issues of the week.

use chrono::NaiveDate;
use docket_domain::cycle::{CycleState, SlotStatus};
use sea_orm::{ConnectionTrait, Value};

use crate::StoreError;
use crate::cycles::{coded, cycle};
use crate::sql::stmt;

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
    /// Year to date (yuan), as the week's report gives it.
    pub ytd_completed: Option<i64>,
    /// Year to date (yuan) from the newest monthly progress figure of the week's year up to
    /// the week's month: what the sheet shows as 累计 when the report gives none.
    pub progress_ytd: Option<i64>,
    /// The month (`YYYYMM` key) of [`SheetRow::progress_ytd`].
    pub progress_month: Option<i32>,
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
    /// Recorded as a 补报 by the office's leave (reports after a close are refused otherwise).
    pub late_entry: bool,
}

/// A blocking issue as a sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssueLine {
    /// Project code.
    pub project: String,
    /// Project name.
    pub project_name: String,
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

/// The data of the sheet of `week`: slots with their newest report (and the newest monthly
/// progress figure of the week's year up to the month of its Sunday), late reports for
/// earlier weeks received in `[from_ms, to_ms)`, issues raised and resolved in that window,
/// and issues overdue on `today`.
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
    let (first_month, last_month) = months_of(week);
    let rows = conn
        .query_all_raw(stmt(
            backend,
            "SELECT p.code, p.name, p.owner_unit, p.responsible_official, s.status, \
                    w.week_amount_yuan, w.ytd_completed_yuan, w.progress, w.problems, w.no_change, \
                    (SELECT m.ytd_completed_yuan FROM monthly_progress m \
                      WHERE m.project_id = p.id AND m.month BETWEEN $2 AND $3 \
                      ORDER BY m.month DESC LIMIT 1) AS progress_ytd, \
                    (SELECT MAX(m.month) FROM monthly_progress m \
                      WHERE m.project_id = p.id AND m.month BETWEEN $2 AND $3) AS progress_month \
             FROM report_slots s JOIN projects p ON p.id = s.project_id \
             LEFT JOIN weekly_reports w ON w.id = s.report_id \
             WHERE s.cycle_id = $1 ORDER BY p.code",
            vec![c.id.into(), first_month.into(), last_month.into()],
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
                progress_ytd: r.try_get("", "progress_ytd")?,
                progress_month: r.try_get("", "progress_month")?,
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
            "SELECT p.code, p.name, w.week, w.submitted_at, w.week_amount_yuan, w.late_entry \
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
        .map(late_report)
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    let issue_cols = "p.code AS project, p.name AS project_name, i.category, i.title, i.state, i.task_force, i.due";
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

/// The `YYYYMM` keys from January of the year of `week`'s Sunday to that Sunday's month
/// (an unparsable week, which a stored cycle never has, matches no month).
fn months_of(week: &str) -> (i32, i32) {
    use chrono::Datelike;
    match docket_domain::period::IsoWeek::parse(week) {
        Ok(w) => {
            let sunday = w.day(chrono::Weekday::Sun);
            let y = sunday.year() * 100;
            (y + 1, y + sunday.month() as i32)
        }
        Err(_) => (0, -1),
    }
}

fn late_report(r: &sea_orm::QueryResult) -> Result<LateReport, sea_orm::DbErr> {
    Ok(LateReport {
        code: r.try_get("", "code")?,
        name: r.try_get("", "name")?,
        week: r.try_get("", "week")?,
        submitted_at: r.try_get("", "submitted_at")?,
        week_amount: r.try_get("", "week_amount_yuan")?,
        late_entry: r.try_get("", "late_entry")?,
    })
}

/// The 补报 (late entries) for `week` itself recorded after `after_ms` — what a corrected
/// version of the week's sheet adds to the sheet already sent.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn late_entries_of_week<C: ConnectionTrait>(
    conn: &C,
    week: &str,
    after_ms: i64,
) -> Result<Vec<LateReport>, StoreError> {
    let backend = conn.get_database_backend();
    conn.query_all_raw(stmt(
        backend,
        "SELECT p.code, p.name, w.week, w.submitted_at, w.week_amount_yuan, w.late_entry \
         FROM weekly_reports w JOIN projects p ON p.id = w.project_id \
         WHERE w.week = $1 AND w.late_entry = $2 AND w.submitted_at > $3 ORDER BY p.code",
        vec![week.into(), true.into(), after_ms.into()],
    ))
    .await?
    .iter()
    .map(late_report)
    .collect::<Result<_, sea_orm::DbErr>>()
    .map_err(StoreError::from)
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
                project_name: r.try_get("", "project_name")?,
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
