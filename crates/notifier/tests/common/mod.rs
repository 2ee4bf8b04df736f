//! Shared set-up for the notifier's tests: a config, a dispatcher on a manual clock, queuing.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use docket_domain::calendar::WorkCalendar;
use docket_domain::clock::ManualClock;
use docket_domain::config::CoreConfig;
use docket_notifier::{Dispatcher, MailConfig, NotifierSettings, SmtpConfig};
use docket_store::Db;
use docket_store::outbox::{self, Delivery, NewMessage};

pub const CONFIG: &str = r#"
[office]
name = "示例市重点项目协调办"
city = "示例市"
email = "zdxmb@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
[[officials]]
id = "wang"
name = "王海"
title = "副市长"
email = "wang.hai@example.gov.cn"
digest = "daily"
[[officials]]
id = "li"
name = "李明华"
email = "li@example.gov.cn"
digest = "weekly"
"#;

pub fn core() -> CoreConfig {
    docket_testkit::core_config(CONFIG)
}

pub use docket_testkit::config_dir;

pub fn calendar() -> Arc<WorkCalendar> {
    Arc::new(docket_testkit::calendar(&[2024]))
}

/// Tuesday 10 September 2024, 09:00 in Beijing.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 10, 1, 0, 0).unwrap()
}

pub fn settings(url: Option<String>, mail: MailConfig) -> NotifierSettings {
    let env = move |k: &str| {
        if k == "DOCKET_SMTP_URL" {
            url.clone()
        } else {
            None
        }
    };
    let smtp = SmtpConfig {
        pool_size: Some(4),
        connect_timeout_secs: Some(2),
        send_timeout_secs: Some(5),
        ..Default::default()
    };
    NotifierSettings::resolve(&core(), &smtp, &mail, &config_dir(), &env).unwrap()
}

pub fn dispatcher(
    db: &Db,
    url: Option<String>,
    mail: MailConfig,
    clock: &ManualClock,
) -> Dispatcher {
    Dispatcher::new(
        db.clone(),
        &core(),
        settings(url, mail),
        Arc::new(clock.clone()),
        calendar(),
    )
    .unwrap()
}

pub fn message(
    key: &str,
    kind: &str,
    to: (&str, &str),
    official: Option<&str>,
    context: serde_json::Value,
) -> NewMessage {
    NewMessage {
        dedupe_key: key.into(),
        kind: kind.into(),
        to_email: to.1.into(),
        to_name: to.0.into(),
        official: official.map(str::to_string),
        context,
        subject: None,
        text_body: None,
        html_body: None,
        delivery: Delivery::Immediate,
        period: None,
        attachments: vec![],
    }
}

pub fn issue_context(title: &str) -> serde_json::Value {
    serde_json::json!({
        "issue": { "id": "i1", "title": title, "category": "land", "category_label": "用地", "state": "assigned",
                   "due": "2024-09-24", "task_force": "用地保障专班", "detail": "征地补偿未到位" },
        "project": { "code": "P001", "name": "华海药业新厂区", "owner_unit": "华海药业股份有限公司" },
        "role": "member",
    })
}

pub async fn queue(db: &Db, msgs: &[NewMessage], at: DateTime<Utc>) -> usize {
    use sea_orm::TransactionTrait;
    let txn = db.conn.begin().await.unwrap();
    let n = outbox::enqueue(&txn, msgs, docket_store::time::to_ms(at))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    n
}

pub async fn rows(db: &Db) -> Vec<outbox::OutboxRow> {
    outbox::list(&db.conn, None, 100_000).await.unwrap()
}
