//! Logs go to stderr (stdout carries only results), filtered by `--log-level` or `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Installs the tracing subscriber; `level` overrides `RUST_LOG` (default `info`).
pub fn init(level: Option<&str>) {
    let filter = level
        .map(EnvFilter::new)
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
