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
