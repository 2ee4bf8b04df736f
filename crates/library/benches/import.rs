//! Benchmark: import a generated 100,000-row project file on SQLite and on PostgreSQL,
//! each run into a fresh database; prints rows/s as the median of 5 runs and the process's
//! peak memory.
//!
//! `cargo bench -p docket-library` (ROWS and RUNS environment variables override).

use std::time::Instant;

use docket_domain::config::CoreConfig;
use docket_library::{ImportOptions, import_projects};
use docket_testkit::TestDb;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rows = env_usize("ROWS", 100_000);
    let runs = env_usize("RUNS", 5);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("library.csv");
    let mut text = String::from(
        "code,name,level,stage,category,plan_year,total_investment_wan,annual_plan_wan,owner_unit,district,responsible_official,contact_email,special_bond,plan_m01_wan,plan_m06_wan,plan_m12_wan\n",
    );
    let cats = ["industry", "urban", "livelihood", "culture_tourism"];
    let stages = ["preparatory", "new", "continuing"];
    for i in 0..rows {
        text.push_str(&format!(
            "P{i:07},项目{i},municipal,{},{},2024,{}.5,{}.25,建设单位{},区{},chen,p{i}@example.com,false,10,20,30\n",
            stages[i % 3],
            cats[i % 4],
            100_000 + i,
            10_000 + i % 977,
            i % 300,
            i % 12
        ));
    }
    std::fs::write(&path, text).expect("write file");
    let config: CoreConfig = toml::from_str(
        "[office]\nemail = \"o@example.gov.cn\"\nhead = \"chen\"\n[[officials]]\nid = \"chen\"\nname = \"陈\"\nemail = \"c@example.gov.cn\"\n",
    )
    .expect("config");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("import of {rows} project rows, median of {runs} runs, fresh database each run");
    let start = Instant::now();
    let records =
        docket_library::rows::project_records(&docket_library::rows::Source::File(&path), &config)
            .expect("rows");
    println!(
        "  of which reading and validating {} rows (streamed) {:.3} s",
        records.len(),
        start.elapsed().as_secs_f64()
    );
    drop(records);
    for backend in ["sqlite", "postgres"] {
        let mut secs = Vec::new();
        for _ in 0..runs {
            let s = rt.block_on(async {
                let t = if backend == "sqlite" {
                    TestDb::sqlite().await
                } else {
                    TestDb::postgres().await
                };
                let opts = ImportOptions {
                    dry_run: false,
                    actor: "bench".into(),
                    now_ms: 0,
                };
                let start = Instant::now();
                let r = import_projects(&t.db, &path, &config, &opts, |_, _| {})
                    .await
                    .expect("import");
                let s = start.elapsed().as_secs_f64();
                assert_eq!(r.projects.map(|p| p.created), Some(rows));
                s
            });
            secs.push(s);
        }
        secs.sort_by(f64::total_cmp);
        let median = secs[secs.len() / 2];
        println!(
            "{backend:>8}: {median:.3} s  {:>9.0} rows/s  (runs: {})",
            rows as f64 / median,
            secs.iter()
                .map(|s| format!("{s:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // The most this process ever held: one import at a time (goal: a 200,000-row import in
    // at most 300 MB; run with ROWS=200000).
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        });
    if let Some(kb) = peak {
        println!("peak memory (VmHWM) of the bench process: {} MB", kb / 1024);
    }
}
