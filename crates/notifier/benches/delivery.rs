//! W2: 10,000 queued emails delivered to a local aiosmtpd (its `Sink` handler), next to the
//! sink's ceiling measured in the same run: Python smtplib pushing 10,000 prebuilt messages of
//! the same size over 4 reused connections. Median of 3 runs, on SQLite and PostgreSQL.
//! Run with `cargo bench -p docket-notifier`.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use docket_domain::calendar::WorkCalendar;
use docket_domain::clock::SystemClock;
use docket_domain::config::CoreConfig;
use docket_notifier::{Dispatcher, MailConfig, NotifierSettings, SmtpConfig};
use docket_store::outbox::{self, Delivery, NewMessage};
use docket_testkit::{SmtpSink, TestDb, python};
use sea_orm::TransactionTrait;

const N: usize = 10_000;
const RUNS: usize = 3;

const CONFIG: &str = r#"
[office]
name = "示例市重点项目协调办"
city = "示例市"
email = "zdxmb@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
"#;

const CEILING: &str = r#"
import smtplib, sys, threading, time
host, port, path, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
msg = open(path, 'rb').read()
conns = 4
def run(k):
    s = smtplib.SMTP(host, port)
    for _ in range(k):
        s.sendmail('zdxmb@example.gov.cn', ['chen@example.gov.cn'], msg)
    s.quit()
t = time.perf_counter()
ts = [threading.Thread(target=run, args=(n // conns,)) for _ in range(conns)]
[x.start() for x in ts]
[x.join() for x in ts]
print(n / (time.perf_counter() - t))
"#;

fn core() -> CoreConfig {
    docket_testkit::core_config(CONFIG)
}

fn dispatcher(db: &TestDb, url: Option<String>, eml: &Path) -> Dispatcher {
    let env = move |k: &str| {
        if k == "DOCKET_SMTP_URL" {
            url.clone()
        } else {
            None
        }
    };
    let smtp = SmtpConfig {
        pool_size: Some(8),
        ..Default::default()
    };
    let mail = MailConfig {
        eml_dir: Some(eml.to_path_buf()),
        batch: Some(500),
        ..Default::default()
    };
    let s = NotifierSettings::resolve(&core(), &smtp, &mail, &docket_testkit::config_dir(), &env)
        .unwrap();
    Dispatcher::new(
        db.db.clone(),
        &core(),
        s,
        Arc::new(SystemClock),
        Arc::new(WorkCalendar::default()),
    )
    .unwrap()
}

fn messages(run: usize) -> Vec<NewMessage> {
    (0..N)
        .map(|i| NewMessage {
            dedupe_key: format!("bench:{run}:{i}"),
            kind: "assignment".into(),
            to_email: "chen@example.gov.cn".into(),
            to_name: "陈志远".into(),
            official: Some("chen".into()),
            context: serde_json::json!({
                "issue": { "id": i, "title": format!("征地拆迁进度滞后 {i}"), "category": "land", "category_label": "用地",
                           "due": "2024-09-24", "task_force": "用地保障专班", "detail": "需协调征地补偿资金" },
                "project": { "code": format!("P{i:05}"), "name": "华海药业新厂区", "owner_unit": "华海药业股份有限公司" },
            }),
            subject: None,
            text_body: None,
            html_body: None,
            delivery: Delivery::Immediate,
            period: None,
            attachments: vec![],
        })
        .collect()
}

async fn queue(db: &TestDb, msgs: &[NewMessage]) {
    let txn = db.db.conn.begin().await.unwrap();
    outbox::enqueue(&txn, msgs, Utc::now().timestamp_millis())
        .await
        .unwrap();
    txn.commit().await.unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn bench(db: TestDb, name: &str) {
    let tmp = tempfile::tempdir().unwrap();
    // One message as Docket formats it, to give the ceiling the same size.
    let d = dispatcher(&db, None, tmp.path());
    queue(&db, &messages(99)[..1]).await;
    d.flush_all().await.unwrap();
    let sample = std::fs::read_dir(tmp.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let size = std::fs::metadata(&sample).unwrap().len();

    let sink = SmtpSink::start_discarding();
    let d = dispatcher(&db, Some(sink.url()), tmp.path());
    let (mut ours, mut ceiling) = (vec![], vec![]);
    for run in 0..RUNS {
        let out = Command::new(python())
            .args([
                "-c",
                CEILING,
                "127.0.0.1",
                &sink.addr().port().to_string(),
                &sample.display().to_string(),
                &N.to_string(),
            ])
            .output()
            .expect("ceiling sender");
        let c: f64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("ceiling failed: {}", String::from_utf8_lossy(&out.stderr)));
        queue(&db, &messages(run)).await;
        let t = Instant::now();
        let r = d.deliver_due().await.unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(r.sent, N, "{r:?}");
        let o = N as f64 / secs;
        eprintln!(
            "  {name} run {}: docket {o:.0} msg/s, ceiling {c:.0} msg/s",
            run + 1
        );
        ours.push(o);
        ceiling.push(c);
    }
    let (o, c) = (median(ours), median(ceiling));
    println!(
        "W2 {name}: {N} emails of {size} bytes: docket {o:.0} msg/s, smtplib ceiling (4 connections) {c:.0} msg/s: {:.0}% of ceiling (median of {RUNS})",
        100.0 * o / c
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        bench(TestDb::sqlite().await, "sqlite").await;
        bench(TestDb::postgres().await, "postgres").await;
    });
}
