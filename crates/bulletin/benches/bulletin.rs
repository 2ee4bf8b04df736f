//! Benchmark W3: 10,000 projects with 12 months of progress and 52 weekly reports each.
//! Prints the median of 5 runs for the JSON model and for all six outputs (model, JSON,
//! HTML, text, XLSX, DOCX, PDF), then for each output alone, on SQLite and PostgreSQL. Goals on PostgreSQL: model
//! ≤ 0.5 s, all six ≤ 3 s (issue 13). Run with `cargo bench -p docket-bulletin`.

use std::time::{Duration, Instant};

use docket_bulletin::config::{Attachment, BulletinConfig};
use docket_bulletin::{Format, build, render_all};
use docket_domain::Amount;
use docket_domain::calendar::WorkCalendar;
use docket_domain::config::CoreConfig;
use docket_domain::cycle::ReportInput;
use docket_domain::period::{IsoWeek, Month};
use docket_domain::project::{Category, Level, Stage};
use docket_store::library::{ImportMeta, ProjectRecord, upsert_projects};
use docket_store::progress::{ProgressRecord, upsert_progress};
use docket_store::weekly_reports::{NewReport, submit_reports};
use docket_testkit::TestDb;
use sea_orm::TransactionTrait;

const PROJECTS: usize = 10_000;
const RUNS: usize = 5;

fn config() -> CoreConfig {
    docket_testkit::core_config(
        r#"
        [office]
        city = "示例市"
        email = "office@example.gov.cn"
        head = "chen"
        [[officials]]
        id = "chen"
        name = "陈志远"
        email = "chen@example.gov.cn"
        "#,
    )
}

async fn seed(t: &TestDb) {
    let levels = [Level::Provincial, Level::Municipal, Level::County];
    let stages = [Stage::New, Stage::Continuing, Stage::Preparatory];
    let districts = [
        "蓬江区",
        "江海区",
        "新会区",
        "台山市",
        "开平市",
        "鹤山市",
        "恩平市",
    ];
    let records: Vec<ProjectRecord> = (0..PROJECTS)
        .map(|i| ProjectRecord {
            code: format!("B{i:05}"),
            name: format!("基准项目{i}"),
            level: levels[i % 3],
            stage: stages[i % 3],
            category: Category::ALL[i % Category::ALL.len()],
            plan_year: 2024,
            total_investment: Amount::from_wan(50_000 + (i as i64 % 97) * 1_000),
            annual_plan: Amount::from_wan(10_000 + (i as i64 % 89) * 100),
            owner_unit: format!("建设单位{}", i % 400),
            district: Some(districts[i % districts.len()].to_string()),
            responsible_official: Some("chen".into()),
            contact_email: None,
            special_bond: i % 10 == 0,
            monthly_plans: [None; 12],
            national_code: None,
            tags: Vec::new(),
        })
        .collect();
    let tx = t.db.conn.begin().await.expect("begin");
    let meta = ImportMeta {
        source_file: "bench.csv".into(),
        actor: "bench".into(),
        now_ms: 0,
    };
    upsert_projects(&tx, &records, &meta, |_| {})
        .await
        .expect("projects");
    let ids = docket_store::library::project_ids(&tx).await.expect("ids");
    let mut progress = Vec::with_capacity(PROJECTS * 12);
    let mut weekly: Vec<NewReport> = Vec::with_capacity(PROJECTS * 52);
    for (i, r) in records.iter().enumerate() {
        let id = ids[&r.code];
        let plan = r.annual_plan.yuan();
        // Pace varies per project so that lights and the lagging list have work to do.
        let pace = 0.5 + (i % 11) as f64 * 0.06;
        for m in 1..=12u32 {
            let ytd = (plan as f64 * pace * f64::from(m) / 12.0) as i64;
            progress.push(ProgressRecord {
                project_id: id,
                month: Month::new(2024, m).expect("month"),
                ytd_completed: Amount::from_yuan(ytd),
                prior_ytd_completed: (i % 4 != 0).then(|| Amount::from_yuan(ytd * 4 / 5)),
            });
        }
        for w in 1..=52u32 {
            let week = IsoWeek::parse(&format!("2024-W{w:02}")).expect("week");
            let ytd = (plan as f64 * pace * f64::from(w) / 52.0) as i64;
            weekly.push(NewReport {
                project_id: id,
                input: ReportInput {
                    code: r.code.clone(),
                    week,
                    week_amount: Some(Amount::from_yuan(ytd / 52)),
                    ytd_completed: Some(Amount::from_yuan(ytd)),
                    progress: "按计划推进".into(),
                    milestones: String::new(),
                    problems: String::new(),
                    next_week_plan: String::new(),
                    contact: "联系人".into(),
                    no_change: false,
                },
                submitted_by: "bench".into(),
            });
        }
    }
    upsert_progress(&tx, &progress, 0, |_| {})
        .await
        .expect("progress");
    submit_reports(&tx, &weekly, 0)
        .await
        .expect("weekly reports");
    tx.commit().await.expect("commit");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn bench(name: &str, t: TestDb) {
    let started = Instant::now();
    seed(&t).await;
    eprintln!(
        "{name}: seeded {PROJECTS} projects, {} progress rows, {} weekly reports in {:.1?}",
        PROJECTS * 12,
        PROJECTS * 52,
        started.elapsed()
    );
    let core = config();
    let cfg = BulletinConfig::default();
    let cal = WorkCalendar::default();
    let month = Month::parse("2024-09").expect("month");
    let mut model_times = Vec::new();
    let mut all_times = Vec::new();
    let mut sizes = (0, 0, 0, 0, 0, 0, 0);
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let b = build(&t.db.conn, &core, &cfg, &cal, month)
            .await
            .expect("build");
        let model = t0.elapsed();
        let r =
            render_all(&b, &[Attachment::Xlsx, Attachment::Docx, Attachment::Pdf]).expect("render");
        let all = t0.elapsed();
        model_times.push(model);
        all_times.push(all);
        sizes = (
            b.lagging.len(),
            r.json.len(),
            r.html.len(),
            r.text.len(),
            r.attachments[0].data.len(),
            r.attachments[1].data.len(),
            r.attachments[2].data.len(),
        );
    }
    // Each output alone, one after another: where the time of "all six" goes.
    let b = build(&t.db.conn, &core, &cfg, &cal, month)
        .await
        .expect("build");
    let mut alone: Vec<(&str, Vec<Duration>)> = Vec::new();
    for (label, format) in [
        ("json", Format::Json),
        ("html", Format::Html),
        ("text", Format::Text),
        ("xlsx", Format::Xlsx),
        ("docx", Format::Docx),
        ("pdf", Format::Pdf),
    ] {
        let times = (0..RUNS)
            .map(|_| {
                let t0 = Instant::now();
                format.render(&b).expect("render");
                t0.elapsed()
            })
            .collect();
        alone.push((label, times));
    }
    let (m, a) = (median(model_times), median(all_times));
    println!(
        "W3 {name:<8} model (JSON figures): {:>7.1} ms   all six outputs: {:>7.1} ms   (median of {RUNS}; {} lagging; json {} B, html {} B, text {} B, xlsx {} B, docx {} B, pdf {} B)",
        m.as_secs_f64() * 1e3,
        a.as_secs_f64() * 1e3,
        sizes.0,
        sizes.1,
        sizes.2,
        sizes.3,
        sizes.4,
        sizes.5,
        sizes.6
    );
    let alone: Vec<String> = alone
        .into_iter()
        .map(|(label, times)| format!("{label} {:.1} ms", median(times).as_secs_f64() * 1e3))
        .collect();
    println!("W3 {name:<8} each output alone: {}", alone.join(", "));
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        bench("sqlite", TestDb::sqlite().await).await;
        bench("postgres", TestDb::postgres().await).await;
    });
}
