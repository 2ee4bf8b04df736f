//! Sums that do not fit an `i64`: stored figures whose total passes 9.2 × 10^18 yuan (which
//! input limits keep out of real data) still add up exactly, on both backends, instead of
//! failing with "integer overflow" (SQLite) or "bigint out of range" (PostgreSQL).

mod common;

use docket_bulletin::build;
use docket_bulletin::config::BulletinConfig;
use docket_domain::Amount;
use docket_domain::calendar::WorkCalendar;
use docket_domain::period::Month;
use docket_domain::project::{Category, Level, Stage};
use docket_store::library::{ImportMeta, ProjectRecord, upsert_projects};
use docket_store::progress::{ProgressRecord, upsert_progress};
use docket_testkit::{TestDb, dual_test};
use sea_orm::TransactionTrait;

/// Yuan per project: 7 × 10^17, so that `plan × 12` still fits one row; 14 of them sum past
/// `i64::MAX`.
const EACH: i64 = 700_000_000_000_000_000;
const PROJECTS: i64 = 14;

async fn seed(t: &TestDb) {
    let records: Vec<ProjectRecord> = (0..PROJECTS)
        .map(|i| ProjectRecord {
            code: format!("B{i:02}"),
            name: format!("大项目{i}"),
            level: Level::Municipal,
            stage: Stage::Continuing,
            category: Category::Industry,
            plan_year: 2024,
            total_investment: Amount::from_yuan(EACH),
            annual_plan: Amount::from_yuan(EACH),
            owner_unit: "单位".into(),
            district: None,
            responsible_official: None,
            contact_email: None,
            special_bond: false,
            monthly_plans: [None; 12],
            national_code: None,
            tags: Vec::new(),
        })
        .collect();
    let tx = t.db.conn.begin().await.unwrap();
    let meta = ImportMeta {
        source_file: "big.csv".into(),
        actor: "test".into(),
        now_ms: 0,
    };
    upsert_projects(&tx, &records, &meta, |_| {}).await.unwrap();
    let ids = docket_store::library::project_ids(&tx).await.unwrap();
    let progress: Vec<ProgressRecord> = records
        .iter()
        .map(|r| ProgressRecord {
            project_id: ids[&r.code],
            month: Month::parse("2024-09").unwrap(),
            ytd_completed: Amount::from_yuan(EACH / 2),
            prior_ytd_completed: Some(Amount::from_yuan(EACH / 4)),
        })
        .collect();
    upsert_progress(&tx, &progress, 0, |_| {}).await.unwrap();
    tx.commit().await.unwrap();
}

// Fourteen plans of 7 × 10^13 万元 total 9.8 × 10^14 万元, half of it done, growth +100%.
async fn sums_past_i64_are_exact(t: &TestDb) {
    seed(t).await;
    let b = build(
        &t.db.conn,
        &common::core(),
        &BulletinConfig::default(),
        &WorkCalendar::default(),
        Month::parse("2024-09").unwrap(),
    )
    .await
    .expect("no overflow");
    let total = &b.investment.total;
    let plan_wan = (i128::from(EACH) * i128::from(PROJECTS) / 10_000) as f64;
    assert!(i128::from(EACH) * i128::from(PROJECTS) > i128::from(i64::MAX));
    assert_eq!(total.projects, PROJECTS);
    assert_eq!(total.annual_plan_wan, plan_wan);
    assert_eq!(total.ytd_completed_wan, plan_wan / 2.0);
    assert_eq!(total.completion_rate, 0.5);
    assert_eq!(total.yoy_growth, Some(1.0));
    assert_eq!(total.share, 1.0);
}
dual_test!(sums_past_i64_are_exact);
