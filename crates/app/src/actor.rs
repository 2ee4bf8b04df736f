//! Who acts, and the permissions of the use cases outside the issue workflow (whose own rules
//! live in `docket_workflow::permission`). Every use case checks here, never its caller:
//!
//! - the office (`office`, the `[office] head`, `[workflow] office_staff`): everything;
//! - an owner contact (an official with `unit`): weekly reports for its own unit's projects;
//! - task-force members: their task force's issues (the workflow's rules);
//! - anyone configured (city leaders included): reading.

use docket_store::issues::ProjectRef;

use crate::error::{AppError, AppResult};

pub use docket_workflow::Actor;

/// Refuses anyone but the office for `what` (e.g. "open a cycle").
///
/// # Errors
/// [`AppError::NotPermitted`] naming the actor and the action.
pub fn require_office(actor: &Actor, what: &str) -> AppResult {
    if actor.office {
        Ok(())
    } else {
        Err(AppError::not_permitted(format!(
            "{} may not {what}: only the coordinating office may",
            actor.name
        )))
    }
}

/// Refuses a weekly report on `project` unless `actor` is the office or a contact of the
/// project's owner unit.
///
/// # Errors
/// [`AppError::NotPermitted`] naming the project and both units.
pub fn require_reporter(actor: &Actor, project: &ProjectRef) -> AppResult {
    if actor.office || actor.unit.as_deref() == Some(project.owner_unit.as_str()) {
        return Ok(());
    }
    Err(AppError::not_permitted(match &actor.unit {
        Some(u) => format!(
            "{} may not report for project {}: it belongs to {}, not {u}",
            actor.name, project.code, project.owner_unit
        ),
        None => format!(
            "{} may not report for project {}: only its owner unit ({}) and the office report",
            actor.name, project.code, project.owner_unit
        ),
    }))
}
