//! Weekly reports (周报) recorded against their cycle's slots: on time, late, or after
//! closing as a 补报 (late entry). A closed cycle's slots are never touched again, so the
//! sheet already sent reads back unchanged; a 补报 shows in [`list_reports`] and among the
//! next sheet's late reports. Whether a 补报 is allowed is the caller's rule (the app
//! layer: only the office, and only when asked for).

use std::collections::HashMap;

use docket_domain::Amount;
use docket_domain::cycle::{CycleState, ReportInput, SlotStatus};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, SimpleExpr};
use uuid::Uuid;

use crate::StoreError;
use crate::cycles::{Cycle, coded, cycles_of_weeks};
use crate::sql::{insert_batched, stmt};

/// A weekly report to record: the report as entered, resolved to its project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    /// The project's id (the input's code, looked up).
    pub project_id: Uuid,
    /// The report as entered. A no-change ("本期无变化") report carries over the previous
    /// report's progress and year-to-date figure.
    pub input: ReportInput,
    /// Who submitted.
    pub submitted_by: String,
}

/// What recording a report did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Submitted {
    /// The report's id.
    pub report_id: Uuid,
    /// The project's id.
    pub project_id: Uuid,
    /// The week.
    pub week: String,
    /// Whether it counts as late.
    pub late: bool,
    /// The slot's status now (`None` when the week has no cycle, or its cycle is closed and
    /// the slot stays as the sheet showed it).
    pub slot_status: Option<SlotStatus>,
    /// Whether it was recorded as a 补报 (after the week's cycle closed).
    pub late_entry: bool,
}

/// Records weekly reports set-based (one multi-row insert, one slot update per open week). A
/// report after its cycle's deadline is late. A report for a closed cycle is late and a
/// 补报 (`late_entry`), leaves the closed cycle's slots as they were (the sheet sent stays
/// true) and shows in the next sheet. A no-change report copies the project's previous
/// progress and year-to-date figure. Expects the caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn submit_reports<C: ConnectionTrait>(
    conn: &C,
    reports: &[NewReport],
    now_ms: i64,
) -> Result<Vec<Submitted>, StoreError> {
    let weeks_of: Vec<String> = reports.iter().map(|r| r.input.week.to_string()).collect();
    let mut weeks: Vec<&str> = weeks_of.iter().map(String::as_str).collect();
    weeks.sort_unstable();
    weeks.dedup();
    let cycles = cycles_of_weeks(conn, &weeks).await?;
    submit_reports_in(conn, reports, &cycles, now_ms).await
}

/// As [`submit_reports`], with the weeks' cycles already read by the caller in the same
/// transaction (`cycles`: week → cycle, as [`cycles_of_weeks`] gives; a week absent has no
/// cycle), so a request that checked them does not read them again.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn submit_reports_in<C: ConnectionTrait>(
    conn: &C,
    reports: &[NewReport],
    cycles: &HashMap<String, Cycle>,
    now_ms: i64,
) -> Result<Vec<Submitted>, StoreError> {
    let backend = conn.get_database_backend();
    let weeks_of: Vec<String> = reports.iter().map(|r| r.input.week.to_string()).collect();
    let carry: Vec<Uuid> = reports
        .iter()
        .filter(|r| r.input.no_change)
        .map(|r| r.project_id)
        .collect();
    let previous = if carry.is_empty() {
        HashMap::new()
    } else {
        reports_of(conn, &carry).await?
    };
    let mut rows: Vec<Vec<SimpleExpr>> = Vec::with_capacity(reports.len());
    let mut out = Vec::with_capacity(reports.len());
    for (r, week) in reports.iter().zip(&weeks_of) {
        let input = &r.input;
        let c = cycles.get(week);
        let late_entry = c.is_some_and(|c| c.state == CycleState::Closed);
        let late = late_entry || c.is_some_and(|c| now_ms > c.deadline_at);
        let id = Uuid::now_v7();
        let mut progress = input.progress.clone();
        let mut ytd = input.ytd_completed.map(Amount::yuan);
        let mut amount = input.week_amount.map(Amount::yuan);
        if input.no_change {
            // The newest report of an earlier week carries over.
            let prev = previous
                .get(&r.project_id)
                .and_then(|list| list.iter().rev().find(|(w, _, _)| w < week))
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
            Expr::val(week.clone()),
            Expr::val(c.map(|c| c.id)),
            Expr::val(amount),
            Expr::val(ytd),
            Expr::val(progress),
            Expr::val(input.milestones.clone()),
            Expr::val(input.next_week_plan.clone()),
            Expr::val(input.contact.clone()),
            Expr::val(input.no_change),
            Expr::val(late),
            Expr::val(r.submitted_by.clone()),
            Expr::val(now_ms),
            Expr::val(input.problems.clone()),
            Expr::val(late_entry),
        ]);
        out.push(Submitted {
            report_id: id,
            project_id: r.project_id,
            week: week.clone(),
            late,
            slot_status: None,
            late_entry,
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
        "late_entry",
    ];
    insert_batched(conn, "weekly_reports", &cols, rows, None, |_| {}).await?;
    // Point each slot at its newest report; status by the report's lateness, never downgrading
    // an in-time submission to late.
    for (week, c) in cycles.iter().filter(|(_, c)| c.state == CycleState::Open) {
        let late = now_ms > c.deadline_at;
        let status = if late {
            SlotStatus::Late
        } else {
            SlotStatus::Submitted
        }
        .code();
        // Exactly this submission's projects, in one order: naming them by "reports submitted
        // this millisecond" made two concurrent submissions in the same millisecond update
        // each other's slots and deadlock on PostgreSQL. The report just recorded is the
        // slot's newest (the last of this submission's for a project named twice): its id is
        // set directly rather than looked up, and the slots' new status comes back from the
        // same statement.
        let mut newest: HashMap<Uuid, Uuid> = HashMap::new();
        for s in out.iter().filter(|s| &s.week == week) {
            newest.insert(s.project_id, s.report_id);
        }
        let mut ids: Vec<(Uuid, Uuid)> = newest.into_iter().collect();
        ids.sort_unstable();
        let mut st = Vec::new();
        for chunk in ids.chunks(crate::sql::batch_rows(3).min(500)) {
            let mut values: Vec<sea_orm::Value> = vec![c.id.into(), status.into(), now_ms.into()];
            let mut cases = String::with_capacity(chunk.len() * 24);
            for (i, (project, report)) in chunk.iter().enumerate() {
                let at = 4 + 2 * i;
                cases.push_str(&format!(" WHEN ${at} THEN ${}", at + 1));
                values.push((*project).into());
                values.push((*report).into());
            }
            let list = crate::sql::placeholders(4 + 2 * chunk.len(), chunk.len());
            values.extend(chunk.iter().map(|(p, _)| sea_orm::Value::from(*p)));
            st.extend(
                conn.query_all_raw(stmt(
                    backend,
                    &format!(
                        "UPDATE report_slots SET \
                           status = CASE WHEN status = 'submitted' THEN 'submitted' ELSE $2 END, \
                           report_id = CASE project_id{cases} END, \
                           updated_at = $3 \
                         WHERE cycle_id = $1 AND project_id IN ({list}) \
                         RETURNING project_id, status"
                    ),
                    values,
                ))
                .await?,
            );
        }
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

/// A weekly report as the listing shows it (amounts in whole yuan).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportLine {
    /// The report's id.
    pub id: Uuid,
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// ISO week reported.
    pub week: String,
    /// Investment completed that week.
    pub week_amount: Option<i64>,
    /// Year-to-date completed investment.
    pub ytd_completed: Option<i64>,
    /// Physical progress.
    pub progress: String,
    /// 本期无变化.
    pub no_change: bool,
    /// After the deadline or the close.
    pub late: bool,
    /// A 补报: recorded after the week's cycle closed.
    pub late_entry: bool,
    /// Who submitted.
    pub submitted_by: String,
    /// When (UTC ms).
    pub submitted_at: i64,
}

/// Every report of `week` (of one project if `project` names its code), by project code and
/// then oldest first: a project reported twice shows both, the 补报 marked.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list_reports<C: ConnectionTrait>(
    conn: &C,
    week: &str,
    project: Option<&str>,
) -> Result<Vec<ReportLine>, StoreError> {
    let mut values = vec![week.into()];
    let mut sql = String::from(
        "SELECT w.id, p.code, p.name, w.week, w.week_amount_yuan, w.ytd_completed_yuan, \
                w.progress, w.no_change, w.late, w.late_entry, w.submitted_by, w.submitted_at \
         FROM weekly_reports w JOIN projects p ON p.id = w.project_id WHERE w.week = $1",
    );
    if let Some(code) = project {
        sql.push_str(" AND p.code = $2");
        values.push(code.into());
    }
    sql.push_str(" ORDER BY p.code, w.submitted_at, w.id");
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), &sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ReportLine {
                id: r.try_get("", "id")?,
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
                week: r.try_get("", "week")?,
                week_amount: r.try_get("", "week_amount_yuan")?,
                ytd_completed: r.try_get("", "ytd_completed_yuan")?,
                progress: r.try_get("", "progress")?,
                no_change: r.try_get("", "no_change")?,
                late: r.try_get("", "late")?,
                late_entry: r.try_get("", "late_entry")?,
                submitted_by: r.try_get("", "submitted_by")?,
                submitted_at: r.try_get("", "submitted_at")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// The owner unit of the project a report belongs to (`None` for no such report).
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn report_owner_unit<C: ConnectionTrait>(
    conn: &C,
    report_id: Uuid,
) -> Result<Option<String>, StoreError> {
    use sea_orm::EntityTrait;

    use crate::entity::{projects, weekly_reports};
    let Some(r) = weekly_reports::Entity::find_by_id(report_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(projects::Entity::find_by_id(r.project_id)
        .one(conn)
        .await?
        .map(|p| p.owner_unit))
}
