//! Reading issues back: one issue with its history, lists with flags, the replay of the
//! events, and why an issue went where it went. Reads only; no transaction of its own.

use chrono::{DateTime, NaiveDate, Utc};
use docket_store::issue_lines::LineQuery;
use docket_store::issues::{self as repo, IssueFilter};
use docket_store::time::from_ms;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::error::WorkflowError;
use crate::lifecycle::{self, Replayed};
use crate::limits::{self, Flag};
use crate::notify;
use crate::routing::{self, Route};
use crate::service::Workflow;
use crate::stored::{
    parse_category, parse_event_data, parse_event_json, parse_severity, parse_state, split_list,
    step_of,
};

/// One step of an issue's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// 1, 2, …
    pub seq: i32,
    /// The action code.
    pub action: String,
    /// Who (official id, `office` or `system`).
    pub actor: String,
    /// State before.
    pub from: Option<String>,
    /// State after.
    pub to: String,
    /// Note or reason.
    pub note: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What else changed.
    pub data: Option<serde_json::Value>,
}

/// An issue as `docket issue show --format json` prints it (the contract's keys first).
#[derive(Debug, Clone, Serialize)]
pub struct IssueDetail {
    /// Id.
    pub id: Uuid,
    /// The short number people use (`2024-031`), if it has one.
    pub number: Option<String>,
    /// Project code.
    pub project: String,
    /// Category code.
    pub category: String,
    /// State code.
    pub state: String,
    /// Task force id, null for the office.
    pub task_force: Option<String>,
    /// Emails of everyone it is assigned to.
    pub assignees: Vec<String>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Every event.
    pub history: Vec<HistoryEntry>,
    /// Project name.
    pub project_name: String,
    /// Title.
    pub title: String,
    /// Detail.
    pub detail: String,
    /// Severity.
    pub severity: String,
    /// Lead handler (主办).
    pub lead_handler: Option<String>,
    /// Co-handlers (协办).
    pub co_handlers: Vec<String>,
    /// Who raised it.
    pub raised_by: String,
    /// When.
    pub raised_at: String,
    /// Accept limit.
    pub accept_due: Option<NaiveDate>,
    /// Whether the dates ran into a year without a calendar table.
    pub due_provisional: bool,
    /// Flag today.
    pub flag: Flag,
    /// Escalation rung reached.
    pub escalation_rung: i32,
    /// Resolution note.
    pub resolution: Option<String>,
}

/// A line of `docket issue list`.
#[derive(Debug, Clone, Serialize)]
pub struct IssueSummary {
    /// Id.
    pub id: Uuid,
    /// The short number people use (`2024-031`), if it has one.
    pub number: Option<String>,
    /// Project code.
    pub project: String,
    /// Category.
    pub category: String,
    /// Title.
    pub title: String,
    /// State.
    pub state: String,
    /// Task force (null: the office).
    pub task_force: Option<String>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// The limit that applies now (accept or resolve).
    pub limit: Option<NaiveDate>,
    /// Flag.
    pub flag: Flag,
    /// Escalation rung.
    pub escalation_rung: i32,
}

/// Why an issue went where it went: the rule recorded when it was raised, and what the
/// current configuration would decide now.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The issue.
    pub id: Uuid,
    /// Where it is now (null: the office).
    pub task_force: Option<String>,
    /// The rule recorded at raising (or at the last reassignment: `reassign` by whom).
    pub recorded: String,
    /// What routing gives today.
    pub current: Route,
}

impl Workflow {
    /// An issue with its history, as `docket issue show` prints it.
    ///
    /// # Errors
    /// [`WorkflowError::UnknownIssue`]; [`WorkflowError::Corrupt`] if a stored code or
    /// event's data does not read back; [`WorkflowError::Store`].
    pub async fn show<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<IssueDetail, WorkflowError> {
        let issue = repo::get_issue(db, id)
            .await?
            .ok_or_else(|| WorkflowError::UnknownIssue(id.to_string()))?;
        let project = repo::projects_by_id(db, &[issue.project_id])
            .await?
            .remove(&issue.project_id);
        let events = repo::issue_events(db, id).await?;
        let today = limits::business_date(&self.settings, now);
        let state = parse_state(&issue.state)?;
        let category = parse_category(&issue.category)?;
        let severity = parse_severity(&issue.severity)?;
        let limit = limits::current_limit(state, issue.accept_due, issue.due);
        let history = events
            .iter()
            .map(|e| {
                Ok(HistoryEntry {
                    seq: e.seq,
                    action: e.action.clone(),
                    actor: e.actor.clone(),
                    from: e.from_state.clone(),
                    to: e.to_state.clone(),
                    note: e.note.clone(),
                    at: from_ms(e.at).to_rfc3339(),
                    data: parse_event_json(e)?,
                })
            })
            .collect::<Result<_, WorkflowError>>()?;
        Ok(IssueDetail {
            id: issue.id,
            number: issue.number.clone(),
            project: project.as_ref().map(|p| p.code.clone()).unwrap_or_default(),
            project_name: project.map(|p| p.name).unwrap_or_default(),
            category: category.code().to_string(),
            title: issue.title.clone(),
            detail: issue.detail.clone(),
            severity: severity.code().to_string(),
            state: state.code().to_string(),
            task_force: issue.task_force.clone(),
            assignees: notify::assignees(&self.settings, issue.task_force.as_deref())
                .into_iter()
                .map(|r| r.email)
                .collect(),
            lead_handler: issue.lead_handler.clone(),
            co_handlers: split_list(&issue.co_handlers),
            raised_by: issue.raised_by.clone(),
            raised_at: from_ms(issue.raised_at).to_rfc3339(),
            accept_due: issue.accept_due,
            due: issue.due,
            due_provisional: issue.due_provisional,
            flag: limits::flag(&self.settings, &self.calendar, limit, today),
            escalation_rung: issue.escalation_rung,
            resolution: issue.resolution.clone(),
            history,
        })
    }

    /// Issues for a list, with their flags on `now`'s business date.
    ///
    /// # Errors
    /// [`WorkflowError::Corrupt`] if a stored state or category does not read back;
    /// [`WorkflowError::Store`].
    pub async fn list<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        filter: &IssueFilter,
        overdue_only: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<IssueSummary>, WorkflowError> {
        let q = LineQuery {
            filter: filter.clone(),
            ..LineQuery::default()
        };
        Ok(self
            .lines(db, &q, overdue_only, now)
            .await?
            .into_iter()
            .map(|(summary, _)| summary)
            .collect())
    }

    /// Replays an issue's stored events.
    ///
    /// # Errors
    /// [`WorkflowError::Conflict`] if the history does not replay; [`WorkflowError::Corrupt`]
    /// if an event does not read back; [`WorkflowError::Store`].
    pub async fn replay<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> Result<Replayed, WorkflowError> {
        let events = repo::issue_events(db, id).await?;
        let steps = events.iter().map(step_of).collect::<Result<Vec<_>, _>>()?;
        lifecycle::replay(&steps)
    }

    /// Explains an issue's routing (`docket issue route --explain ID`).
    ///
    /// # Errors
    /// [`WorkflowError::UnknownIssue`]; [`WorkflowError::Corrupt`] for a stored category or
    /// raise event that does not read back; [`WorkflowError::Store`].
    pub async fn explain<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> Result<Explanation, WorkflowError> {
        let issue = repo::get_issue(db, id)
            .await?
            .ok_or_else(|| WorkflowError::UnknownIssue(id.to_string()))?;
        let project = repo::projects_by_id(db, &[issue.project_id])
            .await?
            .remove(&issue.project_id)
            .ok_or_else(|| WorkflowError::UnknownProject(issue.project_id.to_string()))?;
        let category = parse_category(&issue.category)?;
        let events = repo::issue_events(db, id).await?;
        let mut recorded = String::new();
        for e in events.iter().rev() {
            match e.action.as_str() {
                lifecycle::RAISE => {
                    recorded = parse_event_data(e)?.rule.unwrap_or_default();
                    break;
                }
                "reassign" => {
                    recorded = format!(
                        "reassigned by {} ({})",
                        e.actor,
                        e.note.clone().unwrap_or_default()
                    );
                    break;
                }
                _ => {}
            }
        }
        Ok(Explanation {
            id,
            task_force: issue.task_force,
            recorded,
            current: routing::route_issue(&self.settings, &project, category),
        })
    }
}
