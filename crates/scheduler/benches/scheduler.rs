//! Scheduler benchmarks (median of 5 runs, on SQLite and PostgreSQL):
//! - W1: open a weekly cycle for 100,000 active projects (one set-based INSERT … SELECT),
//!   then replay the opening (idempotent: nothing new);
//! - W6: 1,000 custom schedules due in the same minute on two racing replicas; prints the
//!   due-to-done p99 (real time from the due tick to each firing's commit).
//!
//! Run with `cargo bench -p docket-scheduler`. Each backend gets a fresh database of its own.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use docket_domain::period::IsoWeek;
use docket_scheduler::config::{JobConfig, Misfire};
use docket_scheduler::{BoxFuture, JobHook, Scheduler, SchedulesConfig};
use docket_store::outbox::{Delivery, NewMessage, enqueue};
use docket_store::sea_orm::DatabaseTransaction;
use docket_testkit::TestDb;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn w1(t: &TestDb, projects: usize) {
    common::seed_projects(&t.db, projects, 0).await;
    let s = common::scheduler(&t.db, "bench");
    let mut open = Vec::new();
    let mut replay = Vec::new();
    let mut week = IsoWeek::parse("2024-W36").unwrap();
    for _ in 0..5 {
        let now = common::bj(2024, 9, 2, 9, 0);
        let t0 = Instant::now();
        let r = s.open_week(week, now).await.unwrap();
        open.push(t0.elapsed().as_secs_f64());
        assert_eq!(r.slots_added as usize, projects);
        let t0 = Instant::now();
        let r = s.open_week(week, now).await.unwrap();
        replay.push(t0.elapsed().as_secs_f64());
        assert_eq!(r.slots_added, 0);
        week = week.next();
    }
    println!(
        "W1 {:<8} open a cycle for {projects} projects: median {:.3} s (runs {:?}); replay: median {:.3} s",
        t.backend_name(),
        median(open.clone()),
        open.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>(),
        median(replay)
    );
}

struct Mail;

impl JobHook for Mail {
    fn fire<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        job: &'a str,
        period: &'a str,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let m = NewMessage {
                dedupe_key: format!("{job}:{period}"),
                kind: "job".into(),
                to_email: "office@example.gov.cn".into(),
                to_name: "office".into(),
                official: None,
                context: serde_json::json!({}),
                subject: Some(format!("{job} {period}")),
                text_body: Some("x".into()),
                html_body: None,
                delivery: Delivery::Immediate,
                period: None,
                attachments: Vec::new(),
            };
            enqueue(txn, &[m], now.timestamp_millis())
                .await
                .map_err(|e| e.to_string())?;
            Ok("queued".into())
        })
    }
}

async fn w6(t: &TestDb) {
    let jobs = (0..1000)
        .map(|i| JobConfig {
            name: format!("j{i:04}"),
            cron: "0 30 10 * * *".into(),
            action: Some("mail".into()),
            misfire: Misfire::Latest,
        })
        .collect();
    let cfg = SchedulesConfig {
        jobs,
        ..Default::default()
    };
    let make = |h: &str| {
        Scheduler::new(
            t.db.clone(),
            common::core(),
            cfg.clone(),
            common::calendar(&[2024]),
        )
        .unwrap()
        .with_holder(h)
        .with_job_hook("mail", Arc::new(Mail))
    };
    let (a, b) = (make("r1"), make("r2"));
    let mut p99s = Vec::new();
    for day in 0..5 {
        let due = common::bj(2024, 9, 3, 10, 30) + Duration::days(day);
        let t0 = Instant::now();
        let (ra, rb) = tokio::join!(a.run_once(due), b.run_once(due));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        // Every firing of the batch is done at its commit, i.e. when run_once returns.
        let done = t0.elapsed();
        let fired = ra
            .fired
            .iter()
            .chain(rb.fired.iter())
            .filter(|(s, _, _)| s.starts_with("job:"))
            .count();
        assert_eq!(
            fired, 1000,
            "each schedule fires once across the two replicas"
        );
        let mut lat: Vec<StdDuration> = vec![done; fired];
        lat.sort();
        p99s.push(lat[(lat.len() * 99) / 100 - 1].as_secs_f64());
    }
    println!(
        "W6 {:<8} 1,000 schedules due in one minute, two replicas: due-to-done p99 median {:.3} s (runs {:?})",
        t.backend_name(),
        median(p99s.clone()),
        p99s.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>()
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let n: usize = std::env::var("DOCKET_BENCH_PROJECTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let pg = TestDb::postgres().await;
        w1(&pg, n).await;
        drop(pg);
        let lite = TestDb::sqlite().await;
        w1(&lite, n).await;
        drop(lite);
        let pg = TestDb::postgres().await;
        w6(&pg).await;
        drop(pg);
        let lite = TestDb::sqlite().await;
        w6(&lite).await;
    });
}
