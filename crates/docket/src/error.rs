//! The binary's edge: every failure becomes one message on stderr and one exit code —
//! 0 ok, 1 failure, 2 bad input (nothing was written), 3 not permitted (nothing was
//! written). The one mapping from the use cases' [`AppError`] lives here.

use std::fmt::Write as _;

use docket_app::{AppError, ErrorKind};

use crate::i18n::{Lang, catalog};

/// Whether `line` reads `FILE:ROW: …` (a bad row of a file, the row a number).
fn is_row_line(line: &str) -> bool {
    line.split_once(": ")
        .and_then(|(head, _)| head.rsplit_once(':'))
        .is_some_and(|(file, row)| {
            !file.is_empty() && !row.is_empty() && row.chars().all(|c| c.is_ascii_digit())
        })
}

/// A command's failure.
#[derive(Debug)]
pub struct CliError {
    kind: ErrorKind,
    error: anyhow::Error,
    details: Vec<String>,
}

impl CliError {
    /// Bad input described by `msg` (exit 2).
    pub fn bad_input(msg: impl std::fmt::Display) -> Self {
        CliError {
            kind: ErrorKind::BadInput,
            error: anyhow::anyhow!("{msg}"),
            details: Vec::new(),
        }
    }

    /// Another failure (exit 1).
    pub fn failed(e: impl Into<anyhow::Error>) -> Self {
        CliError {
            kind: ErrorKind::Unexpected,
            error: e.into(),
            details: Vec::new(),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::BadInput | ErrorKind::NotFound | ErrorKind::Conflict => 2,
            ErrorKind::NotPermitted => 3,
            ErrorKind::Unexpected => 1,
        }
    }

    /// The message for stderr in `lang`: the error, its detail lines, the chain of causes.
    /// In Chinese the use cases' English messages go through the catalogue
    /// ([`catalog`]); a `FILE:ROW: COLUMN: VALUE: reason` line keeps its shape, only its
    /// reason in Chinese.
    pub fn render(&self, lang: Lang) -> String {
        let zh = lang.is_zh();
        let mut s = if zh {
            format!("错误：{}", catalog::to_zh(&self.error.to_string()))
        } else {
            format!("error: {}", self.error)
        };
        for d in &self.details {
            let d = if !zh {
                d.clone()
            } else if is_row_line(d) {
                catalog::row_to_zh(d)
            } else {
                catalog::to_zh(d)
            };
            let _ = write!(s, "\n{d}");
        }
        for cause in self.error.chain().skip(1) {
            if zh {
                let _ = write!(s, "\n  原因：{}", catalog::to_zh(&cause.to_string()));
            } else {
                let _ = write!(s, "\n  caused by: {cause}");
            }
        }
        s
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        let kind = e.kind();
        let details = e.details().to_vec();
        CliError {
            kind,
            error: e.into(),
            details,
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failed(e)
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
