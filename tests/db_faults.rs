//! The reliability harness's database faults, through a real `docket run`: on PostgreSQL every
//! connection the service holds is terminated (`pg_terminate_backend`, as a server restart or
//! a failover does) and the next requests are served on new ones; on SQLite another process
//! holds the write lock in a long transaction and the service's writes wait for it instead of
//! failing. A frozen leader (SIGSTOP past its lease) on PostgreSQL's two replicas stays a
//! follower when it wakes (SQLite allows one `docket run` per file: tests/hold.rs). Each
//! prints what it did and its counts.

use std::time::{Duration, Instant};

use docket_store::entity::issues;
use docket_store::sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use docket_testkit::{TestDb, dual_test};
use serde_json::json;

use crate::cli::import_sample;
use crate::server::{Server, token};

async fn raise(s: &Server, office: &str, i: usize) -> reqwest::StatusCode {
    s.http
        .post(s.url("/api/issues"))
        .bearer_auth(office)
        .json(&json!({"project": "SZ2024001", "category": "用地", "title": format!("用地问题{i}"), "detail": "缺地"}))
        .send()
        .await
        .map(|r| r.status())
        .unwrap_or(reqwest::StatusCode::BAD_GATEWAY)
}

/// Terminates every connection to the test database but the caller's.
async fn terminate_backends(t: &TestDb) -> u64 {
    let admin = docket_store::connect(&docket_testkit::pg_admin_url())
        .await
        .expect("admin connection");
    let name = t.url.rsplit('/').next().unwrap().split('?').next().unwrap();
    let r = admin
        .conn
        .query_all_raw(docket_store::sea_orm::Statement::from_string(
            docket_store::sea_orm::DatabaseBackend::Postgres,
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ),
        ))
        .await
        .expect("terminate");
    let _ = admin.conn.close().await;
    r.len() as u64
}

async fn database_faults_lose_nothing(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&t.url, dir.path(), None).await;
    let office = token(&t.url, "lin_xiao");
    assert_eq!(raise(&s, &office, 0).await, 201, "{}", s.log());
    let (mut answered, mut failed) = (1, 0);
    let what;
    if t.backend_name() == "postgres" {
        let killed = terminate_backends(t).await;
        what = format!("{killed} connections terminated");
        // The pool replaces the dead connections; a request may meet one dead socket first.
        for i in 1..=20 {
            if raise(&s, &office, i).await == 201 {
                answered += 1;
            } else {
                failed += 1;
            }
        }
        assert!(
            failed <= 2,
            "{failed} requests failed after the restart: {}",
            s.log()
        );
    } else {
        // Another process's long write transaction: the service's write waits, then lands.
        let hold = Duration::from_secs(3);
        let tx =
            t.db.conn
                .begin_with_options(docket_store::db::WRITE)
                .await
                .unwrap();
        tx.execute_unprepared("UPDATE projects SET name = name WHERE code = 'SZ2024002'")
            .await
            .unwrap();
        let started = Instant::now();
        let pending = tokio::spawn({
            let (url, office) = (s.url("/api/issues"), office.clone());
            let http = s.http.clone();
            async move {
                http.post(url)
                    .bearer_auth(office)
                    .json(&json!({"project": "SZ2024001", "category": "用地", "title": "等锁的问题", "detail": "缺地"}))
                    .send()
                    .await
                    .map(|r| r.status())
            }
        });
        tokio::time::sleep(hold).await;
        tx.commit().await.unwrap();
        let status = pending.await.unwrap().unwrap();
        let waited = started.elapsed();
        what = format!("a write lock held {hold:?}; the request waited {waited:.1?}");
        assert_eq!(status, 201, "{}", s.log());
        assert!(waited >= hold, "it waited for the lock");
        answered += 1;
    }
    let stored = issues::Entity::find().all(&t.db.conn).await.unwrap().len();
    println!(
        "reliability[{}] database fault ({what}): answered {answered}, failed {failed}, issues stored {stored}, lost {}",
        t.backend_name(),
        answered - stored as i64
    );
    assert_eq!(stored as i64, answered, "every answered raise is stored");
    let r = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(s.stop(), "stops cleanly: {}", s.log());
}
dual_test!(database_faults_lose_nothing);

/// The scheduler's holder of the lease now, if any.
async fn lease_holder(t: &TestDb) -> Option<String> {
    docket_store::entity::leases::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.name == "scheduler")
        .map(|l| l.holder)
}

fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// A zombie leader: two replicas on PostgreSQL; the leader is frozen (SIGSTOP) past its
/// lease, the other takes the lease over, and when the frozen one wakes (SIGCONT) it does
/// not take the lease back or act as leader: its stale lease token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zombie_leader_stays_a_follower() {
    let t = TestDb::postgres().await;
    import_sample(&t.url, &["projects"]);
    let cfg = crate::server::edited_config(|c| {
        c.replace("tick_seconds = 15", "tick_seconds = 1")
            .replace("lease_seconds = 60", "lease_seconds = 5")
    });
    let config = cfg.path().join("docket.toml");
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = Server::start_with(&t.url, da.path(), None, &config).await;
    let wait_for = |who: String| {
        let t = &t;
        async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if lease_holder(t).await.is_some_and(|h| h.starts_with(&who)) {
                    return;
                }
                assert!(Instant::now() < deadline, "{who} never held the lease");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let (pa, mut b) = (
        a.pid(),
        Server::start_with(&t.url, db.path(), None, &config).await,
    );
    let pb = b.pid();
    wait_for(format!("pid{pa}-")).await;
    signal(pa, "-STOP");
    let frozen = Instant::now();
    wait_for(format!("pid{pb}-")).await;
    let took_over = frozen.elapsed();
    signal(pa, "-CONT");
    // Five seconds of ticks after the zombie wakes: the lease stays with the replica.
    let mut retaken = 0;
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if !lease_holder(&t)
            .await
            .is_some_and(|h| h.starts_with(&format!("pid{pb}-")))
        {
            retaken += 1;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "reliability[postgres] zombie leader: frozen leader's lease taken over after {took_over:.1?}; after it woke the lease left the new leader {retaken} time(s) in 5 s"
    );
    assert_eq!(retaken, 0, "the zombie took the lease back: {}", a.log());
    assert!(a.stop() && b.stop(), "both stop cleanly");
}
