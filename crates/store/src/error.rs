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
    Db(sea_orm::DbErr),
    /// A unique index refused a row: another row has the same key (on SQLite extended codes
    /// 2067 and 1555, on PostgreSQL SQLSTATE 23505). A caller that checked first lost a race
    /// and may read again. On PostgreSQL the failed statement aborted its transaction: retry
    /// only after rolling that transaction (or savepoint) back.
    #[error("a row with the same key exists already: {source}")]
    UniqueViolation {
        /// The database's error.
        source: sea_orm::DbErr,
    },
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

impl StoreError {
    /// Classifies a database error: a unique-index violation on either backend becomes
    /// [`StoreError::UniqueViolation`], anything else [`StoreError::Db`]. Every `?` on a
    /// [`sea_orm::DbErr`] in the store goes through here, so callers match one variant
    /// instead of parsing messages.
    pub fn from_db(e: sea_orm::DbErr) -> Self {
        match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                StoreError::UniqueViolation { source: e }
            }
            _ => StoreError::Db(e),
        }
    }

    /// Whether a unique index refused the write (see [`StoreError::UniqueViolation`]).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::UniqueViolation { .. })
    }
}

impl From<sea_orm::DbErr> for StoreError {
    fn from(e: sea_orm::DbErr) -> Self {
        StoreError::from_db(e)
    }
}
