//! The notifier's errors: what a caller acts on.

/// What can go wrong setting up or running delivery. Individual send failures are not
/// errors: they are recorded on their outbox rows (retried or dead-lettered).
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// A `[smtp]` or `[mail]` key (or `DOCKET_SMTP_*` variable) is unusable. Bad input.
    #[error("{key}: {reason}")]
    Config {
        /// The key or variable, e.g. `smtp.url`.
        key: String,
        /// Why it was refused.
        reason: String,
    },
    /// A template is missing or does not compile. Bad input, naming the file and line.
    #[error("template {file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Template {
        /// The template file.
        file: String,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The working-day calendar lacks the year a digest date falls in.
    #[error(transparent)]
    Calendar(#[from] docket_domain::calendar::MissingYear),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] docket_store::StoreError),
    /// A worker task failed unexpectedly.
    #[error("delivery worker failed: {0}")]
    Worker(String),
}

impl NotifyError {
    /// A refusal of config `key`.
    pub fn config(key: impl Into<String>, reason: impl Into<String>) -> Self {
        NotifyError::Config {
            key: key.into(),
            reason: reason.into(),
        }
    }

    /// Whether the error is the user's input (config or templates): exit code 2.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            NotifyError::Config { .. } | NotifyError::Template { .. }
        )
    }
}

impl From<sea_orm::DbErr> for NotifyError {
    fn from(e: sea_orm::DbErr) -> Self {
        NotifyError::Store(e.into())
    }
}
