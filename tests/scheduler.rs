//! The scheduler's commands end to end: the calendar, cycles, reports, preview.

use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, sample_config, stderr, stdout};

// `calendar show` per the contract; a year without a table exits 2; `calendar import` adds it
// (stored in the database, laid over the shipped years).
async fn calendar_show_and_import(t: &TestDb) {
    let cfg = sample_config();
    let o = docket(
        &t.url,
        &cfg,
        &["calendar", "show", "2025-10-11", "--format", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["date"], "2025-10-11");
    assert_eq!(v["workday"], true);
    assert!(v["reason"].as_str().unwrap().contains("国庆节"));
    let o = docket(
        &t.url,
        &cfg,
        &["calendar", "show", "2027-01-04", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("2027"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.toml");
    std::fs::write(
        &file,
        "year = 2027\nsource = \"test\"\n[[holiday]]\nname = \"元旦\"\nname_en = \"New Year's Day\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\n",
    )
    .unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["calendar", "import", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = docket(
        &t.url,
        &cfg,
        &["calendar", "show", "2027-01-01", "--format", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["workday"], false);
    // A bad table is bad input.
    std::fs::write(
        &file,
        "year = 2028\n[[holiday]]\nname = \"x\"\nfrom = \"2028-01-05\"\nto = \"2028-01-01\"\n",
    )
    .unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["calendar", "import", file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
}
dual_test!(calendar_show_and_import);

// `cycle open` twice is one cycle (exit 0); `cycle show` has the contract's keys; reports by
// option and by CSV; the sheet renders; a numeric day-of-week in [schedules] is refused.
async fn cycle_open_show_report(t: &TestDb) {
    let cfg = sample_config();
    crate::cli::import_sample(&t.url, &["projects"]);
    for _ in 0..2 {
        let o = docket(&t.url, &cfg, &["cycle", "open", "--week", "2024-W37"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let show = || {
        let o = docket(
            &t.url,
            &cfg,
            &["cycle", "show", "--week", "2024-W37", "--format", "json"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let v = show();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
    assert_eq!(v["state"], "open");
    let projects = v["projects"].as_i64().unwrap();
    assert!(projects > 0);
    assert_eq!(v["reported"], 0);
    let first = v["missing"][0].as_str().unwrap().to_string();
    let o = docket(
        &t.url,
        &cfg,
        &[
            "report",
            "submit",
            "--project",
            &first,
            "--week",
            "2024-W37",
            "--week-amount",
            "120.5",
            "--progress",
            "主体施工",
            "--problems",
            "用地未落实",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim().len(), 36, "the report id alone");
    let second = v["missing"][1].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("reports.csv");
    std::fs::write(&csv, format!("项目编号,周次,本周完成投资（万元）,形象进度,本期无变化\n{second},2024-W37,10,土方,否\nNOPE,2024-W37,x,,\n")).unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["report", "submit", "--file", csv.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("reports.csv:3: 本周完成投资（万元）: x:"),
        "{err}"
    );
    std::fs::write(
        &csv,
        format!("code,week,week_amount_wan,progress,no_change\n{second},2024-W37,10,土方,false\n"),
    )
    .unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["report", "submit", "--file", csv.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = show();
    assert_eq!(v["reported"], 2);
    assert_eq!(v["missing"].as_array().unwrap().len() as i64, projects - 2);
    let o = docket(
        &t.url,
        &cfg,
        &["cycle", "sheet", "--week", "2024-W37", "--format", "html"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("用地未落实"));
    let o = docket(&t.url, &cfg, &["cycle", "close", "--week", "2024-W37"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(show()["state"], "closed");
    let o = docket(
        &t.url,
        &cfg,
        &["schedule", "preview", "--weeks", "8", "--format", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Config validation names the key of a numeric day-of-week.
    let bad = dir.path().join("docket.toml");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("open = \"0 0 9 * * Mon\"", "open = \"0 0 9 * * 1\"");
    std::fs::write(&bad, text).unwrap();
    let o = docket(&t.url, &bad, &["schedule", "preview"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("schedules.open"), "{}", stderr(&o));
}
dual_test!(cycle_open_show_report);
