//! Connecting to the database and making its schema.

use std::path::Path;
use std::time::Duration;

use docket_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection};

use crate::StoreError;

/// The embedded default: a SQLite file under `data/`, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/docket.db?mode=rwc";

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded SQLite file.
    Sqlite,
    /// PostgreSQL, for production and several replicas.
    Postgres,
}

/// A connection pool and the backend behind it. Cheap to clone; one per process
/// (a PostgreSQL connect costs ~95 ms, CRATES.md trap 10).
#[derive(Debug, Clone)]
pub struct Db {
    /// The sea-orm connection pool.
    pub conn: DatabaseConnection,
    /// The backend.
    pub backend: Backend,
}

impl Db {
    /// The sea-orm backend kind, for building statements.
    pub fn db_backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }
}

/// Normalises a database URL: `sqlite://PATH` gains `?mode=rwc` so the file is created
/// (CRATES.md trap 4), and its folder is created too.
///
/// # Errors
/// [`StoreError::BadUrl`] for another scheme; [`StoreError::Io`] if the folder cannot be made.
pub fn prepare_url(url: &str) -> Result<(String, Backend), StoreError> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path_part = rest.trim_start_matches("//");
        let (path, query) = match path_part.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_part, None),
        };
        if path.is_empty() {
            return Err(StoreError::BadUrl {
                url: url.into(),
                reason: "no file path".into(),
            });
        }
        let dir = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|_| path != ":memory:") {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let query = match query {
            Some(q) if q.contains("mode=") => q.to_string(),
            Some(q) => format!("{q}&mode=rwc"),
            None => "mode=rwc".to_string(),
        };
        Ok((format!("sqlite://{path}?{query}"), Backend::Sqlite))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((local_postgres_without_tls(url), Backend::Postgres))
    } else {
        Err(StoreError::BadUrl {
            url: url.into(),
            reason: "expected sqlite://PATH or postgres://...".into(),
        })
    }
}

/// Opens a connection pool.
///
/// SQLite runs in WAL mode with a busy timeout; within one process its pool holds a single
/// connection, so the process's writers queue fairly (first come, first served) on the pool
/// instead of racing for the file lock through the busy handler's sleeps, which starved
/// some of 50 concurrent HTTP writers for 30 s. Other processes (CLI commands beside a
/// running service) still wait on the busy timeout. Foreign keys are enforced on both
/// backends.
///
/// # Errors
/// [`StoreError::BadUrl`] for an unusable URL; [`StoreError::Db`] if the server cannot be reached.
pub async fn connect(url: &str) -> Result<Db, StoreError> {
    let (url, backend) = prepare_url(url)?;
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    match backend {
        Backend::Sqlite => {
            opts.max_connections(1)
                .min_connections(1)
                .map_sqlx_sqlite_opts(|o| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(Duration::from_secs(30))
                        .foreign_keys(true)
                });
        }
        Backend::Postgres => {
            opts.max_connections(16).min_connections(1);
        }
    }
    let conn = Database::connect(opts).await?;
    Ok(Db { conn, backend })
}

/// Creates or upgrades the schema; a no-op when it is current. Returns how many migrations ran.
///
/// # Errors
/// [`StoreError::Db`] if a migration fails (it is rolled back on PostgreSQL).
pub async fn migrate(db: &Db) -> Result<usize, StoreError> {
    if is_current(db).await {
        return Ok(0);
    }
    let pending = Migrator::get_pending_migrations(&db.conn).await?.len();
    if pending > 0 {
        Migrator::up(&db.conn, None).await?;
    }
    Ok(pending)
}

/// Whether the newest migration this build knows is the newest applied: one indexed read
/// instead of sea-orm's scan (which also re-creates its bookkeeping table "if not exists"
/// on every call, ~100 ms on PostgreSQL per CLI command). Any doubt — no table, an older or
/// unknown newest version — answers false and the full check runs.
async fn is_current(db: &Db) -> bool {
    use sea_orm::ConnectionTrait;
    let Some(newest) = Migrator::migrations().last().map(|m| m.name().to_string()) else {
        return false;
    };
    let sql = "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1";
    let stmt = sea_orm::Statement::from_string(db.conn.get_database_backend(), sql);
    match db.conn.query_one_raw(stmt).await {
        Ok(Some(row)) => row
            .try_get::<String>("", "version")
            .is_ok_and(|v| v == newest),
        _ => false,
    }
}

/// `sslmode=disable` for a PostgreSQL server on this machine when the URL names no mode:
/// sqlx's default (`prefer`) negotiates TLS over loopback, ~55 ms per connection, for no
/// protection. Remote servers keep the default or what the URL says.
fn local_postgres_without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        return url.to_string();
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host_part = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host_part.rsplit('@').next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1" | "");
    if !local {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sslmode=disable")
}

/// Options of every write transaction: on SQLite it begins `IMMEDIATE`, taking the one
/// writer's lock at `BEGIN` (waiting up to the busy timeout) instead of at its first write —
/// a deferred transaction that read first cannot upgrade when another writer committed
/// meanwhile and fails at once with "database is locked". PostgreSQL ignores it, and a
/// transaction begun inside another is a savepoint either way.
pub const WRITE: sea_orm::TransactionOptions = sea_orm::TransactionOptions {
    isolation_level: None,
    access_mode: None,
    sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_postgres_skips_tls_unless_asked() {
        let f = local_postgres_without_tls;
        assert_eq!(
            f("postgres://postgres@127.0.0.1:5432/db"),
            "postgres://postgres@127.0.0.1:5432/db?sslmode=disable"
        );
        assert_eq!(
            f("postgres://u:p@localhost/db?x=1"),
            "postgres://u:p@localhost/db?x=1&sslmode=disable"
        );
        assert_eq!(
            f("postgres://u@db.example.gov.cn/db"),
            "postgres://u@db.example.gov.cn/db"
        );
        assert_eq!(
            f("postgres://u@127.0.0.1/db?sslmode=require"),
            "postgres://u@127.0.0.1/db?sslmode=require"
        );
    }

    #[test]
    fn sqlite_urls_gain_create_mode() {
        let dir = std::env::temp_dir().join(format!("docket-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        let (u, b) = prepare_url(&url).unwrap();
        assert_eq!(b, Backend::Sqlite);
        assert!(u.ends_with("x.db?mode=rwc"), "{u}");
        assert!(dir.is_dir());
        let (u, _) = prepare_url("sqlite://a.db?mode=ro").unwrap();
        assert!(u.ends_with("?mode=ro"));
        assert!(prepare_url("mysql://x").is_err());
        assert_eq!(prepare_url("postgres://h/db").unwrap().1, Backend::Postgres);
    }
}
