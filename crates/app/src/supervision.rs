//! The 督办/考核 record (`docket export supervision`, `GET /api/exports/supervision`): per
//! responsible unit (the projects' owner unit) and per task force, over whole months —
//! weekly reports due, on time, late, missing; issues received, accepted and resolved in
//! time, overdue; escalations by rung; red and yellow flags; median working days to accept
//! and to resolve (over the workflow's working-day calendar); and the raw events behind them.
//!
//! Definitions (the office hands the record to 考核 as is, so each is fixed here):
//! - the window is from the first day of `from` to the end of `to` in office time; the
//!   cut-off is the window's end, or now if earlier;
//! - reports: the slots of the cycles whose report deadline falls in the window; `pending`
//!   are slots of a still open cycle not reported yet;
//! - issues are received when raised in the window, counted for the project's owner unit and
//!   for the task force handling them (the office for the office's own); accepted / resolved
//!   by the cut-off, in time when the first 签收 / 办结 came by the limit; overdue when not
//!   resolved by the due date (resolved late, or unresolved past it at the cut-off);
//! - escalations are the ladder's rungs fired in the window, whatever the issue's age;
//! - flags are those of the issues still open at the cut-off, as the workflow reckons them;
//! - median working days from raising to the first 签收 / 办结 of the issues received.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use docket_domain::cycle::SlotStatus;
use docket_domain::issue::IssueState;
use docket_domain::period::Month;
use docket_store::entity::{issue_events, issues};
use docket_store::time::{from_ms, to_ms};
use docket_workflow::limits::{self, Flag};
use serde::Serialize;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// Weekly reports of a unit's projects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReportCounts {
    /// Slots (one per project and cycle).
    pub due: u32,
    /// Reported by the deadline.
    pub on_time: u32,
    /// Reported late.
    pub late: u32,
    /// Not reported when the cycle closed.
    pub missing: u32,
    /// Not reported yet, the cycle still open.
    pub pending: u32,
}

/// Issue measures of a unit or a task force.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IssueCounts {
    /// Raised in the window.
    pub received: u32,
    /// Of those, accepted (签收) by the cut-off.
    pub accepted: u32,
    /// … by the accept limit.
    pub accepted_in_time: u32,
    /// Of those received, resolved (办结) by the cut-off.
    pub resolved: u32,
    /// … by the due date.
    pub resolved_in_time: u32,
    /// Of those received, not resolved by the due date.
    pub overdue: u32,
    /// Rungs fired in the window, by rung code of `[workflow] ladder`.
    pub escalations: BTreeMap<String, u32>,
    /// Open issues flagged red at the cut-off.
    pub red: u32,
    /// Open issues flagged yellow at the cut-off.
    pub yellow: u32,
    /// Median working days from raising to the first 签收 (null when none was accepted).
    pub median_days_to_accept: Option<f64>,
    /// Median working days from raising to the first 办结 (null when none was resolved).
    pub median_days_to_resolve: Option<f64>,
}

/// One responsible unit's record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitRecord {
    /// The unit's name.
    pub unit: String,
    /// Its projects' weekly reports.
    pub reports: ReportCounts,
    /// Its projects' issues.
    pub issues: IssueCounts,
}

/// One task force's record (the office's own issues under `task_force: null`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskForceRecord {
    /// The task force id (null for the office).
    pub task_force: Option<String>,
    /// Its name.
    pub name: String,
    /// The issues it handles.
    pub issues: IssueCounts,
}

/// One raw event behind the figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventLine {
    /// Office time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// `report` or `issue`.
    pub kind: String,
    /// The project's owner unit.
    pub unit: String,
    /// The task force's name (issues).
    pub task_force: Option<String>,
    /// Project code.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// The week (reports) or the issue's number and title.
    pub subject: String,
    /// What happened, in words (已报送, 迟报, 签收, 升级督办（专班组长）, …).
    pub what: String,
    /// Who (name and title), if a person.
    pub by: Option<String>,
    /// The note, if any.
    pub note: Option<String>,
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisionRecord {
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// The cut-off date (office time).
    pub cutoff: NaiveDate,
    /// The ladder's rung codes, in order.
    pub rungs: Vec<String>,
    /// Per responsible unit, by name.
    pub units: Vec<UnitRecord>,
    /// Per task force, in configuration order, then the office.
    pub task_forces: Vec<TaskForceRecord>,
    /// The raw events, in time order.
    pub events: Vec<EventLine>,
}

/// Parses the window's months.
///
/// # Errors
/// Bad input for a malformed month or `from` after `to`.
pub fn parse_window(from: &str, to: &str) -> AppResult<(Month, Month)> {
    let parse = |key: &str, v: &str| {
        Month::parse(v).map_err(|e| AppError::bad_input(format!("--{key} {v}: {e}")))
    };
    let (f, t) = (parse("from", from)?, parse("to", to)?);
    if f.key() > t.key() {
        return Err(AppError::bad_input(format!("--from {f} is after --to {t}")));
    }
    Ok((f, t))
}

/// Working days from raising (`raised_at`) to an event (`at`), over the workflow's calendar.
fn workdays(app: &App, from: i64, to: i64) -> u32 {
    let s = &app.workflow.settings;
    app.calendar
        .workdays_between(
            limits::business_date(s, from_ms(from)),
            limits::business_date(s, from_ms(to)),
        )
        .value
}

fn median(mut v: Vec<u32>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    })
}

/// Collects one group's issue figures.
#[derive(Default)]
struct IssueAcc {
    counts: IssueCounts,
    to_accept: Vec<u32>,
    to_resolve: Vec<u32>,
}

impl IssueAcc {
    fn finish(mut self, rungs: &[String]) -> IssueCounts {
        for r in rungs {
            self.counts.escalations.entry(r.clone()).or_insert(0);
        }
        self.counts.median_days_to_accept = median(self.to_accept);
        self.counts.median_days_to_resolve = median(self.to_resolve);
        self.counts
    }
}

/// The 督办/考核 record of months `from` to `to` (the office only).
///
/// # Errors
/// Not permitted (only the office); bad input for bad months; unexpected if the database
/// fails.
pub async fn supervision_record(
    app: &App,
    actor: &Actor,
    from: &str,
    to: &str,
) -> AppResult<SupervisionRecord> {
    require_office(actor, "export the supervision record")?;
    let (from_m, to_m) = parse_window(from, to)?;
    let s = &app.workflow.settings;
    let tz = s.tz();
    let start =
        docket_scheduler::plan::local_to_utc(tz, from_m.first_day().and_time(NaiveTime::MIN));
    let end =
        docket_scheduler::plan::local_to_utc(tz, to_m.next().first_day().and_time(NaiveTime::MIN));
    let cutoff_at: DateTime<Utc> = end.min(app.now());
    // Events up to and including the cut-off instant (`now` when the window is not over).
    let (start_ms, cutoff_ms) = (to_ms(start), (to_ms(cutoff_at) + 1).max(to_ms(start)));
    // The last day counted: the window's last day when it is over, else today.
    let cutoff = limits::business_date(s, cutoff_at - chrono::Duration::milliseconds(1));
    let conn = &app.db.conn;
    let local = |ms: i64| {
        from_ms(ms)
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let person = |id: &str| app.scheduler.person(id);
    let rungs = app.config.workflow.ladder.clone();
    let tf_name = |id: Option<&str>| match id.and_then(|t| s.core.task_force(t)) {
        Some(t) => t.name.clone(),
        None => s.core.office.name.clone(),
    };

    let mut units: BTreeMap<String, (ReportCounts, IssueAcc)> = BTreeMap::new();
    let mut events: Vec<(i64, EventLine)> = Vec::new();
    for slot in docket_store::supervision::slots_between(conn, start_ms, to_ms(end)).await? {
        let (r, _) = units.entry(slot.owner_unit.clone()).or_default();
        r.due += 1;
        let status = SlotStatus::parse(&slot.status).ok();
        let what = match (status, slot.cycle_state.as_str()) {
            (Some(SlotStatus::Submitted), _) => {
                r.on_time += 1;
                SlotStatus::Submitted.label_zh()
            }
            (Some(SlotStatus::Late), _) => {
                r.late += 1;
                SlotStatus::Late.label_zh()
            }
            (Some(SlotStatus::Due), "open") => {
                r.pending += 1;
                SlotStatus::Due.label_zh()
            }
            _ => {
                r.missing += 1;
                SlotStatus::Missing.label_zh()
            }
        };
        let at = slot.submitted_at.unwrap_or(slot.deadline_at);
        events.push((
            at,
            EventLine {
                at: local(at),
                kind: "report".into(),
                unit: slot.owner_unit,
                task_force: None,
                project: slot.code,
                project_name: slot.name,
                subject: format!("{} 周报", slot.week),
                what: what.into(),
                by: None,
                note: None,
            },
        ));
    }

    let all = docket_store::supervision::issues_before(conn, cutoff_ms).await?;
    let projects = docket_store::issues::projects_by_id(
        conn,
        &all.iter().map(|i| i.project_id).collect::<Vec<_>>(),
    )
    .await?;
    let evs = docket_store::supervision::events_between(conn, 0, cutoff_ms).await?;
    let mut by_issue: HashMap<uuid::Uuid, Vec<&issue_events::Model>> = HashMap::new();
    for e in &evs {
        by_issue.entry(e.issue_id).or_default().push(e);
    }
    let mut tfs: BTreeMap<Option<String>, IssueAcc> = BTreeMap::new();
    for i in &all {
        let Some(p) = projects.get(&i.project_id) else {
            continue;
        };
        let history = by_issue.get(&i.id).map(Vec::as_slice).unwrap_or(&[]);
        let unit = &mut units.entry(p.owner_unit.clone()).or_default().1;
        let tf = tfs.entry(i.task_force.clone()).or_default();
        for acc in [unit, tf] {
            tally(app, acc, i, history, start_ms, cutoff, &rungs);
        }
        for e in history.iter().filter(|e| e.at >= start_ms) {
            let what = match e.action.as_str() {
                "escalate" => format!(
                    "升级督办（{}）",
                    docket_workflow::notify::rung_level(s, rung_of(e))
                ),
                a => docket_domain::issue::action_label_zh(a).to_string(),
            };
            events.push((
                e.at,
                EventLine {
                    at: local(e.at),
                    kind: "issue".into(),
                    unit: p.owner_unit.clone(),
                    task_force: Some(tf_name(i.task_force.as_deref())),
                    project: p.code.clone(),
                    project_name: p.name.clone(),
                    subject: format!("问题 {} {}", i.number.as_deref().unwrap_or(""), i.title)
                        .replace("  ", " "),
                    what,
                    by: (e.actor != "system").then(|| person(&e.actor)),
                    note: e.note.clone(),
                },
            ));
        }
    }
    events.sort_by_key(|(at, _)| *at);
    let mut task_forces: Vec<TaskForceRecord> = s
        .core
        .task_forces
        .iter()
        .map(|t| TaskForceRecord {
            task_force: Some(t.id.clone()),
            name: t.name.clone(),
            issues: tfs
                .remove(&Some(t.id.clone()))
                .map(|a| a.finish(&rungs))
                .unwrap_or_else(|| empty_counts(&rungs)),
        })
        .collect();
    if let Some(acc) = tfs.remove(&None) {
        task_forces.push(TaskForceRecord {
            task_force: None,
            name: s.core.office.name.clone(),
            issues: acc.finish(&rungs),
        });
    }
    Ok(SupervisionRecord {
        from: from_m.to_string(),
        to: to_m.to_string(),
        cutoff,
        units: units
            .into_iter()
            .map(|(unit, (reports, acc))| UnitRecord {
                unit,
                reports,
                issues: acc.finish(&rungs),
            })
            .collect(),
        task_forces,
        events: events.into_iter().map(|(_, e)| e).collect(),
        rungs,
    })
}

fn empty_counts(rungs: &[String]) -> IssueCounts {
    IssueCounts {
        escalations: rungs.iter().map(|r| (r.clone(), 0)).collect(),
        ..IssueCounts::default()
    }
}

fn rung_of(e: &issue_events::Model) -> i32 {
    e.data
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|v| v.get("rung").and_then(serde_json::Value::as_i64))
        .and_then(|r| i32::try_from(r).ok())
        .unwrap_or(0)
}

/// Adds one issue (with its events before the cut-off) to a group's figures.
fn tally(
    app: &App,
    acc: &mut IssueAcc,
    i: &issues::Model,
    history: &[&issue_events::Model],
    start_ms: i64,
    cutoff: NaiveDate,
    rungs: &[String],
) {
    let s = &app.workflow.settings;
    let c = &mut acc.counts;
    for e in history
        .iter()
        .filter(|e| e.action == "escalate" && e.at >= start_ms)
    {
        let n = rung_of(e);
        let code = usize::try_from(n - 1)
            .ok()
            .and_then(|k| rungs.get(k))
            .cloned()
            .unwrap_or_else(|| format!("rung{n}"));
        *c.escalations.entry(code).or_insert(0) += 1;
    }
    // The state at the cut-off: the last event's.
    let state = history
        .last()
        .and_then(|e| IssueState::parse(&e.to_state).ok())
        .unwrap_or(IssueState::Assigned);
    if state.is_open() && state != IssueState::Resolved {
        let limit = limits::current_limit(state, i.accept_due, i.due);
        match limits::flag(s, &app.calendar, limit, cutoff) {
            Flag::Red => c.red += 1,
            Flag::Yellow => c.yellow += 1,
            _ => {}
        }
    }
    if i.raised_at < start_ms {
        return;
    }
    c.received += 1;
    let first = |action: &str| history.iter().find(|e| e.action == action).map(|e| e.at);
    let date = |ms: i64| limits::business_date(s, from_ms(ms));
    if let Some(at) = first("accept") {
        c.accepted += 1;
        if i.accept_due.is_none_or(|d| date(at) <= d) {
            c.accepted_in_time += 1;
        }
        acc.to_accept.push(workdays(app, i.raised_at, at));
    }
    let resolved = first("resolve");
    if let Some(at) = resolved {
        c.resolved += 1;
        if i.due.is_none_or(|d| date(at) <= d) {
            c.resolved_in_time += 1;
        } else {
            c.overdue += 1;
        }
        acc.to_resolve.push(workdays(app, i.raised_at, at));
    } else if state != IssueState::Withdrawn && i.due.is_some_and(|d| d < cutoff) {
        c.overdue += 1;
    }
}

/// The forms of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// For machines: [`SupervisionRecord`] as JSON.
    Json,
    /// For 考核: the workbook of [`crate::supervision_xlsx`].
    Xlsx,
}

impl ExportFormat {
    /// `json` or `xlsx`.
    ///
    /// # Errors
    /// Bad input for anything else.
    pub fn parse(text: &str) -> AppResult<ExportFormat> {
        match text.trim() {
            "json" => Ok(ExportFormat::Json),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(AppError::bad_input(format!(
                "--format {other}: use json or xlsx"
            ))),
        }
    }
}

/// The record of months `from` to `to` in `format`, as bytes (the CLI and the API both
/// serve these).
///
/// # Errors
/// As [`supervision_record`]; unexpected if the workbook cannot be built.
pub async fn export_supervision(
    app: &App,
    actor: &Actor,
    from: &str,
    to: &str,
    format: ExportFormat,
) -> AppResult<Vec<u8>> {
    let r = supervision_record(app, actor, from, to).await?;
    match format {
        ExportFormat::Json => serde_json::to_vec_pretty(&r)
            .map_err(|e| AppError::unexpected("the supervision record failed", e.to_string())),
        ExportFormat::Xlsx => {
            let s = &app.workflow.settings;
            let label = |code: &str| {
                docket_workflow::config::Rung::parse(code)
                    .map(|r| r.label(s.english()).to_string())
                    .unwrap_or_else(|| code.to_string())
            };
            crate::supervision_xlsx::render_xlsx(&r, &label)
        }
    }
}
