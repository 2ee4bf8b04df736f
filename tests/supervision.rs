//! Supervision through the command line: `import projects --dry-run` prints the field-level
//! diff (text and JSON) and writes nothing; `project show` gives plans, progress,
//! milestones, issues, reports and the field-change history; `export supervision --format
//! xlsx --out` writes the workbook (read back); `schedule pause|resume` are the office's and
//! show in the preview and the history; `GET /api/exports/supervision` over the real service.

use calamine::{Reader, Xlsx, open_workbook};
use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, import_sample, root, sample_config, stderr, stdout};
use crate::server::{Server, token};

async fn dry_run_diff_and_project_history(t: &TestDb) {
    let cfg = sample_config();
    let run = |args: &[&str]| docket(&t.url, &cfg, args);
    import_sample(&t.url, &["projects", "progress", "milestones"]);
    let dir = tempfile::tempdir().unwrap();
    let lib = std::fs::read_to_string(root().join("config/sample/projects.csv")).unwrap();
    let mut lines: Vec<String> = lib.lines().map(String::from).collect();
    lines[1] = lines[1].replacen("生物医药孵化器（001）", "生物医药孵化器二期（001）", 1);
    lines[1] = lines[1].replacen(",57597.7,", ",60000,", 1);
    let new = lines[2].replacen("SZ2024002", "NEW2024999", 1);
    lines.push(new);
    let file = dir.path().join("projects.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let f = file.to_str().unwrap();

    // The field-level diff as the office reads it, under the file's Chinese headers.
    let o = run(&["--lang", "zh", "import", "projects", "--dry-run", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("新增 NEW2024999"), "{out}");
    assert!(out.contains("变更 SZ2024001"), "{out}");
    assert!(
        out.contains("项目名称：生物医药孵化器（001） → 生物医药孵化器二期（001）"),
        "{out}"
    );
    assert!(
        out.contains("2024年度年度计划投资（万元）：57597.7 → 60000"),
        "{out}"
    );
    assert!(
        !out.contains("SZ2024002"),
        "unchanged projects are not listed: {out}"
    );
    assert!(out.contains("新增 1，更新 1"), "{out}");

    let o = run(&["import", "projects", "--dry-run", "--format", "json", f]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let diff = v["projects"]["diff"].as_array().unwrap();
    assert_eq!(diff.len(), 2, "{v}");
    let changed = diff.iter().find(|d| d["code"] == "SZ2024001").unwrap();
    assert_eq!(changed["created"], false);
    assert!(
        changed["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "name" && c["new"] == "生物医药孵化器二期（001）")
    );

    // Nothing was written; the real import records the changes in the project's history.
    let o = run(&["project", "show", "SZ2024001", "--format", "json"]);
    let before: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(before["name"], "生物医药孵化器（001）");
    assert!(before["history"]["changes"].as_array().unwrap().is_empty());
    let o = run(&["import", "projects", f]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stdout(&o).contains("变更"),
        "no diff listing on a real import"
    );
    let o = run(&["cycle", "open", "--week", "2024-W38"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "report",
        "submit",
        "--project",
        "SZ2024001",
        "--week",
        "2024-W38",
        "--progress",
        "主体施工",
        "--problems",
        "用地：指标未落实",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["project", "show", "SZ2024001", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let h = &v["history"];
    assert_eq!(v["name"], "生物医药孵化器二期（001）");
    assert!(!h["plans"].as_array().unwrap().is_empty());
    assert!(!h["progress"].as_array().unwrap().is_empty(), "{v}");
    assert!(!h["milestones"].as_array().unwrap().is_empty(), "{v}");
    assert!(
        h["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["week"] == "2024-W38")
    );
    assert_eq!(
        v["issues"].as_array().unwrap().len(),
        1,
        "the report's problem"
    );
    let changes = h["changes"].as_array().unwrap();
    let name = changes.iter().find(|c| c["field"] == "name").unwrap();
    assert_eq!(
        (
            name["old"].as_str(),
            name["new"].as_str(),
            name["file"].as_str()
        ),
        (
            Some("生物医药孵化器（001）"),
            Some("生物医药孵化器二期（001）"),
            Some("projects.csv")
        )
    );
    assert!(name["at"].as_i64().unwrap() > 0);
    let o = run(&["--lang", "zh", "project", "show", "SZ2024001"]);
    assert!(stdout(&o).contains("项目名称：生物医药孵化器（001） → 生物医药孵化器二期（001）"));
    let o = run(&["project", "show", "NOPE"]);
    assert!(!o.status.success(), "{}", stdout(&o));
}
dual_test!(dry_run_diff_and_project_history);

async fn export_and_pause_from_the_command_line(t: &TestDb) {
    let cfg = sample_config();
    let run = |args: &[&str]| docket(&t.url, &cfg, args);
    import_sample(&t.url, &["projects"]);
    let o = run(&["cycle", "open", "--week", "2024-W38"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("考核.xlsx");
    let args = [
        "export",
        "supervision",
        "--from",
        "2024-09",
        "--to",
        "2024-09",
        "--format",
        "xlsx",
        "--out",
    ];
    let o = run(&[&args[..], &[out.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(wb.sheet_names()[0], "报送情况");
    let range = wb.worksheet_range("报送情况").unwrap();
    assert!(
        range.rows().any(|r| r[0] == "高新区管委会"),
        "units by name"
    );
    let o = run(&[
        "--as",
        "sun_li",
        "export",
        "supervision",
        "--from",
        "2024-09",
        "--to",
        "2024-09",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = run(&[
        "export",
        "supervision",
        "--from",
        "2024-13",
        "--to",
        "2024-09",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    let o = run(&["--as", "sun_li", "schedule", "pause", "remind"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = run(&["schedule", "pause", "nightly"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(&[
        "--as",
        "chen_zhiyuan",
        "schedule",
        "pause",
        "remind",
        "--reason",
        "节前停催",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["schedule", "preview", "--weeks", "2"]);
    let text = stdout(&o);
    let remind = text.lines().find(|l| l.contains(" remind ")).unwrap_or("");
    assert!(
        remind.contains("已暂停") && remind.contains("节前停催"),
        "{text}"
    );
    let close = text.lines().find(|l| l.contains(" close ")).unwrap_or("");
    assert!(!close.contains("已暂停"), "{text}");
    assert!(close.contains("示例市重点项目协调办"), "{text}");
    assert!(
        close.contains("张建国（市长）"),
        "names with titles: {text}"
    );
    let o = run(&["schedule", "resume", "remind"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["schedule", "resume", "remind"]);
    assert!(!o.status.success(), "not paused any more");
    let o = run(&["schedule", "history", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let events: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["event"].as_str())
        .collect();
    assert_eq!(events, ["pause", "resume"]);
    assert!(stdout(&o).contains("陈志远"));
}
dual_test!(export_and_pause_from_the_command_line);

// `GET /api/exports/supervision` over the real `docket run`: listed in the OpenAPI
// document, 403 for anyone but the office, the JSON record and the workbook for the office,
// 400 for bad months.
async fn export_over_the_api(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let o = docket(
        &t.url,
        &sample_config(),
        &["cycle", "open", "--week", "2024-W38"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let office = token(&t.url, "chen_zhiyuan");
    let member = token(&t.url, "sun_li");
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&t.url, dir.path(), None).await;
    let h = &s.http;
    let doc: serde_json::Value = h
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["paths"]["/api/exports/supervision"]["get"].is_object(),
        "{doc}"
    );
    let get = |who: &str, q: &str| {
        h.get(s.url(&format!("/api/exports/supervision?{q}")))
            .bearer_auth(who.to_string())
            .send()
    };
    let r = get(&member, "from=2024-09&to=2024-09").await.unwrap();
    assert_eq!(r.status(), 403);
    let r = get(&office, "from=2024-09&to=2024-08").await.unwrap();
    assert_eq!(r.status(), 400);
    let r = get(&office, "from=2024-09&to=2024-09").await.unwrap();
    assert_eq!(r.status(), 200, "{}", s.log());
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        v["cutoff"], "2024-09-30",
        "a past window ends on its last day"
    );
    let due: u64 = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reports"]["due"].as_u64().unwrap())
        .sum();
    assert!(due > 0, "W38's slots are counted: {v}");
    let r = get(&office, "from=2024-09&to=2024-09&format=xlsx")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = r.bytes().await.unwrap();
    let wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(wb.sheet_names().len(), 6);
    assert!(s.stop(), "{}", s.log());
}
dual_test!(export_over_the_api);
