//! Input limits and normalisation on import, on both backends: decimal commas refused,
//! thousands separators in proper groups accepted, amounts bounded, Excel's float artefacts
//! rounded (and real extra decimals refused by file, row and column), text lengths limited
//! (configurably), line breaks and control characters removed from single-line fields.

use std::path::{Path, PathBuf};

use docket_domain::Amount;
use docket_domain::config::{CoreConfig, TextLimits};
use docket_domain::period::IsoWeek;
use docket_library::reports::read_batch;
use docket_library::{ImportError, ImportOptions, import_projects};
use docket_testkit::{TestDb, dual_test};

const CONFIG: &str = r#"
[office]
email = "office@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
"#;

const HEADER: &str =
    "code,name,level,stage,category,plan_year,total_investment_wan,annual_plan_wan,owner_unit\n";

fn config(extra: &str) -> CoreConfig {
    toml::from_str(&format!("{CONFIG}{extra}")).unwrap()
}

fn opts() -> ImportOptions {
    ImportOptions {
        dry_run: false,
        actor: "office".into(),
        now_ms: 1_700_000_000_000,
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn bad_lines(t: &TestDb, path: &Path, cfg: &CoreConfig) -> Vec<String> {
    match import_projects(&t.db, path, cfg, &opts(), |_, _| {}).await {
        Err(ImportError::BadRows(rows)) => rows.iter().map(ToString::to_string).collect(),
        other => panic!("expected bad rows, got {other:?}"),
    }
}

// Every kind of bad amount and text is reported with its row and column; nothing is written.
async fn bad_amounts_and_texts_are_refused(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let long = "长".repeat(201);
    let huge = "名".repeat(5_000_000); // 15 MB of name
    let text = format!(
        "{HEADER}\
         P1,项目一,municipal,new,industry,2024,\"1,5\",10,单位\n\
         P2,项目二,municipal,new,industry,2024,100,922337203685477,单位\n\
         P3,{long},municipal,new,industry,2024,100,10,单位\n\
         P4,{huge},municipal,new,industry,2024,100,10,单位\n"
    );
    let path = write(dir.path(), "bad.csv", text.as_bytes());
    let lines = bad_lines(t, &path, &config("")).await;
    let file = path.display().to_string();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines[0].starts_with(&format!(
            "{file}:2: total_investment_wan: 1,5: a comma is not a decimal point"
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!(
            "{file}:3: annual_plan_wan: 922337203685477: larger than 10000000000 万元"
        )),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("{file}:4: name: "))
            && lines[2].ends_with("201 characters, at most 200 allowed"),
        "{}",
        lines[2]
    );
    // The 15 MB value is cut in the message, which says how long it was.
    assert!(lines[3].len() < 500, "{} bytes", lines[3].len());
    assert!(
        lines[3].ends_with("…(5000000 characters): 5000000 characters, at most 200 allowed"),
        "{}",
        &lines[3]
    );
    assert_eq!(
        docket_store::library::list_projects(&t.db.conn, None)
            .await
            .unwrap()
            .len(),
        0
    );
}
dual_test!(bad_amounts_and_texts_are_refused);

// Thousands separators in proper groups are read; a CRLF or control character in a name or
// unit becomes one blank; a configured limit applies.
async fn separators_and_line_breaks_are_normalised(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}P1,\"城东\r\n快速路\u{1b}工程\",municipal,new,industry,2024,\"1,234.5\",\"12,345,678\",\"建设\n单位\"\n"
    );
    let path = write(dir.path(), "ok.csv", text.as_bytes());
    import_projects(&t.db, &path, &config(""), &opts(), |_, _| {})
        .await
        .unwrap();
    let list = docket_store::library::list_projects(&t.db.conn, None)
        .await
        .unwrap();
    assert_eq!(list[0].name, "城东 快速路 工程");
    assert_eq!(list[0].annual_plan, Amount::parse_wan("12345678").unwrap());
    assert_eq!(list[0].total_investment_wan, 1234.5);

    let strict = config("[limits]\nname_max_chars = 5\n");
    let lines = bad_lines(t, &path, &strict).await;
    assert_eq!(
        lines,
        [format!(
            "{}:2: name: 城东 快速路 工程: 9 characters, at most 5 allowed",
            path.display()
        )]
    );
}
dual_test!(separators_and_line_breaks_are_normalised);

fn xlsx(dir: &Path, plans: &[f64]) -> PathBuf {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.trim().split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (i, plan) in plans.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, v) in [
            format!("P{r}"),
            format!("项目{r}"),
            "municipal".into(),
            "new".into(),
            "industry".into(),
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, c as u16, v).unwrap();
        }
        ws.write_number(r, 5, 2024.0).unwrap();
        ws.write_number(r, 6, *plan).unwrap();
        ws.write_number(r, 7, *plan).unwrap();
        ws.write_string(r, 8, "单位").unwrap();
    }
    let path = dir.join("plans.xlsx");
    wb.save(&path).unwrap();
    path
}

// Excel's 57597.700000000004 is 57597.7; a real fifth decimal is refused by row and column.
async fn xlsx_float_artefacts_are_rounded(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(dir.path(), &[57597.700000000004, 0.1 + 0.2]);
    import_projects(&t.db, &path, &config(""), &opts(), |_, _| {})
        .await
        .unwrap();
    let list = docket_store::library::list_projects(&t.db.conn, None)
        .await
        .unwrap();
    assert_eq!(list[0].annual_plan, Amount::parse_wan("57597.7").unwrap());
    assert_eq!(list[1].annual_plan, Amount::parse_wan("0.3").unwrap());

    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(dir.path(), &[57597.70001]);
    let lines = bad_lines(t, &path, &config("")).await;
    let file = path.display().to_string();
    assert_eq!(
        lines,
        [
            format!("{file}:2: total_investment_wan: 57597.70001: more than 4 decimal places"),
            format!("{file}:2: annual_plan_wan: 57597.70001: more than 4 decimal places"),
        ]
    );
}
dual_test!(xlsx_float_artefacts_are_rounded);

// A report batch: free text keeps its lines (CRLF becomes LF), single-line cells lose theirs,
// text over the limit is a bad cell.
#[test]
fn report_batches_are_normalised_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let long = "问".repeat(2001);
    let text = format!(
        "code,week,progress,problems,contact\n\
         P1,2024-W37,\"主体\r\n施工\",\"用地：指标\r\n资金\",\"张三\r\n13800000000\"\n\
         P2,2024-W37,ok,{long},李四\n"
    );
    let path = write(dir.path(), "r.csv", text.as_bytes());
    let Err(ImportError::BadRows(rows)) = read_batch(&path, None, &TextLimits::default()) else {
        panic!("expected bad rows");
    };
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].row, rows[0].column.as_str()), (3, "problems"));
    assert_eq!(rows[0].reason, "2001 characters, at most 2000 allowed");

    let ok = "code,week,progress,problems,contact\n\
              P1,2024-W37,\"主体\r\n施工\",\"用地：指标\r\n资金\",\"张三\r\n13800000000\"\n";
    let path = write(dir.path(), "ok.csv", ok.as_bytes());
    let r = read_batch(&path, None, &TextLimits::default()).unwrap();
    assert_eq!(r[0].week, IsoWeek::parse("2024-W37").unwrap());
    assert_eq!(r[0].progress, "主体\n施工");
    assert_eq!(r[0].problems, "用地：指标\n资金");
    assert_eq!(r[0].contact, "张三 13800000000");
}
