//! The bulletin as an official document (公文): the DOCX opened as a zip and read as XML, the
//! PDF read back as text, pages and page size; both carry the masthead, issue number, date
//! of issue, section titles, the seed's figures and the imprint. A missing CJK font is an
//! error naming its config key.

mod common;

use std::io::{Cursor, Read};

use chrono::NaiveDate;
use docket_bulletin::config::{BulletinConfig, DocumentConfig};
use docket_bulletin::{BulletinError, Format, build};
use docket_domain::calendar::WorkCalendar;
use docket_domain::period::Month;
use docket_testkit::{DocxBody, TestDb, docx_body, dual_test};

const SECTIONS: [&str; 5] = [
    "一、总体情况",
    "二、分类别、分区县完成情况",
    "三、滞后项目",
    "四、开工和前期工作",
    "五、问题办理",
];

fn config() -> BulletinConfig {
    BulletinConfig {
        document: DocumentConfig {
            masthead: Some("示例市重点项目建设通报".into()),
            compiled_by: Some("示例市重点项目协调办公室".into()),
            report_to: vec!["市委、市政府主要领导".into()],
            copy_to: vec![],
            distribute_to: vec!["各工作专班".into(), "各建设单位".into()],
        },
        ..BulletinConfig::default()
    }
}

/// The seed's September bulletin, issued on 8 October.
async fn september(t: &TestDb) -> docket_bulletin::Bulletin {
    common::seed(t, false).await;
    let month = Month::parse("2024-09").unwrap();
    let mut b = build(
        &t.db.conn,
        &common::core(),
        &config(),
        &WorkCalendar::default(),
        month,
    )
    .await
    .unwrap();
    b.meta.issued = NaiveDate::from_ymd_opt(2024, 10, 8).unwrap();
    b
}

// The DOCX: A4, red masthead, 期号, 印发日期, sections, figures, repeated unsplit table
// headers, 报/发 lines, page-number fields in odd and even footers.
async fn docx_is_an_official_document(t: &TestDb) {
    let b = september(t).await;
    let bytes = Format::Docx.render(&b).unwrap();
    let DocxBody { xml, text } = docx_body(&bytes);
    for s in [
        "示例市重点项目建设通报",
        "第8期",
        "示例市重点项目协调办公室",
        "2024年10月8日",
        "2024年1-9月全市重点项目建设进展情况",
        "92.0%",
        "78.8%",
        "+7.0",
        "项目P4",
        "报：市委、市政府主要领导",
        "发：各工作专班、各建设单位",
        "2024年10月8日印发",
    ] {
        assert!(text.contains(s), "DOCX lacks {s:?}");
    }
    for s in SECTIONS {
        assert!(text.contains(s), "DOCX lacks section {s:?}");
    }
    assert!(
        xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#),
        "A4"
    );
    assert!(xml.contains(r#"w:color w:val="C00000""#), "red masthead");
    let tables = xml.matches("<w:tbl>").count();
    assert!(tables >= 5, "{tables} tables");
    assert_eq!(
        xml.matches("<w:tblHeader />").count(),
        tables,
        "one header row each"
    );
    assert_eq!(
        xml.matches("<w:cantSplit />").count(),
        xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(),
        "no row splits"
    );
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let footers: Vec<String> = (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).ok()?;
            if !f.name().ok()?.starts_with("word/footer") {
                return None;
            }
            let mut s = String::new();
            f.read_to_string(&mut s).ok()?;
            Some(s)
        })
        .collect();
    assert_eq!(footers.len(), 2, "odd and even footers");
    for f in &footers {
        assert!(f.contains("PAGE") && f.contains("— "), "page number — N —");
    }
}
dual_test!(docx_is_an_official_document);

// The PDF: A4 pages, text with the same marks and figures, "— 1 —"; and without a CJK font,
// an error naming bulletin.fonts.title.
async fn pdf_is_an_official_document(t: &TestDb) {
    let mut b = september(t).await;
    let bytes = Format::Pdf.render(&b).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let doc = pdf_extract::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    assert!(!pages.is_empty());
    for (n, id) in pages {
        let page = doc.get_dictionary(id).unwrap();
        let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let v: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap()).collect();
        assert!(
            (v[2] - v[0] - 595.28).abs() < 0.5 && (v[3] - v[1] - 841.89).abs() < 0.5,
            "page {n} is not A4: {v:?}"
        );
    }
    let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
    // Extraction may break lines or put spaces between glyphs: compare without them.
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for s in [
        "示例市重点项目建设通报",
        "第8期",
        "2024年10月8日",
        "92.0%",
        "78.8%",
        "+7.0",
        "报：市委、市政府主要领导",
        "2024年10月8日印发",
        "—1—",
    ] {
        assert!(flat.contains(s), "PDF lacks {s:?} in {text}");
    }
    for s in SECTIONS {
        assert!(flat.contains(s), "PDF lacks section {s:?}");
    }

    b.meta.fonts.title = vec!["没有这种字体".into()];
    b.meta.fonts.fallback_serif = "No Such Serif".into();
    match Format::Pdf.render(&b) {
        Err(e @ BulletinError::NoFont { .. }) => {
            assert!(e.is_bad_input());
            let msg = e.to_string();
            assert!(msg.starts_with("bulletin.fonts.title:"), "{msg}");
            assert!(
                msg.contains("没有这种字体") && msg.contains("No Such Serif"),
                "{msg}"
            );
        }
        other => panic!("expected NoFont, got {:?}", other.map(|b| b.len())),
    }
}
dual_test!(pdf_is_an_official_document);

// Rows known to fit on one line are set at that line's height without being measured; the
// document must come out the same as when every row is measured: a lagging list over
// several pages (header repeated) whose names run from short to wrapping, with wide Latin
// letters, full-width letters, figures beside Chinese and a character outside the bounded
// ranges; the seed's other tables (dates such as "2024年6月15日") beside it.
async fn pdf_rows_of_one_line_match_measured_rows(t: &TestDb) {
    use docket_bulletin::render::pdf::{RowHeights, render_with};
    let mut b = september(t).await;
    let first = b
        .lagging
        .first()
        .expect("the seed has lagging projects")
        .clone();
    b.lagging = (0..150)
        .map(|i| {
            let mut l = first.clone();
            l.code = format!("L{i:04}");
            l.name = match i % 6 {
                0 => format!("示例市第{i}号城市更新暨产业园区基础设施配套建设工程（一期）"),
                1 => format!("项目{i}·Ⅱ期"),
                2 => format!("{}{}", "项".repeat(i % 13), "W".repeat(i % 7)),
                3 => format!("Ａ区{i}期WM%"),
                4 => format!("{}年{}月开工", 2000 + i, i % 12 + 1),
                _ => format!("项目{i}"),
            };
            l.owner_unit = "建设单位".repeat(1 + i % 4);
            l.not_reported = i % 7 == 0;
            l
        })
        .collect();
    let known = render_with(&b, RowHeights::OneLineKnown).unwrap();
    let measured = render_with(&b, RowHeights::Measured).unwrap();
    let pages = |bytes: &[u8]| {
        pdf_extract::Document::load_mem(bytes)
            .unwrap()
            .get_pages()
            .len()
    };
    assert!(pages(&known) >= 5, "the list spans pages");
    if known != measured {
        let dir = std::env::temp_dir();
        let (k, m) = (dir.join("one-line-known.pdf"), dir.join("measured.pdf"));
        std::fs::write(&k, &known).unwrap();
        std::fs::write(&m, &measured).unwrap();
        panic!("the PDFs differ: {} and {}", k.display(), m.display());
    }
}
dual_test!(pdf_rows_of_one_line_match_measured_rows);

/// Every worksheet's XML in the workbook, by sheet file name, and `xl/workbook.xml`.
fn xlsx_parts(bytes: &[u8]) -> (Vec<String>, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut sheets = Vec::new();
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.to_string()))
        .collect();
    names.sort_by_key(|n| {
        n.trim_start_matches("xl/worksheets/sheet")
            .trim_end_matches(".xml")
            .parse::<u32>()
            .unwrap_or(u32::MAX)
    });
    for n in names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
    {
        let mut s = String::new();
        zip.by_name(n).unwrap().read_to_string(&mut s).unwrap();
        sheets.push(s);
    }
    let mut wb = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut wb)
        .unwrap();
    (sheets, wb)
}

// The XLSX prints like the HTML: every section a sheet, A4 landscape one page wide, frozen
// and repeated header rows, page numbers, per-column widths, 是/否, signed growth, 宋体.
async fn xlsx_is_print_ready(t: &TestDb) {
    use calamine::{Data, Reader, Xlsx};
    let b = september(t).await;
    let bytes = Format::Xlsx.render(&b).unwrap();
    let (sheets, workbook) = xlsx_parts(&bytes);
    assert_eq!(sheets.len(), 10);
    for (i, xml) in sheets.iter().enumerate() {
        assert!(
            xml.contains(r#"paperSize="9""#) && xml.contains(r#"orientation="landscape""#),
            "sheet {i}: A4 landscape"
        );
        assert!(
            xml.contains(r#"fitToHeight="0""#),
            "sheet {i}: one page wide"
        );
        assert!(
            xml.contains(r#"state="frozen""#),
            "sheet {i}: frozen header"
        );
        assert!(xml.contains("— &amp;P —"), "sheet {i}: page number");
        // Columns get their own widths, not one width for all.
        let widths: std::collections::BTreeSet<&str> = xml
            .split(r#"width=""#)
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        assert!(widths.len() >= 2, "sheet {i}: one width for all columns");
    }
    assert_eq!(
        workbook.matches("_xlnm.Print_Titles").count(),
        10,
        "print titles on every sheet"
    );
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    let lag = wb.worksheet_range("滞后项目").unwrap();
    let flags: Vec<&Data> = (1..lag.height() as u32)
        .filter_map(|r| lag.get_value((r, 7)))
        .collect();
    assert!(!flags.is_empty());
    assert!(
        flags
            .iter()
            .all(|d| matches!(d, Data::String(s) if s == "是" || s == "否")),
        "{flags:?}"
    );
    let missing = wb.worksheet_range("未报项目").unwrap();
    assert_eq!(missing.get_value((1, 1)), Some(&Data::String("P7".into())));
    assert_eq!(
        missing.get_value((1, 2)),
        Some(&Data::String("项目P7".into()))
    );
    let starts = wb.worksheet_range("开工和前期").unwrap();
    assert!(matches!(starts.get_value((0, 0)), Some(Data::String(s)) if s.contains("开工率")));
    let legend = wb.worksheet_range("图例说明").unwrap();
    assert!(
        matches!(legend.get_value((1, 1)), Some(Data::String(s)) if s.contains("30个百分点以上"))
    );
    // Growth is signed and the font is the office's.
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
    let mut styles = String::new();
    zip.by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("+0.0%;-0.0%;0.0%"), "signed growth format");
    assert!(styles.contains(r#"val="宋体""#), "宋体");
}
dual_test!(xlsx_is_print_ready);

// The HTML prints on A4 with repeated table headers and unsplit rows, and explains every
// colour it uses.
async fn html_is_print_ready(t: &TestDb) {
    let b = september(t).await;
    let html = String::from_utf8(Format::Html.render(&b).unwrap()).unwrap();
    assert!(html.contains("@page{size:A4"));
    assert!(html.contains("thead{display:table-header-group}"));
    assert!(html.contains("break-inside:avoid"));
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<thead>").count(),
        "every table has a thead"
    );
    assert!(html.contains("图例说明"));
    for colour in ["#c62828", "#f9a825", "#2e7d32"] {
        assert!(
            html.contains(&format!("background:{colour};margin-right")),
            "legend swatch {colour}"
        );
    }
    assert!(html.contains("完成率慢于序时进度30个百分点以上"));
}
dual_test!(html_is_print_ready);
