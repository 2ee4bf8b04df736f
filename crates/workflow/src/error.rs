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
    /// A stored value does not read back as a domain value (a code no longer known, event
    /// data that is not JSON): the database was edited by hand or by a newer version.
    #[error("corrupt stored {field}: {value:?}")]
    Corrupt {
        /// The column, e.g. `issues.category`.
        field: &'static str,
        /// The value found (and, for JSON, why it does not parse).
        value: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] docket_store::StoreError),
}

pub use docket_domain::error::ErrorKind;

impl From<sea_orm::DbErr> for WorkflowError {
    fn from(e: sea_orm::DbErr) -> Self {
        WorkflowError::Store(e.into())
    }
}

impl WorkflowError {
    /// The kind of failure. An unknown project is [`ErrorKind::NotFound`] even when it was
    /// named in a raise; a CLI may treat that as bad input.
    pub fn kind(&self) -> ErrorKind {
        match self {
            WorkflowError::Invalid { .. } => ErrorKind::BadInput,
            WorkflowError::Forbidden { .. } => ErrorKind::NotPermitted,
            WorkflowError::UnknownProject(_) | WorkflowError::UnknownIssue(_) => {
                ErrorKind::NotFound
            }
            WorkflowError::IllegalTransition { .. } | WorkflowError::Conflict(_) => {
                ErrorKind::Conflict
            }
            WorkflowError::Corrupt { .. } | WorkflowError::Store(_) => ErrorKind::Unexpected,
        }
    }

    /// Whether the caller is at fault (exit code 2): every kind but
    /// [`ErrorKind::Unexpected`] (a database failure or a corrupt stored value).
    pub fn is_bad_input(&self) -> bool {
        self.kind() != ErrorKind::Unexpected
    }

    /// Whether a unique index refused a write (a concurrent writer won a race).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, WorkflowError::Store(e) if e.is_unique_violation())
    }

    /// A [`WorkflowError::Corrupt`] for the stored `value` of `field`.
    pub fn corrupt(field: &'static str, value: impl Into<String>) -> Self {
        WorkflowError::Corrupt {
            field,
            value: value.into(),
        }
    }

    /// An [`WorkflowError::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        WorkflowError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
