//! The one error of every use case. Its kinds are what a caller acts on: the CLI maps them to
//! exit codes (2, 3, 2, 2, 1) and the HTTP service to status codes (400, 403, 404, 409, 500),
//! each in one place.

use std::fmt;

use docket_bulletin::BulletinError;
use docket_library::ImportError;
use docket_notifier::NotifyError;
use docket_scheduler::SchedulerError;
use docket_store::StoreError;
use docket_workflow::WorkflowError;

/// A boxed cause of an unexpected failure.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a use case did nothing (bad input, refusal, absence, conflict) or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller's input is wrong: a bad file, field, argument or config. Nothing was written.
    /// `details` holds one line per bad row or field (`FILE:ROW: COLUMN: VALUE: reason`).
    #[error("{message}")]
    BadInput {
        /// What is wrong, for people.
        message: String,
        /// One line per bad row or field, when there are several.
        details: Vec<String>,
    },
    /// The acting identity may not do this. Nothing was written.
    #[error("{0}")]
    NotPermitted(String),
    /// The object named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The object is not in a state that allows this (or changed meanwhile). Nothing was written.
    #[error("{0}")]
    Conflict(String),
    /// Anything else: the database or a server down, a file that cannot be written.
    #[error("{message}")]
    Unexpected {
        /// What was being done.
        message: String,
        /// The cause.
        #[source]
        source: Cause,
    },
}

pub use docket_domain::error::ErrorKind;

impl AppError {
    /// Bad input described by `message`.
    pub fn bad_input(message: impl fmt::Display) -> Self {
        AppError::BadInput {
            message: message.to_string(),
            details: Vec::new(),
        }
    }

    /// Bad input with one line per bad row or field.
    pub fn bad_rows(message: impl fmt::Display, details: Vec<String>) -> Self {
        AppError::BadInput {
            message: message.to_string(),
            details,
        }
    }

    /// A refusal of the acting identity.
    pub fn not_permitted(message: impl fmt::Display) -> Self {
        AppError::NotPermitted(message.to_string())
    }

    /// An unexpected failure while doing `message`.
    pub fn unexpected(message: impl fmt::Display, source: impl Into<Cause>) -> Self {
        AppError::Unexpected {
            message: message.to_string(),
            source: source.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::BadInput { .. } => ErrorKind::BadInput,
            AppError::NotPermitted(_) => ErrorKind::NotPermitted,
            AppError::NotFound(_) => ErrorKind::NotFound,
            AppError::Conflict(_) => ErrorKind::Conflict,
            AppError::Unexpected { .. } => ErrorKind::Unexpected,
        }
    }

    /// The detail lines (bad rows), empty for most errors.
    pub fn details(&self) -> &[String] {
        match self {
            AppError::BadInput { details, .. } => details,
            _ => &[],
        }
    }
}

/// The result of a use case.
pub type AppResult<T = ()> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::BadUrl { .. } => AppError::bad_input(e),
            other => AppError::unexpected("the database failed", other),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(StoreError::from(e))
    }
}

impl From<WorkflowError> for AppError {
    fn from(e: WorkflowError) -> Self {
        use ErrorKind as W;
        match (e.kind(), e) {
            (_, WorkflowError::Store(s)) => AppError::from(s),
            (W::BadInput, e) => AppError::bad_input(e),
            (W::NotPermitted, e) => AppError::NotPermitted(e.to_string()),
            (W::NotFound, e) => AppError::NotFound(e.to_string()),
            (W::Conflict, e) => AppError::Conflict(e.to_string()),
            (W::Unexpected, e) => AppError::unexpected("the workflow failed", e),
        }
    }
}

impl From<SchedulerError> for AppError {
    fn from(e: SchedulerError) -> Self {
        match e {
            SchedulerError::BadRows(rows) => AppError::bad_rows(
                format!("{} bad row(s); nothing was written", rows.len()),
                rows,
            ),
            SchedulerError::Store(s) => AppError::from(s),
            other if other.is_bad_input() => AppError::bad_input(other),
            other => AppError::unexpected("the scheduler failed", other),
        }
    }
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::BadRows(rows) => AppError::bad_rows(
                format!("{} bad row(s); nothing was written", rows.len()),
                rows.iter().map(ToString::to_string).collect(),
            ),
            ImportError::File { .. } => AppError::bad_input(e),
            ImportError::Store(s) => AppError::from(s),
        }
    }
}

impl From<BulletinError> for AppError {
    fn from(e: BulletinError) -> Self {
        match e {
            BulletinError::Store(s) => AppError::from(s),
            other if other.is_bad_input() => AppError::bad_input(other),
            other => AppError::unexpected("the bulletin failed", other),
        }
    }
}

impl From<NotifyError> for AppError {
    fn from(e: NotifyError) -> Self {
        match e {
            NotifyError::Store(s) => AppError::from(s),
            other if other.is_bad_input() => AppError::bad_input(other),
            other => AppError::unexpected("email delivery failed", other),
        }
    }
}
