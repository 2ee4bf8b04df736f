//! Running the built `docket` binary against a test database, as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One way of running `docket`: the binary, its database, its config, its working folder and
/// any further environment. Build it once per test and [`run`](Docket::run) commands.
#[derive(Debug, Clone)]
pub struct Docket {
    bin: PathBuf,
    db_url: String,
    config: PathBuf,
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Docket {
    /// `bin` (from the test's `env!("CARGO_BIN_EXE_docket")`) on `db_url` with `config`, in
    /// the repository root, logging warnings only, with no SMTP server unless given.
    pub fn new(bin: impl Into<PathBuf>, db_url: &str, config: &Path) -> Docket {
        Docket {
            bin: bin.into(),
            db_url: db_url.to_string(),
            config: config.to_path_buf(),
            dir: crate::repo_root(),
            env: Vec::new(),
        }
    }

    /// Runs in `dir` (for commands that write files into the working folder).
    pub fn current_dir(mut self, dir: &Path) -> Docket {
        self.dir = dir.to_path_buf();
        self
    }

    /// Sets an environment variable, e.g. `DOCKET_SMTP_URL`.
    pub fn env(mut self, key: &str, value: &str) -> Docket {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs `docket ARGS` with stdin closed and waits for it.
    ///
    /// # Panics
    /// When the binary cannot be started.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(&self.dir)
            .args(args)
            .env("DOCKET_DATABASE_URL", &self.db_url)
            .env("DOCKET_CONFIG", &self.config)
            .env("DOCKET_LOG", "warn")
            .env_remove("DOCKET_SMTP_URL")
            .stdin(Stdio::null());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("run docket")
    }
}

/// A command's stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A command's stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
