//! Supervision on both backends, through the use cases on a manual clock: the escalation
//! ladder with deputy and linked-leader rungs mails the right people over real SMTP; 退回
//! notifies the task force; a paused schedule skips its period with the reason and does not
//! catch it up after the resume; the 督办/考核 record's figures on a small driven scenario
//! (reports on time, late and missing; an issue accepted late; an overdue issue escalated),
//! and its workbook read back.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Utc};
use docket_app::imports::{ImportKind, import_file};
use docket_app::supervision::{ExportFormat, export_supervision, supervision_record};
use docket_app::{Actor, App, AppConfig, ErrorKind};
use docket_domain::clock::ManualClock;
use docket_domain::cycle::ReportInput;
use docket_domain::period::IsoWeek;
use docket_testkit::{SmtpSink, TestDb, beijing, dual_test};
use docket_workflow::{Action, NewIssue};
use serde_json::Value;

const LIBRARY: &str = "项目编号,项目名称,项目级别,建设阶段,项目类别,计划年度,总投资（万元）,年度计划投资（万元）,建设单位
A1,甲一项目,市重点,续建,产业,2024,1000,100,甲单位
A2,甲二项目,市重点,续建,城建,2024,1000,100,甲单位
B1,乙一项目,市重点,续建,产业,2024,1000,100,乙单位
";

fn sample_config() -> AppConfig {
    docket_app::config::load(&docket_testkit::config_dir().join("docket.toml")).unwrap()
}

/// The app on `config` at `at`, with the clock to move it, and `library` imported.
async fn app_at(
    t: &TestDb,
    config: AppConfig,
    at: DateTime<Utc>,
    library: &str,
) -> (App, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(at));
    let app = App::assemble(config, t.db.clone(), clock.clone())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("projects.csv");
    std::fs::write(&file, library).unwrap();
    import_file(
        &app,
        &Actor::office(),
        ImportKind::Projects,
        &file,
        false,
        |_, _| {},
    )
    .await
    .unwrap();
    (app, clock)
}

fn issue(project: &str, category: &str, title: &str) -> NewIssue {
    NewIssue {
        project: project.into(),
        category: category.into(),
        title: title.into(),
        detail: "详情".into(),
        ..Default::default()
    }
}

// With ladder = handler, lead, deputy, leader, office_head, an issue of the land task force
// left unaccepted five working days past its limit mails, rung by rung, the member, the
// group leader, the deputy, the linked city leader and the office head — each message
// naming its level — delivered to a real SMTP server.
async fn ladder_reaches_deputy_and_linked_leader(t: &TestDb) {
    let sink = SmtpSink::start();
    let mut config = sample_config();
    config.workflow.ladder = ["handler", "lead", "deputy", "leader", "office_head"]
        .map(String::from)
        .to_vec();
    config.workflow.escalate_after_days = vec![1, 2, 3, 4, 5];
    let land = config
        .core
        .task_forces
        .iter_mut()
        .find(|t| t.id == "land")
        .unwrap();
    land.leader = Some("li_minghua".into());
    config.core.validate().unwrap();
    config.workflow.validate(&config.core).unwrap();
    config.smtp.url = Some(sink.url());
    let (app, clock) = app_at(t, config, beijing(2024, 11, 4, 10, 0), LIBRARY).await;
    let office = Actor::office();
    docket_app::issues::raise_issue(&app, &office, issue("A1", "land", "用地指标未落实"))
        .await
        .unwrap();
    // Accept limit Tue 5 Nov; Tue 12 Nov is five working days past it: every rung.
    clock.set(beijing(2024, 11, 12, 10, 0));
    let r = docket_app::issues::sweep_limits(&app, &office)
        .await
        .unwrap();
    assert_eq!(r.escalations.len(), 5, "{r:?}");
    assert!(
        docket_app::issues::sweep_limits(&app, &office)
            .await
            .unwrap()
            .escalations
            .is_empty()
    );
    docket_app::mail::flush_mail(&app, &office).await.unwrap();
    let got = sink.wait_for(8, std::time::Duration::from_secs(10));
    let mut by_rung: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for m in got.iter().filter(|m| m.subject.starts_with("【督办升级】")) {
        let text = m.text.clone().unwrap_or_default();
        let rung = (1..=5)
            .find(|n| text.contains(&format!("（第{n}级）")))
            .unwrap_or_else(|| panic!("no rung in {text}"));
        let level = [
            "承办人",
            "专班组长",
            "专班副组长",
            "挂钩市领导",
            "协调办主任",
        ][rung as usize - 1];
        assert!(
            text.contains(&format!("提请{level}")),
            "rung {rung}: {text}"
        );
        by_rung.entry(rung).or_default().extend(m.to.clone());
    }
    // The leaders' dashboard counts the overdue issue at the ladder's fifth rung.
    let dir = tempfile::tempdir().unwrap();
    let progress = dir.path().join("progress.csv");
    std::fs::write(
        &progress,
        "项目编号,月份,累计完成投资（万元）\nA1,2024-10,50\n",
    )
    .unwrap();
    import_file(
        &app,
        &office,
        ImportKind::Progress,
        &progress,
        false,
        |_, _| {},
    )
    .await
    .unwrap();
    let d = docket_app::dashboard::dashboard(&app, &office, None)
        .await
        .unwrap();
    let row = d
        .overdue
        .iter()
        .find(|r| r.task_force.as_deref() == Some("land"))
        .unwrap();
    assert_eq!(row.by_rung, [0, 0, 0, 0, 0, 1]);
    let expect = [
        (1, "sun.li@example.gov.cn"),
        (2, "zhang.jianguo@example.gov.cn"),
        (3, "wang.hai@example.gov.cn"),
        (4, "li.minghua@example.gov.cn"),
        (5, "chen.zhiyuan@example.gov.cn"),
    ];
    assert_eq!(
        by_rung,
        expect
            .iter()
            .map(|(r, e)| (*r, vec![e.to_string()]))
            .collect::<BTreeMap<_, _>>()
    );
}
dual_test!(ladder_reaches_deputy_and_linked_leader);

// 退回 goes to the task force handling the issue (no lead handler designated): its lead,
// deputy and member — not the raiser (the office).
async fn send_back_notifies_the_task_force(t: &TestDb) {
    let (app, clock) = app_at(t, sample_config(), beijing(2024, 11, 4, 10, 0), LIBRARY).await;
    let office = Actor::office();
    let id = docket_app::issues::raise_issue(&app, &office, issue("A1", "land", "征地未完成"))
        .await
        .unwrap()
        .id;
    let sun = app.actor(Some("sun_li")).unwrap();
    docket_app::issues::act_on_issue(&app, &sun, id, Action::Accept)
        .await
        .unwrap();
    docket_app::issues::act_on_issue(
        &app,
        &sun,
        id,
        Action::Resolve {
            note: "已协调".into(),
        },
    )
    .await
    .unwrap();
    clock.set(beijing(2024, 11, 5, 10, 0));
    docket_app::issues::act_on_issue(
        &app,
        &office,
        id,
        Action::SendBack {
            reason: "材料不全".into(),
        },
    )
    .await
    .unwrap();
    let rows = docket_store::outbox::list(&app.db.conn, None, 1000)
        .await
        .unwrap();
    let mut to: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind == "sent_back")
        .map(|r| r.to_email.as_str())
        .collect();
    to.sort();
    assert_eq!(
        to,
        [
            "sun.li@example.gov.cn",
            "wang.hai@example.gov.cn",
            "zhang.jianguo@example.gov.cn"
        ]
    );
}
dual_test!(send_back_notifies_the_task_force);

// Pausing `open` skips W45's opening with the reason (who, when, why) in the ledger and the
// preview; after the resume W45 is not caught up and W46 opens as usual. Only the office may
// pause; an unknown schedule is bad input; pausing twice is a conflict.
async fn paused_period_is_skipped_and_not_caught_up(t: &TestDb) {
    let (app, clock) = app_at(t, sample_config(), beijing(2024, 11, 1, 10, 0), LIBRARY).await;
    let s = app.new_scheduler(Some("test")).unwrap();
    s.run_once(app.now()).await.unwrap();
    let office = Actor::office();
    let leader = app.actor(Some("li_minghua")).unwrap();
    use docket_app::schedules::{
        pause_schedule, preview_schedules, resume_schedule, schedule_history_lines,
    };
    let e = pause_schedule(&app, &leader, "open", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotPermitted);
    let e = pause_schedule(&app, &office, "nightly", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput);
    let head = app.actor(Some("chen_zhiyuan")).unwrap();
    clock.set(beijing(2024, 11, 2, 10, 0));
    pause_schedule(&app, &head, "open", Some("停报一周"))
        .await
        .unwrap();
    let e = pause_schedule(&app, &office, "open", None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let preview = preview_schedules(&app, 1).await.unwrap();
    let line = preview
        .iter()
        .find(|l| l.schedule == "open" && l.period == "2024-W45")
        .unwrap();
    let paused = line.paused.clone().unwrap_or_default();
    assert!(
        paused.contains("陈志远") && paused.contains("停报一周"),
        "{paused}"
    );
    assert!(
        preview
            .iter()
            .filter(|l| l.schedule != "open")
            .all(|l| l.paused.is_none())
    );

    let r = s.run_once(beijing(2024, 11, 4, 9, 1)).await.unwrap();
    assert!(
        r.skipped.contains(&("open".into(), "2024-W45".into())),
        "{r:?}"
    );
    assert!(r.fired.iter().all(|(s, _, _)| s != "open"), "{r:?}");
    let w45 = IsoWeek::parse("2024-W45").unwrap();
    assert!(
        docket_store::cycles::cycle(&app.db.conn, &w45.to_string())
            .await
            .unwrap()
            .is_none()
    );

    clock.set(beijing(2024, 11, 5, 10, 0));
    resume_schedule(&app, &office, "open").await.unwrap();
    let r = s.run_once(beijing(2024, 11, 5, 10, 1)).await.unwrap();
    assert!(
        r.fired.iter().all(|(s, _, _)| s != "open"),
        "not caught up: {r:?}"
    );
    assert!(
        docket_store::cycles::cycle(&app.db.conn, "2024-W45")
            .await
            .unwrap()
            .is_none()
    );
    let r = s.run_once(beijing(2024, 11, 11, 9, 1)).await.unwrap();
    assert!(
        r.fired
            .iter()
            .any(|(s, p, _)| s == "open" && p == "2024-W46"),
        "{r:?}"
    );

    let h = schedule_history_lines(&app, Some("open")).await.unwrap();
    let skipped = h.iter().find(|l| l.period == "2024-W45").unwrap();
    assert!(
        skipped.skipped && skipped.outcome.contains("停报一周"),
        "{skipped:?}"
    );
    let events: Vec<_> = h.iter().filter_map(|l| l.event.as_deref()).collect();
    assert_eq!(events, ["pause", "resume"]);
    assert!(
        h.iter()
            .any(|l| l.by.as_deref().is_some_and(|b| b.contains("陈志远")))
    );
}
dual_test!(paused_period_is_skipped_and_not_caught_up);

fn report(code: &str) -> ReportInput {
    ReportInput {
        code: code.into(),
        week: IsoWeek::parse("2024-W45").unwrap(),
        week_amount: None,
        ytd_completed: None,
        progress: "施工".into(),
        milestones: String::new(),
        problems: String::new(),
        next_week_plan: String::new(),
        contact: String::new(),
        no_change: false,
    }
}

fn unit<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == name)
        .unwrap_or_else(|| panic!("no unit {name}: {v}"))
}

fn task_force(v: &Value, id: Value) -> &Value {
    v["task_forces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["task_force"] == id)
        .unwrap_or_else(|| panic!("no task force {id}: {v}"))
}

// W45 of November 2024: A1 reports on time, B1 late, A2 never; a land issue on A1 is
// accepted two working days late and resolved in time; an approval issue on B1 (the
// office's own) is never accepted: by 29 November it has climbed every rung, is red and
// overdue. The record counts exactly that, per unit and per task force; the workbook has
// the six sheets with names, not ids.
async fn record_counts_a_driven_month(t: &TestDb) {
    let (app, clock) = app_at(t, sample_config(), beijing(2024, 11, 4, 9, 30), LIBRARY).await;
    let office = Actor::office();
    let week = IsoWeek::parse("2024-W45").unwrap();
    docket_app::cycles::open_cycle(&app, &office, week)
        .await
        .unwrap();
    clock.set(beijing(2024, 11, 4, 10, 0));
    let land = docket_app::issues::raise_issue(&app, &office, issue("A1", "land", "用地指标"))
        .await
        .unwrap()
        .id;
    docket_app::issues::raise_issue(&app, &office, issue("B1", "approval", "审批滞后"))
        .await
        .unwrap();
    clock.set(beijing(2024, 11, 5, 10, 0));
    docket_app::reports::submit_reports(&app, &office, &[report("A1")])
        .await
        .unwrap();
    clock.set(beijing(2024, 11, 7, 10, 0));
    docket_app::reports::submit_reports(&app, &office, &[report("B1")])
        .await
        .unwrap();
    let sun = app.actor(Some("sun_li")).unwrap();
    docket_app::issues::act_on_issue(&app, &sun, land, Action::Accept)
        .await
        .unwrap();
    clock.set(beijing(2024, 11, 8, 10, 0));
    docket_app::cycles::close_cycle(&app, &office, week)
        .await
        .unwrap();
    docket_app::issues::act_on_issue(
        &app,
        &sun,
        land,
        Action::Resolve {
            note: "已落实".into(),
        },
    )
    .await
    .unwrap();
    clock.set(beijing(2024, 11, 29, 10, 0));
    docket_app::issues::sweep_limits(&app, &office)
        .await
        .unwrap();

    let leader = app.actor(Some("li_minghua")).unwrap();
    let e = supervision_record(&app, &leader, "2024-11", "2024-11")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotPermitted);
    let e = supervision_record(&app, &office, "2024-12", "2024-11")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput);

    let bytes = export_supervision(&app, &office, "2024-11", "2024-11", ExportFormat::Json)
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["cutoff"], "2024-11-29");
    let a = unit(&v, "甲单位");
    assert_eq!(
        a["reports"],
        serde_json::json!({"due": 2, "on_time": 1, "late": 0, "missing": 1, "pending": 0})
    );
    let ai = &a["issues"];
    assert_eq!(
        (
            ai["received"].clone(),
            ai["accepted"].clone(),
            ai["accepted_in_time"].clone()
        ),
        (1.into(), 1.into(), 0.into())
    );
    assert_eq!(
        (
            ai["resolved"].clone(),
            ai["resolved_in_time"].clone(),
            ai["overdue"].clone()
        ),
        (1.into(), 1.into(), 0.into())
    );
    assert_eq!(ai["median_days_to_accept"], 3.0);
    assert_eq!(ai["median_days_to_resolve"], 4.0);
    assert_eq!(
        (ai["red"].clone(), ai["yellow"].clone()),
        (0.into(), 0.into())
    );
    let b = unit(&v, "乙单位");
    assert_eq!(
        b["reports"],
        serde_json::json!({"due": 1, "on_time": 0, "late": 1, "missing": 0, "pending": 0})
    );
    let bi = &b["issues"];
    assert_eq!(
        (
            bi["received"].clone(),
            bi["accepted"].clone(),
            bi["overdue"].clone()
        ),
        (1.into(), 0.into(), 1.into())
    );
    assert_eq!(
        bi["escalations"],
        serde_json::json!({"handler": 1, "lead": 1, "office_head": 1})
    );
    assert_eq!(bi["red"], 1);
    assert!(bi["median_days_to_accept"].is_null());
    let tf = task_force(&v, "land".into());
    assert_eq!(tf["name"], "用地保障专班");
    assert_eq!(
        (
            tf["issues"]["received"].clone(),
            tf["issues"]["accepted_in_time"].clone()
        ),
        (1.into(), 0.into())
    );
    let own = task_force(&v, Value::Null);
    assert_eq!(own["issues"]["escalations"]["office_head"], 1);
    let events = v["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["what"] == "签收" && e["by"].as_str().unwrap_or("").contains("孙丽"))
    );
    assert!(
        events
            .iter()
            .any(|e| e["what"] == "迟报" && e["project"] == "B1")
    );
    assert!(events.iter().any(|e| e["what"] == "升级督办（协调办主任）"));

    let bytes = export_supervision(&app, &office, "2024-11", "2024-11", ExportFormat::Xlsx)
        .await
        .unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        docket_app::supervision_xlsx::SHEETS
            .map(String::from)
            .to_vec()
    );
    let reports = wb.worksheet_range("报送情况").unwrap();
    let row = reports
        .rows()
        .find(|r| r.first() == Some(&Data::String("乙单位".into())))
        .expect("乙单位 row");
    assert_eq!(row[1], Data::Float(1.0));
    assert_eq!(row[3], Data::Float(1.0));
    let esc = wb.worksheet_range("督办升级").unwrap();
    let header: Vec<String> = esc
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        ["类型", "名称", "承办人", "专班组长", "协调办主任", "合计"]
    );
    let office_row = esc
        .rows()
        .find(|r| r.get(1) == Some(&Data::String("示例市重点项目协调办".into())))
        .expect("the office's row");
    assert_eq!(office_row[5], Data::Float(3.0));
    let raw = wb.worksheet_range("原始记录").unwrap();
    let text: String = raw.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.contains("用地保障专班") && text.contains("孙丽"),
        "names, not ids"
    );
    assert!(
        !text.contains("sun_li") && !text.contains("land"),
        "no ids or codes"
    );
}
dual_test!(record_counts_a_driven_month);
