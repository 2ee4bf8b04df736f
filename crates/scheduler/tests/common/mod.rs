//! Helpers shared by the scheduler's tests and benchmarks: a small office, the shipped
//! calendar, and projects inserted set-based.
#![allow(dead_code)]

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use docket_domain::calendar::{CalendarYear, WorkCalendar};
use docket_domain::config::CoreConfig;
use docket_scheduler::{Scheduler, SchedulesConfig};
use docket_store::Db;
use docket_store::sea_orm::sea_query::{Expr, SimpleExpr};

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
    let c: CoreConfig = toml::from_str(CORE).expect("core config");
    c.validate().expect("valid core");
    c
}

/// The shipped calendar tables, `years` only.
pub fn calendar(years: &[i32]) -> WorkCalendar {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/calendar");
    WorkCalendar::new(years.iter().map(|y| {
        let text = std::fs::read_to_string(dir.join(format!("{y}.toml"))).expect("calendar file");
        CalendarYear::from_toml_str(&text).expect("calendar table")
    }))
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
    let tz: Tz = "Asia/Shanghai".parse().unwrap();
    tz.with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Inserts `active` active projects (P000001…) and `reserve` reserve ones, set-based.
/// Project i reports for unit `建设单位{i % 10}`, responsible official `wang` for even i.
pub async fn seed_projects(db: &Db, active: usize, reserve: usize) {
    let stages = ["preparatory", "new", "continuing"];
    let rows: Vec<Vec<SimpleExpr>> = (0..active + reserve)
        .map(|i| {
            let stage = if i < active { stages[i % 3] } else { "reserve" };
            vec![
                Expr::val(uuid::Uuid::now_v7()),
                Expr::val(format!("P{i:06}")),
                Expr::val(format!("项目{i}")),
                Expr::val("municipal"),
                Expr::val(stage),
                Expr::val("industry"),
                Expr::val(format!("建设单位{}", i % 10)),
                Expr::val(None::<String>),
                Expr::val(if i % 2 == 0 {
                    Some("wang".to_string())
                } else {
                    None
                }),
                Expr::val(Some(format!("contact@unit{}.example.com", i % 10))),
                Expr::val(false),
                Expr::val(1_000_000_i64),
                Expr::val(0_i64),
                Expr::val(0_i64),
            ]
        })
        .collect();
    let cols = [
        "id",
        "code",
        "name",
        "level",
        "stage",
        "category",
        "owner_unit",
        "district",
        "responsible_official",
        "contact_email",
        "special_bond",
        "total_investment_yuan",
        "created_at",
        "updated_at",
    ];
    docket_store::sql::insert_batched(&db.conn, "projects", &cols, rows, None, |_| {})
        .await
        .expect("seed projects");
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
