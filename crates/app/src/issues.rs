//! Blocking issues (要素制约): raise, act, show, list, explain, sweep. The workflow decides
//! routing, transitions and who may act; this layer resolves ids, checks who may see, and
//! gives one error type.
//!
//! Who sees what: the office and every official without an owner unit (task forces, city
//! leaders) see all issues; an owner unit's contact sees the issues of its own projects.

use docket_store::issue_lines::LineQuery;
use docket_store::issues::IssueFilter;
use docket_workflow::service::{Explanation, IssueDetail, IssueSummary};
use docket_workflow::{Action, NewIssue, Raised, SweepReport};
use uuid::Uuid;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// The filter a person's list options mean: `task_force` an id or `office` (the office's
/// own issues), closed and withdrawn ones only with `all`, optionally one state.
pub fn issue_filter(task_force: Option<String>, all: bool, state: Option<String>) -> IssueFilter {
    IssueFilter {
        task_force: task_force.map(|t| (t != "office").then_some(t)),
        open_only: !all,
        states: state.map(|s| vec![s]),
        project_id: None,
    }
}

/// The issue a person names: its short number (`2024-031`) or its id.
///
/// # Errors
/// Bad input for text that is neither; not found for a number no issue has.
pub async fn resolve_issue_id(app: &App, text: &str) -> AppResult<Uuid> {
    let t = text.trim();
    if let Ok(id) = Uuid::parse_str(t) {
        return Ok(id);
    }
    let is_number = t.len() <= 12
        && t.split_once('-').is_some_and(|(y, n)| {
            y.len() == 4
                && !n.is_empty()
                && (y.chars().chain(n.chars())).all(|c| c.is_ascii_digit())
        });
    if !is_number {
        return Err(AppError::bad_input(format!(
            "issue {text:?}: not an issue number (e.g. 2024-031) or id"
        )));
    }
    docket_store::issues::issue_id_by_number(&app.db.conn, t)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("issue {t}: no such issue")))
}

/// Raises one issue as `actor` and routes it; an open duplicate returns the existing id.
///
/// # Errors
/// Bad input (unknown project or category, empty or too long text), not permitted.
pub async fn raise_issue(app: &App, actor: &Actor, item: NewIssue) -> AppResult<Raised> {
    app.workflow
        .raise(&app.db.conn, actor, item, app.now())
        .await
        .map_err(unknown_project_is_bad_input)
}

/// Takes `action` on issue `id` as `actor`; returns the issue as stored after.
///
/// # Errors
/// Not found, not permitted, conflict (illegal in its state, changed meanwhile), bad input.
pub async fn act_on_issue(
    app: &App,
    actor: &Actor,
    id: Uuid,
    action: Action,
) -> AppResult<docket_store::entity::issues::Model> {
    Ok(app
        .workflow
        .act(&app.db.conn, actor, id, action, app.now())
        .await?)
}

/// One issue with its history, if `actor` may see it.
///
/// # Errors
/// Not found (also when the actor may not see it, so ids are not probed).
pub async fn show_issue(app: &App, actor: &Actor, id: Uuid) -> AppResult<IssueDetail> {
    let d = app.workflow.show(&app.db.conn, id, app.now()).await?;
    if !may_see(app, actor, std::slice::from_ref(&d.project)).await?[0] {
        return Err(AppError::NotFound(format!("issue {id}: no such issue")));
    }
    Ok(d)
}

/// Issues matching `filter` that `actor` may see, with their flags today.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn list_issues(
    app: &App,
    actor: &Actor,
    filter: &IssueFilter,
    overdue_only: bool,
) -> AppResult<Vec<IssueSummary>> {
    Ok(issue_lines(app, actor, filter, overdue_only)
        .await?
        .into_iter()
        .map(|(summary, _)| summary)
        .collect())
}

/// As [`list_issues`], each with its project's name.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn issue_lines(
    app: &App,
    actor: &Actor,
    filter: &IssueFilter,
    overdue_only: bool,
) -> AppResult<Vec<(IssueSummary, String)>> {
    let q = visible(
        actor,
        LineQuery {
            filter: filter.clone(),
            ..LineQuery::default()
        },
    );
    Ok(app
        .workflow
        .lines(&app.db.conn, &q, overdue_only, app.now())
        .await?)
}

/// `q` narrowed to what `actor` may see: an owner contact only its unit's projects.
pub(crate) fn visible(actor: &Actor, mut q: LineQuery) -> LineQuery {
    if !sees_all(actor) {
        q.owner_unit = actor.unit.clone();
    }
    q
}

/// Which routing rule decided issue `id`, and what today's rules would say.
///
/// # Errors
/// Not found.
pub async fn explain_route(app: &App, actor: &Actor, id: Uuid) -> AppResult<Explanation> {
    show_issue(app, actor, id).await?;
    Ok(app.workflow.explain(&app.db.conn, id).await?)
}

/// One sweep of the time limits now: flags, escalation rungs and their emails (the office).
///
/// # Errors
/// Not permitted; unexpected if the database fails.
pub async fn sweep_limits(app: &App, actor: &Actor) -> AppResult<SweepReport> {
    require_office(actor, "run the escalation sweep")?;
    Ok(app.workflow.sweep_overdue(&app.db.conn, app.now()).await?)
}

fn sees_all(actor: &Actor) -> bool {
    actor.office || actor.unit.is_none()
}

/// For each project code, whether `actor` may see its issues.
async fn may_see(app: &App, actor: &Actor, codes: &[String]) -> AppResult<Vec<bool>> {
    if sees_all(actor) {
        return Ok(vec![true; codes.len()]);
    }
    let projects = docket_store::issues::projects_by_code(&app.db.conn, codes).await?;
    Ok(codes
        .iter()
        .map(|c| {
            projects
                .get(c)
                .is_some_and(|p| actor.unit.as_deref() == Some(p.owner_unit.as_str()))
        })
        .collect())
}

/// A project code that names nothing is the caller's bad input when raising.
fn unknown_project_is_bad_input(e: docket_workflow::WorkflowError) -> AppError {
    match e {
        docket_workflow::WorkflowError::UnknownProject(code) => {
            AppError::bad_input(format!("--project: {code}: no project with this code"))
        }
        other => other.into(),
    }
}
