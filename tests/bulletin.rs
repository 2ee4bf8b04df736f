//! `docket bulletin`: the sample city's September bulletin through the CLI in every format,
//! the official document (公文) in DOCX and PDF read back, bad input exiting 2, and
//! `bulletin send` queuing once per recipient.

use docket_testkit::{DocxBody, TestDb, docx_body, dual_test};

use crate::cli::{docket, import_sample, sample_config, stderr, stdout};

/// `bulletin build --month 2024-09 --format FORMAT --out DIR/b.FORMAT`: succeeds, prints
/// nothing, and the file's bytes.
fn september_as(t: &TestDb, cfg: &std::path::Path, dir: &std::path::Path, format: &str) -> Vec<u8> {
    let out = dir.join(format!("b.{format}"));
    let args = [
        "bulletin", "build", "--month", "2024-09", "--format", format, "--out",
    ];
    let mut args: Vec<&str> = args.to_vec();
    args.push(out.to_str().expect("UTF-8 path"));
    let o = docket(&t.url, cfg, &args);
    assert!(o.status.success(), "{format}: {}", stderr(&o));
    assert!(stdout(&o).is_empty());
    std::fs::read(&out).expect("the bulletin file")
}

async fn bulletin_build_and_send(t: &TestDb) {
    import_sample(
        &t.url,
        &["projects", "progress", "milestones", "indicators"],
    );
    let cfg = sample_config();
    let o = docket(
        &t.url,
        &cfg,
        &[
            "bulletin", "build", "--month", "2024-09", "--format", "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON alone on stdout");
    assert_eq!(v["month"], "2024-09");
    let prov = &v["investment"]["by_level"]["provincial"];
    assert_eq!(prov["ytd_completed_wan"], 1_300_000.0);
    assert_eq!(
        format!("{:.1}", prov["completion_rate"].as_f64().unwrap() * 100.0),
        "87.6"
    );
    assert_eq!(
        format!(
            "{:.1}",
            prov["by_stage"]["continuing"]["completion_rate"]
                .as_f64()
                .unwrap()
                * 100.0
        ),
        "92.0"
    );
    // The same data and month give the same JSON.
    let again = docket(
        &t.url,
        &cfg,
        &[
            "bulletin", "build", "--month", "2024-09", "--format", "json",
        ],
    );
    assert_eq!(stdout(&again), stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    for format in ["html", "text", "xlsx"] {
        let bytes = september_as(t, &cfg, dir.path(), format);
        if format != "xlsx" {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("92.0%") && text.contains("87.6%"), "{format}");
        } else {
            assert!(bytes.starts_with(b"PK"));
        }
    }

    for (args, what) in [
        (vec!["bulletin", "build", "--month", "2024-13"], "2024-13"),
        (
            vec![
                "bulletin", "build", "--month", "2024-09", "--format", "pptx",
            ],
            "pptx",
        ),
        (vec!["bulletin", "build", "--month", "2024-01"], "1-2月"),
    ] {
        let o = docket(&t.url, &cfg, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }

    let o = docket(&t.url, &cfg, &["bulletin", "send", "--month", "2024-09"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "queued 5 of 5 recipients");
    let o = docket(&t.url, &cfg, &["bulletin", "send", "--month", "2024-09"]);
    assert_eq!(stdout(&o).trim(), "queued 0 of 5 recipients");
    let o = docket(
        &t.url,
        &cfg,
        &["bulletin", "send", "--month", "2024-09", "--resend"],
    );
    assert_eq!(stdout(&o).trim(), "queued 5 of 5 recipients");
}
dual_test!(bulletin_build_and_send);

/// Nothing empty reaches leaders: a month without data exits 2 naming what is missing, for
/// `build` and `send` alike, and queues nothing.
async fn empty_bulletins_are_refused(t: &TestDb) {
    let cfg = sample_config();
    let o = docket(&t.url, &cfg, &["bulletin", "build", "--month", "2024-09"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no projects"), "{}", stderr(&o));
    import_sample(&t.url, &["projects"]);
    let o = docket(&t.url, &cfg, &["bulletin", "send", "--month", "2024-09"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no completed investment"),
        "{}",
        stderr(&o)
    );
    let o = docket(&t.url, &cfg, &["mail", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] != "bulletin"),
        "no bulletin queued"
    );
}
dual_test!(empty_bulletins_are_refused);

/// The sample city's September bulletin as DOCX and PDF through the CLI: A4, 期号, 印发日期
/// (today in the office's zone), every section title, the sample's figures (省重点 87.6%,
/// its continuing projects 92.0%, +17.0 points against the linear 75%), 报/发 lines; the
/// PDF's pages A4. (The crate's own test checks the +7.0 of its seed.)
async fn bulletin_docx_and_pdf(t: &TestDb) {
    import_sample(
        &t.url,
        &[
            "projects",
            "progress",
            "milestones",
            "indicators",
            "applications",
        ],
    );
    let cfg = sample_config();
    let dir = tempfile::tempdir().unwrap();
    let today = || {
        let d = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        use chrono::Datelike;
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    };
    let before = today();
    let mut texts = Vec::new();
    for format in ["docx", "pdf"] {
        let bytes = september_as(t, &cfg, dir.path(), format);
        let text = if format == "docx" {
            let DocxBody { text, xml } = docx_body(&bytes);
            assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4");
            assert!(xml.contains("<w:tblHeader />"), "repeated header rows");
            text
        } else {
            assert!(bytes.starts_with(b"%PDF-"));
            let doc = pdf_extract::Document::load_mem(&bytes).unwrap();
            let pages = doc.get_pages();
            assert!(pages.len() >= 2, "{} pages", pages.len());
            for id in pages.values() {
                let mb: Vec<f32> = doc
                    .get_dictionary(*id)
                    .unwrap()
                    .get(b"MediaBox")
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_float().unwrap())
                    .collect();
                assert_eq!((mb[2].round(), mb[3].round()), (595.0, 842.0), "A4");
            }
            pdf_extract::extract_text_from_mem(&bytes).unwrap()
        };
        texts.push((
            format,
            text.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        ));
    }
    let after = today();
    for (format, text) in texts {
        assert!(
            text.contains(&before) || text.contains(&after),
            "{format}: 印发日期 {before}"
        );
        for s in [
            "示例市重点项目建设月通报",
            "第8期",
            "一、总体情况",
            "二、分类别、分区县完成情况",
            "三、滞后项目",
            "四、开工和前期工作",
            "五、问题办理",
            "六、全市投资指标",
            "七、争取上级资金和政策",
            "拿地即开工",
            "87.6%",
            "92.0%",
            "+17.0",
            "报：市委、市人大、市政府、市政协主要领导",
            "送：",
            "发：",
            "印发",
        ] {
            assert!(text.contains(s), "{format} lacks {s:?}: {text}");
        }
    }
}
dual_test!(bulletin_docx_and_pdf);

/// The bulletin email is a cover note, not the bulletin: each leader is greeted by title,
/// told what is attached (the PDF among it), and shown only the exceptions.
async fn bulletin_email_is_a_cover_note(t: &TestDb) {
    let sink = docket_testkit::SmtpSink::start();
    import_sample(
        &t.url,
        &["projects", "progress", "milestones", "indicators"],
    );
    let cfg = sample_config();
    let run = |args: &[&str]| {
        let o = crate::cli::docket_cmd(&t.url, &cfg)
            .env("DOCKET_SMTP_URL", &sink.url())
            .run(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    run(&["bulletin", "send", "--month", "2024-09"]);
    run(&["mail", "flush"]);
    let mails = sink.wait_for(5, std::time::Duration::from_secs(20));
    assert_eq!(mails.len(), 5);
    let leader = mails
        .iter()
        .find(|m| m.to.iter().any(|a| a.starts_with("li.minghua")))
        .unwrap_or(&mails[0]);
    let text = leader.text.clone().unwrap_or_default();
    assert!(text.contains("书记："), "salutation by title: {text}");
    assert!(text.contains("请查阅附件"), "{text}");
    assert!(text.contains("需要关注的情况"), "{text}");
    assert!(text.contains("bulletin-2024-09.pdf"), "{text}");
    // Only the exceptions: the bulletin's sections and tables travel as attachments.
    assert!(
        !text.contains("一、"),
        "the whole bulletin in the body: {text}"
    );
    assert!(
        leader
            .attachments
            .iter()
            .any(|(name, bytes)| name.ends_with(".pdf") && bytes.starts_with(b"%PDF")),
        "the PDF is attached"
    );
    let html = leader.html.clone().unwrap_or_default();
    assert!(
        html.contains("需要关注的情况") && !html.contains("<table"),
        "{html}"
    );
}
dual_test!(bulletin_email_is_a_cover_note);
