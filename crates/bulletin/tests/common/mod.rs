//! A small sample library for the bulletin's tests: seven counted projects of 2024 with
//! exactly known figures, one with a zero plan, one of next year only.

#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone};
use docket_domain::Amount;
use docket_domain::config::CoreConfig;
use docket_domain::period::Month;
use docket_domain::project::{Category, Indicator, Level, Milestone, Stage};
use docket_store::entity::{issue_events, issues, weekly_reports};
use docket_store::library::{ImportMeta, ProjectRecord, upsert_projects};
use docket_store::progress::{self, IndicatorRecord, MilestoneRecord, ProgressRecord};
use docket_testkit::TestDb;
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
use uuid::Uuid;

pub const CONFIG: &str = r#"
[office]
name = "示例市重点项目协调办"
city = "示例市"
email = "office@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
[[officials]]
id = "wang_hai"
name = "王海"
email = "wang@example.gov.cn"
[[officials]]
id = "liu"
name = "刘强"
email = "liu@example.gov.cn"
[[task_forces]]
id = "land"
name = "用地保障专班"
lead = "liu"
categories = ["land"]
[[task_forces]]
id = "funding"
name = "资金保障专班"
lead = "liu"
categories = ["funding"]
[targets]
model = "linear"
curves = { 2024 = [0.05, 0.12, 0.20, 0.28, 0.37, 0.50, 0.58, 0.66, 0.85, 0.90, 0.95, 1.0] }
"#;

pub fn core() -> CoreConfig {
    docket_testkit::core_config(CONFIG)
}

fn wan(w: i64) -> Amount {
    Amount::from_wan(w)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Milliseconds of a Beijing local time.
pub fn bj(s: &str) -> i64 {
    let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&t)
        .unwrap()
        .timestamp_millis()
}

#[allow(clippy::too_many_arguments)]
fn rec(
    code: &str,
    level: Level,
    stage: Stage,
    cat: Category,
    district: Option<&str>,
    plan: i64,
    year: i32,
    official: Option<&str>,
) -> ProjectRecord {
    ProjectRecord {
        code: code.into(),
        name: format!("项目{code}"),
        level,
        stage,
        category: cat,
        plan_year: year,
        total_investment: wan(plan * 5),
        annual_plan: wan(plan),
        owner_unit: format!("建设单位{code}"),
        district: district.map(str::to_string),
        responsible_official: official.map(str::to_string),
        contact_email: None,
        special_bond: false,
        monthly_plans: [None; 12],
        national_code: None,
        tags: Vec::new(),
    }
}

/// Seeds the sample; `p3_monthly` gives P3 monthly plans (18,000 万元 through September).
pub async fn seed(t: &TestDb, p3_monthly: bool) {
    use Category::*;
    use Level::*;
    use Stage::*;
    let mut records = vec![
        rec(
            "P1",
            Provincial,
            Continuing,
            Industry,
            Some("蓬江区"),
            40_000,
            2024,
            None,
        ),
        rec(
            "P2",
            Provincial,
            Continuing,
            Urban,
            Some("江海区"),
            10_000,
            2024,
            None,
        ),
        rec(
            "P3",
            Provincial,
            New,
            Industry,
            Some("蓬江区"),
            20_000,
            2024,
            None,
        ),
        rec(
            "P4",
            Provincial,
            New,
            Livelihood,
            None,
            10_000,
            2024,
            Some("wang_hai"),
        ),
        rec(
            "P5",
            Municipal,
            Continuing,
            CultureTourism,
            Some("江海区"),
            10_000,
            2024,
            Some("王海"),
        ),
        rec(
            "P6",
            Municipal,
            New,
            Urban,
            Some("蓬江区"),
            8_000,
            2024,
            None,
        ),
        rec(
            "P7",
            Municipal,
            New,
            Industry,
            Some("蓬江区"),
            4_000,
            2024,
            None,
        ),
        rec(
            "P8",
            Municipal,
            Continuing,
            Other,
            Some("蓬江区"),
            0,
            2024,
            None,
        ),
        rec(
            "P9",
            Municipal,
            Reserve,
            Industry,
            Some("蓬江区"),
            9_000,
            2025,
            None,
        ),
    ];
    if p3_monthly {
        records[2].monthly_plans =
            [1, 1, 2, 2, 2, 2, 2, 3, 3, 1, 1, 0].map(|m| Some(wan(m * 1_000)));
    }
    let tx = t.db.conn.begin().await.unwrap();
    let meta = ImportMeta {
        source_file: "projects.csv".into(),
        actor: "test".into(),
        now_ms: 0,
    };
    upsert_projects(&tx, &records, &meta, |_| {}).await.unwrap();
    let ids = docket_store::library::project_ids(&tx).await.unwrap();
    let m = |s: &str| Month::parse(s).unwrap();
    let pr = |code: &str, month: &str, ytd: i64, prior: Option<i64>| ProgressRecord {
        project_id: ids[code],
        month: m(month),
        ytd_completed: wan(ytd),
        prior_ytd_completed: prior.map(wan),
    };
    let progress_rows = vec![
        pr("P1", "2024-08", 30_000, Some(25_000)),
        pr("P1", "2024-09", 36_800, Some(30_000)),
        pr("P2", "2024-09", 9_200, None),
        pr("P3", "2024-09", 16_600, None),
        pr("P4", "2024-09", 2_000, None),
        pr("P5", "2024-09", 6_000, Some(5_000)),
        pr("P6", "2024-08", 1_000, None),
        pr("P7", "2024-08", 3_000, Some(2_000)),
        pr("P8", "2024-09", 500, None),
        pr("P1", "2023-09", 1, None),
    ];
    progress::upsert_progress(&tx, &progress_rows, 0, |_| {})
        .await
        .unwrap();

    // P6 reports only weekly in September: the latest week counts.
    for (week, ytd, at) in [
        ("2024-W35", 1_000, "2024-08-29 10:00"),
        ("2024-W38", 5_000, "2024-09-18 10:00"),
        ("2024-W39", 6_800, "2024-09-25 10:00"),
    ] {
        weekly_reports::ActiveModel {
            id: Set(Uuid::now_v7()),
            project_id: Set(ids["P6"]),
            week: Set(week.into()),
            cycle_id: Set(None),
            week_amount_yuan: Set(None),
            ytd_completed_yuan: Set(Some(wan(ytd).yuan())),
            progress: Set("主体施工".into()),
            milestones: Set(String::new()),
            next_week_plan: Set(String::new()),
            contact: Set("联系人".into()),
            no_change: Set(false),
            late: Set(false),
            submitted_by: Set("test".into()),
            submitted_at: Set(bj(at)),
            ..Default::default()
        }
        .insert(&tx)
        .await
        .unwrap();
    }

    let ms = |code: &str, milestone: Milestone, planned: Option<&str>, actual: Option<&str>| {
        MilestoneRecord {
            project_id: ids[code],
            milestone,
            planned_date: planned.map(d),
            actual_date: actual.map(d),
            source: "import".into(),
        }
    };
    progress::upsert_milestones(
        &tx,
        &[
            ms(
                "P3",
                Milestone::Start,
                Some("2024-03-01"),
                Some("2024-04-10"),
            ),
            ms("P4", Milestone::Start, Some("2024-06-15"), None),
            ms("P6", Milestone::Start, Some("2024-09-05"), None),
            ms("P7", Milestone::Start, Some("2024-10-01"), None),
            ms("P6", Milestone::Approval, None, Some("2024-09-12")),
            ms("P7", Milestone::Approval, None, Some("2024-03-01")),
            ms("P4", Milestone::Acquisition, None, Some("2024-09-20")),
        ],
        0,
    )
    .await
    .unwrap();

    progress::upsert_indicators(
        &tx,
        &[
            IndicatorRecord {
                month: m("2024-09"),
                indicator: Indicator::FixedAssetInvestment,
                ytd: wan(3_200_000),
                prior_ytd: Some(wan(2_500_000)),
            },
            IndicatorRecord {
                month: m("2024-09"),
                indicator: Indicator::IndustrialInvestment,
                ytd: wan(1_760_000),
                prior_ytd: Some(wan(1_600_000)),
            },
        ],
        0,
    )
    .await
    .unwrap();

    // Issues: closed (4 working days), overdue, resolved (8 working days), withdrawn, and one
    // raised after the cut-off.
    let issue = |code: &str,
                 cat: &str,
                 tf: Option<&str>,
                 raised: &str,
                 due: &str,
                 state: &str,
                 events: &[(&str, &str)]| {
        (
            ids[code],
            cat.to_string(),
            tf.map(str::to_string),
            bj(raised),
            d(due),
            state.to_string(),
            events
                .iter()
                .map(|(s, at)| (s.to_string(), bj(at)))
                .collect::<Vec<_>>(),
        )
    };
    let all = vec![
        issue(
            "P1",
            "land",
            Some("land"),
            "2024-09-02 09:00",
            "2024-09-13",
            "closed",
            &[
                ("assigned", "2024-09-02 09:00"),
                ("resolved", "2024-09-06 16:00"),
                ("closed", "2024-09-09 10:00"),
            ],
        ),
        issue(
            "P2",
            "funding",
            Some("funding"),
            "2024-08-01 09:00",
            "2024-08-15",
            "in_progress",
            &[
                ("assigned", "2024-08-01 09:00"),
                ("in_progress", "2024-08-02 09:00"),
            ],
        ),
        issue(
            "P3",
            "approval",
            None,
            "2024-09-10 09:00",
            "2024-09-24",
            "resolved",
            &[
                ("assigned", "2024-09-10 09:00"),
                ("resolved", "2024-09-20 09:00"),
            ],
        ),
        issue(
            "P4",
            "other",
            None,
            "2024-09-11 09:00",
            "2024-09-25",
            "withdrawn",
            &[
                ("assigned", "2024-09-11 09:00"),
                ("withdrawn", "2024-09-12 09:00"),
            ],
        ),
        issue(
            "P5",
            "land",
            Some("land"),
            "2024-10-02 09:00",
            "2024-10-16",
            "assigned",
            &[("assigned", "2024-10-02 09:00")],
        ),
    ];
    for (n, (pid, cat, tf, raised, due, state, events)) in all.into_iter().enumerate() {
        let id = Uuid::now_v7();
        issues::ActiveModel {
            id: Set(id),
            project_id: Set(pid),
            category: Set(cat),
            title: Set(format!("问题{n}")),
            title_key: Set(format!("问题{n}")),
            detail: Set(String::new()),
            severity: Set("normal".into()),
            state: Set(state),
            task_force: Set(tf),
            lead_handler: Set(None),
            co_handlers: Set("[]".into()),
            raised_by: Set("test".into()),
            report_id: Set(None),
            raised_at: Set(raised),
            accept_due: Set(None),
            due: Set(Some(due)),
            due_provisional: Set(false),
            escalation_rung: Set(0),
            resolution: Set(None),
            version: Set(1),
            updated_at: Set(raised),
            number: Set(Some(format!("2024-{:03}", n + 1))),
        }
        .insert(&tx)
        .await
        .unwrap();
        let mut from: Option<String> = None;
        for (seq, (to, at)) in events.into_iter().enumerate() {
            issue_events::ActiveModel {
                id: Set(Uuid::now_v7()),
                issue_id: Set(id),
                seq: Set(seq as i32 + 1),
                action: Set(to.clone()),
                actor: Set("test".into()),
                from_state: Set(from.clone()),
                to_state: Set(to.clone()),
                note: Set(None),
                data: Set(None),
                at: Set(at),
            }
            .insert(&tx)
            .await
            .unwrap();
            from = Some(to);
        }
    }
    tx.commit().await.unwrap();
}
