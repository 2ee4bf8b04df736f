//! `docket import projects|progress|milestones|indicators|applications FILE [--dry-run]`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_app::imports::{ImportKind, import_file};
use docket_app::projects::field_change;
use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::i18n::{Lang, words};
use crate::output::{self, Format};
use crate::tr;

/// What to import.
#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// The project library (upsert by code; annual plans kept per year).
    Projects(FileArgs),
    /// Monthly year-to-date completed investment per project.
    Progress(FileArgs),
    /// Pre-construction milestones.
    Milestones(FileArgs),
    /// City-wide monthly indicators.
    Indicators(FileArgs),
    /// Applications to higher levels (争取上级资金和政策); upsert with history.
    Applications(FileArgs),
}

/// A file and the dry-run switch.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// A .csv (UTF-8 or GB18030) or .xlsx file.
    pub file: PathBuf,
    /// Validate only and show what would change (for projects, field by field: old → new,
    /// and the new projects); write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format: a summary line (with the field-level diff of a projects dry run) or
    /// JSON (`rows`, `dry_run`, `projects` with `created`, `updated`, `unchanged`,
    /// `changes` and `diff`).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs an import, with a progress bar on a terminal and counts in the log.
///
/// # Errors
/// Bad input listing every bad row (nothing written); not permitted; failure.
pub async fn run(app: &App, actor: &Actor, cmd: ImportCmd, lang: Lang) -> CliResult {
    let (kind, a) = match cmd {
        ImportCmd::Projects(a) => (ImportKind::Projects, a),
        ImportCmd::Progress(a) => (ImportKind::Progress, a),
        ImportCmd::Milestones(a) => (ImportKind::Milestones, a),
        ImportCmd::Indicators(a) => (ImportKind::Indicators, a),
        ImportCmd::Applications(a) => (ImportKind::Applications, a),
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(lang.pick(
            "{msg} [{bar:40}] {pos}/{len} 行（{per_sec}）",
            "{msg} [{bar:40}] {pos}/{len} rows ({per_sec})",
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(lang.pick("导入中", "importing"));
    let mut last_logged = 0;
    let report = import_file(app, actor, kind, &a.file, a.dry_run, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done > last_logged && (done - last_logged >= 10_000 || done == total) {
            tracing::info!(done, total, "rows written");
            last_logged = done;
        }
    })
    .await;
    bar.finish_and_clear();
    let report = report?;
    if a.format == Format::Json {
        return output::print_json(&report);
    }
    let mut o = String::new();
    if report.dry_run
        && let Some(p) = &report.projects
    {
        o.push_str(&diff_text(lang, &p.diff));
    }
    o.push_str(&summary(lang, &report));
    output::print(&o)
}

/// The field-level diff for people: `新增 CODE`, or `CODE` and one line per changed field
/// (`  项目名称：旧 → 新`).
fn diff_text(lang: Lang, diff: &[docket_store::project_history::ProjectDiff]) -> String {
    let mut o = String::new();
    for d in diff {
        if d.created {
            o.push_str(&tr!(lang, "新增 {}\n", "new {}\n", d.code));
            continue;
        }
        o.push_str(&tr!(lang, "变更 {}\n", "changed {}\n", d.code));
        for c in &d.changes {
            o.push_str(&match lang {
                Lang::Zh => {
                    let (field, old) = field_change(&c.field, c.old.as_deref());
                    let (_, new) = field_change(&c.field, c.new.as_deref());
                    format!("  {field}：{old} → {new}\n")
                }
                Lang::En => format!(
                    "  {}: {} → {}\n",
                    words::en(&c.field),
                    c.old.as_deref().unwrap_or("—"),
                    c.new.as_deref().unwrap_or("—")
                ),
            });
        }
    }
    o
}

/// One line for people: rows read and what they did.
fn summary(lang: Lang, r: &docket_library::ImportReport) -> String {
    let counts = match (&r.projects, &r.applications) {
        (Some(p), _) => Some((p.created, p.updated, p.unchanged, Some(p.changes))),
        (None, Some(a)) => Some((a.created, a.updated, a.unchanged, None)),
        (None, None) => None,
    };
    match lang {
        Lang::Zh => {
            let verb = if r.dry_run {
                "已校验（试导入，未写入）"
            } else {
                "已导入"
            };
            let mut s = format!("{} 行{verb}", r.rows);
            if let Some((c, u, n, changes)) = counts {
                s.push_str(&format!("：新增 {c}，更新 {u}，未变 {n}"));
                if let Some(f) = changes {
                    s.push_str(&format!("，字段变更 {f} 处"));
                }
            }
            s
        }
        Lang::En => {
            let verb = if r.dry_run {
                "validated (dry run, nothing written)"
            } else {
                "imported"
            };
            let mut s = format!("{} rows {verb}", r.rows);
            if let Some((c, u, n, changes)) = counts {
                s.push_str(&format!(": {c} created, {u} updated, {n} unchanged"));
                if let Some(f) = changes {
                    s.push_str(&format!(", {f} field changes"));
                }
            }
            s
        }
    }
}
