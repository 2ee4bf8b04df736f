//! Pages over plain HTTP (what the browser test does not cover): a file that only claims to
//! be a photo is refused next to its field and nothing is written; another unit's attachment
//! is not served; the office's queue filters; every page needs a session and the office's
//! pages the office; the office pauses and resumes schedules. Each on both backends.

use docket_testkit::{SmtpSink, TestDb, dual_test};
use reqwest::header::COOKIE;
use reqwest::multipart::{Form, Part};

use crate::cli::{docket, import_sample, raise_args, sample_config, stderr, stdout};
use crate::http_auth::{csrf_field, form, link, mail_to, set_cookie};
use crate::server::Server;

/// Signs `email` in through the emailed link; returns the session cookie.
pub(crate) async fn session(s: &Server, sink: &SmtpSink, email: &str) -> String {
    let (cookie, field, _, _) = form(s, "/login").await;
    let r = s
        .http
        .post(s.url("/login"))
        .header(COOKIE, format!("docket_csrf={cookie}"))
        .form(&[("email", email), ("csrf", &field)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mail = mail_to(sink, email, "登录").await;
    let url = link(mail.text.as_deref().unwrap(), &s.base, "/login/");
    let path = url.trim_start_matches(&s.base).to_string();
    let (cookie, field, _, _) = form(s, &path).await;
    let r = s
        .http
        .post(s.url(&path))
        .header(COOKIE, format!("docket_csrf={cookie}"))
        .form(&[("csrf", field.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    set_cookie(&r, "docket_session").expect("session")
}

pub(crate) async fn get(s: &Server, session: &str, path: &str) -> (u16, String) {
    let r = s
        .http
        .get(s.url(path))
        .header(COOKIE, format!("docket_session={session}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub(crate) fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        files_under(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

async fn pages_guard_files_and_filter(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let week = "2030-W10";
    let o = docket(&t.url, &sample_config(), &["cycle", "open", "--week", week]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (project, category, title) in [
        ("SZ2024001", "land", "征地拆迁未完成"),
        ("SZ2024003", "funding", "配套资金未到位"),
    ] {
        let o = docket(
            &t.url,
            &sample_config(),
            &raise_args(project, category, title),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), Some(&sink.url())).await;

    // Without a session: to the sign-in page.
    let r = s.http.get(s.url("/office/issues")).send().await.unwrap();
    assert_eq!(r.status(), 303);

    // The owner contact of 华海药业 (SZ2024003's unit).
    let owner = session(&s, &sink, "huang.wei@huahai.example.com").await;
    let (status, html) = get(&s, &owner, &format!("/report/SZ2024003?week={week}")).await;
    assert_eq!(status, 200, "{html}");
    let csrf = csrf_field(&html);
    let exe = b"MZ\x90\x00\x03\x00\x00\x00 not a photo".to_vec();
    let body = Form::new()
        .text("csrf", csrf.clone())
        .text("week", week)
        .text("progress", "主体施工")
        .part(
            "photos",
            Part::bytes(exe)
                .file_name("现场.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let r = s
        .http
        .post(s.url("/report/SZ2024003"))
        .header(COOKIE, format!("docket_session={owner}"))
        .multipart(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains("只接受 JPEG、PNG 照片或 PDF 文件"), "{html}");
    assert!(html.contains("主体施工"), "the input is kept");
    let o = docket(
        &t.url,
        &sample_config(),
        &["report", "list", "--week", week, "--format", "json"],
    );
    assert_eq!(stdout(&o).trim(), "[]", "nothing written");
    assert_eq!(files_under(&dir.path().join("data/files")), 0);

    // The office attaches a PDF to the other unit's issue (2030 numbering aside: the first
    // issue raised is land's); the owner may not fetch it, the office may.
    let office = session(&s, &sink, "chen.zhiyuan@example.gov.cn").await;
    let o = docket(
        &t.url,
        &sample_config(),
        &["issue", "list", "--format", "json"],
    );
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let land = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["category"] == "land")
        .expect("land issue");
    let number = land["number"].as_str().expect("number").to_string();
    let (_, html) = get(&s, &office, &format!("/issues/{number}")).await;
    let body = Form::new().text("csrf", csrf_field(&html)).part(
        "file",
        Part::bytes(b"%PDF-1.7 approval".to_vec())
            .file_name("批文.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let r = s
        .http
        .post(s.url(&format!("/issues/{number}/files")))
        .header(COOKIE, format!("docket_session={office}"))
        .multipart(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = get(&s, &office, &format!("/issues/{number}")).await;
    assert!(html.contains("批文.pdf"), "{html}");
    let at = html.find("/files/").expect("a file link");
    let file_path = html[at..].split('"').next().unwrap().to_string();
    let r = s
        .http
        .get(s.url(&file_path))
        .header(COOKIE, format!("docket_session={office}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.7 approval");
    let (status, _) = get(&s, &owner, &file_path).await;
    assert_eq!(status, 404, "another unit's file is not served");

    // 催报 from the week page: the chosen project's owner unit is emailed now, with a link
    // to the report form.
    let (_, html) = get(&s, &office, &format!("/office/week?week={week}")).await;
    let r = s
        .http
        .post(s.url("/office/week/chase"))
        .header(COOKIE, format!("docket_session={office}"))
        .form(&[
            ("csrf", csrf_field(&html).as_str()),
            ("week", week),
            ("code", "SZ2024003"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("chased=1"), "{to}");
    let mail = mail_to(&sink, "huang.wei@huahai.example.com", "周调度提醒").await;
    let text = mail.text.unwrap_or_default();
    assert!(
        text.contains(&format!("{}/report/SZ2024003?week={week}", s.base)),
        "{text}"
    );

    // The office's pages: the owner is refused, the office filters.
    let (status, html) = get(&s, &owner, "/office/issues").await;
    assert_eq!(status, 403);
    assert!(html.contains("无权访问"));
    let (status, html) = get(&s, &office, "/office/issues?category=funding").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("配套资金未到位") && !html.contains("征地拆迁未完成"),
        "{html}"
    );
    let (_, html) = get(&s, &office, "/office/issues").await;
    assert!(html.contains("配套资金未到位") && html.contains("征地拆迁未完成"));
}
dual_test!(pages_guard_files_and_filter);

async fn post_form(
    s: &Server,
    session: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let r = s
        .http
        .post(s.url(path))
        .header(COOKIE, format!("docket_session={session}"))
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

// 定时任务: the office pauses 催报 with a reason and resumes it from the page; the page, the
// ledger (`schedule history`) and a second pause agree; the form needs its CSRF field, an
// unknown schedule is refused, and only the office may open the page.
async fn office_pauses_and_resumes_schedules(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), Some(&sink.url())).await;
    let office = session(&s, &sink, "chen.zhiyuan@example.gov.cn").await;

    let (status, html) = get(&s, &office, "/office/schedules").await;
    assert_eq!(status, 200, "{html}");
    for want in [
        "定时任务",
        "开启调度",
        "催报",
        "结束调度",
        "月通报",
        "运行中",
        "最近几期",
    ] {
        assert!(html.contains(want), "lacks {want:?}: {html}");
    }
    assert!(!html.contains("已暂停"), "nothing paused yet");
    assert!(!html.contains(">remind<"), "no codes shown");
    assert!(
        !html.contains("calendar table"),
        "reasons in Chinese: {html}"
    );
    let csrf = csrf_field(&html);

    let (status, _) = post_form(
        &s,
        &office,
        "/office/schedules/remind",
        &[("action", "pause"), ("reason", "春节假期停报")],
    )
    .await;
    assert_eq!(status, 403, "no CSRF field, no change");
    let pause = [
        ("csrf", csrf.as_str()),
        ("action", "pause"),
        ("reason", "春节假期停报"),
    ];
    let r = s
        .http
        .post(s.url("/office/schedules/remind"))
        .header(COOKIE, format!("docket_session={office}"))
        .form(&pause)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = get(&s, &office, "/office/schedules").await;
    assert!(html.contains("已暂停"), "{html}");
    assert!(html.contains("春节假期停报"), "{html}");
    assert!(html.contains("陈志远"), "who paused it: {html}");
    let o = docket(
        &t.url,
        &sample_config(),
        &[
            "schedule",
            "history",
            "--schedule",
            "remind",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        lines
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["event"] == "pause"
                && l["outcome"].as_str().unwrap_or("").contains("春节假期停报")),
        "{lines}"
    );

    let (status, html) = post_form(&s, &office, "/office/schedules/remind", &pause).await;
    assert_eq!(status, 409, "already paused: {html}");
    assert!(html.contains("已是此状态"), "{html}");
    let (status, _) = post_form(&s, &office, "/office/schedules/nightly", &pause).await;
    assert_eq!(status, 400, "no such schedule");

    let (status, _) = post_form(
        &s,
        &office,
        "/office/schedules/remind",
        &[("csrf", csrf.as_str()), ("action", "resume")],
    )
    .await;
    assert_eq!(status, 303, "back to the list");
    let (_, html) = get(&s, &office, "/office/schedules").await;
    assert!(!html.contains("已暂停"), "resumed: {html}");

    let owner = session(&s, &sink, "huang.wei@huahai.example.com").await;
    let (status, _) = get(&s, &owner, "/office/schedules").await;
    assert_eq!(status, 403);
}
dual_test!(office_pauses_and_resumes_schedules);
