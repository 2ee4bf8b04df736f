//! `docket mail flush` against a real SMTP server that is down, then back.

use docket_testkit::{SmtpSink, TestDb, dual_test};

use crate::cli::{docket, docket_cmd, import_sample, raise_args, sample_config, stderr, stdout};

fn docket_smtp(t: &TestDb, smtp: &str, args: &[&str]) -> std::process::Output {
    docket_cmd(&t.url, &sample_config())
        .env("DOCKET_SMTP_URL", smtp)
        .run(args)
}

async fn flush_fails_while_down_then_delivers_once(t: &TestDb) {
    let mut sink = SmtpSink::start();
    let url = sink.url();
    import_sample(&t.url, &["projects"]);
    let o = docket_smtp(t, &url, &raise_args("SZ2024001", "land", "用地指标不足"));
    assert!(o.status.success(), "{}", stderr(&o));
    sink.stop();
    let o = docket_smtp(t, &url, &["mail", "flush"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a failed delivery exits 1: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("sent 0 failed"), "{}", stdout(&o));
    let rows = docket_store::entity::outbox::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!((r.state.as_str(), r.attempts), ("pending", 0), "{r:?}");
    }
    assert!(
        rows.iter()
            .any(|r| r.last_error.as_deref().unwrap_or("").contains("connect")),
        "{rows:?}"
    );
    sink.restart();
    let o = docket_smtp(t, &url, &["mail", "flush"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = docket_smtp(t, &url, &["mail", "flush"]);
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("sent 0 failed 0"),
        "{}",
        stdout(&again)
    );
    let got = sink.wait_for(3, std::time::Duration::from_secs(10));
    assert_eq!(got.len(), 3, "each exactly once");
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "sun.li@example.gov.cn",
            "wang.hai@example.gov.cn",
            "zhang.jianguo@example.gov.cn"
        ]
    );
}
dual_test!(flush_fails_while_down_then_delivers_once);

/// An instant as the sample office (Asia/Shanghai, UTC+8) reads it.
fn beijing(ms: i64, fmt: &str) -> String {
    let east8 = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    docket_store::time::from_ms(ms)
        .with_timezone(&east8)
        .format(fmt)
        .to_string()
}

// `mail list --state sending` shows a crashed process's row with its lease expiry in office
// time; the list prints totals per state and says when --limit cut it short; `mail status`
// shows 投递暂停至 HH:MM（原因） while the breaker pauses delivery.
async fn list_sending_totals_and_status(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let raise = raise_args("SZ2024001", "land", "用地指标不足");
    let o = docket(&t.url, &sample_config(), &raise);
    assert!(o.status.success(), "{}", stderr(&o));
    let now = docket_store::time::to_ms(chrono::Utc::now());
    let crashed = docket_store::outbox::ClaimSpec {
        owner: "crashed-process",
        now_ms: now,
        lease_ms: 300_000,
        held_officials: &[],
        channel: docket_store::outbox::EMAIL,
    };
    let claimed = docket_store::outbox::claim_due(&t.db.conn, &crashed, 1)
        .await
        .unwrap();
    let until = claimed[0].lease_until.unwrap();
    let o = docket(
        &t.url,
        &sample_config(),
        &["--lang", "zh", "mail", "list", "--state", "sending"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&claimed[0].id.to_string()), "{out}");
    let lease = format!("租约至 {}", beijing(until, "%Y-%m-%d %H:%M"));
    assert!(out.contains(&lease), "{lease} expected:\n{out}");
    // The office's list in Chinese: states in words, the totals, the cut said.
    let zh = |args: &[&str]| {
        let args: Vec<&str> = ["--lang", "zh"].iter().chain(args).copied().collect();
        stdout(&docket(&t.url, &sample_config(), &args))
    };
    let out = zh(&["mail", "list", "--limit", "1"]);
    assert!(out.contains("仅显示前 1 条，共 3 条"), "{out}");
    assert!(
        out.contains("合计 3：待发 2 · 发送中 1 · 已发送 0 · 已放弃 0 · 已并入汇总 0"),
        "{out}"
    );
    assert!(out.contains("投递正常"), "{out}");
    assert!(!zh(&["mail", "list"]).contains("仅显示"));
    let out = stdout(&docket(
        &t.url,
        &sample_config(),
        &["mail", "list", "--limit", "1"],
    ));
    assert!(
        out.contains("total 3: pending 2 · sending 1 · sent 0 · dead 0 · digested 0")
            && out.contains("showing the first 1 of 3"),
        "{out}"
    );
    let policy = docket_store::breaker::BreakerPolicy {
        threshold: 3,
        cooldown_ms: 60_000,
        cooldown_max_ms: 3_600_000,
    };
    let why = "cannot connect to mail.example.gov.cn:25: Connection refused";
    docket_store::breaker::record_failures(&t.db.conn, "smtp", &policy, 3, now, why)
        .await
        .unwrap();
    let o = docket(&t.url, &sample_config(), &["mail", "status"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let line = format!("投递暂停至 {}（{why}）", beijing(now + 60_000, "%H:%M"));
    let out = stdout(&o);
    // Near midnight the line carries the date too.
    assert!(
        out.contains(&line) || out.contains(&beijing(now + 60_000, "%Y-%m-%d %H:%M")),
        "{line} expected:\n{out}"
    );
    let o = docket(
        &t.url,
        &sample_config(),
        &["mail", "status", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["paused"], true, "{v}");
    assert_eq!(v["totals"]["sending"], 1, "{v}");
}
dual_test!(list_sending_totals_and_status);

use sea_orm::EntityTrait;

/// A mail server that greets, takes the message and never answers the final `.`; counts
/// messages received in full.
async fn stalling_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let stalled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = stalled.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"220 stall ESMTP\r\n").await;
                let mut line = String::new();
                let mut in_data = false;
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let reply: &[u8] = if in_data {
                        if line == ".\r\n" {
                            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let _ = r.read_to_end(&mut Vec::new()).await;
                            return;
                        }
                        b""
                    } else if line.to_ascii_uppercase().starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if line.to_ascii_uppercase().starts_with("EHLO") {
                        b"250-stall\r\n250 8BITMIME\r\n"
                    } else {
                        b"250 ok\r\n"
                    };
                    line.clear();
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, stalled)
}

// `docket run` stopped (SIGTERM) while its emails stall after DATA exits within 10 s, not
// after the per-message timeout; the emails wait (pending, or sending until their lease
// expires), none is lost or dead-lettered.
async fn run_stops_within_ten_seconds_during_a_stall(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let raise = raise_args("SZ2024001", "land", "用地指标不足");
    let o = docket(&t.url, &sample_config(), &raise);
    assert!(o.status.success(), "{}", stderr(&o));
    let (url, stalled) = stalling_server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut server = crate::server::Server::start(&t.url, dir.path(), Some(&url)).await;
    let waited = std::time::Instant::now();
    while stalled.load(std::sync::atomic::Ordering::SeqCst) == 0
        && waited.elapsed() < std::time::Duration::from_secs(20)
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        stalled.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "{}",
        server.log()
    );
    let stopping = std::time::Instant::now();
    let clean = server.stop();
    let took = stopping.elapsed();
    assert!(clean, "{}", server.log());
    // The issue's assignment emails (a scheduled email such as the yearly calendar alarm,
    // due at 09:00 office time from November, may be queued beside them on the real clock).
    let rows: Vec<_> = docket_store::entity::outbox::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "assignment")
        .collect();
    let waiting = rows
        .iter()
        .filter(|r| r.state == "pending" || r.state == "sending")
        .count();
    println!(
        "run stopped in {took:?} during a stall: sent 0, duplicated 0, lost {}",
        rows.len() - waiting
    );
    assert!(
        took < std::time::Duration::from_secs(10),
        "{took:?}: {}",
        server.log()
    );
    assert_eq!((rows.len(), waiting), (3, 3), "{rows:?}");
}
dual_test!(run_stops_within_ten_seconds_during_a_stall);

// One issue's emails: greeted with title, numbered in the subject, threaded under the issue,
// and naming who acted.
async fn issue_mails_greet_thread_and_name_the_actor(t: &TestDb) {
    let sink = SmtpSink::start();
    let url = sink.url();
    import_sample(&t.url, &["projects"]);
    let ok = |args: &[&str]| {
        let o = docket_smtp(t, &url, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o).trim().to_string()
    };
    let id = ok(&raise_args("SZ2024001", "land", "用地指标不足"));
    ok(&["--as", "sun_li", "issue", "accept", &id]);
    ok(&["issue", "chase", &id, "--note", "请本周内反馈"]);
    ok(&["mail", "flush"]);
    let got = sink.wait_for(7, std::time::Duration::from_secs(10));
    assert_eq!(got.len(), 7, "3 assignments, 1 accepted, 3 chases");
    let issue = docket_store::entity::issues::Entity::find()
        .one(&t.db.conn)
        .await
        .unwrap()
        .unwrap();
    let number = issue.number.clone().expect("new issues are numbered");
    let root = format!("<issue-{id}@");
    let mut ids = std::collections::HashSet::new();
    for m in &got {
        assert!(m.subject.contains(&number), "{}", m.subject);
        let raw = String::from_utf8_lossy(&m.raw);
        let header = |name: &str| {
            raw.lines()
                .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
                .unwrap_or_else(|| panic!("no {name} in\n{raw}"))
                .to_string()
        };
        assert!(header("in-reply-to").contains(&root), "{raw}");
        assert!(header("references").contains(&root), "{raw}");
        assert!(ids.insert(m.message_id.clone()), "each its own Message-ID");
    }
    let text = |to: &str, kind: &str| -> String {
        got.iter()
            .find(|m| m.to.iter().any(|a| a == to) && m.subject.contains(kind))
            .and_then(|m| m.text.clone())
            .unwrap_or_else(|| panic!("no {kind} mail to {to}"))
    };
    let assigned = text("sun.li@example.gov.cn", "【交办】");
    assert!(assigned.starts_with("孙丽局长："), "{assigned}");
    assert!(
        text("zhang.jianguo@example.gov.cn", "【交办】").starts_with("张建国市长："),
        "the group leader greeted by title"
    );
    let accepted = text("zdxmb@example.gov.cn", "【已签收】");
    assert!(
        accepted.contains("孙丽（市自然资源局局长）已签收"),
        "{accepted}"
    );
    let chased = text("wang.hai@example.gov.cn", "【催办】");
    assert!(chased.starts_with("王海副市长："), "{chased}");
    assert!(
        chased.contains("示例市重点项目协调办请您抓紧办理"),
        "{chased}"
    );
}
dual_test!(issue_mails_greet_thread_and_name_the_actor);
