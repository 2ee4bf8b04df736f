//! The workflow's values as rows: events written ([`NewEvent`]) and stored codes read back.
//! A stored code that no longer parses is [`WorkflowError::Corrupt`], never a default: a
//! hand-edited row must not quietly route or count as something else.

use docket_domain::issue::{IssueCategory, IssueState, Severity};
use docket_store::entity::{issue_events, issues};
use uuid::Uuid;

use crate::error::WorkflowError;
use crate::lifecycle::{EventData, Replayed, Step};

/// One event to append to an issue's history.
#[derive(Debug, Clone)]
pub(crate) struct NewEvent<'a> {
    /// The issue.
    pub issue_id: Uuid,
    /// Its place in the history (the issue's version after it).
    pub seq: i32,
    /// The action code.
    pub action: &'a str,
    /// Who (official id, `office` or `system`).
    pub actor: &'a str,
    /// The state before (None for the raise).
    pub from: Option<IssueState>,
    /// The state after.
    pub to: IssueState,
    /// Note or reason (trimmed when stored).
    pub note: Option<&'a str>,
    /// What else changed.
    pub data: &'a EventData,
    /// When, in milliseconds since the epoch (UTC).
    pub at: i64,
}

impl NewEvent<'_> {
    /// The row to insert; empty data is stored as NULL.
    pub(crate) fn into_row(self) -> issue_events::Model {
        let json = serde_json::to_string(self.data).unwrap_or_else(|_| "{}".into());
        issue_events::Model {
            id: Uuid::now_v7(),
            issue_id: self.issue_id,
            seq: self.seq,
            action: self.action.to_string(),
            actor: self.actor.to_string(),
            from_state: self.from.map(|s| s.code().to_string()),
            to_state: self.to.code().to_string(),
            note: self.note.map(|n| n.trim().to_string()),
            data: (json != "{}").then_some(json),
            at: self.at,
        }
    }
}

/// A stored state code.
pub(crate) fn parse_state(s: &str) -> Result<IssueState, WorkflowError> {
    IssueState::parse(s).map_err(|_| WorkflowError::corrupt("issues.state", s))
}

/// A stored category code.
pub(crate) fn parse_category(s: &str) -> Result<IssueCategory, WorkflowError> {
    IssueCategory::parse(s).map_err(|_| WorkflowError::corrupt("issues.category", s))
}

/// A stored severity code.
pub(crate) fn parse_severity(s: &str) -> Result<Severity, WorkflowError> {
    Severity::parse(s).map_err(|_| WorkflowError::corrupt("issues.severity", s))
}

/// An event's stored data (NULL: nothing changed besides the state).
pub(crate) fn parse_event_data(e: &issue_events::Model) -> Result<EventData, WorkflowError> {
    match e.data.as_deref() {
        Some(d) => serde_json::from_str(d).map_err(|err| {
            WorkflowError::corrupt("issue_events.data", format!("event {}: {err}", e.seq))
        }),
        None => Ok(EventData::default()),
    }
}

/// An event's stored data as free JSON, for display (NULL: none).
pub(crate) fn parse_event_json(
    e: &issue_events::Model,
) -> Result<Option<serde_json::Value>, WorkflowError> {
    e.data
        .as_deref()
        .map(|d| {
            serde_json::from_str(d).map_err(|err| {
                WorkflowError::corrupt("issue_events.data", format!("event {}: {err}", e.seq))
            })
        })
        .transpose()
}

/// The comma-separated co-handler list as stored.
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// A stored event as replay reads it.
pub(crate) fn step_of(e: &issue_events::Model) -> Result<Step, WorkflowError> {
    let state =
        |s: &str| IssueState::parse(s).map_err(|_| WorkflowError::corrupt("issue_events.state", s));
    Ok(Step {
        action: e.action.clone(),
        from: e.from_state.as_deref().map(state).transpose()?,
        to: state(&e.to_state)?,
        data: parse_event_data(e)?,
    })
}

/// What the replay of an issue says about its stored row: equal when consistent.
///
/// # Errors
/// [`WorkflowError::Corrupt`] if the stored state is not a known code.
pub fn stored_as_replayed(issue: &issues::Model) -> Result<Replayed, WorkflowError> {
    Ok(Replayed {
        state: Some(parse_state(&issue.state)?),
        task_force: issue.task_force.clone(),
        accept_due: issue.accept_due,
        due: issue.due,
        due_provisional: issue.due_provisional,
        lead_handler: issue.lead_handler.clone(),
        co_handlers: split_list(&issue.co_handlers),
        rung: issue.escalation_rung,
        version: issue.version,
    })
}
