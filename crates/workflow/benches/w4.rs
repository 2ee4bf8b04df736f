//! Benchmark W4: raise and route 10,000 issues across 50 task forces, with their assignment
//! emails queued (3 per issue: leader, deputy, member), in one set-based call; on SQLite and
//! PostgreSQL, median of 5 runs, each on a fresh database. Goal: ≤ 1 s on PostgreSQL.

use std::time::{Duration, Instant};

use docket_domain::calendar::WorkCalendar;
use docket_store::library::ProjectRecord;
use docket_testkit::TestDb;
use docket_workflow::config::RouteRule;
use docket_workflow::{Actor, NewIssue, Settings, Workflow, WorkflowConfig};

const TASK_FORCES: usize = 50;
const PROJECTS: usize = 500;
const ISSUES: usize = 10_000;
const RUNS: usize = 5;

fn settings() -> Settings {
    let mut text = String::from("[office]\nemail = \"office@city.example\"\nhead = \"head\"\n");
    text.push_str("[[officials]]\nid = \"head\"\nname = \"head\"\nemail = \"head@city.example\"\n");
    for t in 0..TASK_FORCES {
        for role in ["lead", "dep", "mem"] {
            text.push_str(&format!("[[officials]]\nid = \"{role}{t}\"\nname = \"{role}{t}\"\nemail = \"{role}{t}@city.example\"\n"));
        }
        // Categories go to one task force each; the district rules below spread the rest.
        let cats = match t {
            0 => "[\"land\"]",
            1 => "[\"funding\"]",
            _ => "[]",
        };
        text.push_str(&format!(
            "[[task_forces]]\nid = \"tf{t}\"\nname = \"专班{t}\"\nlead = \"lead{t}\"\ndeputies = [\"dep{t}\"]\nmembers = [\"mem{t}\"]\ncategories = {cats}\n"
        ));
    }
    let core = docket_testkit::core_config(&text);
    let wf = WorkflowConfig {
        routes: (0..TASK_FORCES)
            .map(|t| RouteRule {
                district: Some(format!("区{t}")),
                task_force: format!("tf{t}"),
                ..Default::default()
            })
            .collect(),
        ..WorkflowConfig::default()
    };
    wf.validate(&core).expect("valid workflow config");
    Settings::new(core, wf)
}

fn projects() -> Vec<ProjectRecord> {
    (0..PROJECTS)
        .map(|i| ProjectRecord {
            plan_year: 2025,
            owner_unit: format!("单位{i}"),
            district: Some(format!("区{}", i % TASK_FORCES)),
            ..docket_testkit::project(&format!("B{i:04}"))
        })
        .collect()
}

fn issues() -> Vec<NewIssue> {
    let cats = [
        "land",
        "funding",
        "environmental",
        "energy",
        "approval",
        "other",
    ];
    (0..ISSUES)
        .map(|i| NewIssue {
            project: format!("B{:04}", i % PROJECTS),
            category: cats[i % cats.len()].into(),
            title: format!("问题 {i}"),
            detail: "bench".into(),
            ..Default::default()
        })
        .collect()
}

async fn one_run(t: &TestDb, w: &Workflow) -> Duration {
    docket_testkit::seed_projects(&t.db, &w.settings.core, &projects()).await;
    let items = issues();
    let now = chrono::Utc::now();
    let start = Instant::now();
    let raised = w
        .raise_many(&t.db.conn, &Actor::office(), &items, now)
        .await
        .expect("raise");
    let took = start.elapsed();
    assert_eq!(raised.iter().filter(|r| r.created).count(), ISSUES);
    let (issues, events, outbox) = docket_store::issues::counts(&t.db.conn)
        .await
        .expect("counts");
    assert_eq!(
        (issues, events, outbox),
        (ISSUES as u64, ISSUES as u64, 3 * ISSUES as u64)
    );
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let w = Workflow::new(settings(), WorkCalendar::default());
    println!(
        "W4: raise and route {ISSUES} issues across {TASK_FORCES} task forces, {} assignment emails queued",
        3 * ISSUES
    );
    for backend in ["sqlite", "postgres"] {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let t = if backend == "sqlite" {
                TestDb::sqlite().await
            } else {
                TestDb::postgres().await
            };
            times.push(one_run(&t, &w).await);
        }
        let ms: Vec<String> = times
            .iter()
            .map(|d| format!("{:.0}", d.as_secs_f64() * 1000.0))
            .collect();
        println!(
            "  {backend:<8} median {:>7.1} ms   (runs: {} ms)",
            median(times).as_secs_f64() * 1000.0,
            ms.join(", ")
        );
    }
}
