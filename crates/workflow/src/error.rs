//! Workflow errors: what a caller acts on.

use docket_domain::issue::IssueState;

/// Why a workflow call wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// Bad input: a field that is missing, too long or not a known value.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (e.g. `--title`, `project`).
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// No project with this code.
    #[error("project {0:?}: no project with this code")]
    UnknownProject(String),
    /// No issue with this id.
    #[error("issue {0}: no such issue")]
    UnknownIssue(String),
    /// The action is not allowed in the issue's state.
    #[error("issue is {state}: cannot {action} it")]
    IllegalTransition {
        /// The state the issue is in.
        state: IssueState,
        /// The refused action.
        action: &'static str,
    },
    /// The actor may not do this.
    #[error("{actor} may not {action} this issue: {reason}")]
    Forbidden {
        /// Who tried.
        actor: String,
        /// The action.
        action: &'static str,
        /// Why not.
        reason: String,
    },
    /// Someone changed the issue meanwhile, or an open duplicate blocks a reopen.
    #[error("{0}")]
    Conflict(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] docket_store::StoreError),
}

impl From<sea_orm::DbErr> for WorkflowError {
    fn from(e: sea_orm::DbErr) -> Self {
        WorkflowError::Store(e.into())
    }
}

impl WorkflowError {
    /// Whether the caller's input is at fault (exit code 2): everything but a database failure.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, WorkflowError::Store(_))
    }

    /// An [`WorkflowError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        WorkflowError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
