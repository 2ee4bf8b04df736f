//! Delivery under faults, against a fake SMTP server (tokio, in the test) that refuses,
//! answers 421 / 451 / 550, never greets, or stalls after DATA. Each test prints what it did
//! and the counts sent, duplicated, lost, and asserts nothing is lost. The clock is injected;
//! only the short timeouts (hundreds of ms) are waited for real.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use docket_domain::clock::ManualClock;
use docket_notifier::{Dispatcher, MailConfig, NotifierSettings, SmtpConfig};
use docket_testkit::{TestDb, dual_test};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// How the fake server behaves towards new connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// Accepts every message.
    Accept,
    /// Answers `421` instead of the greeting and hangs up.
    Greeting421,
    /// Answers this code to RCPT TO.
    Rcpt(u16),
    /// Accepts the connection and never says a word.
    NoGreeting,
    /// Takes the message and never answers the final `.`.
    StallAfterData,
}

/// A fake SMTP server; records the Message-ID of every message it accepted.
#[derive(Clone)]
struct Fake {
    url: String,
    behaviour: Arc<Mutex<Behaviour>>,
    accepted: Arc<Mutex<Vec<String>>>,
    connections: Arc<Mutex<usize>>,
}

impl Fake {
    async fn start(b: Behaviour) -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Fake {
            url: format!("smtp://{}", listener.local_addr().unwrap()),
            behaviour: Arc::new(Mutex::new(b)),
            accepted: Arc::default(),
            connections: Arc::default(),
        };
        let f = fake.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                *f.connections.lock().unwrap() += 1;
                let b = *f.behaviour.lock().unwrap();
                tokio::spawn(serve(sock, b, f.accepted.clone()));
            }
        });
        fake
    }

    fn set(&self, b: Behaviour) {
        *self.behaviour.lock().unwrap() = b;
    }

    fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

async fn serve(sock: tokio::net::TcpStream, b: Behaviour, accepted: Arc<Mutex<Vec<String>>>) {
    let (r, mut w) = sock.into_split();
    let mut lines = BufReader::new(r);
    let greeting: &[u8] = match b {
        Behaviour::NoGreeting => {
            // Hold the connection open, silent, until the client gives up.
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink).await;
            return;
        }
        Behaviour::Greeting421 => b"421 fake too busy, try later\r\n",
        _ => b"220 fake ESMTP\r\n",
    };
    if w.write_all(greeting).await.is_err() || b == Behaviour::Greeting421 {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.to_ascii_uppercase();
        let reply = if cmd.starts_with("EHLO") {
            "250-fake\r\n250 8BITMIME\r\n".to_string()
        } else if cmd.starts_with("RCPT") {
            match b {
                Behaviour::Rcpt(code) => format!("{code} fake refusal\r\n"),
                _ => "250 ok\r\n".into(),
            }
        } else if cmd.starts_with("DATA") {
            let _ = w.write_all(b"354 go on\r\n").await;
            let mut id = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                if line.to_ascii_lowercase().starts_with("message-id:") {
                    id = line[11..].trim().to_string();
                }
            }
            if b == Behaviour::StallAfterData {
                let mut sink = Vec::new();
                let _ = lines.read_to_end(&mut sink).await;
                return;
            }
            accepted.lock().unwrap().push(id);
            "250 queued\r\n".into()
        } else if cmd.starts_with("QUIT") {
            let _ = w.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "250 ok\r\n".into()
        };
        if w.write_all(reply.as_bytes()).await.is_err() || reply.starts_with("421") {
            return;
        }
    }
}

/// A dispatcher with short timeouts, `pool` connections and the breaker at 3 failures.
fn faulty_dispatcher(
    t: &TestDb,
    url: &str,
    pool: usize,
    mail: MailConfig,
    clock: &ManualClock,
) -> Dispatcher {
    let url = url.to_string();
    let env = move |k: &str| (k == "DOCKET_SMTP_URL").then(|| url.clone());
    let smtp = SmtpConfig {
        pool_size: Some(pool),
        connect_timeout_ms: Some(300),
        send_timeout_ms: Some(600),
        ..Default::default()
    };
    let mail = MailConfig {
        breaker_failures: Some(3),
        breaker_cooldown_secs: Some(60),
        breaker_cooldown_max_secs: Some(600),
        ..mail
    };
    let settings = NotifierSettings::resolve(&core(), &smtp, &mail, &config_dir(), &env).unwrap();
    Dispatcher::new(
        t.db.clone(),
        &core(),
        settings,
        Arc::new(clock.clone()),
        calendar(),
    )
    .unwrap()
}

async fn queue_n(t: &TestDb, n: usize) {
    let msgs: Vec<_> = (0..n)
        .map(|i| {
            message(
                &format!("assignment:f{i}:chen"),
                "assignment",
                ("陈志远", "chen@example.gov.cn"),
                Some("chen"),
                issue_context(&format!("问题{i}")),
            )
        })
        .collect();
    assert_eq!(queue(&t.db, &msgs, start()).await, n);
}

/// Prints and returns (sent, duplicated, lost): sent = distinct rows the server accepted,
/// lost = rows neither accepted nor still to be sent (pending/sending) nor dead-lettered by
/// a permanent refusal.
async fn counts(t: &TestDb, fake: &Fake, what: &str) -> (usize, usize, usize) {
    let got = fake.accepted();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for id in &got {
        *seen.entry(id.clone()).or_default() += 1;
    }
    let mut lost = 0;
    for r in rows(&t.db).await {
        let id = format!("<{}@example.gov.cn>", r.id.simple());
        let accepted = seen.contains_key(&id);
        let waiting = r.state == "pending" || r.state == "sending";
        let refused = r.state == "dead"
            && r.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("permanent"));
        if (r.state == "sent" && !accepted) || !(accepted || waiting || refused) {
            lost += 1;
        }
    }
    let sent = seen.len();
    let duplicated = got.len() - sent;
    println!("{what}: sent {sent}, duplicated {duplicated}, lost {lost}");
    (sent, duplicated, lost)
}

async fn assert_untouched(t: &TestDb) {
    for r in rows(&t.db).await {
        assert_eq!((r.state.as_str(), r.attempts), ("pending", 0), "{r:?}");
    }
}

// Repeated flushes with the server refusing connections burn no attempts and dead-letter
// nothing; each stops after the first failures; the error and its time are recorded; once
// the server is back one flush delivers all, once.
async fn flush_during_outage_keeps_attempts(t: &TestDb) {
    let fake = Fake::start(Behaviour::Accept).await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let down = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let clock = ManualClock::new(start());
    queue_n(t, 30).await;
    let d = faulty_dispatcher(t, &down, 2, MailConfig::default(), &clock);
    for _ in 0..5 {
        let r = d.flush_all().await.unwrap();
        assert_eq!((r.sent, r.dead, r.retried), (0, 0, 0), "{r:?}");
        assert!(r.deferred <= 2 && r.untried >= 28, "stops early: {r:?}");
    }
    assert_untouched(t).await;
    let failed: Vec<_> = rows(&t.db)
        .await
        .into_iter()
        .filter(|r| r.last_error.is_some())
        .collect();
    assert!(!failed.is_empty() && failed.len() <= 10, "{}", failed.len());
    for r in &failed {
        assert!(
            r.last_error.as_deref().unwrap().contains("connect"),
            "{r:?}"
        );
        assert_eq!(r.last_error_at, Some(docket_store::time::to_ms(start())));
    }
    let back = faulty_dispatcher(t, &fake.url, 2, MailConfig::default(), &clock);
    let r = back.flush_all().await.unwrap();
    assert_eq!((r.sent, r.failed()), (30, 0), "{r:?}");
    assert_eq!(counts(t, &fake, "refused, then back").await, (30, 0, 0));
}
dual_test!(flush_during_outage_keeps_attempts);

// During a flush 421 stops early and 451 leaves every row pending, attempts unchanged; 550
// dead-letters (a permanent refusal is the only thing a flush counts).
async fn flush_421_451_550(t: &TestDb) {
    let fake = Fake::start(Behaviour::Rcpt(421)).await;
    let clock = ManualClock::new(start());
    queue_n(t, 10).await;
    let d = faulty_dispatcher(t, &fake.url, 1, MailConfig::default(), &clock);
    let r = d.flush_all().await.unwrap();
    assert_eq!(
        (r.deferred, r.untried, r.dead),
        (1, 9, 0),
        "421 stops: {r:?}"
    );
    fake.set(Behaviour::Greeting421);
    let r = d.flush_all().await.unwrap();
    assert_eq!(
        (r.deferred, r.untried, r.dead),
        (1, 9, 0),
        "421 greeting: {r:?}"
    );
    fake.set(Behaviour::Rcpt(451));
    for _ in 0..3 {
        let r = d.flush_all().await.unwrap();
        assert_eq!((r.deferred, r.untried, r.dead), (10, 0, 0), "451: {r:?}");
    }
    assert_untouched(t).await;
    assert!(
        rows(&t.db)
            .await
            .iter()
            .all(|r| r.last_error.as_deref().unwrap().contains("451"))
    );
    fake.set(Behaviour::Rcpt(550));
    let r = d.flush_all().await.unwrap();
    assert_eq!((r.dead, r.sent), (10, 0), "{r:?}");
    assert!(
        rows(&t.db)
            .await
            .iter()
            .all(|r| r.state == "dead" && r.attempts == 1)
    );
    assert_eq!(counts(t, &fake, "421/451/550").await, (0, 0, 0));
}
dual_test!(flush_421_451_550);

// A server that never greets trips the breaker after 3 timeouts: delivery pauses 60 s
// (visible), the half-open try fails and pauses 120 s, and once the server answers the
// rows go out and the breaker closes. No attempt is used up; 300 ms per timeout.
async fn silent_server_trips_breaker(t: &TestDb) {
    let fake = Fake::start(Behaviour::NoGreeting).await;
    let clock = ManualClock::new(start());
    queue_n(t, 5).await;
    let d = faulty_dispatcher(t, &fake.url, 1, MailConfig::default(), &clock);
    let began = Instant::now();
    for n in 1..=3 {
        let r = d.deliver_due().await.unwrap();
        assert_eq!((r.deferred, r.untried, r.sent), (1, 4, 0), "{r:?}");
        assert_eq!(r.delivery.failures, n);
        assert_eq!(r.delivery.is_paused(), n == 3, "{r:?}");
    }
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "{:?}",
        began.elapsed()
    );
    let state = d.delivery_state().await.unwrap();
    let until = state.paused_until.unwrap();
    assert_eq!(until, start() + chrono::Duration::seconds(60));
    assert!(
        state.reason.as_deref().unwrap().contains("greeting"),
        "{state:?}"
    );
    // Paused: the service tries nothing, not even a connection.
    let before = fake.connections();
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.attempted, 0);
    assert_eq!(fake.connections(), before);
    // The cool-down over, one try; it fails, and the pause doubles.
    clock.advance(chrono::Duration::seconds(61));
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.deferred, 1, "{r:?}");
    let until2 = r.delivery.paused_until.unwrap();
    assert_eq!(until2, start() + chrono::Duration::seconds(61 + 120));
    assert_untouched(t).await;
    fake.set(Behaviour::Accept);
    clock.advance(chrono::Duration::seconds(121));
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.sent, 5, "{r:?}");
    assert_eq!(r.delivery, docket_notifier::DeliveryState::default());
    assert_eq!(counts(t, &fake, "silent server, breaker").await, (5, 0, 0));
}
dual_test!(silent_server_trips_breaker);

// A server that stalls after DATA holds each message at most send_timeout (600 ms, not
// 60 s); the session stops at the first stall and the breaker opens after three; the rows
// are sent once the server recovers.
async fn stall_after_data_is_bounded(t: &TestDb) {
    let fake = Fake::start(Behaviour::StallAfterData).await;
    let clock = ManualClock::new(start());
    queue_n(t, 8).await;
    let d = faulty_dispatcher(t, &fake.url, 2, MailConfig::default(), &clock);
    let began = Instant::now();
    let r = d.deliver_due().await.unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    assert_eq!((r.sent, r.deferred, r.untried), (0, 2, 6), "{r:?}");
    let r = d.deliver_due().await.unwrap();
    assert!(r.delivery.is_paused(), "4 stalls ≥ 3: {r:?}");
    assert!(
        r.delivery.reason.as_deref().unwrap().contains("within"),
        "{r:?}"
    );
    assert_untouched(t).await;
    fake.set(Behaviour::Accept);
    clock.advance(chrono::Duration::seconds(61));
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.sent, 8, "{r:?}");
    assert_eq!(counts(t, &fake, "stall after DATA").await, (8, 0, 0));
}
dual_test!(stall_after_data_is_bounded);

// Shutdown while a send stalls (send timeout 60 s) returns within [mail] shutdown_secs;
// the cancelled row stays `sending` and comes back through its lease; nothing is lost.
async fn shutdown_is_bounded(t: &TestDb) {
    let fake = Fake::start(Behaviour::StallAfterData).await;
    let clock = ManualClock::new(start());
    queue_n(t, 3).await;
    let url = fake.url.clone();
    let env = move |k: &str| (k == "DOCKET_SMTP_URL").then(|| url.clone());
    let smtp = SmtpConfig {
        pool_size: Some(1),
        send_timeout_secs: Some(60),
        ..Default::default()
    };
    let mail = MailConfig {
        shutdown_secs: Some(1),
        ..Default::default()
    };
    let settings = NotifierSettings::resolve(&core(), &smtp, &mail, &config_dir(), &env).unwrap();
    let d = Dispatcher::new(
        t.db.clone(),
        &core(),
        settings,
        Arc::new(clock.clone()),
        calendar(),
    )
    .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let d = d.clone();
        async move {
            d.run_until(async {
                let _ = rx.await;
            })
            .await
        }
    });
    // Wait until the first message is stalled in flight.
    let waited = Instant::now();
    while fake.connections() == 0 && waited.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = Instant::now();
    tx.send(()).unwrap();
    run.await.unwrap().unwrap();
    let took = stopping.elapsed();
    println!("shutdown took {took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    let rs = rows(&t.db).await;
    let sending: Vec<_> = rs.iter().filter(|r| r.state == "sending").collect();
    assert_eq!(
        sending.len(),
        1,
        "the cancelled send keeps its lease: {rs:?}"
    );
    assert!(sending[0].lease_until.is_some());
    assert_eq!(rs.iter().filter(|r| r.state == "pending").count(), 2);
    // After the lease another process sends it (and the others).
    fake.set(Behaviour::Accept);
    clock.advance(chrono::Duration::seconds(301));
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.sent, 3, "{r:?}");
    assert_eq!(counts(t, &fake, "shutdown during a stall").await, (3, 0, 0));
}
dual_test!(shutdown_is_bounded);
