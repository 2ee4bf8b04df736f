//! More of the reliability harness with real processes: a command killed with SIGKILL at
//! every moment of opening a week, the service under more requests at once than its pool
//! has connections, and a long transaction of another session in the way. Each prints what
//! it did and its counts (answered, stored, lost).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docket_store::entity::{dispatch_cycles, issues, report_slots};
use docket_store::sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use docket_testkit::{TestDb, dual_test};
use serde_json::json;

use crate::cli::{docket, sample_config, stderr};
use crate::server::{Server, token};

/// Projects in the generated library: enough that opening a week takes a moment to kill.
const PROJECTS: usize = 3_000;

/// Writes a library of `n` projects in the sample's columns (its first row repeated under
/// new codes) and imports it.
fn import_generated(db_url: &str, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let sample =
        std::fs::read_to_string(crate::cli::root().join("config/sample/projects.csv")).unwrap();
    let mut lines = sample.lines();
    let header = lines.next().unwrap();
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut text = format!("{header}\n");
    for i in 0..n {
        let mut cells = first.clone();
        let code = format!("HX{i:06}");
        let name = format!("可靠性项目{i}");
        cells[0] = &code;
        cells[1] = &name;
        // The national project code must be unique: leave it empty.
        let national = header.split(',').position(|h| h == "项目代码").unwrap();
        cells[national] = "";
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let path = dir.path().join("projects.csv");
    std::fs::write(&path, text).unwrap();
    let o = docket(
        db_url,
        &sample_config(),
        &["import", "projects", path.to_str().unwrap()],
    );
    assert!(o.status.success(), "import: {}", stderr(&o));
}

async fn counts(t: &TestDb) -> (usize, usize) {
    let cycles = dispatch_cycles::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap()
        .len();
    let slots = report_slots::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap()
        .len();
    (cycles, slots)
}

/// `cycle open` killed with SIGKILL after 0, 25, 50 … ms, again and again: the week is
/// never half open (no cycle, or a cycle with a slot for every project), and the open that
/// finally completes leaves exactly one cycle and one slot per project.
async fn kill_during_open(t: &TestDb) {
    import_generated(&t.url, PROJECTS);
    let (mut killed_before, mut killed_after) = (0, 0);
    for step in 0..12u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
            .args(["cycle", "open", "--week", "2030-W11"])
            .env("DOCKET_DATABASE_URL", &t.url)
            .env("DOCKET_CONFIG", sample_config())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(25 * step));
        let _ = child.kill();
        let _ = child.wait();
        let (cycles, slots) = counts(t).await;
        assert!(
            (cycles == 0 && slots == 0) || (cycles == 1 && slots == PROJECTS),
            "half-open week after a kill at {} ms: {cycles} cycles, {slots} slots",
            25 * step
        );
        if cycles == 0 {
            killed_before += 1;
        } else {
            killed_after += 1;
        }
    }
    let o = docket(
        &t.url,
        &sample_config(),
        &["cycle", "open", "--week", "2030-W11"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (cycles, slots) = counts(t).await;
    println!(
        "reliability[{}] kill -9 during open: 12 kills ({killed_before} before the commit, {killed_after} after), then an open: {cycles} cycle, {slots} slots for {PROJECTS} projects, lost {}, duplicated {}",
        t.backend_name(),
        PROJECTS.saturating_sub(slots),
        slots.saturating_sub(PROJECTS)
    );
    assert_eq!((cycles, slots), (1, PROJECTS));
}
dual_test!(kill_during_open);

/// Raises an issue through the API in a task of its own; its HTTP status (0 if no answer).
fn spawn_raise(s: &Server, office: &str, title: String) -> tokio::task::JoinHandle<u16> {
    let (url, office, http) = (s.url("/api/issues"), office.to_string(), s.http.clone());
    tokio::spawn(async move {
        http.post(url)
            .bearer_auth(office)
            .json(&json!({"project": "SZ2024001", "category": "用地", "title": title, "detail": "缺地"}))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

/// 200 raises at once, more than the pool's connections (16 on PostgreSQL, one writer on
/// SQLite): every request is answered, every answered raise is stored once, and the
/// service answers `/healthz` afterwards.
async fn pool_exhaustion(t: &TestDb) {
    crate::cli::import_sample(&t.url, &["projects"]);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&t.url, dir.path(), None).await;
    let office = token(&t.url, "lin_xiao");
    let started = Instant::now();
    let tasks: Vec<_> = (0..200)
        .map(|i| spawn_raise(&s, &office, format!("并发问题{i}")))
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.push(task.await.unwrap());
    }
    let took = started.elapsed();
    let answered = all.iter().filter(|c| **c == 201).count();
    let stored = issues::Entity::find().all(&t.db.conn).await.unwrap().len();
    println!(
        "reliability[{}] pool exhaustion: 200 concurrent raises in {took:.1?}: answered {answered}, failed {}, stored {stored}, lost {}",
        t.backend_name(),
        200 - answered,
        answered.saturating_sub(stored)
    );
    assert_eq!(answered, 200, "every request answered: {:?}", &all[..5]);
    assert_eq!(stored, 200, "every raise stored once");
    let r = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(s.stop(), "stops cleanly: {}", s.log());
}
dual_test!(pool_exhaustion);

/// Another session's long transaction holds what ten raises need (on PostgreSQL an
/// exclusive lock on the issues table, on SQLite the write lock) for 3 s: the raises wait
/// and then land, none is lost; `/healthz` answers meanwhile on PostgreSQL (on SQLite the
/// process's one connection answers it after the waiting writes).
async fn long_transaction(t: &TestDb) {
    crate::cli::import_sample(&t.url, &["projects"]);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&t.url, dir.path(), None).await;
    let office = token(&t.url, "lin_xiao");
    let hold = Duration::from_secs(3);
    let tx =
        t.db.conn
            .begin_with_options(docket_store::db::WRITE)
            .await
            .unwrap();
    let lock = if t.backend_name() == "postgres" {
        "LOCK TABLE issues IN EXCLUSIVE MODE"
    } else {
        "UPDATE projects SET name = name WHERE code = 'SZ2024002'"
    };
    tx.execute_unprepared(lock).await.unwrap();
    let started = Instant::now();
    let pending: Vec<_> = (0..10)
        .map(|i| spawn_raise(&s, &office, format!("等锁的问题{i}")))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // On PostgreSQL the health check has connections of its own and answers at once; on
    // SQLite the process's one connection queues it behind the waiting writes.
    let health = tokio::spawn({
        let (url, http) = (s.url("/healthz"), s.http.clone());
        async move {
            let status = http.get(url).send().await.map(|r| r.status().as_u16());
            (status.unwrap_or(0), started.elapsed())
        }
    });
    tokio::time::sleep(hold.saturating_sub(started.elapsed())).await;
    tx.commit().await.unwrap();
    let (health, health_after) = health.await.unwrap();
    let mut codes = Vec::new();
    for p in pending {
        codes.push(p.await.unwrap());
    }
    let waited = started.elapsed();
    let answered = codes.iter().filter(|c| **c == 201).count();
    let stored = issues::Entity::find().all(&t.db.conn).await.unwrap().len();
    println!(
        "reliability[{}] long transaction: a lock held {hold:?}, /healthz {health} after {health_after:.1?}, 10 raises waited {waited:.1?}: answered {answered}, stored {stored}, lost {}",
        t.backend_name(),
        answered.saturating_sub(stored)
    );
    assert_eq!(health, 200);
    if t.backend_name() == "postgres" {
        assert!(
            health_after < hold,
            "healthz answers while the lock is held"
        );
    }
    assert_eq!(answered, 10, "{codes:?}: {}", s.log());
    assert_eq!(stored, 10);
    assert!(waited >= hold, "the raises waited for the lock");
    assert!(s.stop(), "stops cleanly: {}", s.log());
}
dual_test!(long_transaction);

/// A client that started an upload and stalled (headers sent, body not) does not hold the
/// process: after SIGTERM the service closes it once the drain time (5 s) is over, then
/// stops the scheduler and delivery, well inside 15 s.
async fn stalled_request_does_not_hold_shutdown(t: &TestDb) {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&t.url, dir.path(), None).await;
    let office = token(&t.url, "lin_xiao");
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut stalled = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stalled,
        "POST /api/issues HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {office}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"project\":"
    )
    .unwrap();
    stalled.flush().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let clean = s.stop();
    let took = started.elapsed();
    println!(
        "reliability[{}] stalled upload at shutdown: stopped in {took:.1?}, clean {clean}",
        t.backend_name()
    );
    assert!(clean, "exit 0: {}", s.log());
    assert!(
        took < Duration::from_secs(15),
        "shutdown took {took:?}: {}",
        s.log()
    );
    drop(stalled);
}
dual_test!(stalled_request_does_not_hold_shutdown);

/// `docket mail flush` killed with SIGKILL while it sends the assignment emails of 30
/// issues, then a second flush once the claim lease (10 s here; the second flush's clock is
/// set 30 s ahead with `DOCKET_CLOCK`) has run out: every email arrives; only one the killed
/// flush had already sent may arrive twice.
async fn kill_during_flush(t: &TestDb) {
    use docket_store::entity::outbox;
    crate::cli::import_sample(&t.url, &["projects"]);
    let sink = docket_testkit::SmtpSink::start();
    let config = crate::server::edited_config(|t| t.replace("lease_secs = 300", "lease_secs = 10"));
    let config = config.path().join("docket.toml");
    let cats = ["land", "funding", "environmental"];
    for i in 0..30 {
        let project = format!("SZ2024{:03}", i % 20 + 1);
        let title = format!("清空时的问题{i}");
        let o = docket(
            &t.url,
            &config,
            &[
                "issue",
                "raise",
                "--project",
                &project,
                "--category",
                cats[i % 3],
                "--title",
                &title,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut flush = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["mail", "flush"])
        .env("DOCKET_DATABASE_URL", &t.url)
        .env("DOCKET_CONFIG", &config)
        .env("DOCKET_SMTP_URL", sink.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while sink.messages().len() < 5 {
        assert!(Instant::now() < deadline, "no email arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = flush.kill();
    let _ = flush.wait();
    std::thread::sleep(Duration::from_millis(500));
    let before_kill: Vec<String> = sink
        .messages()
        .into_iter()
        .filter_map(|m| m.message_id)
        .collect();
    // The killed flush's claims come back after their lease.
    let later = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc3339();
    let o = crate::cli::docket_cmd(&t.url, &config)
        .env("DOCKET_SMTP_URL", &sink.url())
        .env("DOCKET_CLOCK", &later)
        .run(&["mail", "flush"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = outbox::Entity::find().all(&t.db.conn).await.unwrap();
    let expected: Vec<String> = rows
        .iter()
        .filter(|r| r.kind == "assignment")
        .map(|r| r.id.simple().to_string())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let count = crate::reliability::tally(&sink, &expected);
    let lost = count.values().filter(|n| **n == 0).count();
    let duplicated: usize = count.values().map(|n| n.saturating_sub(1)).sum();
    let open = rows.iter().filter(|r| r.state != "sent").count();
    println!(
        "reliability[{}] kill -9 during flush: {} assignment emails, {} arrived before the kill; after a second flush: sent {}, duplicated {duplicated}, lost {lost}, not sent {open}",
        t.backend_name(),
        expected.len(),
        before_kill.len(),
        expected.len() - lost
    );
    assert_eq!(lost, 0, "nothing lost");
    assert_eq!(open, 0, "every row sent");
    for (id, n) in &count {
        assert!(
            *n <= 1 || before_kill.iter().any(|m| m.contains(id.as_str())),
            "{id} arrived twice but was not sent before the kill"
        );
    }
}
dual_test!(kill_during_flush);

/// The highest resident memory (VmHWM, in MB) of process `pid` seen so far, if readable.
fn peak_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// A 200,000-row project library imports within 300 MB of memory (the rows are streamed and
/// written in chunks; holding the file's cells and every statement value took 1.65 GB).
async fn a_large_import_stays_small(t: &TestDb) {
    const ROWS: usize = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let sample =
        std::fs::read_to_string(crate::cli::root().join("config/sample/projects.csv")).unwrap();
    let mut lines = sample.lines();
    let header = lines.next().unwrap();
    let national = header.split(',').position(|h| h == "项目代码").unwrap();
    let mut first: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    first[national] = String::new();
    let mut text = format!("{header}\n");
    for i in 0..ROWS {
        first[0] = format!("BG{i:07}");
        first[1] = format!("大规模项目{i}");
        text.push_str(&first.join(","));
        text.push('\n');
    }
    let path = dir.path().join("projects.csv");
    std::fs::write(&path, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["import", "projects", path.to_str().unwrap()])
        .env("DOCKET_DATABASE_URL", &t.url)
        .env("DOCKET_CONFIG", sample_config())
        .env("DOCKET_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(mb) = peak_mb(pid) {
            peak = peak.max(mb);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    println!(
        "reliability[{}] import of {ROWS} project rows: peak memory {peak} MB (goal 300 MB), exit {status}",
        t.backend_name()
    );
    assert!(status.success());
    assert!(peak > 0, "the peak was read");
    assert!(peak <= 300, "peak {peak} MB");
    let n = docket_store::entity::projects::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap()
        .len();
    assert_eq!(n, ROWS);
}
dual_test!(a_large_import_stays_small);
