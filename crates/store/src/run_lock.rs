//! One `docket run` per SQLite file: the service holds an exclusive advisory lock on
//! `<db>.run.lock` for as long as it runs, so a second one on the same file is refused at
//! start with a clear message (SQLite has one writer; two schedulers would fight over it).
//! The lock dies with the process (kill -9 included), so a crash never leaves it stale.
//! PostgreSQL replicas are not locked here: several may run, the scheduler lease picks one
//! leader.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use crate::StoreError;

/// A held run lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    /// The lock file.
    pub path: PathBuf,
}

/// The database file of a `sqlite:` URL (`None` for PostgreSQL and in-memory databases).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Why the run lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum RunLockError {
    /// Another `docket run` holds it.
    #[error(
        "another `docket run` is already running on {db} (it holds {lock}); only one may run on a SQLite database: stop it first, or use PostgreSQL for several replicas"
    )]
    Held {
        /// The database file.
        db: String,
        /// The lock file.
        lock: String,
    },
    /// The lock file could not be opened or locked.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takes the run lock of the SQLite database at `url`; `Ok(None)` for PostgreSQL.
///
/// # Errors
/// [`RunLockError::Held`] when another process holds it; [`RunLockError::Store`] (I/O)
/// when the lock file cannot be opened or locked.
pub fn acquire(url: &str) -> Result<Option<RunLock>, RunLockError> {
    let Some(db) = sqlite_file(url) else {
        return Ok(None);
    };
    let mut name = db.clone().into_os_string();
    name.push(".run.lock");
    let path = PathBuf::from(name);
    let io = |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(RunLock { _file: file, path })),
        Err(TryLockError::WouldBlock) => Err(RunLockError::Held {
            db: db.display().to_string(),
            lock: path.display().to_string(),
        }),
        Err(TryLockError::Error(e)) => Err(io(e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_from_urls() {
        assert_eq!(
            sqlite_file("sqlite://data/docket.db?mode=rwc"),
            Some(PathBuf::from("data/docket.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    // A second lock on the same file is refused while the first is held, and taken after.
    #[test]
    fn second_lock_is_refused() {
        let dir = std::env::temp_dir().join(format!("docket-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/x.db", dir.display());
        let first = acquire(&url).unwrap().unwrap();
        assert!(matches!(acquire(&url), Err(RunLockError::Held { .. })));
        drop(first);
        assert!(acquire(&url).unwrap().is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
