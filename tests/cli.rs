//! Running the built `docket` binary against a test database (through `docket_testkit::Docket`).

use std::path::{Path, PathBuf};
use std::process::Output;

use docket_testkit::Docket;
pub use docket_testkit::{stderr, stdout};

/// The repository root (config/, the sample library).
pub fn root() -> PathBuf {
    docket_testkit::repo_root()
}

/// The sample configuration.
pub fn sample_config() -> PathBuf {
    docket_testkit::config_dir().join("docket.toml")
}

/// This package's `docket` binary on `db_url` with `config`, in English: these tests are
/// about what the commands do, and read their English text (`tests/cli_lang.rs` reads the
/// Chinese the sample office gets by default).
pub fn docket_cmd(db_url: &str, config: &Path) -> Docket {
    Docket::new(env!("CARGO_BIN_EXE_docket"), db_url, config).env("DOCKET_LANG", "en")
}

/// Runs `docket ARGS` with the given database and config; stdin closed.
/// The arguments of `docket issue raise --project P --category C --title T`.
pub fn raise_args<'a>(project: &'a str, category: &'a str, title: &'a str) -> [&'a str; 8] {
    [
        "issue",
        "raise",
        "--project",
        project,
        "--category",
        category,
        "--title",
        title,
    ]
}

pub fn docket(db_url: &str, config: &Path, args: &[&str]) -> Output {
    docket_cmd(db_url, config).run(args)
}

/// As [`docket`], in the working directory `dir` (for commands that write files there).
pub fn docket_in(dir: &Path, db_url: &str, config: &Path, args: &[&str]) -> Output {
    docket_cmd(db_url, config).current_dir(dir).run(args)
}

/// Imports the sample city's `config/sample/KIND.csv` for each kind (projects, progress,
/// milestones, indicators) through the CLI, asserting each import succeeds.
pub fn import_sample(db_url: &str, kinds: &[&str]) {
    for kind in kinds {
        let path = root().join("config/sample").join(format!("{kind}.csv"));
        let o = docket(
            db_url,
            &sample_config(),
            &["import", kind, path.to_str().unwrap()],
        );
        assert!(o.status.success(), "import {kind}: {}", stderr(&o));
    }
}
