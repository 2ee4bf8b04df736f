//! The 周调度单 as a finished document: dated title, Chinese labels, grouped right-aligned
//! figures, 累计 from monthly progress, issues by task force, 迟报/未报 marked, XLSX dates.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, import_sample, raise_args, sample_config, stderr};

async fn dispatch_sheet_is_a_finished_document(t: &TestDb) {
    let cfg = sample_config();
    import_sample(&t.url, &["projects", "progress"]);
    let run = |args: &[&str]| docket(&t.url, &cfg, args);
    let ok = |args: &[&str]| {
        let o = run(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        o.stdout
    };
    ok(&["cycle", "open", "--week", "2024-W39"]);
    ok(&[
        "report",
        "submit",
        "--project",
        "SZ2024001",
        "--week",
        "2024-W39",
        "--week-amount",
        "1234.5",
        "--ytd",
        "60000",
        "--progress",
        "主体结构施工",
    ]);
    // SZ2024003 reports no 累计: the sheet takes September's monthly figure.
    ok(&[
        "report",
        "submit",
        "--project",
        "SZ2024003",
        "--week",
        "2024-W39",
        "--week-amount",
        "10",
        "--progress",
        "装修",
    ]);
    for (cat, title) in [("energy", "用能指标未批复"), ("land", "用地指标未落实")] {
        ok(&raise_args("SZ2024001", cat, title));
    }

    let text = String::from_utf8(ok(&["cycle", "sheet", "--week", "2024-W39"])).unwrap();
    assert!(
        text.contains("2024年第39周（9月23日—9月29日）重点项目周调度单"),
        "{text}"
    );
    for raw in ["env_energy", "assigned", "[land]", "[energy]", "2024-W39"] {
        assert!(!text.contains(raw), "raw code {raw:?} in\n{text}");
    }
    assert!(
        text.contains("环保能耗专班") && text.contains("用地保障专班"),
        "{text}"
    );
    assert!(text.contains("〔能耗〕已交办"), "{text}");
    assert!(
        text.contains("1,234.5") && text.contains("60,000"),
        "{text}"
    );
    let p3 = text.lines().find(|l| l.contains("SZ2024003")).unwrap();
    assert!(p3.contains("24,522  截至9月"), "{p3}");
    // The week is long past its deadline (the clock is today's): both reports are late.
    assert!(p3.contains("▲迟报"), "{p3}");
    let p2 = text.lines().find(|l| l.contains("SZ2024002")).unwrap();
    assert!(p2.contains("■待报送"), "{p2}");
    // Figures are right-aligned: the 本周 column ends where its header does.
    let header = text.lines().find(|l| l.starts_with("序号")).unwrap();
    let row = text.lines().find(|l| l.contains("1,234.5")).unwrap();
    let end = |l: &str, s: &str| -> usize {
        l[..l.find(s).unwrap() + s.len()]
            .chars()
            .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
            .sum()
    };
    assert_eq!(
        end(row, "1,234.5"),
        end(header, "本周完成"),
        "{header}\n{row}"
    );

    let html = String::from_utf8(ok(&[
        "cycle", "sheet", "--week", "2024-W39", "--format", "html",
    ]))
    .unwrap();
    assert!(html.contains("<tr class=\"missing\">"), "{html}");
    assert!(html.contains("<tr class=\"late\">"), "{html}");
    assert!(html.contains("<td class=\"num\">1,234.5</td>"), "{html}");
    assert!(html.contains("<h3>（一）用地保障专班</h3>"), "{html}");
    assert!(!html.contains("env_energy"), "{html}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sheet.xlsx");
    ok(&[
        "cycle",
        "sheet",
        "--week",
        "2024-W39",
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&out).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let main = wb.worksheet_range("调度单").unwrap();
    let flat: Vec<&Data> = main.rows().flatten().collect();
    assert!(
        flat.iter()
            .any(|c| matches!(c, Data::Float(f) if (*f - 24522.0).abs() < 1e-9)),
        "累计 from progress is a number"
    );
    let issues = wb.worksheet_range("问题").unwrap();
    let dates = issues
        .rows()
        .flatten()
        .filter(|c| matches!(c, Data::DateTime(_)))
        .count();
    assert_eq!(dates, 2, "both issues' time limits are dates");
    let labels: Vec<String> = issues
        .rows()
        .flatten()
        .filter_map(|c| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(labels.iter().any(|s| s == "环保能耗专班"), "{labels:?}");
    assert!(labels.iter().any(|s| s == "已交办"), "{labels:?}");
    assert!(!labels.iter().any(|s| s == "assigned" || s == "env_energy"));
}
dual_test!(dispatch_sheet_is_a_finished_document);

// The sheet's email: dated subject; the office gets everything, a task force's leader only
// the exceptions (未报送, 超期), greeted by title.
async fn sheet_email_gives_leaders_the_exceptions(t: &TestDb) {
    let sink = docket_testkit::SmtpSink::start();
    let url = sink.url();
    let cfg = sample_config();
    import_sample(&t.url, &["projects"]);
    let ok = |args: &[&str]| {
        let o = crate::cli::docket_cmd(&t.url, &cfg)
            .env("DOCKET_SMTP_URL", &url)
            .run(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    ok(&["cycle", "open", "--week", "2024-W39"]);
    ok(&[
        "report",
        "submit",
        "--project",
        "SZ2024001",
        "--week",
        "2024-W39",
        "--week-amount",
        "1",
        "--progress",
        "施工",
    ]);
    ok(&raise_args("SZ2024001", "land", "用地指标未落实"));
    ok(&["cycle", "close", "--week", "2024-W39"]);
    ok(&["mail", "flush"]);
    let mails = sink.wait_for(6, std::time::Duration::from_secs(10));
    let sheet = |to: &str| {
        mails
            .iter()
            .find(|m| m.to.iter().any(|a| a == to) && m.subject.starts_with("【调度单】"))
            .unwrap_or_else(|| panic!("no sheet to {to}: {mails:?}"))
    };
    let office = sheet("zdxmb@example.gov.cn");
    // The whole subject line: the greeting used to run on into it.
    assert_eq!(
        office.subject,
        "【调度单】示例市2024年第39周（9月23日—9月29日）重点项目周调度单"
    );
    let text = office.text.clone().unwrap();
    assert!(
        text.contains("新增问题") && text.contains("未报送项目"),
        "{text}"
    );
    let lead = sheet("zhang.jianguo@example.gov.cn").text.clone().unwrap();
    assert!(lead.starts_with("张建国市长："), "{lead}");
    assert!(lead.contains("未报送项目"), "{lead}");
    assert!(
        !lead.contains("新增问题"),
        "leaders get the exceptions only: {lead}"
    );
}
dual_test!(sheet_email_gives_leaders_the_exceptions);
