//! The pages in a real headless Chromium, driven over WebDriver (chromedriver + fantoccini)
//! against the real `docket run` and the real SMTP sink, at a phone's 375×812: an owner
//! signs in by the emailed link and fills the weekly report with a problem and a site photo;
//! the task-force member 签收s from the email's one-click link and 办结s on the issue page;
//! the office 销号s. The database is checked after each step, screenshots of every page are
//! written to `target/screenshots/`, and each page is checked for accessibility basics
//! (`lang="zh-CN"`, a label on every input, keyboard-reachable buttons). An owner opening
//! another unit's project or issue gets the Chinese 403 page.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Datelike;
use docket_testkit::{SmtpSink, TestDb, dual_test};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::cli::{docket, import_sample, raise_args, root, sample_config, stderr, stdout};
use crate::http_auth::{link, mail_to};
use crate::server::Server;

/// A chromedriver on a free port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; tests/run installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, url }
    }

    /// A headless Chromium emulating a 375×812 phone, in Chinese.
    async fn browser(&self) -> Client {
        let caps = json!({
            "goog:chromeOptions": {
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--lang=zh-CN"],
                "mobileEmulation": {
                    "deviceMetrics": { "width": 375, "height": 812, "pixelRatio": 2.0 }
                }
            }
        });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shots() -> PathBuf {
    let dir = root().join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots folder");
    dir
}

/// Writes a full-page screenshot as `target/screenshots/NAME.png`.
async fn shot(c: &Client, backend: &str, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(shots().join(format!("{backend}-{name}.png")), png).expect("write png");
}

/// A real 8×6 PNG (a site photo as a phone would send it, only smaller).
const SITE_PHOTO: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x08\x00\x00\x00\x06\x08\x02\x00\x00\x00\x71\x67\x48\xac\x00\x00\x00\x11\x49\x44\x41\x54\x78\xda\x63\xb0\xaa\x75\xc1\x8a\x18\x06\x52\x02\x00\xc9\x29\x2f\x11\x80\xc3\xa4\x11\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// Accessibility basics of the page shown: Chinese, every input labelled, every button and
/// button-styled link reachable by keyboard.
async fn accessible(c: &Client, what: &str) {
    let r = c
        .execute(
            r#"
            const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
              .map(e => e.name || e.id || e.type);
            const unreachable = [...document.querySelectorAll('button, a.button, a[href]')]
              .filter(b => b.tabIndex < 0 || b.disabled).map(b => b.textContent.trim());
            return { lang: document.documentElement.lang, unlabelled, unreachable };
            "#,
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(r["lang"], "zh-CN", "{what}: lang");
    assert_eq!(r["unlabelled"], json!([]), "{what}: inputs without a label");
    assert_eq!(
        r["unreachable"],
        json!([]),
        "{what}: buttons out of keyboard reach"
    );
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

/// Signs `email` in: the login form, the link from the real SMTP sink, the confirm button.
async fn sign_in(c: &Client, s: &Server, sink: &SmtpSink, email: &str) {
    c.delete_all_cookies().await.expect("cookies");
    let sent_before = sink.messages().len();
    c.goto(&s.url("/login")).await.expect("login page");
    accessible(c, "login").await;
    c.find(Locator::Css("#email"))
        .await
        .expect("email field")
        .send_keys(email)
        .await
        .expect("type");
    // Keyboard: the submit button is reached with Tab from the field.
    c.execute("document.getElementById('email').focus()", vec![])
        .await
        .expect("focus");
    c.active_element()
        .await
        .expect("focused")
        .send_keys("\u{E004}")
        .await
        .expect("tab");
    let focused = c
        .execute(
            "return document.activeElement.tagName + ':' + document.activeElement.type",
            vec![],
        )
        .await
        .expect("active");
    assert_eq!(focused, json!("BUTTON:submit"), "Tab reaches the button");
    let before = mark(c).await;
    c.active_element()
        .await
        .expect("focused")
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    navigated(c, &before).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mail = loop {
        let all = sink.messages();
        if let Some(m) = all
            .iter()
            .skip(sent_before)
            .find(|m| m.to.iter().any(|t| t == email) && m.subject.contains("登录"))
        {
            break m.clone();
        }
        assert!(Instant::now() < deadline, "no sign-in email to {email}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let url = link(mail.text.as_deref().unwrap_or_default(), &s.base, "/login/");
    c.goto(&url).await.expect("sign-in link");
    click(c, "form button[type=submit]").await;
    let here = c.current_url().await.expect("url");
    assert_eq!(here.path(), "/", "signed in, on my work");
}

/// Waits until the page that `before` was has been replaced by a loaded new one.
async fn navigated(c: &Client, before: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = c
            .execute(
                "return [document.readyState, window.__docket_page || ''];",
                vec![],
            )
            .await;
        if let Ok(v) = r
            && v[0] == "complete"
            && v[1] != before
        {
            return;
        }
        assert!(Instant::now() < deadline, "the page did not change");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Marks the page shown, so [`navigated`] can tell when another replaced it.
async fn mark(c: &Client) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    c.execute(&format!("window.__docket_page = '{id}';"), vec![])
        .await
        .expect("mark page");
    id
}

async fn click(c: &Client, css: &str) {
    let before = mark(c).await;
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
    navigated(c, &before).await;
}

async fn click_text(c: &Client, text: &str) {
    let before = mark(c).await;
    c.find(Locator::XPath(&format!(
        "//*[self::a or self::button][normalize-space()='{text}']"
    )))
    .await
    .unwrap_or_else(|e| panic!("no button {text}: {e}"))
    .click()
    .await
    .unwrap_or_else(|e| panic!("click {text}: {e}"));
    navigated(c, &before).await;
}

async fn fill(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

fn issue_json(url: &str, number: &str) -> Value {
    let o = docket(
        url,
        &sample_config(),
        &["issue", "show", number, "--format", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("issue json")
}

/// The week after this one in the office's time zone (a weekend start of the service may
/// close the current week; next week's cycle stays open).
fn next_week() -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let w = (today + chrono::Duration::days(7)).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

async fn people_work_through_the_pages(t: &TestDb) {
    let backend = t.backend_name();
    import_sample(&t.url, &["projects", "progress"]);
    let week = next_week();
    let o = docket(
        &t.url,
        &sample_config(),
        &["cycle", "open", "--week", &week],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Another unit's issue, for the access check.
    let o = docket(
        &t.url,
        &sample_config(),
        &raise_args("SZ2024001", "land", "征地拆迁未完成"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let other_issue = issue_json(&t.url, stdout(&o).trim())["number"]
        .as_str()
        .expect("number")
        .to_string();
    // A week closed without a single report: its sheet is held for the office.
    let empty_week = {
        let w = chrono::NaiveDate::parse_from_str(&format!("{week}-1"), "%G-W%V-%u")
            .expect("monday")
            + chrono::Duration::days(7);
        let w = w.iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    };
    for cmd in ["open", "close"] {
        let o = docket(
            &t.url,
            &sample_config(),
            &["cycle", cmd, "--week", &empty_week],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), Some(&sink.url())).await;
    let driver = Driver::start();
    let c = driver.browser().await;

    // 1. The owner (华海药业's contact) signs in and fills the weekly report with a problem
    //    and a site photo.
    sign_in(&c, &s, &sink, "huang.wei@huahai.example.com").await;
    accessible(&c, "my work").await;
    shot(&c, backend, "01-owner-my-work").await;
    c.goto(&s.url(&format!("/report/SZ2024003?week={week}")))
        .await
        .unwrap();
    accessible(&c, "report form").await;
    shot(&c, backend, "02-report-form").await;
    // A decimal comma is refused next to its field, the rest kept.
    fill(&c, "#progress", "主体结构施工至第12层").await;
    fill(&c, "#week_amount", "1,5").await;
    click_text(&c, "提交周报").await;
    let text = body_text(&c).await;
    assert!(text.contains("请填写数字（万元）"), "{text}");
    let kept = c
        .find(Locator::Css("#progress"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("主体结构施工至第12层"));
    shot(&c, backend, "03-report-form-error").await;
    let amount = c.find(Locator::Css("#week_amount")).await.unwrap();
    amount.clear().await.unwrap();
    amount.send_keys("125.5").await.unwrap();
    c.find(Locator::Css("#problem_category_1"))
        .await
        .unwrap()
        .select_by_value("funding")
        .await
        .unwrap();
    fill(&c, "#problem_title_1", "配套资金未到位").await;
    let photo = dir.path().join("现场.png");
    std::fs::write(&photo, SITE_PHOTO).unwrap();
    fill(&c, "#photos", photo.to_str().unwrap()).await;
    click_text(&c, "提交周报").await;
    let text = body_text(&c).await;
    assert!(text.contains("周报已提交"), "{text}");
    shot(&c, backend, "04-report-submitted").await;
    let o = docket(
        &t.url,
        &sample_config(),
        &["report", "list", "--week", &week, "--format", "json"],
    );
    let reports: Value = serde_json::from_str(&stdout(&o)).expect("reports json");
    let ours: Vec<&Value> = reports
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["code"] == "SZ2024003")
        .collect();
    assert_eq!(ours.len(), 1, "{reports}");
    let files: Vec<_> = walk(&dir.path().join("data/files"));
    assert_eq!(files.len(), 1, "the photo stored once, by content");

    // The project page shows the week's report with its photo, which the browser loads.
    c.goto(&s.url("/projects/SZ2024003")).await.unwrap();
    accessible(&c, "project page").await;
    let text = body_text(&c).await;
    for want in ["近期周报", "主体结构施工至第12层", "本周 125.5 万元"] {
        assert!(text.contains(want), "project page lacks {want:?}: {text}");
    }
    let shown = c
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            const img = document.querySelector('.photos img');
            if (!img) { done(null); return; }
            img.scrollIntoView();
            const report = () => done({ width: img.naturalWidth, alt: img.alt });
            if (img.complete && img.naturalWidth) { report(); return; }
            img.addEventListener('load', report, { once: true });
            img.addEventListener('error', report, { once: true });
            "#,
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        shown["width"], 8,
        "the photo is served and decoded: {shown}"
    );
    assert_eq!(shown["alt"], "现场照片：现场.png");
    shot(&c, backend, "04b-project-report-photo").await;

    // 2. Another unit's project and issue: the Chinese 403 page.
    for path in [
        "/projects/SZ2024001".to_string(),
        format!("/issues/{other_issue}"),
    ] {
        c.goto(&s.url(&path)).await.unwrap();
        let text = body_text(&c).await;
        assert!(text.contains("无权访问"), "{path}: {text}");
    }
    let r = s
        .http
        .get(s.url("/projects/SZ2024001"))
        .header(
            "cookie",
            format!(
                "docket_session={}",
                c.get_named_cookie("docket_session").await.unwrap().value()
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    shot(&c, backend, "05-forbidden").await;

    // 3. The funding task force's member accepts from the assignment email's link.
    let mail = mail_to(&sink, "wu.gang@example.gov.cn", "配套资金未到位").await;
    let number = issue_number_in(&mail.subject);
    let text = mail.text.as_deref().unwrap_or_default();
    assert!(
        text.contains(&format!("{}/issues/{number}", s.base)),
        "the email links to the issue page: {text}"
    );
    let accept = link(mail.text.as_deref().unwrap_or_default(), &s.base, "/act/");
    c.delete_all_cookies().await.unwrap();
    c.goto(&accept).await.unwrap();
    accessible(&c, "one-click confirm").await;
    shot(&c, backend, "06-one-click-confirm").await;
    click(&c, "form button[type=submit]").await;
    assert!(body_text(&c).await.contains("办理成功"));
    assert_eq!(issue_json(&t.url, &number)["state"], "accepted");

    // 4. … signs in and resolves on the issue page (a note is required).
    sign_in(&c, &s, &sink, "wu.gang@example.gov.cn").await;
    assert!(body_text(&c).await.contains("配套资金未到位"));
    shot(&c, backend, "07-member-my-work").await;
    c.goto(&s.url(&format!("/issues/{number}"))).await.unwrap();
    accessible(&c, "issue page").await;
    let text = body_text(&c).await;
    assert!(
        text.contains("资金保障专班") && text.contains("已签收"),
        "{text}"
    );
    assert!(
        !text.contains("销号"),
        "only the buttons this person may use: {text}"
    );
    shot(&c, backend, "08-issue-page").await;
    click_text(&c, "办结").await;
    accessible(&c, "resolve confirm").await;
    fill(&c, "#note", "已协调市财政安排配套资金3000万元").await;
    shot(&c, backend, "09-resolve-confirm").await;
    click_text(&c, "确认办结").await;
    assert!(body_text(&c).await.contains("已办结"));
    assert_eq!(issue_json(&t.url, &number)["state"], "resolved");

    // 5. The office closes it (销号).
    sign_in(&c, &s, &sink, "chen.zhiyuan@example.gov.cn").await;
    assert!(body_text(&c).await.contains("待销号"));
    c.goto(&s.url(&format!("/issues/{number}"))).await.unwrap();
    click_text(&c, "销号").await;
    click_text(&c, "确认销号").await;
    let text = body_text(&c).await;
    assert!(text.contains("已销号"), "{text}");
    shot(&c, backend, "10-closed").await;
    let d = issue_json(&t.url, &number);
    assert_eq!(d["state"], "closed");
    let steps: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["action"].as_str())
        .collect();
    assert_eq!(steps, ["raise", "accept", "resolve", "close"], "{d}");

    // 6. The held sheet: previewed and dropped by the office.
    c.goto(&s.url("/office/holds")).await.unwrap();
    accessible(&c, "holds").await;
    let text = body_text(&c).await;
    assert!(
        text.contains("无报送") && text.contains(&empty_week),
        "{text}"
    );
    shot(&c, backend, "14-holds").await;
    click(&c, "table a").await;
    accessible(&c, "hold").await;
    c.find(Locator::Css("#confirm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_text(&c, "作废").await;
    assert!(body_text(&c).await.contains("已作废"));
    let o = docket(
        &t.url,
        &sample_config(),
        &["hold", "list", "--all", "--format", "json"],
    );
    assert!(stdout(&o).contains("dropped"), "{}", stdout(&o));

    // 7. The office's and leaders' pages render in Chinese, accessibly.
    for (path, name, expect) in [
        (
            format!("/office/week?week={week}"),
            "11-office-week",
            "已报1个",
        ),
        (
            "/office/issues?state=closed".to_string(),
            "12-office-issues",
            "配套资金未到位",
        ),
        ("/dashboard".to_string(), "13-dashboard", "重点项目看板"),
        ("/office/schedules".to_string(), "15-schedules", "执行记录"),
    ] {
        c.goto(&s.url(&path)).await.unwrap();
        accessible(&c, name).await;
        let text = body_text(&c).await;
        assert!(text.contains(expect), "{path}: {text}");
        for code in [
            "assigned", "accepted", "closed", "funding", "land", "remind", "bulletin",
        ] {
            assert!(!text.contains(code), "{path} shows the code {code}: {text}");
        }
        shot(&c, backend, name).await;
    }
    c.close().await.unwrap();
}
dual_test!(people_work_through_the_pages);

/// The first issue number (`2026-001`) in `text`.
fn issue_number_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(8)
        .find(|w| {
            w[4] == '-'
                && w[..4].iter().all(char::is_ascii_digit)
                && w[5..].iter().all(char::is_ascii_digit)
        })
        .map(|w| w.iter().collect())
        .unwrap_or_else(|| panic!("an issue number in {text:?}"))
}

/// Every file under `dir`, recursively.
fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
