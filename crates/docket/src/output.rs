//! Writing results to stdout (and only results), or to a file given with `--out`.

use std::io::Write;
use std::path::Path;

use crate::error::{CliError, CliResult};

/// The `--format` of the commands that show or list things: text (a line or a table) for
/// people, JSON for scripts.
#[derive(Debug, Clone, Copy, clap::ValueEnum, Default, PartialEq, Eq)]
pub enum Format {
    /// For people: a line or a table (`table` is accepted too).
    #[default]
    #[value(alias = "table")]
    Text,
    /// For scripts.
    Json,
}

/// Writes `text` to stdout, ending with a newline.
///
/// # Errors
/// A closed stdout (e.g. `| head`) is not an error worth a message; other write errors are.
pub fn print(text: &str) -> CliResult {
    if text.ends_with('\n') {
        write_stdout(text.as_bytes())
    } else {
        write_stdout(format!("{text}\n").as_bytes())
    }
}

/// Writes `value` as pretty JSON to stdout.
///
/// # Errors
/// As [`print`].
pub fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value).map_err(CliError::failed)?;
    print(&text)
}

/// Writes `bytes` to `out` (its folder created) or, without one, to stdout.
///
/// # Errors
/// Bad input naming the file when it cannot be written; as [`print`] for stdout.
pub fn write_out(out: Option<&Path>, bytes: &[u8]) -> CliResult {
    match out {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CliError::bad_input(format!(
                        "--out {}: cannot create its folder: {e}",
                        p.display()
                    ))
                })?;
            }
            std::fs::write(p, bytes).map_err(|e| {
                CliError::bad_input(format!("--out {}: cannot write: {e}", p.display()))
            })
        }
        None => write_stdout(bytes),
    }
}

fn write_stdout(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::failed(e)),
        _ => Ok(()),
    }
}
