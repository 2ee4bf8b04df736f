//! A small city for the tests: two task forces, owner units, an office head, two projects.

use chrono::{DateTime, Utc};
use docket_domain::config::CoreConfig;
use docket_store::library::ProjectRecord;
use docket_testkit::TestDb;
use docket_workflow::{Settings, Workflow, WorkflowConfig};

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

pub fn core() -> CoreConfig {
    docket_testkit::core_config(CONFIG)
}

pub fn workflow_with(wf: WorkflowConfig) -> Workflow {
    let core = core();
    wf.validate(&core).unwrap();
    Workflow::new(Settings::new(core, wf), docket_testkit::calendar(&[2025]))
}

pub fn workflow() -> Workflow {
    workflow_with(WorkflowConfig::default())
}

/// 2025-09-30 10:00 in Beijing.
pub fn sept30() -> DateTime<Utc> {
    at(2025, 9, 30)
}

/// Beijing 10:00 on the given day.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    docket_testkit::beijing(y, m, d, 10, 0)
}

fn project(code: &str, unit: &str, district: &str) -> ProjectRecord {
    ProjectRecord {
        plan_year: 2025,
        owner_unit: unit.into(),
        district: Some(district.into()),
        ..docket_testkit::project(code)
    }
}

/// Mirrors the config and loads projects P1 (单位甲, 东城区) and P2 (单位乙, 西城区).
pub async fn seed(t: &TestDb) {
    docket_testkit::seed_projects(
        &t.db,
        &core(),
        &[
            project("P1", "单位甲", "东城区"),
            project("P2", "单位乙", "西城区"),
        ],
    )
    .await;
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
