//! `docket import projects|progress|milestones|indicators FILE [--dry-run]`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use docket_library::{ImportError, ImportOptions, ImportReport};

use crate::app::App;
use crate::error::{CliError, CliResult};
use crate::output;

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// The project library: upsert by code, plans kept per (code, plan_year); all-or-nothing.
    Projects(FileArgs),
    /// Year-to-date completed investment per project and month; upsert by (code, month).
    Progress(FileArgs),
    /// Pre-construction milestones per project: planned and actual dates.
    Milestones(FileArgs),
    /// City-wide monthly indicators (fixed-asset investment and its parts).
    Indicators(FileArgs),
}

/// A file to import.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// A `.csv` (UTF-8 with or without BOM, or GB18030) or `.xlsx` (first sheet) file.
    pub file: PathBuf,
    /// Validate every row and report; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs an import command.
pub async fn run(app: &App, cmd: ImportCmd) -> CliResult {
    let report = match &cmd {
        ImportCmd::Projects(a) => import_projects(app, &a.file, a.dry_run).await?,
        ImportCmd::Progress(a) => {
            docket_library::import_progress(&app.db, &a.file, &options(app, a.dry_run))
                .await
                .map_err(classify)?
        }
        ImportCmd::Milestones(a) => {
            docket_library::import_milestones(&app.db, &a.file, &options(app, a.dry_run))
                .await
                .map_err(classify)?
        }
        ImportCmd::Indicators(a) => {
            docket_library::import_indicators(&app.db, &a.file, &options(app, a.dry_run))
                .await
                .map_err(classify)?
        }
    };
    output::print(&summary_line(&report))
}

/// Imports a project file with a progress bar on a terminal and counts in the log.
///
/// # Errors
/// Bad input (exit 2) for a bad file or rows; failure if the database fails.
pub async fn import_projects(app: &App, file: &Path, dry_run: bool) -> CliResult<ImportReport> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("importing");
    let mut last_logged = 0;
    let report = docket_library::import_projects(
        &app.db,
        file,
        &app.config.core,
        &options(app, dry_run),
        |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if done > last_logged && (done - last_logged >= 10_000 || done == total) {
                tracing::info!(done, total, "project rows written");
                last_logged = done;
            }
        },
    )
    .await
    .map_err(classify);
    bar.finish_and_clear();
    report
}

fn options(app: &App, dry_run: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
        actor: app.actor.clone().unwrap_or_else(|| "office".into()),
        now_ms: docket_store::time::to_ms(app.clock.now()),
    }
}

/// Bad files and rows are bad input (exit 2); a database failure is not.
pub fn classify(e: ImportError) -> CliError {
    match e {
        ImportError::File { .. } | ImportError::BadRows(_) => CliError::BadInput(e.into()),
        ImportError::Store(s) => CliError::from(s),
    }
}

/// One line saying what happened.
pub fn summary_line(r: &ImportReport) -> String {
    let verb = if r.dry_run {
        "validated (dry run, nothing written)"
    } else {
        "imported"
    };
    match &r.projects {
        Some(p) => format!(
            "{} rows {verb}: {} created, {} updated, {} unchanged, {} field changes",
            r.rows, p.created, p.updated, p.unchanged, p.changes
        ),
        None => format!("{} rows {verb}", r.rows),
    }
}
