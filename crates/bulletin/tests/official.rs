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
use docket_testkit::{TestDb, dual_test};

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

/// The text of a DOCX: `word/document.xml` with the tags removed.
fn docx_text(bytes: &[u8]) -> (String, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    (xml, text)
}

// The DOCX: A4, red masthead, 期号, 印发日期, sections, figures, repeated unsplit table
// headers, 报/发 lines, page-number fields in odd and even footers.
async fn docx_is_an_official_document(t: &TestDb) {
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
    let bytes = Format::Docx.render(&b).unwrap();
    let (xml, text) = docx_text(&bytes);
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
