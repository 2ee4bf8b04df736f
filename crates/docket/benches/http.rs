//! Benchmark of the HTTP service, the real `docket run` over loopback, on SQLite and
//! PostgreSQL (median of 5 runs, printed):
//!
//! - **Friday-morning rush**: 5,000 owner contacts, each with their own bearer token, submit
//!   one weekly report each through `POST /api/reports`, 50 concurrent clients; throughput and
//!   p50/p99 latency. Goal on PostgreSQL: ≥ 1,000 submissions/s, p99 ≤ 100 ms. Each run on a
//!   fresh database.
//! - **The office's issue list**: 10,000 issues over three task forces, `GET
//!   /api/issues?task_force=land` 100 times in a row; p50/p99. Goal: p99 ≤ 50 ms.
//! - **The office's queue page** (问题台账, HTML): the same 10,000 issues, `GET
//!   /office/issues` (all open issues, overdue first, first page) 100 times in a row with a
//!   signed-in session; p50/p99. Goal: p99 ≤ 50 ms.
//!
//! Run: `cargo bench --bench http` (release build of the binary and this harness);
//! `DOCKET_BENCH_RUNS=1` for a quicker look.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use docket_testkit::TestDb;

const OWNERS: usize = 5_000;
const CLIENTS: usize = 50;
const ISSUES: usize = 10_000;
const LIST_CALLS: usize = 100;
const RUNS: usize = 5;

/// Runs per figure: `RUNS`, or `DOCKET_BENCH_RUNS` for a quicker look.
fn runs() -> usize {
    std::env::var("DOCKET_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(RUNS)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A config folder: the sample config plus one owner contact per project, with the sample's
/// templates and calendar.
fn config_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text =
        std::fs::read_to_string(root().join("config/docket.toml")).expect("sample config");
    // The owners go before the first table that is not an official (TOML arrays of tables
    // may be split, but keep them together for people reading the file).
    for i in 0..OWNERS {
        text.push_str(&format!(
            "\n[[officials]]\nid = \"owner{i}\"\nname = \"联系人{i}\"\nemail = \"owner{i}@unit.example\"\nunit = \"建设单位{i}\"\n"
        ));
    }
    std::fs::write(dir.path().join("docket.toml"), text).expect("write config");
    for sub in ["templates", "calendar"] {
        std::os::unix::fs::symlink(root().join("config").join(sub), dir.path().join(sub))
            .expect("link");
    }
    let mut csv = String::from(
        "项目编号,项目名称,项目级别,建设阶段,项目类别,计划年度,总投资（万元）,年度计划投资（万元）,建设单位\n",
    );
    let year = chrono::Utc::now().format("%Y");
    for i in 0..OWNERS {
        csv.push_str(&format!(
            "B{i:05},基准项目{i},市重点,续建,产业,{year},10000,1200,建设单位{i}\n"
        ));
    }
    std::fs::write(dir.path().join("projects.csv"), csv).expect("write projects");
    dir
}

fn docket(dir: &Path, db_url: &str, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(dir)
        .args(args)
        .env("DOCKET_DATABASE_URL", db_url)
        .env("DOCKET_CONFIG", dir.join("docket.toml"))
        .env("DOCKET_LOG", "error")
        .env_remove("DOCKET_SMTP_URL")
        .output()
        .expect("run docket");
    assert!(
        o.status.success(),
        "docket {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

struct Server(Child, String);

impl Server {
    async fn start(dir: &Path, db_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
            .current_dir(dir)
            .args(["run", "--listen", &format!("127.0.0.1:{port}")])
            .env("DOCKET_DATABASE_URL", db_url)
            .env("DOCKET_CONFIG", dir.join("docket.toml"))
            .env("DOCKET_LOG", "error")
            .env(
                "DOCKET_SECRET",
                "bench-secret-0123456789-abcdefghijklmnopqrstuv",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("docket run");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Server(child, base);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("docket run did not start");
    }

    /// Waits until the scheduler's start-up work has settled: the outbox's pending and
    /// sending counts unchanged over three scrapes a second apart (a rush measured while
    /// 5,000 reminders are being written would measure the catch-up, not the API).
    async fn settle(&self) {
        let client = reqwest::Client::new();
        let mut last = String::new();
        let mut same = 0;
        for _ in 0..600 {
            let text = client
                .get(format!("{}/metrics", self.1))
                .send()
                .await
                .expect("metrics")
                .text()
                .await
                .unwrap_or_default();
            let now: String = text
                .lines()
                .filter(|l| {
                    l.starts_with("docket_outbox_messages")
                        || l.starts_with("docket_dispatch_cycles")
                })
                .collect::<Vec<_>>()
                .join("\n");
            if now == last {
                same += 1;
                if same >= 3 {
                    return;
                }
            } else {
                same = 0;
                last = now;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        panic!("the scheduler did not settle within 10 minutes");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// Tokens for every owner, made in-process (5,000 CLI runs would measure process start-up).
async fn tokens(t: &TestDb) -> Vec<String> {
    let now = chrono::Utc::now();
    let mut out = Vec::with_capacity(OWNERS);
    for i in 0..OWNERS {
        let tok = docket_auth::tokens::create(&t.db.conn, &format!("owner{i}"), "bench", None, now)
            .await
            .expect("token");
        out.push(tok.secret);
    }
    out
}

/// The ISO week after this one (`2026-W50`).
fn next_week() -> String {
    use chrono::Datelike;
    let w = (chrono::Utc::now() + chrono::Duration::days(7)).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// One rush: every owner submits once, `CLIENTS` at a time. (throughput/s, p50, p99)
async fn rush(base: &str, tokens: Arc<Vec<String>>) -> (f64, Duration, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let started = Instant::now();
    let mut tasks = Vec::new();
    let week = next_week();
    for _ in 0..CLIENTS {
        let (next, tokens, client, base, week) = (
            next.clone(),
            tokens.clone(),
            client.clone(),
            base.to_string(),
            week.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= OWNERS {
                    return lat;
                }
                let body = serde_json::json!({
                    "project": format!("B{i:05}"),
                    "week": week,
                    "progress": "主体结构施工",
                    "week_amount_wan": "125.5",
                });
                let t0 = Instant::now();
                let r = client
                    .post(format!("{base}/api/reports"))
                    .bearer_auth(&tokens[i])
                    .json(&body)
                    .send()
                    .await
                    .expect("request");
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                assert!(status.is_success(), "report {i}: {status} {text}");
                lat.push(t0.elapsed());
            }
        }));
    }
    let mut all = Vec::with_capacity(OWNERS);
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    (OWNERS as f64 / secs, pct(&all, 0.5), pct(&all, 0.99))
}

/// Seeds `ISSUES` issues in-process (land, funding, environmental in turn).
async fn seed_issues(dir: &Path, db_url: &str) {
    let app = docket_app::App::start(&dir.join("docket.toml"), db_url)
        .await
        .expect("app");
    let office = app.actor(None).expect("office");
    let cats = ["land", "funding", "environmental"];
    let items: Vec<docket_workflow::NewIssue> = (0..ISSUES)
        .map(|i| docket_workflow::NewIssue {
            project: format!("B{:05}", i % OWNERS),
            category: cats[i % 3].to_string(),
            title: format!("基准问题{i}"),
            detail: String::new(),
            severity: None,
            report_id: None,
        })
        .collect();
    app.workflow
        .raise_many(&app.db.conn, &office, &items, app.now())
        .await
        .expect("raise");
}

async fn issue_list(base: &str, office: &str) -> (usize, Duration, Duration) {
    let client = reqwest::Client::new();
    let mut lat = Vec::with_capacity(LIST_CALLS);
    let mut n = 0;
    for _ in 0..LIST_CALLS {
        let t0 = Instant::now();
        let r = client
            .get(format!("{base}/api/issues?task_force=land"))
            .bearer_auth(office)
            .send()
            .await
            .expect("list");
        assert!(r.status().is_success());
        let body = r.bytes().await.expect("body");
        lat.push(t0.elapsed());
        n = body.len();
    }
    lat.sort();
    (n, pct(&lat, 0.5), pct(&lat, 0.99))
}

/// A signed-in office session, made in-process the way a redeemed link makes one.
async fn office_session(t: &TestDb) -> String {
    let cfg = docket_auth::signin::SigninConfig::default();
    let now = chrono::Utc::now();
    let link = docket_auth::signin::request_link(
        &t.db.conn,
        &cfg,
        "chen.zhiyuan@example.gov.cn",
        None,
        |_| Some("chen_zhiyuan".to_string()),
        now,
    )
    .await
    .expect("sign-in link")
    .expect("known official");
    let session = docket_auth::signin::redeem(&t.db.conn, &cfg, &link.token, now)
        .await
        .expect("session");
    session.id.as_str().to_string()
}

async fn queue_page(base: &str, session: &str) -> (usize, Duration, Duration) {
    let client = reqwest::Client::new();
    let mut lat = Vec::with_capacity(LIST_CALLS);
    let mut n = 0;
    for _ in 0..LIST_CALLS {
        let t0 = Instant::now();
        let r = client
            .get(format!("{base}/office/issues"))
            .header("cookie", format!("docket_session={session}"))
            .send()
            .await
            .expect("page");
        assert!(r.status().is_success(), "queue page: {}", r.status());
        let body = r.bytes().await.expect("body");
        lat.push(t0.elapsed());
        n = body.len();
    }
    lat.sort();
    (n, pct(&lat, 0.5), pct(&lat, 0.99))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn backend(name: &str) {
    let dir = config_dir();
    let mut rates = Vec::new();
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    let mut last: Option<(TestDb, Vec<String>)> = None;
    for run in 0..runs() {
        let t = if name == "sqlite" {
            TestDb::sqlite().await
        } else {
            TestDb::postgres().await
        };
        docket(dir.path(), &t.url, &["import", "projects", "projects.csv"]);
        // Next week: the running scheduler may close the current week on a weekend start.
        docket(
            dir.path(),
            &t.url,
            &["cycle", "open", "--week", &next_week()],
        );
        let toks = Arc::new(tokens(&t).await);
        let server = Server::start(dir.path(), &t.url).await;
        server.settle().await;
        let (rate, p50, p99) = rush(&server.1, toks.clone()).await;
        println!(
            "  {name} run {}: {rate:.0} submissions/s, p50 {p50:.1?}, p99 {p99:.1?}",
            run + 1
        );
        rates.push(rate);
        p50s.push(p50.as_secs_f64() * 1000.0);
        p99s.push(p99.as_secs_f64() * 1000.0);
        drop(server);
        last = Some((t, Arc::try_unwrap(toks).unwrap_or_default()));
    }
    println!(
        "{name}: Friday rush, {OWNERS} owners × 1 report, {CLIENTS} clients: median {:.0} submissions/s, p50 {:.1} ms, p99 {:.1} ms",
        median(rates),
        median(p50s),
        median(p99s)
    );
    let (t, _) = last.expect("a run");
    seed_issues(dir.path(), &t.url).await;
    let office = docket(
        dir.path(),
        &t.url,
        &["--as", "chen_zhiyuan", "token", "create"],
    )
    .trim()
    .to_string();
    let server = Server::start(dir.path(), &t.url).await;
    server.settle().await;
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs() {
        let (n, p50, p99) = issue_list(&server.1, &office).await;
        bytes = n;
        p50s.push(p50.as_secs_f64() * 1000.0);
        p99s.push(p99.as_secs_f64() * 1000.0);
    }
    println!(
        "{name}: issue list, {ISSUES} issues, filtered by task force ({} KiB): median p50 {:.1} ms, p99 {:.1} ms",
        bytes / 1024,
        median(p50s),
        median(p99s)
    );
    let session = office_session(&t).await;
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    for _ in 0..runs() {
        let (n, p50, p99) = queue_page(&server.1, &session).await;
        bytes = n;
        p50s.push(p50.as_secs_f64() * 1000.0);
        p99s.push(p99.as_secs_f64() * 1000.0);
    }
    println!(
        "{name}: office queue page, {ISSUES} issues, first page ({} KiB): median p50 {:.1} ms, p99 {:.1} ms",
        bytes / 1024,
        median(p50s),
        median(p99s)
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // reqwest's rustls (from the S3 file store's build) needs the process's TLS provider.
    docket_app::file_store::install_tls_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!(
            "HTTP benchmark: the real `docket run` on loopback (median of {})",
            runs()
        );
        backend("sqlite").await;
        backend("postgres").await;
    });
}
