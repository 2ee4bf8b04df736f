//! Errors at the binary's edge and their exit codes: 2 for bad input (nothing was written),
//! 1 for other failures.

use std::fmt::Write as _;

/// A command's failure.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: a bad file, argument or config. Exit code 2.
    BadInput(anyhow::Error),
    /// Anything else: a server down, a failed delivery. Exit code 1.
    Failed(anyhow::Error),
}

impl CliError {
    /// Bad input described by `msg`.
    pub fn bad_input(msg: impl std::fmt::Display) -> Self {
        CliError::BadInput(anyhow::anyhow!("{msg}"))
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Failed(_) => 1,
        }
    }

    /// The message for stderr, with the chain of causes.
    pub fn render(&self) -> String {
        let (CliError::BadInput(e) | CliError::Failed(e)) = self;
        let mut s = format!("error: {e}");
        for cause in e.chain().skip(1) {
            let _ = write!(s, "\n  caused by: {cause}");
        }
        s
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Failed(e)
    }
}

impl From<docket_store::StoreError> for CliError {
    fn from(e: docket_store::StoreError) -> Self {
        match e {
            docket_store::StoreError::BadUrl { .. } => CliError::BadInput(e.into()),
            other => CliError::Failed(other.into()),
        }
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
