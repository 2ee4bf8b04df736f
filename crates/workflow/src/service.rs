//! The workflow's entry point: [`Workflow`] over one configuration and calendar. Its use
//! cases live in modules named for their jobs — [`crate::raise`], [`crate::act`],
//! [`crate::sweep`] and [`crate::views`] — each an `impl Workflow` block. Every write opens
//! one transaction (a savepoint when the caller passes its own): state change → event →
//! outbox rows → commit.
//!
//! The items re-exported here keep their older `docket_workflow::service::…` paths.

use docket_domain::calendar::WorkCalendar;

use crate::config::Settings;
use crate::error::WorkflowError;

pub use crate::raise::{NewIssue, Raised, title_key};
pub use crate::stored::stored_as_replayed;
pub use crate::sweep::SweepReport;
pub use crate::views::{Explanation, HistoryEntry, IssueDetail, IssueSummary};

/// The workflow over one configuration and calendar.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// The configuration.
    pub settings: Settings,
    /// The working-day calendar.
    pub calendar: WorkCalendar,
}

impl Workflow {
    /// A workflow over `settings` and `calendar`.
    pub fn new(settings: Settings, calendar: WorkCalendar) -> Self {
        Workflow { settings, calendar }
    }

    /// Refuses `text` longer than `max` characters, naming `field`.
    pub(crate) fn check_text(
        &self,
        field: &str,
        text: &str,
        max: usize,
    ) -> Result<(), WorkflowError> {
        let n = text.chars().count();
        if n > max {
            return Err(WorkflowError::invalid(
                field,
                format!("{n} characters, at most {max} allowed"),
            ));
        }
        Ok(())
    }
}
