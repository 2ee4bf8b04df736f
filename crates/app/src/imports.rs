//! Loading the office's files: the project library, monthly progress, milestones, city
//! indicators, applications to higher levels (the office only; all or nothing; `dry_run` validates only).

use std::path::Path;

use docket_library::{ImportOptions, ImportReport};

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::AppResult;

/// Which kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// The project library (upsert by code, annual plans per year).
    Projects,
    /// Year-to-date completed investment per project and month.
    Progress,
    /// Pre-construction milestones.
    Milestones,
    /// City-wide monthly indicators.
    Indicators,
    /// Applications to higher levels (争取上级资金和政策), upserted with their history.
    Applications,
}

impl ImportKind {
    /// Parses a kind's name as the CLI and the API spell it (`projects`, …, `applications`).
    pub fn parse(name: &str) -> Option<ImportKind> {
        Some(match name {
            "projects" => ImportKind::Projects,
            "progress" => ImportKind::Progress,
            "milestones" => ImportKind::Milestones,
            "indicators" => ImportKind::Indicators,
            "applications" => ImportKind::Applications,
            _ => return None,
        })
    }
}

/// Imports `file` of `kind` as `actor`; `progress(done, total)` reports rows written.
///
/// # Errors
/// Not permitted (only the office); bad input listing every bad row as
/// `FILE:ROW: COLUMN: VALUE: reason` (nothing written); unexpected if the database fails.
pub async fn import_file(
    app: &App,
    actor: &Actor,
    kind: ImportKind,
    file: &Path,
    dry_run: bool,
    progress: impl FnMut(usize, usize),
) -> AppResult<ImportReport> {
    require_office(actor, "import files")?;
    let opts = ImportOptions {
        dry_run,
        actor: actor.id.clone(),
        now_ms: docket_store::time::to_ms(app.now()),
    };
    let db = &app.db;
    Ok(match kind {
        ImportKind::Projects => {
            docket_library::import_projects(db, file, &app.config.core, &opts, progress).await?
        }
        ImportKind::Progress => docket_library::import_progress(db, file, &opts).await?,
        ImportKind::Milestones => docket_library::import_milestones(db, file, &opts).await?,
        ImportKind::Indicators => docket_library::import_indicators(db, file, &opts).await?,
        ImportKind::Applications => {
            docket_library::import_applications(db, file, &app.config.core, &opts).await?
        }
    })
}

/// One line for people: rows read and what they did.
pub fn import_summary(r: &ImportReport) -> String {
    let verb = if r.dry_run {
        "validated (dry run, nothing written)"
    } else {
        "imported"
    };
    match (&r.projects, &r.applications) {
        (Some(p), _) => format!(
            "{} rows {verb}: {} created, {} updated, {} unchanged, {} field changes",
            r.rows, p.created, p.updated, p.unchanged, p.changes
        ),
        (None, Some(a)) => format!(
            "{} rows {verb}: {} created, {} updated, {} unchanged",
            r.rows, a.created, a.updated, a.unchanged
        ),
        (None, None) => format!("{} rows {verb}", r.rows),
    }
}
