//! Importing project files on both backends: Chinese headers and BOM, GB18030, XLSX,
//! idempotent upserts, change records, and all-or-nothing rejection of bad rows.

use std::path::{Path, PathBuf};

use docket_domain::config::CoreConfig;
use docket_library::{
    ImportError, ImportOptions, import_indicators, import_progress, import_projects,
};
use docket_testkit::{TestDb, dual_test};
use sea_orm::{EntityTrait, PaginatorTrait};

const CONFIG: &str = r#"
[office]
email = "office@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
"#;

fn config() -> CoreConfig {
    docket_testkit::core_config(CONFIG)
}

fn opts() -> ImportOptions {
    ImportOptions {
        dry_run: false,
        actor: "office".into(),
        now_ms: 1_700_000_000_000,
    }
}

const ZH_HEADER: &str = "项目编号,项目名称,项目级别,建设阶段,项目类别,计划年度,总投资（万元）,年度计划投资（万元）,建设单位,所属区县,责任领导,联系人邮箱,专项债";

/// 40 rows with Chinese headers and labels.
fn zh_rows(n: usize) -> String {
    let mut s = String::from(ZH_HEADER);
    s.push('\n');
    for i in 1..=n {
        let cat = ["产业", "城建", "社会民生", "文旅"][i % 4];
        s.push_str(&format!(
            "SJ{i:03},项目{i},市重点,续建,{cat},2024,{total},{plan}.5,建设单位{i},东城区,陈志远,p{i}@example.com,否\n",
            total = 10_000 + i,
            plan = 1_000 + i
        ));
    }
    s
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn count_projects(t: &TestDb) -> u64 {
    docket_store::entity::projects::Entity::find()
        .count(&t.db.conn)
        .await
        .unwrap()
}

async fn forty_rows_with_bom_import_twice(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(zh_rows(40).as_bytes());
    let path = write(dir.path(), "library.csv", &bytes);
    let first = import_projects(&t.db, &path, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(first.projects.unwrap().created, 40);
    let second = import_projects(&t.db, &path, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    let s = second.projects.unwrap();
    assert_eq!(
        (s.created, s.updated, s.unchanged, s.changes),
        (0, 0, 40, 0)
    );
    assert_eq!(count_projects(t).await, 40);
    let list = docket_store::library::list_projects(&t.db.conn, Some(2024))
        .await
        .unwrap();
    let p1 = list.iter().find(|p| p.code == "SJ001").unwrap();
    assert_eq!(
        p1.annual_plan.yuan(),
        10_015_000,
        "1001.5 万元 stored exactly"
    );
    assert_eq!(
        p1.responsible_official.as_deref(),
        Some("chen"),
        "name resolved to id"
    );
    assert_eq!(p1.category, "urban");
}
dual_test!(forty_rows_with_bom_import_twice);

async fn gb18030_and_xlsx_import_the_same(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let text = zh_rows(40);
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let gb_path = write(dir.path(), "gb.csv", &gb);
    assert!(
        std::str::from_utf8(&gb).is_err(),
        "really GB18030, not UTF-8"
    );
    import_projects(&t.db, &gb_path, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    let from_gb = docket_store::library::list_projects(&t.db.conn, None)
        .await
        .unwrap();

    // The same rows as an XLSX workbook, numbers as numbers.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && (5..=7).contains(&c) => {
                    ws.write_number(r as u32, c as u16, n).map(|_| ())
                }
                _ => ws.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    let xlsx_path = dir.path().join("library.xlsx");
    wb.save(&xlsx_path).unwrap();
    let again = import_projects(&t.db, &xlsx_path, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        again.projects.unwrap().unchanged,
        40,
        "the XLSX holds the same values"
    );
    let from_xlsx = docket_store::library::list_projects(&t.db.conn, None)
        .await
        .unwrap();
    assert_eq!(format!("{from_gb:?}"), format!("{from_xlsx:?}"));
}
dual_test!(gb18030_and_xlsx_import_the_same);

async fn bad_rows_are_all_reported_and_nothing_written(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = zh_rows(5);
    // Row 7: an unknown official; row 8: a negative plan and a bad stage.
    text.push_str("SJ900,坏项目,市重点,续建,产业,2024,100,10,单位,东城区,无名氏,,否\n");
    text.push_str("SJ901,坏项目2,市重点,在建,产业,2024,100,-10,单位,东城区,,,否\n");
    let path = write(dir.path(), "bad.csv", text.as_bytes());
    let err = import_projects(&t.db, &path, &config(), &opts(), |_, _| {})
        .await
        .unwrap_err();
    let ImportError::BadRows(rows) = err else {
        panic!("expected bad rows")
    };
    let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
    let file = path.display().to_string();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with(&format!("{file}:7: 责任领导: 无名氏: ")),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!("{file}:8: 建设阶段: 在建: not a known stage")),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!(
            "{file}:8: 年度计划投资（万元）: -10: must not be negative"
        )),
        "{}",
        lines[2]
    );
    assert_eq!(count_projects(t).await, 0, "nothing written");
}
dual_test!(bad_rows_are_all_reported_and_nothing_written);

async fn changes_are_recorded_and_years_kept_apart(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let v1 = write(dir.path(), "v1.csv", zh_rows(3).as_bytes());
    import_projects(&t.db, &v1, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    // Next year's library moves SJ001 to completed with a new plan; 2024 stays as it was.
    let next = zh_rows(3).replace(
        "SJ001,项目1,市重点,续建,城建,2024,10001,1001.5",
        "SJ001,项目1,市重点,竣工,城建,2025,10001,0",
    );
    let v2 = write(dir.path(), "v2.csv", next.as_bytes());
    let r = import_projects(&t.db, &v2, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    let s = r.projects.unwrap();
    // SJ001 moved stage (one change on the project row) and gained a 2025 plan.
    assert_eq!((s.updated, s.unchanged, s.changes), (1, 2, 1), "{s:?}");
    let y2024 = docket_store::library::list_projects(&t.db.conn, Some(2024))
        .await
        .unwrap();
    let p = y2024.iter().find(|p| p.code == "SJ001").unwrap();
    assert_eq!(
        (p.stage.as_str(), p.annual_plan.yuan()),
        ("continuing", 10_015_000)
    );
    let changes = docket_store::entity::project_changes::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    let stage = changes
        .iter()
        .find(|c| c.field == "stage")
        .expect("stage change recorded");
    assert_eq!(
        (stage.old_value.as_deref(), stage.new_value.as_deref()),
        (Some("continuing"), Some("completed"))
    );
    assert_eq!(stage.source_file, "v2.csv");
}
dual_test!(changes_are_recorded_and_years_kept_apart);

async fn progress_and_indicators_validate_rows(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let lib = write(dir.path(), "lib.csv", zh_rows(2).as_bytes());
    import_projects(&t.db, &lib, &config(), &opts(), |_, _| {})
        .await
        .unwrap();
    let good = write(
        dir.path(),
        "p.csv",
        "code,month,ytd_completed_wan\nSJ001,2024-09,500\nSJ002,2024-09,600.25\n".as_bytes(),
    );
    assert_eq!(
        import_progress(&t.db, &good, &opts()).await.unwrap().rows,
        2
    );
    let bad = write(
        dir.path(),
        "p2.csv",
        "项目编号,月份,累计完成投资（万元）\nSJ001,2024-13,5\nNOPE,2024-09,5\n".as_bytes(),
    );
    let ImportError::BadRows(rows) = import_progress(&t.db, &bad, &opts()).await.unwrap_err()
    else {
        panic!()
    };
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].row, rows[0].column.as_str()), (2, "月份"));
    assert_eq!((rows[1].row, rows[1].column.as_str()), (3, "项目编号"));
    let ind = write(
        dir.path(),
        "i.csv",
        "month,indicator,ytd_wan\n2024-09,fixed_asset_investment,3200000\n2024-09,steel,1\n"
            .as_bytes(),
    );
    let ImportError::BadRows(rows) = import_indicators(&t.db, &ind, &opts()).await.unwrap_err()
    else {
        panic!()
    };
    assert_eq!((rows.len(), rows[0].row), (1, 3));
    let n = docket_store::entity::indicators::Entity::find()
        .count(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing written");
}
dual_test!(progress_and_indicators_validate_rows);
