//! The lifecycle state machine (交办 → 签收 → 办理中 → 办结 → 销号) and the replay of an
//! issue's events, which always gives its stored state.

use chrono::NaiveDate;
use docket_domain::issue::IssueState;
use serde::{Deserialize, Serialize};

use crate::error::WorkflowError;

/// An action a person takes on an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// 签收: a member of the task force (or the office for its own issues) accepts.
    Accept,
    /// Work starts (办理中).
    Start,
    /// 办结: resolved, with the resolution note (required).
    Resolve {
        /// What was done.
        note: String,
    },
    /// 销号: verified and closed, the office only.
    Close {
        /// Verification note.
        note: Option<String>,
    },
    /// 退回: the office sends a resolution back to work.
    SendBack {
        /// Why.
        reason: String,
    },
    /// 撤回: the raiser or the office withdraws the issue.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// The office reopens a closed issue.
    Reopen {
        /// Why.
        reason: String,
    },
    /// Moves the issue to another task force (`None`: the office).
    Reassign {
        /// The task force id, or `None` for the office.
        task_force: Option<String>,
        /// Why.
        reason: String,
    },
    /// 延期申请: the handler asks for a later due date.
    RequestExtension {
        /// The due date asked for.
        due: NaiveDate,
        /// Why.
        reason: String,
    },
    /// 延期批准: the office sets the new due date.
    ApproveExtension {
        /// The new due date.
        due: NaiveDate,
        /// A note.
        note: Option<String>,
    },
    /// 催办: the office chases the handlers of an open issue (state unchanged; recorded and
    /// emailed to the task force).
    Chase {
        /// What the office asks for.
        note: Option<String>,
    },
    /// The group leader designates the lead handler (主办) and co-handlers (协办).
    Designate {
        /// The lead handler's official id.
        lead: String,
        /// Co-handlers' official ids.
        co: Vec<String>,
    },
}

impl Action {
    /// The action's code, as recorded in events.
    pub fn code(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Start => "start",
            Action::Resolve { .. } => "resolve",
            Action::Close { .. } => "close",
            Action::SendBack { .. } => "send_back",
            Action::Withdraw { .. } => "withdraw",
            Action::Reopen { .. } => "reopen",
            Action::Reassign { .. } => "reassign",
            Action::RequestExtension { .. } => "request_extension",
            Action::ApproveExtension { .. } => "approve_extension",
            Action::Designate { .. } => "designate",
            Action::Chase { .. } => "chase",
        }
    }

    /// The note or reason it carries, if any.
    pub fn note(&self) -> Option<&str> {
        match self {
            Action::Resolve { note } => Some(note),
            Action::SendBack { reason }
            | Action::Withdraw { reason }
            | Action::Reopen { reason }
            | Action::Reassign { reason, .. }
            | Action::RequestExtension { reason, .. } => Some(reason),
            Action::Close { note }
            | Action::ApproveExtension { note, .. }
            | Action::Chase { note } => note.as_deref(),
            Action::Accept | Action::Start | Action::Designate { .. } => None,
        }
    }
}

/// Event codes that only the system records.
pub const RAISE: &str = "raise";
/// The escalation event's code.
pub const ESCALATE: &str = "escalate";
/// The time limits counted again over a newly imported calendar year (no change of state).
pub const RECOMPUTE: &str = "recompute_limits";

/// The state an action leads to from `state`.
///
/// # Errors
/// [`WorkflowError::IllegalTransition`] naming the state and the action.
pub fn next_state(state: IssueState, action: &'static str) -> Result<IssueState, WorkflowError> {
    use IssueState::*;
    let working = matches!(state, Assigned | Accepted | InProgress);
    let next = match action {
        "accept" if state == Assigned => Some(Accepted),
        "start" if state == Accepted => Some(InProgress),
        "resolve" if matches!(state, Accepted | InProgress) => Some(Resolved),
        "close" if state == Resolved => Some(Closed),
        "send_back" if state == Resolved => Some(InProgress),
        "withdraw" if state.is_open() => Some(Withdrawn),
        "reopen" if state == Closed => Some(InProgress),
        "reassign" if working => Some(Assigned),
        "request_extension" | "approve_extension" | "designate" | "chase" | ESCALATE
        | RECOMPUTE
            if working =>
        {
            Some(state)
        }
        _ => None,
    };
    next.ok_or(WorkflowError::IllegalTransition { state, action })
}

/// The part of an event's `data` that changes the issue besides its state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventData {
    /// The task force it now goes to (`Some(None)`: the office).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub task_force: Option<Option<String>>,
    /// The new accept limit.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub accept_due: Option<Option<NaiveDate>>,
    /// The new due date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub due: Option<Option<NaiveDate>>,
    /// Whether the new dates are provisional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_provisional: Option<bool>,
    /// The lead handler (`Some(None)`: none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub lead_handler: Option<Option<String>>,
    /// Co-handlers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_handlers: Option<Vec<String>>,
    /// The escalation rung reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rung: Option<i32>,
    /// Who a rung or assignment went to (official ids), for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified: Option<Vec<String>>,
    /// Which routing rule decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A requested due date (extension request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_due: Option<NaiveDate>,
}

mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// One recorded step, as replay reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The action code.
    pub action: String,
    /// The state before (None for the raise).
    pub from: Option<IssueState>,
    /// The state after.
    pub to: IssueState,
    /// The data.
    pub data: EventData,
}

/// What replaying an issue's events gives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replayed {
    /// The state (None before any event).
    pub state: Option<IssueState>,
    /// The task force (None: the office).
    pub task_force: Option<String>,
    /// Accept limit.
    pub accept_due: Option<NaiveDate>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Whether the dates are provisional.
    pub due_provisional: bool,
    /// Lead handler.
    pub lead_handler: Option<String>,
    /// Co-handlers.
    pub co_handlers: Vec<String>,
    /// Escalation rung reached.
    pub rung: i32,
    /// Number of events.
    pub version: i32,
}

/// Replays steps through the state machine.
///
/// # Errors
/// [`WorkflowError::Conflict`] if a step does not follow from the one before (the history
/// was tampered with).
pub fn replay<'a>(steps: impl IntoIterator<Item = &'a Step>) -> Result<Replayed, WorkflowError> {
    let mut r = Replayed::default();
    for (i, s) in steps.into_iter().enumerate() {
        let bad = |why: String| WorkflowError::Conflict(format!("event {}: {why}", i + 1));
        match r.state {
            None => {
                if s.action != RAISE || s.to != IssueState::Assigned {
                    return Err(bad(format!(
                        "the first event must raise the issue, not {}",
                        s.action
                    )));
                }
            }
            Some(cur) => {
                if s.from != Some(cur) {
                    return Err(bad(format!(
                        "recorded from {:?} but the issue was {cur}",
                        s.from
                    )));
                }
                let code = static_code(&s.action)
                    .ok_or_else(|| bad(format!("unknown action {}", s.action)))?;
                let to = next_state(cur, code).map_err(|e| bad(e.to_string()))?;
                if to != s.to {
                    return Err(bad(format!(
                        "{} leads to {to}, recorded {}",
                        s.action, s.to
                    )));
                }
            }
        }
        r.state = Some(s.to);
        let d = &s.data;
        if let Some(v) = &d.task_force {
            r.task_force = v.clone();
        }
        if let Some(v) = d.accept_due {
            r.accept_due = v;
        }
        if let Some(v) = d.due {
            r.due = v;
        }
        if let Some(v) = d.due_provisional {
            r.due_provisional = v;
        }
        if let Some(v) = &d.lead_handler {
            r.lead_handler = v.clone();
        }
        if let Some(v) = &d.co_handlers {
            r.co_handlers = v.clone();
        }
        if let Some(v) = d.rung {
            r.rung = v;
        }
        r.version += 1;
    }
    Ok(r)
}

fn static_code(s: &str) -> Option<&'static str> {
    [
        "accept",
        "start",
        "resolve",
        "close",
        "send_back",
        "withdraw",
        "reopen",
        "reassign",
        "request_extension",
        "approve_extension",
        "designate",
        ESCALATE,
        RECOMPUTE,
    ]
    .into_iter()
    .find(|c| *c == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use IssueState::*;
        assert_eq!(next_state(Assigned, "accept").unwrap(), Accepted);
        assert_eq!(next_state(Resolved, "send_back").unwrap(), InProgress);
        assert_eq!(next_state(Closed, "reopen").unwrap(), InProgress);
        let e = next_state(Closed, "resolve").unwrap_err().to_string();
        assert!(e.contains("closed") && e.contains("resolve"), "{e}");
        assert!(next_state(Withdrawn, "reopen").is_err());
        assert!(next_state(Assigned, "close").is_err());
    }
}
