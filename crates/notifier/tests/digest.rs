//! Digests and template checks.

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use docket_domain::clock::ManualClock;
use docket_domain::config::Language;
use docket_notifier::{MailConfig, NotifyError, Templates};
use docket_store::outbox::Delivery;
use docket_testkit::{SmtpSink, TestDb, dual_test};

fn reminder(i: usize) -> serde_json::Value {
    serde_json::json!({
        "week": format!("2024-W3{i}"), "deadline": "2024-09-11 17:00", "rung": 1,
        "projects": [{ "code": format!("P00{i}"), "name": format!("项目{i}"), "owner_unit": "城投集团" }],
    })
}

// Three digestible items for a daily-digest official become one email listing all three;
// an assignment to the same official goes at once.
async fn three_items_one_digest(t: &TestDb) {
    let sink = SmtpSink::start();
    let clock = ManualClock::new(start());
    let d = dispatcher(&t.db, Some(sink.url()), MailConfig::default(), &clock);
    let wang = ("王海", "wang.hai@example.gov.cn");
    let mut msgs: Vec<_> = (1..=3)
        .map(|i| {
            let mut m = message(
                &format!("reminder:2024-W3{i}:wang"),
                "reminder",
                wang,
                Some("wang"),
                reminder(i),
            );
            m.delivery = Delivery::Digestible;
            m.period = Some(format!("2024-W3{i}"));
            m
        })
        .collect();
    msgs.push(message(
        "assignment:i9:wang",
        "assignment",
        wang,
        Some("wang"),
        issue_context("用地指标"),
    ));
    queue(&t.db, &msgs, start()).await;
    let r = d.flush_all().await.unwrap();
    assert_eq!(r.sent, 1, "only the assignment goes at once: {r:?}");
    // Sunday 15 September 2024 is a day off: no digest.
    assert_eq!(
        d.queue_digests(NaiveDate::from_ymd_opt(2024, 9, 15).unwrap())
            .await
            .unwrap(),
        0
    );
    let tuesday = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
    assert_eq!(d.queue_digests(tuesday).await.unwrap(), 1);
    assert_eq!(d.queue_digests(tuesday).await.unwrap(), 0, "once a day");
    let r = d.flush_all().await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let got = sink.wait_for(2, Duration::from_secs(10));
    assert_eq!(got.len(), 2);
    let digest = got
        .iter()
        .find(|m| m.subject.contains("汇总"))
        .expect("a digest");
    assert_eq!(digest.to, vec!["wang.hai@example.gov.cn".to_string()]);
    assert!(digest.subject.contains("3项"), "{}", digest.subject);
    let text = digest.text.as_deref().unwrap();
    for i in 1..=3 {
        assert!(
            text.contains(&format!("2024年第3{i}周周报尚未报送")),
            "item {i} missing:\n{text}"
        );
    }
    let states: Vec<String> = rows(&t.db).await.into_iter().map(|r| r.state).collect();
    assert_eq!(states.iter().filter(|s| *s == "digested").count(), 3);
    assert_eq!(states.iter().filter(|s| *s == "sent").count(), 2);
}
dual_test!(three_items_one_digest);

// Weekly officials get their digest on the week's first working day only.
async fn weekly_digest_on_first_working_day(t: &TestDb) {
    let clock = ManualClock::new(start());
    let dir = tempfile::tempdir().unwrap();
    let d = dispatcher(
        &t.db,
        None,
        MailConfig {
            eml_dir: Some(dir.path().into()),
            ..Default::default()
        },
        &clock,
    );
    let mut m = message(
        "reminder:x:li",
        "reminder",
        ("李明华", "li@example.gov.cn"),
        Some("li"),
        reminder(1),
    );
    m.delivery = Delivery::Digestible;
    queue(&t.db, &[m], start()).await;
    assert_eq!(
        d.flush_all().await.unwrap().attempted,
        0,
        "held for the weekly digest"
    );
    // Tuesday 10 September is not the first working day of its week.
    assert_eq!(
        d.queue_digests(NaiveDate::from_ymd_opt(2024, 9, 10).unwrap())
            .await
            .unwrap(),
        0
    );
    // 2024-09-14 (Saturday) is a make-up working day, but Monday 16 and Tuesday 17 are the
    // Mid-Autumn holiday: Wednesday 18 is the first working day of week 38.
    assert_eq!(
        d.queue_digests(NaiveDate::from_ymd_opt(2024, 9, 16).unwrap())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        d.queue_digests(NaiveDate::from_ymd_opt(2024, 9, 18).unwrap())
            .await
            .unwrap(),
        1
    );
    assert_eq!(d.flush_all().await.unwrap().sent, 1);
}
dual_test!(weekly_digest_on_first_working_day);

#[test]
fn every_template_renders_in_both_languages() {
    let dir = config_dir().join("templates");
    for lang in [Language::Zh, Language::En] {
        let t = Templates::load(&dir, lang).unwrap();
        for kind in docket_notifier::KINDS {
            let mut ctx = issue_context("测试 & <b>");
            let extra = reminder(1);
            for (k, v) in extra.as_object().unwrap() {
                ctx[k] = v.clone();
            }
            ctx["office"] =
                serde_json::json!({"name": "协调办", "city": "示例市", "email": "o@x.cn"});
            ctx["recipient"] = serde_json::json!({"name": "王海", "email": "w@x.cn"});
            let r = t
                .render(kind, &ctx)
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(
                !r.subject.is_empty() && !r.text.is_empty() && r.html.contains("<html"),
                "{kind}"
            );
            assert!(
                !r.html.contains("<b>"),
                "{kind}: user text must be escaped in HTML"
            );
        }
    }
}

#[test]
fn broken_template_names_file_and_line() {
    let tmp = docket_testkit::TempTemplates::copy();
    std::fs::write(
        tmp.path().join("en/overdue.txt"),
        "Subject\nline two\n{% if x %}never closed\n",
    )
    .unwrap();
    match Templates::load(tmp.path(), Language::Zh) {
        Err(NotifyError::Template { file, line, .. }) => {
            assert!(file.ends_with("en/overdue.txt"), "{file}");
            assert!(line.is_some());
        }
        other => panic!("expected a template error, got {other:?}"),
    }
    std::fs::remove_file(tmp.path().join("zh/digest.html")).unwrap();
    let err = Templates::load(tmp.path(), Language::Zh)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("zh/digest.html") && err.contains("missing"),
        "{err}"
    );
}
