//! Storage errors.

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one Docket can use.
    #[error("invalid database URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given (passwords are not logged by callers).
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The database refused or failed a statement, or could not be reached.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// A stored value could not be read back as a domain value (the database was edited by hand).
    #[error("corrupt stored value in {table}.{column}: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// An I/O error preparing the database file.
    #[error("cannot prepare the database file {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
