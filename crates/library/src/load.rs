//! Loading files all-or-nothing: parse and validate every row first, then write in one
//! transaction.

use std::collections::HashMap;
use std::path::Path;

use docket_domain::config::CoreConfig;
use docket_store::applications::{ApplicationSummary, upsert_applications};
use docket_store::library::{ImportMeta, UpsertSummary, upsert_projects};
use docket_store::progress::{upsert_indicators, upsert_milestones, upsert_progress};
use docket_store::{Db, StoreError};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use uuid::Uuid;

use crate::{ImportError, RowError, Table, files::read_table, rows};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Validate only; write nothing.
    pub dry_run: bool,
    /// Who imports (an official id, or `office`).
    pub actor: String,
    /// The time to record (UTC ms).
    pub now_ms: i64,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// For projects: created / updated / unchanged / field changes.
    pub projects: Option<UpsertSummary>,
    /// For applications: created / updated (one history event each) / unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applications: Option<ApplicationSummary>,
}

/// Imports a project library file, streamed: its rows are read and validated one at a time
/// (only the records are kept), then written in batches in one transaction.
/// `progress(done, total)` reports records written.
///
/// # Errors
/// [`ImportError::File`] / [`ImportError::BadRows`] for bad input (nothing written);
/// [`ImportError::Store`] if the database fails (rolled back).
pub async fn import_projects(
    db: &Db,
    path: &Path,
    config: &CoreConfig,
    opts: &ImportOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    let records = rows::project_records(&rows::Source::File(path), config)?;
    let mut report = ImportReport {
        rows: records.len(),
        dry_run: opts.dry_run,
        projects: None,
        applications: None,
    };
    let meta = ImportMeta {
        source_file: file_name(path),
        actor: opts.actor.clone(),
        now_ms: opts.now_ms,
    };
    let txn = db.conn.begin_with_options(docket_store::db::WRITE).await?;
    let total = records.len();
    let summary = upsert_projects(&txn, &records, &meta, |n| progress(n.min(total), total)).await?;
    report.projects = Some(summary);
    if opts.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(report)
}

/// Imports a progress file (YTD completed per project and month).
///
/// # Errors
/// As [`import_projects`]; a row naming an unknown project code is a bad row.
pub async fn import_progress(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_rows(db, path, opts, rows::progress_rows, async |txn, r, now| {
        upsert_progress(txn, r, now, |_| {}).await
    })
    .await
}

/// Imports a milestones file (planned and actual dates per project and milestone).
///
/// # Errors
/// As [`import_progress`].
pub async fn import_milestones(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_rows(db, path, opts, rows::milestone_rows, async |txn, r, now| {
        upsert_milestones(txn, r, now).await
    })
    .await
}

/// Imports a city indicators file.
///
/// # Errors
/// As [`import_projects`].
pub async fn import_indicators(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_rows(
        db,
        path,
        opts,
        |table, _| rows::indicator_rows(table),
        async |txn, r, now| upsert_indicators(txn, r, now).await,
    )
    .await
}

/// Reads the file at `path`, parses every row with `parse` (given the project ids by code)
/// and, unless it is a dry run, writes them all with `write` in one transaction.
async fn import_rows<T>(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
    parse: impl FnOnce(&Table, &HashMap<String, Uuid>) -> Result<Vec<T>, Vec<RowError>>,
    write: impl AsyncFnOnce(&DatabaseTransaction, &[T], i64) -> Result<usize, StoreError>,
) -> Result<ImportReport, ImportError> {
    let table = read_table(path)?;
    let ids = docket_store::library::project_ids(&db.conn).await?;
    let records = parse(&table, &ids).map_err(ImportError::BadRows)?;
    if !opts.dry_run {
        let txn = db.conn.begin_with_options(docket_store::db::WRITE).await?;
        write(&txn, &records, opts.now_ms).await?;
        txn.commit().await?;
    }
    Ok(ImportReport {
        rows: records.len(),
        dry_run: opts.dry_run,
        projects: None,
        applications: None,
    })
}

/// Imports an applications file (争取上级资金和政策): upserts by key, and records an event
/// for every application created or changed. A dry run validates and counts what would
/// change, then rolls back.
///
/// # Errors
/// As [`import_projects`]; a row naming an unknown project code is a bad row.
pub async fn import_applications(
    db: &Db,
    path: &Path,
    config: &CoreConfig,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let table = read_table(path)?;
    let ids = docket_store::library::project_ids(&db.conn).await?;
    let records = crate::applications::application_rows(&table, &ids, config)
        .map_err(ImportError::BadRows)?;
    let meta = ImportMeta {
        source_file: file_name(path),
        actor: opts.actor.clone(),
        now_ms: opts.now_ms,
    };
    let txn = db.conn.begin_with_options(docket_store::db::WRITE).await?;
    let summary = upsert_applications(&txn, &records, &meta).await?;
    if opts.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(ImportReport {
        rows: records.len(),
        dry_run: opts.dry_run,
        projects: None,
        applications: Some(summary),
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
