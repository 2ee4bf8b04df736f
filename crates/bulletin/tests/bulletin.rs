//! The bulletin against a seeded library, on SQLite and PostgreSQL: the contract's JSON
//! shape and exact figures, the same figures in HTML/text/XLSX, and sending by email.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use docket_bulletin::config::{Attachment, BulletinConfig};
use docket_bulletin::{BulletinError, build, queue_bulletin, render_all};
use docket_domain::calendar::WorkCalendar;
use docket_domain::period::Month;
use docket_domain::targets::TargetModel;
use docket_testkit::{SmtpSink, TestDb, dual_test};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::Value;

fn sep() -> Month {
    Month::parse("2024-09").unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

const FIG_KEYS: [&str; 7] = [
    "projects",
    "annual_plan_wan",
    "ytd_completed_wan",
    "completion_rate",
    "ahead_points",
    "share",
    "yoy_growth",
];

fn check_fig(v: &Value, what: &str) {
    for k in FIG_KEYS {
        assert!(v.get(k).is_some(), "{what}: missing {k} in {v}");
    }
    for k in FIG_KEYS.iter().filter(|k| **k != "yoy_growth") {
        assert!(v[*k].is_number(), "{what}.{k} is not a number: {v}");
    }
}

// Every contract key, the exact figures, lights, starts, milestones, indicators, issues.
async fn json_matches_contract(t: &TestDb) {
    common::seed(t, false).await;
    let core = common::core();
    let cfg = BulletinConfig::default();
    let b = build(&t.db.conn, &core, &cfg, &WorkCalendar::default(), sep())
        .await
        .unwrap();
    let json = b.to_json().unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    for k in [
        "month",
        "issue_number",
        "cutoff",
        "schedule_target",
        "investment",
        "not_reported",
        "lagging",
        "starts",
        "milestones",
        "indicators",
        "issues",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["month"], "2024-09");
    assert_eq!(v["issue_number"], 8);
    assert_eq!(v["cutoff"], "2024-09-30");
    assert_eq!(v["schedule_target"], 0.85);
    let inv = &v["investment"];
    check_fig(&inv["total"], "total");
    for group in ["by_level", "by_stage", "by_category", "by_district"] {
        for (k, f) in inv[group].as_object().unwrap() {
            check_fig(f, &format!("{group}.{k}"));
        }
    }
    for (k, f) in inv["by_level"].as_object().unwrap() {
        for (s, sf) in f["by_stage"].as_object().unwrap() {
            check_fig(sf, &format!("by_level.{k}.by_stage.{s}"));
        }
    }
    let total = &inv["total"];
    assert_eq!(total["projects"], 7);
    assert_eq!(total["annual_plan_wan"], 102_000.0);
    assert_eq!(total["ytd_completed_wan"], 80_400.0);
    assert!(close(
        total["completion_rate"].as_f64().unwrap(),
        80_400.0 / 102_000.0
    ));
    assert!(close(
        total["ahead_points"].as_f64().unwrap(),
        (80_400.0 / 102_000.0 - 0.85) * 100.0
    ));
    assert_eq!(total["share"], 1.0);
    assert!(close(
        total["yoy_growth"].as_f64().unwrap(),
        (45_800.0 - 37_000.0) / 37_000.0
    ));
    let cont = &inv["by_level"]["provincial"]["by_stage"]["continuing"];
    assert_eq!(cont["ytd_completed_wan"], 46_000.0);
    assert!(close(cont["completion_rate"].as_f64().unwrap(), 0.92));
    assert!((cont["ahead_points"].as_f64().unwrap() - 7.0).abs() < 1e-9);
    assert!(close(
        cont["yoy_growth"].as_f64().unwrap(),
        6_800.0 / 30_000.0
    ));
    assert!(close(cont["share"].as_f64().unwrap(), 46_000.0 / 80_400.0));
    let new = &inv["by_level"]["provincial"]["by_stage"]["new"];
    assert!(close(
        new["completion_rate"].as_f64().unwrap(),
        18_600.0 / 30_000.0
    ));
    assert_eq!(new["yoy_growth"], Value::Null);
    assert_eq!(inv["by_level"]["municipal"]["projects"], 3);
    assert_eq!(inv["by_stage"]["new"]["projects"], 4);
    assert_eq!(
        inv["by_category"]["industry"]["ytd_completed_wan"],
        36_800.0 + 16_600.0 + 3_000.0
    );
    assert_eq!(inv["by_district"]["蓬江区"]["projects"], 4);
    assert_eq!(inv["by_district"]["unassigned"]["projects"], 1);
    assert!(
        inv["by_category"].get("other").is_none(),
        "a zero-plan project's group is absent"
    );

    assert_eq!(v["not_reported"], serde_json::json!(["P7"]));
    let lag: Vec<(&str, &str)> = v["lagging"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["code"].as_str().unwrap(), l["light"].as_str().unwrap()))
        .collect();
    assert_eq!(lag, [("P4", "red"), ("P5", "yellow"), ("P7", "yellow")]);
    let p4 = &v["lagging"][0];
    for k in [
        "code",
        "name",
        "owner_unit",
        "responsible_official",
        "completion_rate",
        "ahead_points",
        "light",
    ] {
        assert!(p4.get(k).is_some(), "lagging entry lacks {k}");
    }
    assert_eq!(p4["owner_unit"], "建设单位P4");
    assert_eq!(p4["responsible_official"], "wang_hai");
    assert!(close(p4["completion_rate"].as_f64().unwrap(), 0.2));
    assert!((p4["ahead_points"].as_f64().unwrap() + 65.0).abs() < 1e-9);
    assert_eq!(v["lagging"][1]["responsible_official_name"], "王海");

    assert_eq!(v["starts"]["planned"], 3);
    assert_eq!(v["starts"]["started"], 1);
    assert!(close(v["starts"]["rate"].as_f64().unwrap(), 1.0 / 3.0));
    let lights: Vec<(&str, &str)> = v["starts"]["lights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["code"].as_str().unwrap(), l["light"].as_str().unwrap()))
        .collect();
    assert_eq!(lights, [("P4", "red"), ("P6", "yellow")]);
    assert_eq!(
        v["milestones"]["approval"],
        serde_json::json!({"month": 1, "ytd": 2})
    );
    assert_eq!(
        v["milestones"]["acquisition"],
        serde_json::json!({"month": 1, "ytd": 1})
    );
    assert_eq!(
        v["milestones"]["start"],
        serde_json::json!({"month": 0, "ytd": 1})
    );
    assert_eq!(
        v["milestones"]["permit"],
        serde_json::json!({"month": 0, "ytd": 0})
    );

    let fai = &v["indicators"]["fixed_asset_investment"];
    assert_eq!(fai["ytd_wan"], 3_200_000.0);
    assert!(close(fai["yoy_growth"].as_f64().unwrap(), 0.28));
    assert_eq!(fai["share"], 1.0);
    assert!(close(
        v["indicators"]["industrial_investment"]["share"]
            .as_f64()
            .unwrap(),
        0.55
    ));
    assert!(close(
        v["indicators"]["industrial_investment"]["yoy_growth"]
            .as_f64()
            .unwrap(),
        0.1
    ));

    let is = &v["issues"];
    for k in [
        "raised",
        "resolved",
        "closed",
        "close_rate",
        "overdue",
        "median_days_to_resolve",
        "by_category",
        "by_task_force",
    ] {
        assert!(is.get(k).is_some(), "issues lacks {k}");
    }
    assert_eq!(is["raised"], 3);
    assert_eq!(is["resolved"], 2);
    assert_eq!(is["closed"], 1);
    assert!(close(is["close_rate"].as_f64().unwrap(), 1.0 / 3.0));
    assert_eq!(is["overdue"], 1);
    assert_eq!(is["median_days_to_resolve"], 6.0);
    assert_eq!(is["by_category"]["land"]["raised"], 1);
    assert_eq!(is["by_category"]["land"]["median_days_to_resolve"], 4.0);
    assert_eq!(is["by_task_force"]["funding"]["overdue"], 1);
    assert_eq!(is["by_task_force"]["office"]["resolved"], 1);

    // Deterministic: the same data and month give the same JSON.
    let again = build(&t.db.conn, &core, &cfg, &WorkCalendar::default(), sep())
        .await
        .unwrap();
    assert_eq!(again.to_json().unwrap(), json);
}
dual_test!(json_matches_contract);

// HTML, text and XLSX show the same figures as the JSON.
async fn outputs_agree(t: &TestDb) {
    common::seed(t, false).await;
    let b = build(
        &t.db.conn,
        &common::core(),
        &BulletinConfig::default(),
        &WorkCalendar::default(),
        sep(),
    )
    .await
    .unwrap();
    let r = render_all(&b, &[Attachment::Xlsx]).unwrap();
    // Each group's sentence compares with 序时 and says 其中 once for all its stages.
    for s in docket_bulletin::render::headlines(&b)
        .iter()
        .skip(1)
        .take(b.investment.by_level.len())
    {
        assert!(s.contains("序时进度"), "{s}");
        assert!(s.matches("其中").count() <= 1, "{s}");
    }
    for doc in [&r.html, &r.text] {
        assert!(doc.contains("2024年第8期"), "issue number");
        assert!(doc.contains("数据截至2024年9月30日"), "cut-off");
        assert!(doc.contains("92.0%"), "continuing rate");
        assert!(doc.contains("超序时进度7.0个百分点"), "continuing ahead");
        assert!(doc.contains("78.8%"), "total rate");
        assert!(doc.contains("慢于序时进度6.2个百分点"), "total behind");
        assert!(
            doc.contains("项目P4") && doc.contains("建设单位P4") && doc.contains("王海"),
            "lagging"
        );
        assert!(doc.contains("P7"), "not reported");
    }
    assert!(
        r.html.contains("<svg") && r.html.contains("background:#c62828"),
        "chart and red cell"
    );
    // The look is inline (mail clients drop <style>); the one style block holds print rules.
    let style = r
        .html
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert!(style.starts_with("@page{size:A4"), "{style}");
    assert!(!style.contains("table{border") && r.html.contains("<td style="));
    assert!(r.subject.contains("第8期") && r.subject.contains("1-9月"));

    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(r.attachments[0].data.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        docket_bulletin::render::xlsx::sheet_names(docket_domain::config::Language::Zh)
    );
    let summary = wb.worksheet_range("汇总").unwrap();
    assert_eq!(summary.get_value((1, 5)), Some(&Data::Float(8.0)));
    match summary.get_value((1, 1)) {
        Some(Data::DateTime(dt)) => {
            assert_eq!(dt.as_datetime().unwrap().date().to_string(), "2024-09-30")
        }
        other => panic!("cut-off cell: {other:?}"),
    }
    assert_eq!(
        summary.get_value((3, 0)),
        Some(&Data::String("全部".into()))
    );
    assert_eq!(summary.get_value((3, 3)), Some(&Data::Float(80_400.0)));
    assert_eq!(
        summary.get_value((3, 4)),
        Some(&Data::Float(b.investment.total.completion_rate))
    );
    let lag = wb.worksheet_range("滞后项目").unwrap();
    assert_eq!(lag.get_value((1, 1)), Some(&Data::String("P4".into())));
    assert_eq!(lag.get_value((1, 0)), Some(&Data::String("红灯".into())));
    assert_eq!(lag.get_value((1, 5)), Some(&Data::Float(0.2)));
    let issues = wb.worksheet_range("问题办理").unwrap();
    assert_eq!(issues.get_value((1, 1)), Some(&Data::Float(3.0)));
    let cats = wb.worksheet_range("分类别").unwrap();
    assert_eq!(cats.height(), 1 + b.investment.by_category.len());
}
dual_test!(outputs_agree);

// The project-plan model, January with February, English output.
async fn models_and_months(t: &TestDb) {
    common::seed(t, true).await;
    let mut core = common::core();
    core.targets.curves.clear();
    core.targets.model = TargetModel::ProjectPlan;
    let cfg = BulletinConfig::default();
    let cal = WorkCalendar::default();
    let b = build(&t.db.conn, &core, &cfg, &cal, sep()).await.unwrap();
    // P3 planned 18,000 through September; every other project falls back to plan × 9/12.
    let expect = (0.75 * 82_000.0 + 18_000.0) / 102_000.0;
    assert!(close(b.schedule_target, expect), "{}", b.schedule_target);
    let p3_stage = &b.investment.by_level["provincial"].by_stage["new"];
    assert!(close(p3_stage.target, (18_000.0 + 7_500.0) / 30_000.0));

    core.targets.model = TargetModel::Linear;
    let err = build(
        &t.db.conn,
        &core,
        &cfg,
        &cal,
        Month::parse("2024-01").unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, BulletinError::JanuaryCombined { .. }) && err.is_bad_input(),
        "{err}"
    );
    let feb = build(
        &t.db.conn,
        &core,
        &cfg,
        &cal,
        Month::parse("2024-02").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(feb.issue_number, 1);
    assert_eq!(feb.meta.period_first_month, 1);
    assert!(close(feb.schedule_target, 2.0 / 12.0));
    assert!(docket_bulletin::render::text::render(&feb).contains("1-2月"));
    // Nobody has a figure for February: all are listed, none silently zero in the list.
    assert_eq!(feb.not_reported.len(), 7);

    core.office.language = docket_domain::config::Language::En;
    let en = build(&t.db.conn, &core, &cfg, &cal, sep()).await.unwrap();
    let html = docket_bulletin::render::html::render(&en);
    assert!(
        html.contains("lang=\"en\"") && html.contains("3.8 points ahead of schedule"),
        "English HTML"
    );
}
dual_test!(models_and_months);

/// Delivers pending outbox rows to the sink with lettre, as the notifier would.
async fn deliver(t: &TestDb, sink: &SmtpSink) -> usize {
    use docket_store::entity::{outbox, outbox_attachments};
    use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let rows = outbox::Entity::find()
        .filter(outbox::Column::State.eq("pending"))
        .all(&t.db.conn)
        .await
        .unwrap();
    let mailer =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.addr().ip().to_string())
            .port(sink.addr().port())
            .build();
    for r in &rows {
        let atts = outbox_attachments::Entity::find()
            .filter(outbox_attachments::Column::MessageId.eq(r.id))
            .all(&t.db.conn)
            .await
            .unwrap();
        // The cover note is rendered from the row's context by the notifier's templates
        // (tested through the binary in tests/bulletin.rs); here only its headline travels.
        let context: serde_json::Value = serde_json::from_str(&r.context).unwrap();
        let headline = context["headlines"]
            .as_array()
            .map(|h| {
                h.iter()
                    .filter_map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let mut mixed = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
            r.text_body.clone().unwrap_or(headline.clone()),
            r.html_body.clone().unwrap_or(format!("<p>{headline}</p>")),
        ));
        for a in atts {
            mixed = mixed.singlepart(
                Attachment::new(a.filename)
                    .body(a.data, ContentType::parse(&a.content_type).unwrap()),
            );
        }
        let _ = SinglePart::plain(String::new());
        let msg = Message::builder()
            .from("office@example.gov.cn".parse::<Mailbox>().unwrap())
            .to(Mailbox::new(
                Some(r.to_name.clone()),
                r.to_email.parse().unwrap(),
            ))
            .subject(r.subject.clone().unwrap())
            .multipart(mixed)
            .unwrap();
        mailer.send(msg).await.unwrap();
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::State,
                sea_orm::sea_query::Expr::value("sent"),
            )
            .filter(outbox::Column::Id.eq(r.id))
            .exec(&t.db.conn)
            .await
            .unwrap();
    }
    rows.len()
}

// Each recipient gets the bulletin once; a second send queues nothing; --resend queues anew.
async fn send_reaches_every_recipient_once(t: &TestDb) {
    common::seed(t, false).await;
    let core = common::core();
    let cfg = BulletinConfig {
        recipients: vec!["chen".into(), "wang_hai".into(), "liu".into()],
        ..BulletinConfig::default()
    };
    cfg.validate(&core).unwrap();
    let b = build(&t.db.conn, &core, &cfg, &WorkCalendar::default(), sep())
        .await
        .unwrap();
    let r = render_all(&b, &cfg.attach).unwrap();
    let sink = SmtpSink::start();
    for round in 0..2 {
        let tx = t.db.conn.begin().await.unwrap();
        let q = queue_bulletin(&tx, &core, &cfg, &b, &r, false, 1_000)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(q.recipients, 3);
        assert_eq!(q.queued, if round == 0 { 3 } else { 0 });
        deliver(t, &sink).await;
    }
    let mails = sink.wait_for(3, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 3);
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "chen@example.gov.cn",
            "liu@example.gov.cn",
            "wang@example.gov.cn"
        ]
    );
    for m in &mails {
        assert_eq!(m.to.len(), 1);
        assert!(m.subject.contains("第8期"), "{}", m.subject);
        assert!(
            m.text
                .as_deref()
                .unwrap_or("")
                .contains("超序时进度7.0个百分点")
        );
        // The default attachments: the 公文 as PDF, then the workbook.
        assert_eq!(m.attachments.len(), 2);
        assert_eq!(m.attachments[0].0, "bulletin-2024-09.pdf");
        assert!(m.attachments[0].1.starts_with(b"%PDF-"));
        assert_eq!(m.attachments[0].1, r.attachments[0].data);
        assert_eq!(m.attachments[1].0, "bulletin-2024-09.xlsx");
        assert_eq!(m.attachments[1].1, r.attachments[1].data);
    }
    let tx = t.db.conn.begin().await.unwrap();
    let q = queue_bulletin(&tx, &core, &cfg, &b, &r, true, 2_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(q.queued, 3);
    assert_eq!(deliver(t, &sink).await, 3);
    assert_eq!(
        sink.wait_for(6, std::time::Duration::from_secs(10)).len(),
        6
    );
    let rec = docket_store::entity::bulletins::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(rec.len(), 1);
    assert_eq!((rec[0].month, rec[0].issue_number), (202409, 8));
}
dual_test!(send_reaches_every_recipient_once);
