//! Weekly-report batch files through the library's one reader: Chinese headers in GB18030,
//! a default week, and every bad cell reported as `FILE:ROW: COLUMN: VALUE: reason`.

use docket_domain::Amount;
use docket_domain::config::TextLimits;
use docket_domain::period::IsoWeek;
use docket_library::ImportError;
use docket_library::reports::read_batch;

// A GB18030 CSV with Chinese headers (and the `节点` alias) reads into reports; an empty week
// takes the default.
#[test]
fn gb18030_chinese_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("周报.csv");
    let text = "项目编号,周次,本周完成投资(万元),累计完成投资（万元）,形象进度,节点,本期无变化\n\
                P1,2024-W37,12.5,100,主体施工,封顶,否\n\
                P2,,,,,,是\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(&path, &bytes).unwrap();
    let w = IsoWeek::parse("2024-W38").unwrap();
    let r = read_batch(&path, Some(w), &TextLimits::default()).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].week, IsoWeek::parse("2024-W37").unwrap());
    assert_eq!(r[0].week_amount, Some(Amount::parse_wan("12.5").unwrap()));
    assert_eq!(r[0].milestones, "封顶");
    assert!(!r[0].no_change);
    assert_eq!(
        (r[1].week, r[1].no_change, r[1].week_amount),
        (w, true, None)
    );
}

// Every bad cell is listed with its file, spreadsheet row, header as written and value.
#[test]
fn every_bad_cell_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    std::fs::write(
        &path,
        "code,week,week_amount_wan,no_change\nP1,2024-W99,x,maybe\n,2024-W37,1,no\nP3,,1,no\n",
    )
    .unwrap();
    let Err(ImportError::BadRows(rows)) = read_batch(&path, None, &TextLimits::default()) else {
        panic!("expected bad rows");
    };
    let lines: Vec<String> = rows.iter().map(ToString::to_string).collect();
    let file = path.display().to_string();
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert!(lines[0].starts_with(&format!("{file}:2: week: 2024-W99: ")));
    assert!(lines[1].starts_with(&format!("{file}:2: week_amount_wan: x: ")));
    assert!(lines[2].starts_with(&format!("{file}:2: no_change: maybe: ")));
    assert_eq!(lines[3], format!("{file}:3: code: : required"));
    assert_eq!(
        lines[4],
        format!("{file}:4: week: : required (or give --week)")
    );
}
