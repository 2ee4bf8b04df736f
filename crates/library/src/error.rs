//! Import errors.

use std::fmt;

/// One bad cell or row, reported as `FILE:ROW: COLUMN: VALUE: reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file as named by the user.
    pub file: String,
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    /// The column's header as written in the file (or its contract name if absent).
    pub column: String,
    /// The offending value.
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line each, whatever the value holds.
        let value = self.value.replace(['\r', '\n'], " ");
        write!(
            f,
            "{}:{}: {}: {}: {}",
            self.file, self.row, self.column, value, self.reason
        )
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read or is not a CSV/XLSX file.
    #[error("{file}: {reason}")]
    File {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// Some rows are bad; every one is listed.
    #[error("{} bad row(s); nothing was written:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    BadRows(Vec<RowError>),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] docket_store::StoreError),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        ImportError::Store(e.into())
    }
}
