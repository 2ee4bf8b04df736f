//! Weekly reports (周报): submitted by an owner contact for its unit's projects (or by the
//! office), one or a batch. A report and the issues raised from its problems commit in one
//! transaction: a problem that cannot be raised leaves no report behind.

use docket_scheduler::reports::ReportInput;
use docket_store::cycles::Submitted;
use docket_workflow::Raised;
use docket_workflow::report_problems::issues_from_report;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use crate::actor::{Actor, require_reporter};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// The longest text a report field may hold, in characters.
pub const TEXT_MAX_CHARS: usize = 2000;

/// What a submission did.
#[derive(Debug, Clone)]
pub struct ReportsSubmitted {
    /// One per report, in the order given.
    pub reports: Vec<Submitted>,
    /// The issues raised from the reports' problems (an open duplicate returns its id).
    pub issues: Vec<Raised>,
}

impl ReportsSubmitted {
    /// How many reports count as late.
    pub fn late(&self) -> usize {
        self.reports.iter().filter(|r| r.late).count()
    }

    /// How many issues are new.
    pub fn new_issues(&self) -> usize {
        self.issues.iter().filter(|r| r.created).count()
    }
}

/// Checks one report's fields, naming the report (`report N`) when there are several.
fn check(i: usize, many: bool, r: &ReportInput) -> Vec<String> {
    let at = |field: &str| {
        if many {
            format!("report {}: {field}", i + 1)
        } else {
            field.to_string()
        }
    };
    let mut bad = Vec::new();
    if r.code.trim().is_empty() {
        bad.push(format!("{}: required", at("project")));
    }
    if r.progress.trim().is_empty() && !r.no_change {
        bad.push(format!(
            "{}: required unless the report says 本期无变化 (no change)",
            at("progress")
        ));
    }
    for (field, text) in [
        ("progress", &r.progress),
        ("milestones", &r.milestones),
        ("problems", &r.problems),
        ("next_week_plan", &r.next_week_plan),
        ("contact", &r.contact),
    ] {
        let n = text.chars().count();
        if n > TEXT_MAX_CHARS {
            bad.push(format!(
                "{}: {n} characters, at most {TEXT_MAX_CHARS} allowed",
                at(field)
            ));
        }
    }
    bad
}

/// Records weekly reports as `actor` and raises their problems as routed issues, all in one
/// transaction.
///
/// # Errors
/// Bad input (every bad field and unknown project listed), not permitted (a project of
/// another unit), or unexpected; nothing is written in any of these cases.
pub async fn submit_reports(
    app: &App,
    actor: &Actor,
    inputs: &[ReportInput],
) -> AppResult<ReportsSubmitted> {
    submit_reports_on(app, &app.db.conn, actor, inputs).await
}

/// As [`submit_reports`], on `conn`: inside a caller's transaction (e.g. a one-click link's,
/// which records the link's use beside the report) the work is a savepoint of it.
///
/// # Errors
/// As [`submit_reports`].
pub async fn submit_reports_on<C: ConnectionTrait + TransactionTrait>(
    app: &App,
    conn: &C,
    actor: &Actor,
    inputs: &[ReportInput],
) -> AppResult<ReportsSubmitted> {
    if inputs.is_empty() {
        return Err(AppError::bad_input("no reports to submit"));
    }
    let many = inputs.len() > 1;
    let mut bad: Vec<String> = inputs
        .iter()
        .enumerate()
        .flat_map(|(i, r)| check(i, many, r))
        .collect();
    let codes: Vec<String> = inputs.iter().map(|r| r.code.trim().to_string()).collect();
    let projects = docket_store::issues::projects_by_code(conn, &codes).await?;
    for (i, code) in codes.iter().enumerate() {
        if !code.is_empty() && !projects.contains_key(code) {
            bad.push(if many {
                format!(
                    "report {}: project: {code}: no project with this code",
                    i + 1
                )
            } else {
                format!("project: {code}: no project with this code")
            });
        }
    }
    if bad.len() == 1 {
        return Err(AppError::bad_input(bad.remove(0)));
    }
    if !bad.is_empty() {
        return Err(AppError::bad_rows(
            format!("{} bad report field(s); nothing was written", bad.len()),
            bad,
        ));
    }
    for code in &codes {
        require_reporter(actor, &projects[code])?;
    }
    let now = app.now();
    let txn = conn.begin_with_options(docket_store::db::WRITE).await?;
    let reports = docket_scheduler::reports::submit(&txn, inputs, &actor.id, now).await?;
    let items: Vec<_> = inputs
        .iter()
        .zip(&reports)
        .flat_map(|(r, s)| issues_from_report(r.code.trim(), s.report_id, &r.problems))
        .collect();
    let issues = if items.is_empty() {
        Vec::new()
    } else {
        app.workflow.raise_many(&txn, actor, &items, now).await?
    };
    txn.commit().await?;
    Ok(ReportsSubmitted { reports, issues })
}

/// Reads a batch of reports from a CSV or XLSX file; `default_week` fills rows without one.
///
/// # Errors
/// Bad input with every bad cell as `FILE:ROW: COLUMN: VALUE: reason`.
pub fn read_report_file(
    path: &std::path::Path,
    default_week: Option<docket_domain::period::IsoWeek>,
) -> AppResult<Vec<ReportInput>> {
    Ok(docket_library::reports::read_batch(path, default_week)?)
}

/// The week's report lines (one per project of the cycle: status, amounts, progress) that
/// `actor` may see: an owner contact its unit's, everyone else all.
///
/// # Errors
/// Not found when no cycle was opened for the week; unexpected if the database fails.
pub async fn list_reports(
    app: &App,
    actor: &Actor,
    week: docket_domain::period::IsoWeek,
) -> AppResult<Vec<docket_store::dispatch_sheet::SheetRow>> {
    let mut rows = crate::cycles::cycle_sheet(app, week).await?.rows;
    if let (false, Some(unit)) = (actor.office, actor.unit.as_deref()) {
        rows.retain(|r| r.owner_unit == unit);
    }
    Ok(rows)
}
