//! The reliability harness's database faults, through a real `docket run`: on PostgreSQL every
//! connection the service holds is terminated (`pg_terminate_backend`, as a server restart or
//! a failover does) and the next requests are served on new ones; on SQLite another process
//! holds the write lock in a long transaction and the service's writes wait for it instead of
//! failing. Each prints what it did and counts: requests answered, failed, issues lost.

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
