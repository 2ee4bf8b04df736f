//! The weekly-dispatch jobs on both backends: `preview` names exactly the people each job
//! then queues to, and the emails render from the office's templates (an edited template
//! takes effect).

mod common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::{bj, core, scheduler, seed_projects};

use docket_domain::calendar::WorkCalendar;
use docket_domain::clock::ManualClock;
use docket_domain::period::IsoWeek;
use docket_notifier::{Dispatcher, MailConfig, NotifierSettings, SmtpConfig};
use docket_scheduler::preview::PreviewLine;
use docket_store::entity::outbox;
use docket_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use docket_testkit::{SmtpSink, TestDb, dual_test};

/// The recipients' names (sorted) of the queued rows whose dedupe key starts with `prefix`.
async fn queued_names(t: &TestDb, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = outbox::Entity::find()
        .filter(outbox::Column::DedupeKey.starts_with(prefix))
        .all(&t.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.to_name)
        .collect();
    names.sort();
    names
}

fn line<'a>(lines: &'a [PreviewLine], schedule: &str, period: &str) -> &'a PreviewLine {
    lines
        .iter()
        .find(|l| l.schedule == schedule && l.period == period)
        .unwrap_or_else(|| panic!("no {schedule} {period} in the preview"))
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// Preview's names and counts for reminders (owner and responsible rungs) and the sheet equal
// the rows each job then queues.
async fn preview_names_what_the_jobs_queue(t: &TestDb) {
    seed_projects(&t.db, 12, 3).await;
    let s = scheduler(&t.db, "a");
    let w = IsoWeek::parse("2024-W37").unwrap();
    s.open_week(w, bj(2024, 9, 9, 9, 0)).await.unwrap();
    // One report, so the sheet is sent (a sheet without reports is held).
    common::report(&t.db, &["P000000"], w, bj(2024, 9, 9, 10, 0)).await;
    let lines = s.preview(bj(2024, 9, 9, 9, 1), 1).await.unwrap();
    for (schedule, period, prefix) in [
        ("remind", "2024-W37/r1", "reminder:2024-W37:r1:"),
        ("remind", "2024-W37/r3", "reminder:2024-W37:r3:"),
        ("close", "2024-W37", "sheet:2024-W37:"),
    ] {
        let l = line(&lines, schedule, period);
        let at: DateTime<Utc> = l.at;
        let r = s.run_once(at).await.unwrap();
        assert!(
            r.fired.iter().any(|(s, p, _)| s == schedule && p == period),
            "{r:?}"
        );
        let queued = queued_names(t, prefix).await;
        assert_eq!(sorted(l.names.clone()), queued, "{schedule} {period}");
        assert_eq!(l.recipients, queued.len());
        assert!(!queued.is_empty());
    }
    // Names are people's official names: the unit's official on an owner rung, the
    // responsible official and the office on the responsible rung.
    let r1 = line(&lines, "remind", "2024-W37/r1");
    assert!(r1.names.contains(&"黄伟".to_string()), "{:?}", r1.names);
    let r3 = line(&lines, "remind", "2024-W37/r3");
    assert_eq!(sorted(r3.names.clone()), ["王海", "示例市重点项目协调办"]);
    let close = line(&lines, "close", "2024-W37");
    assert_eq!(close.names, ["示例市重点项目协调办", "张建国", "王海"]);
}
dual_test!(preview_names_what_the_jobs_queue);

/// Copies `config/templates` into a temp dir.
// The reminder, sheet and alarm rows carry only kind + context; the notifier renders them
// from the office's templates, so an edit to zh/reminder.txt shows in the sent email.
async fn reminders_render_from_the_edited_template(t: &TestDb) {
    seed_projects(&t.db, 3, 0).await;
    let s = scheduler(&t.db, "a");
    let w = IsoWeek::parse("2024-W37").unwrap();
    s.open_week(w, bj(2024, 9, 9, 9, 0)).await.unwrap();
    let r = s.run_once(bj(2024, 9, 10, 9, 0)).await.unwrap();
    assert!(r.fired.iter().any(|(s, _, _)| s == "remind"), "{r:?}");
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("reminder"))
        .all(&t.db.conn)
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.subject.is_none() && r.text_body.is_none())
    );

    let tmp = docket_testkit::TempTemplates::copy();
    tmp.edit("zh/reminder.txt", |text| {
        text.replacen("以下项目", "【办公室修改】以下项目", 1)
    });

    let sink = SmtpSink::start();
    let url = sink.url();
    let env = move |k: &str| (k == "DOCKET_SMTP_URL").then(|| url.clone());
    let mail = MailConfig {
        templates: Some(tmp.path().to_path_buf()),
        ..MailConfig::default()
    };
    let settings =
        NotifierSettings::resolve(&core(), &SmtpConfig::default(), &mail, tmp.path(), &env)
            .unwrap();
    let d = Dispatcher::new(
        t.db.clone(),
        &core(),
        settings,
        Arc::new(ManualClock::new(bj(2024, 9, 10, 9, 1))),
        Arc::new(WorkCalendar::default()),
    )
    .unwrap();
    let rep = d.flush_all().await.unwrap();
    assert_eq!(rep.failed(), 0, "{rep:?}");
    let got = sink.wait_for(rows.len(), std::time::Duration::from_secs(10));
    assert_eq!(got.len(), rows.len());
    for m in &got {
        let body = m.text.as_deref().unwrap_or_default();
        assert!(
            body.contains("【办公室修改】以下项目2024年第37周"),
            "{body}"
        );
        assert!(
            m.subject
                .starts_with("【周调度提醒】2024年第37周周报尚未报送"),
            "{}",
            m.subject
        );
        assert!(body.contains("2024-09-11 17:00"), "{body}");
    }
}
dual_test!(reminders_render_from_the_edited_template);

// A sheet once sent is never silently changed: a 补报 for the closed week, then closing
// again, queues a new version whose subject and title say （更正第2版） and which lists the
// 补报; closing once more without a new 补报 queues nothing.
async fn a_late_entry_makes_a_corrected_sheet_version(t: &TestDb) {
    seed_projects(&t.db, 3, 0).await;
    let s = scheduler(&t.db, "a");
    let w = IsoWeek::parse("2024-W37").unwrap();
    s.open_week(w, bj(2024, 9, 9, 9, 0)).await.unwrap();
    common::report(&t.db, &["P000000"], w, bj(2024, 9, 9, 10, 0)).await;
    let first = s.close_week(w, bj(2024, 9, 13, 9, 0)).await.unwrap();
    assert!(first.contains("sheet queued to 3"), "{first}");
    common::report(&t.db, &["P000001"], w, bj(2024, 9, 14, 10, 0)).await;
    let again = s.close_week(w, bj(2024, 9, 14, 11, 0)).await.unwrap();
    assert!(again.contains("（更正第2版） queued to 3"), "{again}");
    assert_eq!(queued_names(t, "sheet:2024-W37:v2:").await.len(), 3);
    let unchanged = s.close_week(w, bj(2024, 9, 14, 12, 0)).await.unwrap();
    assert!(unchanged.contains("sheet unchanged"), "{unchanged}");
    assert!(queued_names(t, "sheet:2024-W37:v3:").await.is_empty());
    let c = docket_store::cycles::cycle(&t.db.conn, "2024-W37")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.sheet_version, 2);

    let sink = SmtpSink::start();
    let url = sink.url();
    let env = move |k: &str| (k == "DOCKET_SMTP_URL").then(|| url.clone());
    let tmp = docket_testkit::TempTemplates::copy();
    let mail = MailConfig {
        templates: Some(tmp.path().to_path_buf()),
        ..MailConfig::default()
    };
    let settings =
        NotifierSettings::resolve(&core(), &SmtpConfig::default(), &mail, tmp.path(), &env)
            .unwrap();
    let d = Dispatcher::new(
        t.db.clone(),
        &core(),
        settings,
        Arc::new(ManualClock::new(bj(2024, 9, 14, 12, 1))),
        Arc::new(WorkCalendar::default()),
    )
    .unwrap();
    let rep = d.flush_all().await.unwrap();
    assert_eq!(rep.failed(), 0, "{rep:?}");
    let got = sink.wait_for(6, std::time::Duration::from_secs(10));
    assert_eq!(got.len(), 6);
    let corrected: Vec<_> = got
        .iter()
        .filter(|m| m.subject.contains("（更正第2版）"))
        .collect();
    assert_eq!(
        corrected.len(),
        3,
        "{:?}",
        got.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    for m in corrected {
        let body = m.text.as_deref().unwrap_or_default();
        assert!(
            body.contains("更正：本周补报") && body.contains("项目1（P000001）"),
            "{body}"
        );
        let html = m.html.as_deref().unwrap_or_default();
        assert!(html.contains("（更正第2版）</title>"), "{html}");
    }
}
dual_test!(a_late_entry_makes_a_corrected_sheet_version);
