//! What waits for one person (我的待办): this week's reports for an owner contact's
//! projects, issues to accept or work on for a task-force member, resolutions awaiting 销号
//! for the office — overdue first, each with its limit and the working days left; and which
//! actions a person may take on one issue.

use chrono::NaiveDate;
use docket_domain::cycle::SlotStatus;
use docket_domain::issue::IssueState;
use docket_domain::period::IsoWeek;
use docket_store::issue_lines::LineQuery;
use docket_store::issues::IssueFilter;
use docket_workflow::lifecycle::{Action, next_state};
use docket_workflow::limits::Flag;
use docket_workflow::views::{IssueDetail, IssueSummary};
use serde::Serialize;

use crate::actor::Actor;
use crate::context::App;
use crate::error::AppResult;

/// One project's report this week.
#[derive(Debug, Clone, Serialize)]
pub struct ReportDue {
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// ISO week (`2026-W49`).
    pub week: String,
    /// The slot's status.
    pub status: SlotStatus,
    /// The deadline, in the office's time zone (`2026-12-09 17:00`).
    pub deadline: Option<String>,
    /// Working days from today to the deadline's day (0 on the day).
    pub workdays_left: Option<u32>,
    /// Whether the deadline has passed without a report.
    pub overdue: bool,
}

/// One issue waiting for someone.
#[derive(Debug, Clone, Serialize)]
pub struct WorkItem {
    /// The issue as listed.
    pub issue: IssueSummary,
    /// Project name.
    pub project_name: String,
    /// The limit that applies now.
    pub limit: Option<NaiveDate>,
    /// Working days left to the limit (0 on the day), when not overdue.
    pub workdays_left: Option<u32>,
    /// Working days overdue, when overdue.
    pub overdue_days: Option<u32>,
}

/// Everything that waits for one person.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MyWork {
    /// This week's reports of the person's unit (owner contacts; the office sees none here).
    pub reports: Vec<ReportDue>,
    /// Issues of the person's task forces to 签收.
    pub to_accept: Vec<WorkItem>,
    /// Issues of the person's task forces accepted or in progress (办理).
    pub to_handle: Vec<WorkItem>,
    /// Resolved issues awaiting 销号 (the office).
    pub to_close: Vec<WorkItem>,
}

impl MyWork {
    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
            && self.to_accept.is_empty()
            && self.to_handle.is_empty()
            && self.to_close.is_empty()
    }
}

/// What waits for `actor` today.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn my_work(app: &App, actor: &Actor) -> AppResult<MyWork> {
    let mut work = MyWork {
        reports: reports_due(app, actor).await?,
        ..MyWork::default()
    };
    let settings = &app.workflow.settings;
    let mine: Vec<String> = settings
        .core
        .task_forces
        .iter()
        .filter(|t| t.everyone().contains(&actor.id.as_str()))
        .map(|t| t.id.clone())
        .collect();
    for tf in mine {
        let filter = IssueFilter {
            task_force: Some(Some(tf)),
            open_only: true,
            ..IssueFilter::default()
        };
        for item in work_items(app, actor, &filter).await? {
            match IssueState::parse(&item.issue.state) {
                Ok(IssueState::Assigned) => work.to_accept.push(item),
                Ok(IssueState::Accepted | IssueState::InProgress) => work.to_handle.push(item),
                _ => {}
            }
        }
    }
    if actor.office {
        let filter = IssueFilter {
            states: Some(vec![IssueState::Resolved.code().to_string()]),
            ..IssueFilter::default()
        };
        work.to_close = work_items(app, actor, &filter).await?;
        // The office's own issues (routed to no task force) wait for it too.
        let own = IssueFilter {
            task_force: Some(None),
            open_only: true,
            ..IssueFilter::default()
        };
        for item in work_items(app, actor, &own).await? {
            match IssueState::parse(&item.issue.state) {
                Ok(IssueState::Assigned) => work.to_accept.push(item),
                Ok(IssueState::Accepted | IssueState::InProgress) => work.to_handle.push(item),
                _ => {}
            }
        }
    }
    for list in [&mut work.to_accept, &mut work.to_handle, &mut work.to_close] {
        sort_overdue_first(list);
    }
    Ok(work)
}

/// Overdue first (most overdue first), then by the nearest limit, then by number.
pub fn sort_overdue_first(list: &mut [WorkItem]) {
    list.sort_by(|a, b| {
        b.overdue_days
            .unwrap_or(0)
            .cmp(&a.overdue_days.unwrap_or(0))
            .then(a.limit.is_none().cmp(&b.limit.is_none()))
            .then(a.limit.cmp(&b.limit))
            .then(a.issue.number.cmp(&b.issue.number))
    });
}

/// The issues of `filter` that `actor` may see, with their project names and working days.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn work_items(
    app: &App,
    actor: &Actor,
    filter: &IssueFilter,
) -> AppResult<Vec<WorkItem>> {
    let lines = crate::issues::issue_lines(app, actor, filter, false).await?;
    let today = app.today();
    Ok(lines
        .into_iter()
        .map(|(issue, name)| timed(app, issue, name, today))
        .collect())
}

/// An issue with its working days left or overdue on `today`.
fn timed(app: &App, issue: IssueSummary, project_name: String, today: NaiveDate) -> WorkItem {
    let limit = issue.limit;
    let (left, over) = match limit {
        Some(l) if l < today => (
            None,
            docket_workflow::limits::overdue_days(&app.calendar, l, today),
        ),
        Some(l) => (Some(app.calendar.workdays_between(today, l).value), None),
        None => (None, None),
    };
    WorkItem {
        project_name,
        issue,
        limit,
        workdays_left: left,
        overdue_days: over,
    }
}

/// What the office's queue shows: one page and the counts over the whole queue.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QueuePage {
    /// The page, overdue first.
    pub items: Vec<WorkItem>,
    /// Issues in the queue.
    pub total: u64,
    /// Of which overdue.
    pub overdue: u64,
}

/// Page `page` (from 1, `per_page` issues) of the issues of `q` that `actor` may see,
/// flagged `flag` when given, overdue first; filtered, ordered and cut by the database.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn queue_page(
    app: &App,
    actor: &Actor,
    q: LineQuery,
    flag: Option<Flag>,
    page: u64,
    per_page: u64,
) -> AppResult<QueuePage> {
    let q = crate::issues::visible(actor, q);
    let offset = page.saturating_sub(1).saturating_mul(per_page);
    let found = app
        .workflow
        .queue_page(&app.db.conn, &q, flag, app.now(), offset, per_page)
        .await?;
    let today = app.today();
    Ok(QueuePage {
        items: found
            .items
            .into_iter()
            .map(|(issue, name)| timed(app, issue, name, today))
            .collect(),
        total: found.total,
        overdue: found.overdue,
    })
}

/// This week's report slots of the projects of `actor`'s unit.
async fn reports_due(app: &App, actor: &Actor) -> AppResult<Vec<ReportDue>> {
    let Some(unit) = actor.unit.as_deref() else {
        return Ok(Vec::new());
    };
    let week = IsoWeek::containing(app.today());
    let Some(sheet) = app.scheduler.sheet(week, app.now()).await? else {
        return Ok(Vec::new());
    };
    let tz = app.workflow.settings.tz();
    let times = app.scheduler.plan().cycle_times(&app.calendar, week);
    let now = app.now();
    let today = app.today();
    Ok(sheet
        .rows
        .into_iter()
        .filter(|r| r.owner_unit == unit)
        .map(|r| {
            let deadline = times.as_ref().map(|t| t.deadline);
            ReportDue {
                week: week.to_string(),
                overdue: !r.status.is_reported() && deadline.is_some_and(|d| d < now),
                deadline: deadline
                    .map(|d| d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()),
                workdays_left: times
                    .as_ref()
                    .filter(|t| t.deadline_date >= today)
                    .map(|t| app.calendar.workdays_between(today, t.deadline_date).value),
                code: r.code,
                name: r.name,
                status: r.status,
            }
        })
        .collect())
}

/// The actions offered on an issue's page, in the order of its buttons.
const OFFERED: &[&str] = &[
    "accept",
    "start",
    "resolve",
    "request_extension",
    "send_back",
    "close",
    "reassign",
    "withdraw",
];

/// The action codes `actor` may take on issue `d` now: permitted to them and legal in its
/// state (e.g. `accept` for a member while it is assigned, `close` for the office once
/// resolved).
///
/// # Errors
/// Unexpected if the database fails.
pub async fn issue_actions(
    app: &App,
    actor: &Actor,
    d: &IssueDetail,
) -> AppResult<Vec<&'static str>> {
    let Ok(state) = IssueState::parse(&d.state) else {
        return Ok(Vec::new());
    };
    let projects =
        docket_store::issues::projects_by_code(&app.db.conn, std::slice::from_ref(&d.project))
            .await?;
    let Some(project) = projects.get(&d.project) else {
        return Ok(Vec::new());
    };
    let settings = &app.workflow.settings;
    Ok(OFFERED
        .iter()
        .copied()
        .filter(|code| next_state(state, code).is_ok())
        .filter(|code| {
            let sample = sample_action(code);
            docket_workflow::permission::check_action(
                settings,
                actor,
                &sample,
                d.task_force.as_deref(),
                &d.raised_by,
                project,
            )
            .is_ok()
        })
        .collect())
}

/// An action of kind `code` with placeholder arguments, for the permission check.
fn sample_action(code: &str) -> Action {
    match code {
        "accept" => Action::Accept,
        "start" => Action::Start,
        "resolve" => Action::Resolve {
            note: String::new(),
        },
        "request_extension" => Action::RequestExtension {
            due: NaiveDate::MIN,
            reason: String::new(),
        },
        "send_back" => Action::SendBack {
            reason: String::new(),
        },
        "close" => Action::Close { note: None },
        "reassign" => Action::Reassign {
            task_force: None,
            reason: String::new(),
        },
        _ => Action::Withdraw {
            reason: String::new(),
        },
    }
}
