//! Writing results to stdout (and only results).

use std::io::Write;

use crate::error::{CliError, CliResult};

/// Writes `text` to stdout, ending with a newline.
///
/// # Errors
/// A closed stdout (e.g. `| head`) is not an error worth a message; other write errors are.
pub fn print(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(text.as_bytes()).and_then(|_| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            out.write_all(b"\n")
        }
    });
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Failed(e.into())),
    }
}

/// Writes `value` as pretty JSON to stdout.
///
/// # Errors
/// As [`print`].
pub fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Failed(e.into()))?;
    print(&text)
}
