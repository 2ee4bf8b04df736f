//! The scheduler's errors: what a caller acts on.

use docket_domain::config::ConfigError;

/// What can go wrong scheduling.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// A `[schedules]` key is wrong (bad input, exit 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Another scheduler already runs on this SQLite database.
    #[error(
        "another docket scheduler ({holder}) is already running on this SQLite database (its lease runs until {until}); \
         SQLite allows one scheduler process: stop the other `docket run`, or use PostgreSQL to run several replicas"
    )]
    AlreadyRunning {
        /// The other process's holder id.
        holder: String,
        /// When its lease lapses, in office time.
        until: String,
    },
    /// Bad input to a command (unknown project, no such week, a bad file), naming what.
    #[error("{0}")]
    BadInput(String),
    /// Every bad row of a batch file, one line each: `FILE:ROW: COLUMN: VALUE: reason`.
    #[error("{}", .0.join("\n"))]
    BadRows(Vec<String>),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] docket_store::StoreError),
    /// A hook (the bulletin, a custom job) failed; its firing was rolled back and retries.
    #[error("{schedule} {period}: {reason}")]
    Hook {
        /// Schedule name.
        schedule: String,
        /// Period.
        period: String,
        /// The hook's message.
        reason: String,
    },
}

impl From<sea_orm::DbErr> for SchedulerError {
    fn from(e: sea_orm::DbErr) -> Self {
        SchedulerError::Store(e.into())
    }
}

impl SchedulerError {
    /// Whether the error is the user's input (exit 2) rather than a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            SchedulerError::Config(_) | SchedulerError::BadInput(_) | SchedulerError::BadRows(_)
        )
    }
}
