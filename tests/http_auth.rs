//! People over HTTP: password-less sign-in by the link taken from the real SMTP server, and
//! the signed one-click 签收 from an assignment email; with the security cases — CSRF
//! missing, session fixation, forged, expired and replayed links. Each on both backends.

use std::time::{Duration, Instant};

use chrono::Utc;
use docket_auth::{ActionClaim, LinkSigner};
use docket_testkit::{ReceivedMail, SmtpSink};
use docket_testkit::{TestDb, dual_test};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};

use crate::cli::import_sample;
use crate::server::{SECRET, Server, token};

/// Waits for an email to `to` whose subject contains `subject`.
pub(crate) async fn mail_to(sink: &SmtpSink, to: &str, subject: &str) -> ReceivedMail {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject))
        {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no email to {to} about {subject}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The first URL in `text` under `base` + `prefix`.
pub(crate) fn link(text: &str, base: &str, prefix: &str) -> String {
    let start = format!("{base}{prefix}");
    let at = text
        .find(&start)
        .unwrap_or_else(|| panic!("no {start} link in:\n{text}"));
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .to_string()
}

/// The value of cookie `name` set by a response.
pub(crate) fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_string())
        })
}

/// The hidden CSRF field of a page.
pub(crate) fn csrf_field(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

/// GETs a form page; returns (csrf cookie, csrf field, status, html).
pub(crate) async fn form(s: &Server, path: &str) -> (String, String, u16, String) {
    let r = s.http.get(s.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let cookie = set_cookie(&r, "docket_csrf").unwrap_or_default();
    let html = r.text().await.unwrap();
    let field = if status == 200 {
        csrf_field(&html)
    } else {
        String::new()
    };
    (cookie, field, status, html)
}

async fn people_sign_in_by_emailed_link(t: &TestDb) {
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), Some(&sink.url())).await;
    let login = s.http.get(s.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    assert!(
        login
            .text()
            .await
            .unwrap()
            .contains("<html lang=\"zh-CN\">")
    );

    // CSRF missing: refused, nothing mailed.
    let r = s
        .http
        .post(s.url("/login"))
        .form(&[("email", "sun.li@example.gov.cn")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (cookie, field, _, _) = form(&s, "/login").await;
    let r = s
        .http
        .post(s.url("/login"))
        .header(COOKIE, format!("docket_csrf={cookie}"))
        .form(&[("email", "Sun.Li@example.gov.cn"), ("csrf", &field)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // An unknown address gets the same answer and no email.
    let r = s
        .http
        .post(s.url("/login"))
        .header(COOKIE, format!("docket_csrf={cookie}"))
        .form(&[("email", "nobody@example.gov.cn"), ("csrf", &field)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let mail = mail_to(&sink, "sun.li@example.gov.cn", "登录").await;
    let url = link(mail.text.as_deref().unwrap(), &s.base, "/login/");
    let path = url.trim_start_matches(&s.base).to_string();
    // Opening the link (as a mail scanner would) signs no one in.
    let (cookie, field, status, html) = form(&s, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("确认登录"));
    // Session fixation: a session id planted before sign-in is not the one issued.
    let r = s
        .http
        .post(s.url(&path))
        .header(
            COOKIE,
            format!("docket_csrf={cookie}; docket_session=planted-by-attacker"),
        )
        .form(&[("csrf", field.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", s.log());
    let session = set_cookie(&r, "docket_session").expect("session cookie");
    assert!(session.len() >= 40 && session != "planted-by-attacker");
    let raw = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    let home = s
        .http
        .get(s.url("/"))
        .header(COOKIE, format!("docket_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("孙丽"), "{html}");
    // The link works once.
    let r = s
        .http
        .post(s.url(&path))
        .header(COOKIE, format!("docket_csrf={cookie}"))
        .form(&[("csrf", field.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(set_cookie(&r, "docket_session").is_none());
    // Sign-out needs the session's CSRF token, then ends the session.
    let r = s
        .http
        .post(s.url("/logout"))
        .header(COOKIE, format!("docket_session={session}"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let session_csrf = csrf_field(&html);
    let r = s
        .http
        .post(s.url("/logout"))
        .header(COOKIE, format!("docket_session={session}"))
        .form(&[("csrf", session_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = s
        .http
        .get(s.url("/"))
        .header(COOKIE, format!("docket_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "signed out: back to /login");
}
dual_test!(people_sign_in_by_emailed_link);

async fn one_click_accept_from_the_assignment_email(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let office = token(&t.url, "chen_zhiyuan");
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), Some(&sink.url())).await;
    let r = s
        .http
        .post(s.url("/api/issues"))
        .bearer_auth(&office)
        .json(&json!({"project": "SZ2024001", "category": "land", "title": "征地拆迁未完成"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let state = || async {
        let d: Value = s
            .http
            .get(s.url(&format!("/api/issues/{id}")))
            .bearer_auth(&office)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        d["state"].as_str().unwrap().to_string()
    };
    let mail = mail_to(&sink, "sun.li@example.gov.cn", "征地拆迁未完成").await;
    let text = mail.text.as_deref().unwrap();
    // People see the short number (year-count), never the UUID.
    let d: Value = s
        .http
        .get(s.url(&format!("/api/issues/{id}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = d["number"].as_str().unwrap().to_string();
    assert!(number.ends_with("-001") && number.len() == 8, "{number}");
    assert!(mail.subject.contains(&number), "{}", mail.subject);
    assert!(
        !text.contains(&id) && !mail.subject.contains(&id),
        "no UUID in the email"
    );
    let by_number: Value = s
        .http
        .get(s.url(&format!("/api/issues/{number}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_number["id"].as_str(), Some(id.as_str()));
    assert!(text.contains("一键签收"), "{text}");
    let url = link(text, &s.base, "/act/");
    let path = url.trim_start_matches(&s.base).to_string();

    // GET shows the confirmation and changes nothing.
    let (cookie, field, status, html) = form(&s, &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("确认签收") && html.contains("征地拆迁未完成"),
        "{html}"
    );
    assert_eq!(state().await, "assigned");
    // POST without the CSRF pair is refused.
    let r = s
        .http
        .post(s.url(&path))
        .form(&[("csrf", field.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(state().await, "assigned");
    // POST acts, as the recipient.
    let post = || {
        s.http
            .post(s.url(&path))
            .header(COOKIE, format!("docket_csrf={cookie}"))
            .form(&[("csrf", field.as_str())])
            .send()
    };
    let r = post().await.unwrap();
    assert_eq!(r.status(), 200, "{}", s.log());
    assert!(r.text().await.unwrap().contains("已签收"));
    assert_eq!(state().await, "accepted");
    let d: Value = s
        .http
        .get(s.url(&format!("/api/issues/{id}")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        d.to_string().contains("sun_li"),
        "the history names who accepted: {d}"
    );
    // Replayed: refused, and the page says so.
    let r = post().await.unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("已使用"));
    let r = s.http.get(s.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 409);

    // Forged: one character of the signature changed.
    let mut forged = path.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let r = s.http.get(s.url(&forged)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("链接无效"));
    // Expired: a correctly signed link whose time is up.
    let signer = LinkSigner::new(SECRET).unwrap();
    let claim = ActionClaim::expiring(
        "sun_li",
        &format!("issue:{id}"),
        "accept",
        Utc::now() - chrono::Duration::minutes(1),
    );
    let r = s
        .http
        .get(s.url(&format!("/act/{}", signer.sign(&claim))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("已过期"));
    // Signed with another secret: forged.
    let other = LinkSigner::new("another-secret-0123456789-abcdefghijklmnop").unwrap();
    let claim = ActionClaim::new("sun_li", &format!("issue:{id}"), "accept", Utc::now());
    let r = s
        .http
        .get(s.url(&format!("/act/{}", other.sign(&claim))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
dual_test!(one_click_accept_from_the_assignment_email);
