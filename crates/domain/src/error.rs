//! Errors raised when text cannot become a domain value.

/// A value that could not be parsed or validated; the message is in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The text is not a valid value of the named kind.
    #[error("{0}")]
    Invalid(String),
}

impl DomainError {
    /// Builds an [`DomainError::Invalid`] from anything displayable.
    pub fn invalid(msg: impl Into<String>) -> Self {
        DomainError::Invalid(msg.into())
    }
}

/// What kind of failure a use case or feature error is, so callers choose an exit code or an
/// HTTP status without matching every variant. Shared by the workflow and the app layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is wrong (a file, field, argument or config): fix it and try again.
    BadInput,
    /// The acting identity may not do this.
    NotPermitted,
    /// The object named does not exist.
    NotFound,
    /// The object's state refuses the action, or it changed meanwhile.
    Conflict,
    /// The database or a server failed, or a stored value does not read back.
    Unexpected,
}

impl ErrorKind {
    /// A stable code for machines (the HTTP error body's `code`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadInput => "bad_input",
            ErrorKind::NotPermitted => "not_permitted",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unexpected => "unexpected",
        }
    }
}
