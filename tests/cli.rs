//! Running the built `docket` binary against a test database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (config/, the sample library).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample configuration.
pub fn sample_config() -> PathBuf {
    root().join("config/docket.toml")
}

/// Runs `docket ARGS` with the given database and config; stdin closed.
pub fn docket(db_url: &str, config: &Path, args: &[&str]) -> Output {
    docket_in(&root(), db_url, config, args)
}

/// As [`docket`], in the working directory `dir` (for commands that write files there).
pub fn docket_in(dir: &Path, db_url: &str, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(dir)
        .args(args)
        .env("DOCKET_DATABASE_URL", db_url)
        .env("DOCKET_CONFIG", config)
        .env("DOCKET_LOG", "warn")
        .env_remove("DOCKET_SMTP_URL")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run docket")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
