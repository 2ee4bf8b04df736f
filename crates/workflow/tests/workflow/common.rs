//! A small city for the tests: two task forces, owner units, an office head, two projects.

use chrono::{DateTime, TimeZone, Utc};
use docket_domain::Amount;
use docket_domain::calendar::{CalendarYear, WorkCalendar};
use docket_domain::config::CoreConfig;
use docket_domain::project::{Category, Level, Stage};
use docket_store::library::{ImportMeta, ProjectRecord};
use docket_testkit::TestDb;
use docket_workflow::{Settings, Workflow, WorkflowConfig};
use sea_orm::TransactionTrait;

pub const CONFIG: &str = r#"
[office]
email = "office@city.example"
head = "head"
[[officials]]
id = "head"
name = "主任"
email = "head@city.example"
[[officials]]
id = "lead1"
name = "组长一"
email = "lead1@city.example"
[[officials]]
id = "dep1"
name = "副组长一"
email = "dep1@city.example"
[[officials]]
id = "mem1"
name = "成员一"
email = "mem1@city.example"
[[officials]]
id = "mem2"
name = "成员二"
email = "mem2@city.example"
[[officials]]
id = "lead2"
name = "组长二"
email = "lead2@city.example"
[[officials]]
id = "mem3"
name = "成员三"
email = "mem3@city.example"
[[officials]]
id = "unit_a"
name = "单位甲联系人"
email = "a@unit.example"
unit = "单位甲"
[[officials]]
id = "unit_b"
name = "单位乙联系人"
email = "b@unit.example"
unit = "单位乙"
[[officials]]
id = "mayor"
name = "市长"
email = "mayor@city.example"
[[task_forces]]
id = "land_tf"
name = "用地保障专班"
lead = "lead1"
deputies = ["dep1"]
members = ["mem1", "mem2"]
categories = ["land"]
[[task_forces]]
id = "money_tf"
name = "资金环保专班"
lead = "lead2"
members = ["mem3"]
categories = ["funding", "environmental", "energy"]
"#;

pub const CAL_2025: &str = include_str!("../../../../config/calendar/2025.toml");

pub fn core() -> CoreConfig {
    let c: CoreConfig = toml::from_str(CONFIG).unwrap();
    c.validate().unwrap();
    c
}

pub fn workflow_with(wf: WorkflowConfig) -> Workflow {
    let core = core();
    wf.validate(&core).unwrap();
    let cal = WorkCalendar::new([CalendarYear::from_toml_str(CAL_2025).unwrap()]);
    Workflow::new(Settings::new(core, wf), cal)
}

pub fn workflow() -> Workflow {
    workflow_with(WorkflowConfig::default())
}

/// 2025-09-30 10:00 in Beijing.
pub fn sept30() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 30, 2, 0, 0).unwrap()
}

/// Beijing 10:00 on the given day.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

fn project(code: &str, unit: &str, district: &str) -> ProjectRecord {
    ProjectRecord {
        code: code.into(),
        name: format!("项目{code}"),
        level: Level::Municipal,
        stage: Stage::Continuing,
        category: Category::Industry,
        plan_year: 2025,
        total_investment: Amount::from_yuan(100_000_000),
        annual_plan: Amount::from_yuan(10_000_000),
        owner_unit: unit.into(),
        district: Some(district.into()),
        responsible_official: None,
        contact_email: None,
        special_bond: false,
        monthly_plans: [None; 12],
    }
}

/// Mirrors the config and loads projects P1 (单位甲, 东城区) and P2 (单位乙, 西城区).
pub async fn seed(t: &TestDb) {
    let txn = t.db.conn.begin().await.unwrap();
    docket_store::reference::sync_reference(&txn, &core(), 0)
        .await
        .unwrap();
    let meta = ImportMeta {
        source_file: "test".into(),
        actor: "office".into(),
        now_ms: 0,
    };
    docket_store::library::upsert_projects(
        &txn,
        &[
            project("P1", "单位甲", "东城区"),
            project("P2", "单位乙", "西城区"),
        ],
        &meta,
        |_| {},
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

pub fn new_issue(project: &str, category: &str, title: &str) -> docket_workflow::NewIssue {
    docket_workflow::NewIssue {
        project: project.into(),
        category: category.into(),
        title: title.into(),
        detail: "详情".into(),
        ..Default::default()
    }
}

pub async fn counts(t: &TestDb) -> (u64, u64, u64) {
    docket_store::issues::counts(&t.db.conn).await.unwrap()
}

/// Asserts that the stored issue is what replaying its events gives.
pub async fn assert_replays(t: &TestDb, w: &Workflow, id: uuid::Uuid) {
    let stored = docket_store::issues::get_issue(&t.db.conn, id)
        .await
        .unwrap()
        .unwrap();
    let replayed = w.replay(&t.db.conn, id).await.unwrap();
    assert_eq!(
        replayed,
        docket_workflow::service::stored_as_replayed(&stored).unwrap()
    );
}
