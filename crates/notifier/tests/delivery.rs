//! Delivery through a real SMTP server (aiosmtpd) and a scripted one, on both backends.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use docket_domain::clock::{Clock, ManualClock};
use docket_notifier::MailConfig;
use docket_store::outbox::{self, ClaimSpec, NewAttachment};
use docket_testkit::{SmtpSink, TestDb, dual_test};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("通报").unwrap();
    ws.write(0, 0, "项目名称").unwrap();
    ws.write(0, 1, "累计完成投资（万元）").unwrap();
    ws.write(1, 0, "华海药业新厂区").unwrap();
    ws.write(1, 1, 12345.6).unwrap();
    wb.save_to_buffer().unwrap()
}

// A multipart message with a Chinese subject and an XLSX attachment arrives intact; user
// text is escaped in HTML only; header injection is folded away; Message-ID from the row id.
async fn chinese_multipart_with_xlsx(t: &TestDb) {
    let sink = SmtpSink::start();
    let clock = ManualClock::new(start());
    let d = dispatcher(&t.db, Some(sink.url()), MailConfig::default(), &clock);
    let data = xlsx();
    let ctx = serde_json::json!({
        "month": "2024-09", "issue_number": 9, "cutoff": "2024-09-30",
        "title": "示例市重点项目建设月通报（2024年1-9月）",
        "headlines": ["续建项目完成投资70亿元 <script>alert(1)</script>"],
        "red": [{ "name": "城东污水厂", "owner_unit": "城投集团", "responsible": "王海",
                  "completion_rate": "40.0%" }],
        "red_count": 1, "yellow_count": 2, "not_reported_count": 0, "overdue_issues": 3,
    });
    let mut m = message(
        "bulletin:2024-09:wang",
        "bulletin",
        ("王海\r\nBcc: evil@x.cn", "wang.hai@example.gov.cn"),
        Some("wang"),
        ctx.clone(),
    );
    m.attachments.push(NewAttachment {
        filename: "2024年9月重点项目通报.xlsx".into(),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        data: data.clone(),
    });
    assert_eq!(queue(&t.db, &[m], start()).await, 1);
    let r = d.flush_all().await.unwrap();
    assert_eq!((r.sent, r.failed()), (1, 0), "{r:?}");
    let got = sink.wait_for(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(mail.subject, "示例市重点项目建设月通报（2024年1-9月）");
    let raw = String::from_utf8_lossy(&mail.raw);
    assert!(
        raw.contains("Subject: =?utf-8?"),
        "RFC 2047 subject expected:\n{raw}"
    );
    assert!(
        !raw.contains("\nBcc:"),
        "header injection must be folded away"
    );
    assert_eq!(mail.to, vec!["wang.hai@example.gov.cn".to_string()]);
    let text = mail.text.as_deref().unwrap();
    assert!(
        text.contains("续建项目完成投资70亿元 <script>alert(1)</script>"),
        "{text}"
    );
    assert!(text.contains("城东污水厂"));
    let html = mail.html.as_deref().unwrap();
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "{html}"
    );
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].0, "2024年9月重点项目通报.xlsx");
    assert_eq!(
        mail.attachments[0].1, data,
        "the XLSX must arrive byte for byte"
    );
    let row = &rows(&t.db).await[0];
    assert_eq!(row.state, "sent");
    assert_eq!(
        mail.message_id.as_deref(),
        Some(format!("{}@example.gov.cn", row.id.simple()).as_str())
    );
}
dual_test!(chinese_multipart_with_xlsx);

// With the server down every row stays pending with its error; after a restart the next
// flush delivers each exactly once, and a further flush sends nothing.
async fn server_down_then_back(t: &TestDb) {
    let mut sink = SmtpSink::start();
    sink.stop();
    let clock = ManualClock::new(start());
    let d = dispatcher(&t.db, Some(sink.url()), MailConfig::default(), &clock);
    let msgs: Vec<_> = (0..3)
        .map(|i| {
            message(
                &format!("assignment:i{i}:chen"),
                "assignment",
                ("陈志远", "chen@example.gov.cn"),
                Some("chen"),
                issue_context(&format!("问题{i}")),
            )
        })
        .collect();
    queue(&t.db, &msgs, start()).await;
    let r = d.flush_all().await.unwrap();
    assert_eq!((r.sent, r.retried, r.dead), (0, 0, 0), "{r:?}");
    assert_eq!(r.deferred + r.untried, 3, "{r:?}");
    for row in rows(&t.db).await {
        assert_eq!((row.state.as_str(), row.attempts), ("pending", 0));
    }
    assert!(
        rows(&t.db)
            .await
            .iter()
            .any(|row| { row.last_error.as_deref().unwrap_or("").contains("connect") })
    );
    sink.restart();
    // The flush ignores the retry delay.
    let r = d.flush_all().await.unwrap();
    assert_eq!((r.sent, r.failed()), (3, 0), "{r:?}");
    let r = d.flush_all().await.unwrap();
    assert_eq!(r.attempted, 0);
    let got = sink.wait_for(3, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(sink.messages().len(), 3, "each exactly once");
    let mut subjects: Vec<_> = got.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 3);
    assert!(
        rows(&t.db)
            .await
            .iter()
            .all(|r| r.state == "sent" && r.last_error.is_none())
    );
}
dual_test!(server_down_then_back);

/// A scripted SMTP server answering `code` to RCPT TO; counts RCPT commands.
async fn scripted_server(code: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let c = c.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 scripted ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    let reply: String = if cmd.starts_with("EHLO") {
                        "250-scripted\r\n250 8BITMIME\r\n".into()
                    } else if cmd.starts_with("RCPT") {
                        c.fetch_add(1, Ordering::SeqCst);
                        format!("{code} scripted refusal\r\n")
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        "250 ok\r\n".into()
                    };
                    if w.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                    if reply.starts_with("421") {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

// A 550 reply dead-letters the row after one attempt.
async fn permanent_refusal_dead_letters(t: &TestDb) {
    let (url, count) = scripted_server("550").await;
    let clock = ManualClock::new(start());
    let d = dispatcher(&t.db, Some(url), MailConfig::default(), &clock);
    queue(
        &t.db,
        &[message(
            "assignment:x:chen",
            "assignment",
            ("陈志远", "chen@example.gov.cn"),
            None,
            issue_context("用地"),
        )],
        start(),
    )
    .await;
    let r = d.deliver_due().await.unwrap();
    assert_eq!((r.sent, r.retried, r.dead), (0, 0, 1), "{r:?}");
    let row = &rows(&t.db).await[0];
    assert_eq!((row.state.as_str(), row.attempts), ("dead", 1));
    assert!(
        row.last_error.as_deref().unwrap().contains("550"),
        "{:?}",
        row.last_error
    );
    // Nothing more happens later, not even on an operator's flush.
    clock.advance(chrono::Duration::days(1));
    assert_eq!(d.flush_all().await.unwrap().attempted, 0);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    // `mail retry` puts it back in the queue.
    assert!(
        outbox::retry(&t.db.conn, row.id, docket_store::time::to_ms(clock.now()))
            .await
            .unwrap()
    );
    assert_eq!(rows(&t.db).await[0].state, "pending");
}
dual_test!(permanent_refusal_dead_letters);

// A 451 reply is retried by the service with growing delays and dead-lettered after
// `max_attempts`.
async fn transient_refusal_backs_off(t: &TestDb) {
    let (url, count) = scripted_server("451").await;
    let clock = ManualClock::new(start());
    let mail = MailConfig {
        backoff_secs: Some(60),
        max_attempts: Some(3),
        ..Default::default()
    };
    let d = dispatcher(&t.db, Some(url), mail, &clock);
    queue(
        &t.db,
        &[message(
            "assignment:y:chen",
            "assignment",
            ("陈志远", "chen@example.gov.cn"),
            None,
            issue_context("资金"),
        )],
        start(),
    )
    .await;
    let mut delays = vec![];
    for attempt in 1..=2 {
        let r = d.deliver_due().await.unwrap();
        assert_eq!(r.retried, 1, "attempt {attempt}: {r:?}");
        let row = &rows(&t.db).await[0];
        assert_eq!((row.state.as_str(), row.attempts), ("pending", attempt));
        assert!(row.last_error.as_deref().unwrap().contains("451"));
        let now = docket_store::time::to_ms(clock.now());
        let delay = row.next_attempt_at - now;
        delays.push(delay);
        // Not yet due: the service leaves it alone.
        assert_eq!(d.deliver_due().await.unwrap().attempted, 0);
        clock.advance(chrono::Duration::milliseconds(delay));
    }
    assert!((60_000..75_000).contains(&delays[0]), "{delays:?}");
    assert!((120_000..150_000).contains(&delays[1]), "{delays:?}");
    assert!(delays[1] > delays[0]);
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.dead, 1, "{r:?}");
    let row = &rows(&t.db).await[0];
    assert_eq!(row.state, "dead");
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("gave up after 3 attempts")
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
}
dual_test!(transient_refusal_backs_off);

// A row claimed by a process that died is delivered once its lease has expired.
async fn expired_lease_is_redelivered(t: &TestDb) {
    let sink = SmtpSink::start();
    let clock = ManualClock::new(start());
    let d = dispatcher(&t.db, Some(sink.url()), MailConfig::default(), &clock);
    queue(
        &t.db,
        &[message(
            "assignment:z:chen",
            "assignment",
            ("陈志远", "chen@example.gov.cn"),
            None,
            issue_context("环保"),
        )],
        start(),
    )
    .await;
    let now = docket_store::time::to_ms(start());
    let crashed = ClaimSpec {
        owner: "crashed-process",
        now_ms: now,
        lease_ms: 60_000,
        held_officials: &[],
        channel: outbox::EMAIL,
    };
    assert_eq!(
        outbox::claim_due(&t.db.conn, &crashed, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // While the lease holds, neither the service nor a flush touches it.
    assert_eq!(d.deliver_due().await.unwrap().attempted, 0);
    assert_eq!(d.flush_all().await.unwrap().attempted, 0);
    clock.advance(chrono::Duration::seconds(61));
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let row = &rows(&t.db).await[0];
    assert_eq!((row.state.as_str(), row.attempts), ("sent", 2));
    // The crashed process cannot mark it afterwards.
    assert_eq!(
        outbox::mark_sent(&t.db.conn, "crashed-process", &[row.id], now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(sink.wait_for(1, Duration::from_secs(10)).len(), 1);
}
dual_test!(expired_lease_is_redelivered);

// Queuing the same logical email twice (a step run twice) leaves one row.
async fn same_enqueue_twice_is_one_row(t: &TestDb) {
    let m = message(
        "assignment:i1:wang",
        "assignment",
        ("王海", "wang.hai@example.gov.cn"),
        Some("wang"),
        issue_context("用地"),
    );
    assert_eq!(queue(&t.db, std::slice::from_ref(&m), start()).await, 1);
    assert_eq!(queue(&t.db, std::slice::from_ref(&m), start()).await, 0);
    assert_eq!(queue(&t.db, &[m.clone(), m], start()).await, 0);
    assert_eq!(rows(&t.db).await.len(), 1);
}
dual_test!(same_enqueue_twice_is_one_row);

// Without [smtp], messages become .eml files.
async fn eml_fallback(t: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start());
    let mail = MailConfig {
        eml_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let d = dispatcher(&t.db, None, mail, &clock);
    queue(
        &t.db,
        &[message(
            "closed:i1:chen",
            "closed",
            ("陈志远", "chen@example.gov.cn"),
            None,
            issue_context("能耗"),
        )],
        start(),
    )
    .await;
    assert_eq!(d.flush_all().await.unwrap().sent, 1);
    let row = &rows(&t.db).await[0];
    let file = dir.path().join(format!("{}.eml", row.id));
    let raw = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
    assert!(
        raw.contains(&format!("Message-ID: <{}@example.gov.cn>", row.id.simple())),
        "{raw}"
    );
    assert!(raw.contains("To: =?utf-8?"), "{raw}");
}
dual_test!(eml_fallback);

// A poison message — a row no template can render (a kind that has none) — is dead-lettered
// with the reason at once and does not hold up the messages queued beside it.
async fn poison_message_is_dead_lettered_alone(t: &TestDb) {
    let sink = SmtpSink::start();
    let clock = ManualClock::new(start());
    let d = dispatcher(&t.db, Some(sink.url()), MailConfig::default(), &clock);
    let mut msgs: Vec<_> = (0..3)
        .map(|i| {
            message(
                &format!("assignment:p{i}:chen"),
                "assignment",
                ("陈志远", "chen@example.gov.cn"),
                None,
                issue_context("用地"),
            )
        })
        .collect();
    msgs.insert(
        1,
        message(
            "poison:1",
            "no_such_template",
            ("陈志远", "chen@example.gov.cn"),
            None,
            issue_context("用地"),
        ),
    );
    assert_eq!(queue(&t.db, &msgs, start()).await, 4);
    let r = d.flush_all().await.unwrap();
    let all = rows(&t.db).await;
    let poison: Vec<_> = all
        .iter()
        .filter(|r| r.kind == "no_such_template")
        .collect();
    let sent = all.iter().filter(|r| r.state == "sent").count();
    println!(
        "reliability[{}] poison message: queued 4, sent {sent}, dead {}, lost {}",
        t.backend_name(),
        r.dead,
        3 - sent
    );
    assert_eq!((r.sent, r.dead), (3, 1), "{r:?}");
    assert_eq!(poison[0].state, "dead");
    assert!(
        poison[0]
            .last_error
            .as_deref()
            .is_some_and(|e| !e.is_empty()),
        "the reason is kept: {:?}",
        poison[0].last_error
    );
    assert_eq!(sink.wait_for(3, Duration::from_secs(10)).len(), 3);
    // A later flush does not try it again.
    assert_eq!(d.flush_all().await.unwrap().attempted, 0);
}
dual_test!(poison_message_is_dead_lettered_alone);
