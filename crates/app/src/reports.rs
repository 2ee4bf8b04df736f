//! Weekly reports (周报): submitted by an owner contact for its unit's projects (or by the
//! office), one or a batch. A report and the issues raised from its problems commit in one
//! transaction: a problem that cannot be raised leaves no report behind.
//!
//! Closed weeks are locked: once a week's cycle has closed (and its sheet was sent), a report
//! for it is refused as a conflict naming the week and when it closed — unless the office
//! records it as a 补报 ([`SubmitOptions::late_entry`]). A 补报 is stored marked as such,
//! listed by [`list_reports`] and on the next sheet among the late reports; the closed
//! week's own sheet is not changed by it.

use std::collections::HashMap;

use docket_domain::Amount;
use docket_domain::config::TextLimits;
use docket_domain::cycle::CycleState;
use docket_domain::period::IsoWeek;
use docket_domain::text::{multi_line, single_line};
use docket_scheduler::reports::ReportInput;
use docket_store::cycles::{Cycle, ReportLine, Submitted};
use docket_workflow::Raised;
use docket_workflow::report_problems::issues_from_report;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use crate::actor::{Actor, require_office, require_reporter};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// How to submit reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SubmitOptions {
    /// Record reports for weeks whose cycle has closed as 补报 (late entries) instead of
    /// refusing them. Only the office may; reports for open weeks are recorded as usual.
    pub late_entry: bool,
}

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

/// A report as stored: single-line fields (code, contact) without line breaks or control
/// characters, free text with its lines kept and control characters dropped.
fn normalised(r: &ReportInput) -> ReportInput {
    ReportInput {
        code: single_line(&r.code),
        week: r.week,
        week_amount: r.week_amount,
        ytd_completed: r.ytd_completed,
        progress: multi_line(&r.progress),
        milestones: multi_line(&r.milestones),
        problems: multi_line(&r.problems),
        next_week_plan: multi_line(&r.next_week_plan),
        contact: single_line(&r.contact),
        no_change: r.no_change,
    }
}

/// Checks one (normalised) report's fields, naming the report (`report N`) when there are
/// several.
fn check(i: usize, many: bool, r: &ReportInput, limits: &TextLimits) -> Vec<String> {
    let at = |field: &str| {
        if many {
            format!("report {}: {field}", i + 1)
        } else {
            field.to_string()
        }
    };
    let mut bad = Vec::new();
    if r.code.is_empty() {
        bad.push(format!("{}: required", at("project")));
    }
    if r.progress.is_empty() && !r.no_change {
        bad.push(format!(
            "{}: required unless the report says 本期无变化 (no change)",
            at("progress")
        ));
    }
    for (field, amount) in [("week_amount", r.week_amount), ("ytd", r.ytd_completed)] {
        if let Some(a) = amount
            && !a.is_in_range()
        {
            bad.push(format!(
                "{}: {a}: must be between 0 and {} 万元",
                at(field),
                Amount::MAX
            ));
        }
    }
    for (field, text, max) in [
        ("project", &r.code, limits.code_max_chars),
        ("progress", &r.progress, limits.text_max_chars),
        ("milestones", &r.milestones, limits.text_max_chars),
        ("problems", &r.problems, limits.text_max_chars),
        ("next_week_plan", &r.next_week_plan, limits.text_max_chars),
        ("contact", &r.contact, limits.name_max_chars),
    ] {
        if let Err(e) = docket_domain::text::check_length(text, max) {
            bad.push(format!("{}: {e}", at(field)));
        }
    }
    bad
}

/// The cycles of the reports' weeks, read once inside the writing transaction (so a close
/// cannot slip in between); reports for weeks whose cycle has closed are refused unless
/// `late_entry` allows them. The cycles read are handed on to the recording.
async fn check_open_weeks<C: ConnectionTrait>(
    app: &App,
    txn: &C,
    inputs: &[ReportInput],
    late_entry: bool,
) -> AppResult<HashMap<String, Cycle>> {
    let weeks_of: Vec<String> = inputs.iter().map(|r| r.week.to_string()).collect();
    let mut weeks: Vec<&str> = weeks_of.iter().map(String::as_str).collect();
    weeks.sort_unstable();
    weeks.dedup();
    let cycles = docket_store::cycles::cycles_of_weeks(txn, &weeks).await?;
    if late_entry {
        return Ok(cycles);
    }
    let tz = app.workflow.settings.tz();
    let mut closed = Vec::new();
    for week in weeks {
        if let Some(c) = cycles.get(week)
            && c.state == CycleState::Closed
        {
            let at = c
                .closed_at
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "an unknown time".into());
            closed.push(format!("{week} closed at {at} ({tz})"));
        }
    }
    if closed.is_empty() {
        return Ok(cycles);
    }
    Err(AppError::Conflict(format!(
        "{}: the dispatch sheet was sent and the week is locked; nothing was written. \
         The office may record a 补报 (late entry) with --late-entry",
        closed.join(", ")
    )))
}

/// Records weekly reports as `actor` and raises their problems as routed issues, all in one
/// transaction; a report for a closed week is refused (see [`submit_reports_with`]).
///
/// # Errors
/// As [`submit_reports_with`].
pub async fn submit_reports(
    app: &App,
    actor: &Actor,
    inputs: &[ReportInput],
) -> AppResult<ReportsSubmitted> {
    submit_reports_with(app, actor, inputs, SubmitOptions::default()).await
}

/// Records weekly reports as `actor` and raises their problems as routed issues, all in one
/// transaction. Text is normalised first (no line breaks or control characters in the code
/// and contact; free text keeps its lines) and checked against `[limits]`; amounts must lie
/// within [`Amount::MAX`]. A report for a week whose cycle has closed is refused unless
/// `opts.late_entry`, which only the office may give; it is then recorded as a 补报.
///
/// # Errors
/// Bad input (every bad field and unknown project listed), not permitted (a project of
/// another unit, or a 补报 by anyone but the office), conflict (a closed week without
/// `late_entry`), or unexpected; nothing is written in any of these cases.
pub async fn submit_reports_with(
    app: &App,
    actor: &Actor,
    inputs: &[ReportInput],
    opts: SubmitOptions,
) -> AppResult<ReportsSubmitted> {
    submit_reports_on(app, &app.db.conn, actor, inputs, opts).await
}

/// As [`submit_reports_with`], on `conn`: inside a caller's transaction (e.g. a one-click
/// link's, which records the link's use beside the report) the work is a savepoint of it.
///
/// # Errors
/// As [`submit_reports_with`].
pub async fn submit_reports_on<C: ConnectionTrait + TransactionTrait>(
    app: &App,
    conn: &C,
    actor: &Actor,
    inputs: &[ReportInput],
    opts: SubmitOptions,
) -> AppResult<ReportsSubmitted> {
    if opts.late_entry {
        require_office(actor, "record a 补报 (late entry) for a closed week")?;
    }
    if inputs.is_empty() {
        return Err(AppError::bad_input("no reports to submit"));
    }
    let inputs: Vec<ReportInput> = inputs.iter().map(normalised).collect();
    let inputs = inputs.as_slice();
    let limits = app.config.core.limits;
    let many = inputs.len() > 1;
    let mut bad: Vec<String> = inputs
        .iter()
        .enumerate()
        .flat_map(|(i, r)| check(i, many, r, &limits))
        .collect();
    // An over-long code is reported above and neither looked up nor echoed again.
    let plausible = |c: &str| !c.is_empty() && c.chars().nth(limits.code_max_chars).is_none();
    let codes: Vec<String> = inputs
        .iter()
        .map(|r| r.code.clone())
        .filter(|c| plausible(c))
        .collect();
    let projects = docket_store::issues::projects_by_code(conn, &codes).await?;
    for (i, r) in inputs.iter().enumerate() {
        let code = &r.code;
        if plausible(code) && !projects.contains_key(code) {
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
    // Checked inside the transaction that writes, so a close cannot slip in between.
    let cycles = check_open_weeks(app, &txn, inputs, opts.late_entry).await?;
    let ids: HashMap<String, uuid::Uuid> =
        projects.iter().map(|(c, p)| (c.clone(), p.id)).collect();
    let reports =
        docket_scheduler::reports::record(&txn, inputs, &ids, Some(&cycles), &actor.id, now)
            .await?;
    let items: Vec<_> = inputs
        .iter()
        .zip(&reports)
        .flat_map(|(r, s)| issues_from_report(&r.code, s.report_id, &r.problems))
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
/// Text longer than `[limits]` allows is a bad cell.
///
/// # Errors
/// Bad input with every bad cell as `FILE:ROW: COLUMN: VALUE: reason`.
pub fn read_report_file(
    app: &App,
    path: &std::path::Path,
    default_week: Option<IsoWeek>,
) -> AppResult<Vec<ReportInput>> {
    Ok(docket_library::reports::read_batch(
        path,
        default_week,
        &app.config.core.limits,
    )?)
}

/// Every report of `week` (of one project if `project` is given), 补报 marked, that `actor`
/// may see: an owner contact its unit's projects', everyone else all.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn list_reports(
    app: &App,
    actor: &Actor,
    week: IsoWeek,
    project: Option<&str>,
) -> AppResult<Vec<ReportLine>> {
    let mut lines =
        docket_store::cycles::list_reports(&app.db.conn, &week.to_string(), project).await?;
    if let (false, Some(unit)) = (actor.office, actor.unit.as_deref()) {
        let codes: Vec<String> = lines.iter().map(|l| l.code.clone()).collect();
        let projects = docket_store::issues::projects_by_code(&app.db.conn, &codes).await?;
        lines.retain(|l| projects.get(&l.code).is_some_and(|p| p.owner_unit == unit));
    }
    Ok(lines)
}

/// Records one weekly report with its site photos (形象进度照片) as `actor`, all in one
/// transaction: the report, the issues its problems raise and the photos' listing commit
/// together, or nothing does. The photos are checked (type by content, size) before
/// anything is written.
///
/// # Errors
/// As [`submit_reports_with`]; bad input for a photo that is not JPEG/PNG/PDF or too large.
pub async fn submit_report_with_photos(
    app: &App,
    actor: &Actor,
    input: ReportInput,
    photos: &[crate::files::Upload],
) -> AppResult<ReportsSubmitted> {
    crate::files::check_uploads(app, photos)?;
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    let done = submit_reports_on(app, &txn, actor, &[input], SubmitOptions::default()).await?;
    if let Some(r) = done.reports.first() {
        crate::files::store_uploads(
            app,
            &txn,
            actor,
            crate::files::Owner::Report(r.report_id),
            photos,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(done)
}
