//! Who may do what, shared by the CLI and the HTTP service.
//!
//! - the office (`office`, the `[office] head`, `[workflow] office_staff`): everything;
//! - a task-force member (leader, deputies, members): work on their task force's issues;
//!   the group leader also reassigns and designates handlers;
//! - an owner unit (an official with `unit`): raise and withdraw for its own projects;
//! - the raiser: withdraw;
//! - anyone else (city leaders): read only.

use docket_store::issues::ProjectRef;

use crate::config::Settings;
use crate::error::WorkflowError;
use crate::lifecycle::Action;

/// The id that means the coordinating office itself.
pub const OFFICE_ACTOR: &str = "office";

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The official id, or `office`.
    pub id: String,
    /// How messages name them: the official's name (协调办 for the office itself).
    pub name: String,
    /// Whether they act with the office's rights.
    pub office: bool,
    /// The owner unit they report for.
    pub unit: Option<String>,
}

impl Actor {
    /// The office itself.
    pub fn office() -> Actor {
        Actor {
            id: OFFICE_ACTOR.into(),
            name: "协调办".into(),
            office: true,
            unit: None,
        }
    }

    /// Resolves an actor id (`office` or a configured official's id).
    ///
    /// # Errors
    /// [`WorkflowError::Invalid`] for an unknown id.
    pub fn resolve(settings: &Settings, id: &str) -> Result<Actor, WorkflowError> {
        if id == OFFICE_ACTOR {
            return Ok(Actor::office());
        }
        let o = settings.core.official(id).ok_or_else(|| {
            WorkflowError::invalid("--as", format!("no official with id {id:?} in the config"))
        })?;
        let office = settings.core.office.head == id
            || settings.workflow.office_staff.iter().any(|s| s == id);
        Ok(Actor {
            id: id.into(),
            name: o.name.clone(),
            office,
            unit: o.unit.clone(),
        })
    }

    fn forbidden(&self, action: &'static str, reason: impl Into<String>) -> WorkflowError {
        WorkflowError::Forbidden {
            actor: self.name.clone(),
            action,
            reason: reason.into(),
        }
    }
}

/// Whether `official` belongs to task force `tf` (leader, deputy or member).
pub fn in_task_force(settings: &Settings, tf: &str, official: &str) -> bool {
    settings
        .core
        .task_force(tf)
        .is_some_and(|t| t.everyone().contains(&official))
}

/// Whether `official` leads task force `tf`.
pub fn leads(settings: &Settings, tf: &str, official: &str) -> bool {
    settings
        .core
        .task_force(tf)
        .is_some_and(|t| t.lead == official)
}

/// Checks that `actor` may raise an issue on `project`.
///
/// # Errors
/// [`WorkflowError::Forbidden`].
pub fn check_raise(actor: &Actor, project: &ProjectRef) -> Result<(), WorkflowError> {
    if actor.office || actor.unit.as_deref() == Some(project.owner_unit.as_str()) {
        return Ok(());
    }
    match &actor.unit {
        Some(u) => Err(actor.forbidden(
            "raise",
            format!(
                "project {} belongs to {}, not {u}",
                project.code, project.owner_unit
            ),
        )),
        None => Err(actor.forbidden(
            "raise",
            "only the office and the project's owner unit raise issues",
        )),
    }
}

/// Checks that `actor` may take `action` on an issue routed to `task_force`, raised by
/// `raised_by`, on `project`.
///
/// # Errors
/// [`WorkflowError::Forbidden`] naming the rule.
pub fn check_action(
    settings: &Settings,
    actor: &Actor,
    action: &Action,
    task_force: Option<&str>,
    raised_by: &str,
    project: &ProjectRef,
) -> Result<(), WorkflowError> {
    if actor.office {
        return Ok(());
    }
    let code = action.code();
    let member = task_force.is_some_and(|tf| in_task_force(settings, tf, &actor.id));
    let leader = task_force.is_some_and(|tf| leads(settings, tf, &actor.id));
    let ok = match action {
        Action::Accept
        | Action::Start
        | Action::Resolve { .. }
        | Action::RequestExtension { .. } => member,
        Action::Reassign { .. } | Action::Designate { .. } => leader,
        Action::Withdraw { .. } => {
            raised_by == actor.id || actor.unit.as_deref() == Some(project.owner_unit.as_str())
        }
        Action::Close { .. }
        | Action::SendBack { .. }
        | Action::Reopen { .. }
        | Action::ApproveExtension { .. }
        | Action::Chase { .. } => false,
    };
    if ok {
        return Ok(());
    }
    let reason = match action {
        Action::Close { .. }
        | Action::SendBack { .. }
        | Action::Reopen { .. }
        | Action::ApproveExtension { .. }
        | Action::Chase { .. } => "only the office may do this".to_string(),
        Action::Reassign { .. } | Action::Designate { .. } => {
            "only the office or the task force's group leader may do this".into()
        }
        Action::Withdraw { .. } => {
            "only the raiser, the project's owner unit or the office may withdraw".into()
        }
        _ => match task_force {
            Some(tf) => format!("not a member of task force {tf}"),
            None => "the issue is with the office".into(),
        },
    };
    Err(actor.forbidden(code, reason))
}
