//! Logs go to stderr (stdout carries only results), filtered by `--log-level` or `RUST_LOG`,
//! as text for people or one JSON object per line (`--log-format json`) for collectors.
//! Colours only on a terminal, and never with `NO_COLOR` set.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the tracing subscriber; `level` overrides `RUST_LOG` (default `info`); `colour`
/// says whether stderr may carry ANSI colours (see [`crate::i18n::colours_allowed`]).
pub fn init(level: Option<&str>, format: LogFormat, colour: bool) {
    let filter = level
        .map(EnvFilter::new)
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
}
