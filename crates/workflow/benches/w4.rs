//! Benchmark W4: raise and route 10,000 issues across 50 task forces, with their assignment
//! emails queued (3 per issue: leader, deputy, member), in one set-based call; on SQLite and
//! PostgreSQL, median of 5 runs, each on a fresh database. Goal: ≤ 1 s on PostgreSQL.

use std::time::{Duration, Instant};

use docket_domain::Amount;
use docket_domain::calendar::WorkCalendar;
use docket_domain::config::CoreConfig;
use docket_domain::project::{Category, Level, Stage};
use docket_store::library::{ImportMeta, ProjectRecord};
use docket_testkit::TestDb;
use docket_workflow::config::RouteRule;
use docket_workflow::{Actor, NewIssue, Settings, Workflow, WorkflowConfig};
use sea_orm::TransactionTrait;

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
    let core: CoreConfig = toml::from_str(&text).expect("config");
    core.validate().expect("valid config");
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
            code: format!("B{i:04}"),
            name: format!("项目{i}"),
            level: Level::Municipal,
            stage: Stage::Continuing,
            category: Category::Industry,
            plan_year: 2025,
            total_investment: Amount::from_yuan(1_000_000),
            annual_plan: Amount::from_yuan(100_000),
            owner_unit: format!("单位{i}"),
            district: Some(format!("区{}", i % TASK_FORCES)),
            responsible_official: None,
            contact_email: None,
            special_bond: false,
            monthly_plans: [None; 12],
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
    let txn = t.db.conn.begin().await.expect("begin");
    docket_store::reference::sync_reference(&txn, &w.settings.core, 0)
        .await
        .expect("reference");
    let meta = ImportMeta {
        source_file: "bench".into(),
        actor: "office".into(),
        now_ms: 0,
    };
    docket_store::library::upsert_projects(&txn, &projects(), &meta, |_| {})
        .await
        .expect("projects");
    txn.commit().await.expect("commit");
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
