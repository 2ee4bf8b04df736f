//! The real `docket run` on a free loopback port, for HTTP tests: started against a test
//! database (with the sample projects imported), stopped by SIGTERM on drop.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::{docket, sample_config, stderr, stdout};

/// The secret the test servers sign links with.
pub const SECRET: &str = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/// A running `docket run`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A client that follows no redirects and keeps no cookies (tests handle both).
    pub http: reqwest::Client,
    log: tempfile::NamedTempFile,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A copy of the sample configuration with `edit` applied to its text, beside links to the
/// sample's templates and calendar; keep the folder while the server runs.
pub fn edited_config(edit: impl FnOnce(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("config folder");
    let text = std::fs::read_to_string(sample_config()).expect("sample config");
    std::fs::write(dir.path().join("docket.toml"), edit(&text)).expect("write config");
    let from = sample_config();
    let from = from.parent().expect("config folder");
    for sub in ["templates", "calendar"] {
        std::os::unix::fs::symlink(from.join(sub), dir.path().join(sub)).expect("link");
    }
    dir
}

/// A bearer token acting as `official`.
pub fn token(db_url: &str, official: &str) -> String {
    let o = docket(
        db_url,
        &sample_config(),
        &["--as", official, "token", "create"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

impl Server {
    /// Starts `docket run` on `db_url` with the sample config; `smtp` is the mail server's
    /// URL (none: `.eml` files in `dir`). Waits until `/healthz` answers.
    pub async fn start(db_url: &str, dir: &Path, smtp: Option<&str>) -> Server {
        Server::start_with(db_url, dir, smtp, &sample_config()).await
    }

    /// As [`Server::start`] with the configuration file `config`.
    pub async fn start_with(db_url: &str, dir: &Path, smtp: Option<&str>, config: &Path) -> Server {
        Server::start_env(db_url, dir, smtp, config, &[]).await
    }

    /// As [`Server::start_with`], with the environment variables `env` set for the process.
    pub async fn start_env(
        db_url: &str,
        dir: &Path,
        smtp: Option<&str>,
        config: &Path,
        env: &[(&str, &str)],
    ) -> Server {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
        cmd.current_dir(dir)
            .args(["run", "--listen", &format!("127.0.0.1:{port}")])
            .env("DOCKET_DATABASE_URL", db_url)
            .env("DOCKET_CONFIG", config)
            .env("DOCKET_SECRET", SECRET)
            .env("DOCKET_LOG", "info")
            .env_remove("DOCKET_SMTP_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("log file"));
        if let Some(url) = smtp {
            cmd.env("DOCKET_SMTP_URL", url);
        }
        cmd.envs(env.iter().copied());
        let child = cmd.spawn().expect("start docket run");
        // reqwest's rustls (from the S3 file store's build) needs the process's TLS provider.
        docket_app::file_store::install_tls_provider();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = server.http.get(server.url("/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "docket run did not answer /healthz: {}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// The process id of `docket run`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// Kills the process with SIGKILL (no shutdown work at all) and reaps it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the process to end; returns whether it exited 0.
    pub fn stop(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}
