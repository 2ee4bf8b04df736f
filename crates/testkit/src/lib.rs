//! Test harness for Docket: every storage test gets its own fresh database through the real
//! migrations, on SQLite and on PostgreSQL, and mail tests get a real SMTP server.
//!
//! - [`TestDb::sqlite`] makes a temporary SQLite file; [`TestDb::postgres`] creates a new
//!   database on the local server (`DOCKET_TEST_PG_URL`, default
//!   `postgres://postgres@127.0.0.1:5432/postgres`) and drops it when the test ends. A
//!   PostgreSQL test fails, never skips, when the server cannot be reached.
//! - [`dual_test!`] turns one `async fn(&TestDb)` into a test per backend.
//! - [`SmtpSink`] runs `aiosmtpd` on a free loopback port and reads what arrived.
//! - [`S3Server`] runs moto's S3-compatible server on a free loopback port (attachments in a
//!   bucket).
//! - Fixtures shared by the crates' tests and benchmarks: [`core_config`], [`calendar`],
//!   [`beijing`], [`project`] and [`seed_projects`], [`TempTemplates`]; [`Docket`] runs the
//!   built binary; [`docx_body`] reads a DOCX back.

mod cli;
mod docx;
mod fixtures;
mod s3;
mod smtp;

pub use cli::{Docket, stderr, stdout};
use docket_store::{Db, connect, migrate};
pub use docx::{DocxBody, docx_body};
pub use fixtures::{
    TempTemplates, beijing, calendar, config_dir, core_config, project, repo_root, seed_projects,
};
pub use s3::{S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3Server};
pub use smtp::{ReceivedMail, SmtpSink, python};

/// The server a PostgreSQL test database is created on.
pub fn pg_admin_url() -> String {
    std::env::var("DOCKET_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A fresh, migrated database for one test, removed afterwards.
#[derive(Debug)]
pub struct TestDb {
    /// The connection.
    pub db: Db,
    /// The URL, for spawning the `docket` binary against the same database.
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A migrated database in a new temporary SQLite file.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/docket.db", dir.path().display());
        let db = connect(&url).await.expect("open SQLite");
        migrate(&db).await.expect("migrate SQLite");
        TestDb {
            db,
            url,
            pg_name: None,
            _dir: Some(dir),
        }
    }

    /// A migrated database newly created on the local PostgreSQL server.
    ///
    /// # Panics
    /// When PostgreSQL cannot be reached: a storage test must run on both backends.
    pub async fn postgres() -> TestDb {
        let name = format!("docket_test_{}", uuid::Uuid::new_v4().simple());
        let admin_url = pg_admin_url();
        let admin = connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is required for this test and is not reachable at {admin_url}: {e}")
        });
        use sea_orm::ConnectionTrait;
        admin
            .conn
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let _ = admin.conn.close().await;
        let url = db_url(&admin_url, &name);
        let db = connect(&url).await.expect("connect to the test database");
        migrate(&db).await.expect("migrate PostgreSQL");
        TestDb {
            db,
            url,
            pg_name: Some(name),
            _dir: None,
        }
    }

    /// The backend's name, for messages.
    pub fn backend_name(&self) -> &'static str {
        if self.pg_name.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

/// The URL of database `name` on the server of `admin_url`.
fn db_url(admin_url: &str, name: &str) -> String {
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    match base.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &base[..i]),
        _ => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        let conn = self.db.conn.clone();
        // Drop runs inside the test's runtime; do the async clean-up on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let Ok(rt) = rt else { return };
            rt.block_on(async move {
                let _ = conn.close().await;
                if let Ok(admin) = connect(&pg_admin_url()).await {
                    use sea_orm::ConnectionTrait;
                    let _ = admin
                        .conn
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.conn.close().await;
                }
            });
        })
        .join();
    }
}

/// Runs the `async fn NAME(t: &TestDb)` in scope as two tests, `NAME::sqlite` and
/// `NAME::postgres`, each on its own fresh database.
#[macro_export]
macro_rules! dual_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::TestDb::sqlite().await;
                super::$name(&t).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = $crate::TestDb::postgres().await;
                super::$name(&t).await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::db_url;

    #[test]
    fn database_urls() {
        assert_eq!(
            db_url("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            db_url("postgres://postgres@127.0.0.1:5432", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
    }
}
