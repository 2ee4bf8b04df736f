//! A weekly report's problems become routed blocking issues, once.

use docket_testkit::{TestDb, dual_test};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::cli::{docket, import_sample, root, sample_config, stderr, stdout};

async fn report_problems_are_raised_once(t: &TestDb) {
    let cfg = sample_config();
    import_sample(&t.url, &["projects"]);
    let submit = || {
        docket(
            &t.url,
            &cfg,
            &[
                "report",
                "submit",
                "--project",
                "SZ2024001",
                "--week",
                "2024-W37",
                "--progress",
                "主体结构施工",
                "--problems",
                "用地：新增用地指标未落实\n临时用电接入慢",
            ],
        )
    };
    let o = submit();
    assert!(o.status.success(), "{}", stderr(&o));
    let report_id: uuid::Uuid = stdout(&o)
        .trim()
        .parse()
        .expect("the report id alone on stdout");
    let issues = docket_store::entity::issues::Entity::find()
        .filter(docket_store::entity::issues::Column::ReportId.eq(report_id))
        .all(&t.db.conn)
        .await
        .unwrap();
    let mut got: Vec<(String, String, Option<String>)> = issues
        .iter()
        .map(|i| (i.category.clone(), i.title.clone(), i.task_force.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "land".to_string(),
                "新增用地指标未落实".to_string(),
                Some("land".to_string())
            ),
            ("other".to_string(), "临时用电接入慢".to_string(), None),
        ]
    );
    assert!(issues.iter().all(|i| i.state == "assigned"));
    // Submitting again records the report again but raises no second issue.
    let o = submit();
    assert!(o.status.success(), "{}", stderr(&o));
    let all = docket_store::entity::issues::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}
dual_test!(report_problems_are_raised_once);

async fn report_rows(t: &TestDb) -> usize {
    docket_store::entity::weekly_reports::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap()
        .len()
}

// An owner contact reports only for its own unit's projects: another unit's project is
// refused with exit code 3 and nothing is written; its own project is accepted.
async fn owner_contact_reports_only_for_its_unit(t: &TestDb) {
    let cfg = sample_config();
    import_sample(&t.url, &["projects"]);
    let submit = |who: &str, code: &str| {
        docket(
            &t.url,
            &cfg,
            &[
                "--as",
                who,
                "report",
                "submit",
                "--project",
                code,
                "--week",
                "2024-W37",
                "--progress",
                "主体结构施工",
                "--problems",
                "用地：指标未落实",
            ],
        )
    };
    // huang_wei reports for 华海药业股份有限公司; SZ2024001 belongs to 高新区管委会.
    let o = submit("huang_wei", "SZ2024001");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("SZ2024001"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert_eq!(report_rows(t).await, 0, "a refused report writes nothing");
    let issues = docket_store::entity::issues::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert!(issues.is_empty(), "nor raises its problems");
    // SZ2024003 is 华海药业's own project.
    let o = submit("huang_wei", "SZ2024003");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(report_rows(t).await, 1);
    // The office may report for anyone; a city leader without a unit may not.
    let o = submit("li_minghua", "SZ2024001");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(report_rows(t).await, 1);
}
dual_test!(owner_contact_reports_only_for_its_unit);

// A report and the issues raised from its problems commit together: a problem that cannot
// be raised (a title over the workflow's limit) leaves no report row behind.
async fn report_with_an_unraisable_problem_writes_nothing(t: &TestDb) {
    let cfg = sample_config();
    import_sample(&t.url, &["projects"]);
    let long_title = format!("用地：{}", "长".repeat(300));
    let o = docket(
        &t.url,
        &cfg,
        &[
            "report",
            "submit",
            "--project",
            "SZ2024001",
            "--week",
            "2024-W37",
            "--progress",
            "主体结构施工",
            "--problems",
            &long_title,
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("title"), "{}", stderr(&o));
    assert_eq!(
        report_rows(t).await,
        0,
        "the report was rolled back with its issue"
    );
}
dual_test!(report_with_an_unraisable_problem_writes_nothing);

// The demo's weekly reports go through the same use case as everyone's: their problems are
// raised as issues linked to the report.
async fn demo_reports_raise_their_issues(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let o = crate::cli::docket_in(dir.path(), &t.url, &sample_config(), &["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("周调度"), "{}", stdout(&o));
    // The demo shows the applications section and hands over the 督办/考核 record.
    assert!(stdout(&o).contains("督办考核记录"), "{}", stdout(&o));
    let xlsx = dir.path().join("out/supervision-2024-09.xlsx");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let from_reports = docket_store::entity::issues::Entity::find()
        .filter(docket_store::entity::issues::Column::ReportId.is_not_null())
        .all(&t.db.conn)
        .await
        .unwrap();
    assert!(
        !from_reports.is_empty(),
        "the demo's reports with problems raised issues"
    );
    assert!(from_reports.iter().all(|i| i.category == "land"));
}
dual_test!(demo_reports_raise_their_issues);

// A closed week is locked: a report for it exits 2 naming the week and its close time, and
// writes nothing; an owner contact may not ask for a 补报 (exit 3); the office's 补报 is
// recorded marked, listed as such, shown on the next sheet, and the closed week's own sheet
// and counts stay exactly as they were sent.
async fn closed_week_is_locked_unless_the_office_records_a_late_entry(t: &TestDb) {
    let cfg = sample_config();
    let lib = root().join("config/sample/projects.csv");
    let run = |args: &[&str]| docket(&t.url, &cfg, args);
    let ok = |args: &[&str]| {
        let o = run(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    ok(&["import", "projects", lib.to_str().unwrap()]);
    ok(&["cycle", "open", "--week", "2024-W39"]);
    ok(&["cycle", "close", "--week", "2024-W39"]);
    let sheet_sent = ok(&["cycle", "sheet", "--week", "2024-W39"]);
    let shown = ok(&["cycle", "show", "--week", "2024-W39", "--format", "json"]);
    let report = |who: &str, late: bool| {
        let mut args = vec![
            "--as",
            who,
            "report",
            "submit",
            "--project",
            "SZ2024003",
            "--week",
            "2024-W39",
            "--week-amount",
            "120.5",
            "--progress",
            "主体结构施工",
        ];
        if late {
            args.push("--late-entry");
        }
        run(&args)
    };

    let o = report("office", false);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("2024-W39 closed at 20"), "{err}");
    assert!(err.contains("--late-entry"), "{err}");
    assert!(stdout(&o).is_empty());
    assert_eq!(report_rows(t).await, 0, "a refused report writes nothing");

    let o = report("huang_wei", true);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(report_rows(t).await, 0);
    let o = report("huang_wei", false);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    let o = report("office", true);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("补报"), "{}", stderr(&o));
    assert_eq!(report_rows(t).await, 1);
    let row = docket_store::entity::weekly_reports::Entity::find()
        .one(&t.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(row.late_entry && row.late);

    let listed: serde_json::Value = serde_json::from_str(&ok(&[
        "report", "list", "--week", "2024-W39", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["code"], "SZ2024003");
    assert_eq!(listed[0]["late_entry"], true);
    assert_eq!(listed[0]["week_amount_wan"], 120.5);
    assert!(ok(&["report", "list", "--week", "2024-W39"]).contains("[补报]"));

    // The closed week reads back as it was sent.
    assert_eq!(ok(&["cycle", "sheet", "--week", "2024-W39"]), sheet_sent);
    assert_eq!(
        ok(&["cycle", "show", "--week", "2024-W39", "--format", "json"]),
        shown
    );
    // The next week's sheet lists the 补报.
    ok(&["cycle", "open", "--week", "2024-W40"]);
    let next = ok(&["cycle", "sheet", "--week", "2024-W40"]);
    assert!(next.contains("SZ2024003"), "{next}");
    assert!(next.contains("（2024年第39周，补报）"), "{next}");
}
dual_test!(closed_week_is_locked_unless_the_office_records_a_late_entry);
