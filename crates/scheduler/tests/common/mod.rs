//! Helpers shared by the scheduler's tests and benchmarks: a small office, the shipped
//! calendar, and projects imported with the config.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use docket_domain::calendar::WorkCalendar;
use docket_domain::config::CoreConfig;
use docket_domain::project::Stage;
use docket_scheduler::{Scheduler, SchedulesConfig};
use docket_store::Db;
use docket_store::library::ProjectRecord;

pub const CORE: &str = r#"
[office]
name = "示例市重点项目协调办"
timezone = "Asia/Shanghai"
email = "office@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
[[officials]]
id = "wang"
name = "王海"
email = "wang@example.gov.cn"
[[officials]]
id = "zhang"
name = "张建国"
email = "zhang@example.gov.cn"
[[officials]]
id = "huang"
name = "黄伟"
email = "huang@unit0.example.com"
unit = "建设单位0"
[[task_forces]]
id = "land"
name = "用地保障专班"
lead = "zhang"
deputies = ["wang"]
categories = ["land"]
"#;

/// The office configuration.
pub fn core() -> CoreConfig {
    docket_testkit::core_config(CORE)
}

/// The shipped calendar tables, `years` only.
pub fn calendar(years: &[i32]) -> WorkCalendar {
    docket_testkit::calendar(years)
}

/// A scheduler with the default schedules on 2024-2026.
pub fn scheduler(db: &Db, holder: &str) -> Scheduler {
    Scheduler::new(
        db.clone(),
        core(),
        SchedulesConfig::default(),
        calendar(&[2024, 2025, 2026]),
    )
    .expect("scheduler")
    .with_holder(holder)
}

/// An instant from Beijing wall-clock time.
pub fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    docket_testkit::beijing(y, m, d, h, min)
}

/// Imports `active` active projects (P000001…) and `reserve` reserve ones, with the config.
/// Project i reports for unit `建设单位{i % 10}`, responsible official `wang` for even i.
pub async fn seed_projects(db: &Db, active: usize, reserve: usize) {
    let stages = [Stage::Preparatory, Stage::New, Stage::Continuing];
    let records: Vec<ProjectRecord> = (0..active + reserve)
        .map(|i| ProjectRecord {
            name: format!("项目{i}"),
            stage: if i < active {
                stages[i % 3]
            } else {
                Stage::Reserve
            },
            owner_unit: format!("建设单位{}", i % 10),
            responsible_official: (i % 2 == 0).then(|| "wang".to_string()),
            contact_email: Some(format!("contact@unit{}.example.com", i % 10)),
            ..docket_testkit::project(&format!("P{i:06}"))
        })
        .collect();
    docket_testkit::seed_projects(db, &core(), &records).await;
}

/// Records a plain weekly report for each of `codes` in `week` at `at`, as the office.
pub async fn report(
    db: &Db,
    codes: &[&str],
    week: docket_domain::period::IsoWeek,
    at: DateTime<Utc>,
) {
    let inputs: Vec<docket_scheduler::reports::ReportInput> = codes
        .iter()
        .map(|code| docket_scheduler::reports::ReportInput {
            code: code.to_string(),
            week,
            week_amount: Some(docket_domain::Amount::from_wan(10)),
            ytd_completed: None,
            progress: "主体结构施工".into(),
            milestones: String::new(),
            problems: String::new(),
            next_week_plan: String::new(),
            contact: "黄伟".into(),
            no_change: false,
        })
        .collect();
    docket_scheduler::reports::submit(&db.conn, &inputs, "office", at)
        .await
        .expect("report");
}

/// Counts rows of a query returning one `n`.
pub async fn count(db: &Db, sql: &str) -> i64 {
    use docket_store::sea_orm::{ConnectionTrait, Statement};
    let r = db
        .conn
        .query_one_raw(Statement::from_string(
            db.conn.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .expect("count")
        .expect("a row");
    r.try_get::<i64>("", "n").expect("n")
}
