//! Benchmark of one CLI command, the real `docket` binary as an operator runs it: `issue
//! raise` and `issue list` 50 times each on SQLite and PostgreSQL (70 sample projects),
//! median and p90 wall time per command, process start to exit. Goal (issue 12): ≤ 50 ms
//! median on PostgreSQL.
//!
//! Run: `cargo bench --bench cli`.

use std::process::Command;
use std::time::{Duration, Instant};

use docket_testkit::TestDb;

const RUNS: usize = 50;

fn docket(url: &str, args: &[&str]) -> Duration {
    let root = docket_testkit::repo_root();
    let t0 = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env("DOCKET_DATABASE_URL", url)
        .env("DOCKET_CONFIG", root.join("config/docket.toml"))
        .env("DOCKET_LOG", "error")
        .env_remove("DOCKET_SMTP_URL")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run docket");
    let took = t0.elapsed();
    assert!(
        o.status.success(),
        "docket {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    took
}

fn figures(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[(v.len() * 9) / 10]))
}

async fn backend(name: &str) {
    let t = if name == "sqlite" {
        TestDb::sqlite().await
    } else {
        TestDb::postgres().await
    };
    let projects = docket_testkit::repo_root().join("config/sample/projects.csv");
    docket(
        &t.url,
        &["import", "projects", projects.to_str().expect("path")],
    );
    let raise: Vec<Duration> = (0..RUNS)
        .map(|i| {
            docket(
                &t.url,
                &[
                    "issue",
                    "raise",
                    "--project",
                    "SZ2024001",
                    "--category",
                    "land",
                    "--title",
                    &format!("基准问题{i}"),
                ],
            )
        })
        .collect();
    let list: Vec<Duration> = (0..RUNS)
        .map(|_| docket(&t.url, &["issue", "list"]))
        .collect();
    let (r50, r90) = figures(raise);
    let (l50, l90) = figures(list);
    println!(
        "{name}: issue raise median {r50:.1} ms (p90 {r90:.1}); issue list median {l50:.1} ms (p90 {l90:.1})"
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!("CLI benchmark: one `docket` command, {RUNS} runs each");
        backend("sqlite").await;
        backend("postgres").await;
    });
}
