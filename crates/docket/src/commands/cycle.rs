//! `docket cycle open|show|close|sheet`: the weekly dispatch cycle (周调度).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use docket_app::{Actor, App, cycles};
use docket_scheduler::sheet;

use crate::error::{CliError, CliResult};
use crate::i18n::{Lang, catalog, words};
use crate::output::{self, Format};
use crate::tr;

/// Cycle commands.
#[derive(Debug, Subcommand)]
pub enum CycleCmd {
    /// Opens a week's cycle: one report slot per active project. Opening again changes nothing.
    Open(WeekArgs),
    /// A cycle's counts: `{"week", "state", "projects", "reported", "missing"}`.
    Show(ShowArgs),
    /// Closes a week's cycle now and queues its dispatch sheet (held when nobody reported);
    /// on a closed week with new 补报, queues a corrected sheet （更正第N版）.
    Close(WeekArgs),
    /// The dispatch sheet of a week.
    Sheet(SheetArgs),
}

/// A week option.
#[derive(Debug, Args)]
pub struct WeekArgs {
    /// ISO week YYYY-Www (default: the current week in office time).
    #[arg(long)]
    pub week: Option<String>,
}

/// `cycle show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// ISO week YYYY-Www (default: the current week).
    #[arg(long)]
    pub week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Sheet formats.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum SheetFormat {
    /// Plain text.
    #[default]
    Text,
    /// An HTML page.
    Html,
    /// An XLSX workbook (binary: use --out, or redirect stdout).
    Xlsx,
}

/// `cycle sheet` options.
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// ISO week YYYY-Www (default: the current week).
    #[arg(long)]
    pub week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: SheetFormat,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs a cycle command.
///
/// # Errors
/// Bad input (week); not permitted (open, close); failure.
pub async fn run(app: &App, actor: &Actor, cmd: CycleCmd, lang: Lang) -> CliResult {
    match cmd {
        CycleCmd::Open(a) => {
            let week = app.week_or_current(a.week.as_deref())?;
            let r = cycles::open_cycle(app, actor, week).await?;
            if r.created {
                eprintln!(
                    "{}",
                    tr!(
                        lang,
                        "{week}：调度已开启，{} 个报送名额",
                        "{week}: cycle opened with {} report slots",
                        r.slots_added
                    )
                );
            } else {
                eprintln!(
                    "{}",
                    tr!(
                        lang,
                        "{week}：已开启过（{}；新增 {} 个名额）",
                        "{week}: already opened ({}; {} new slots)",
                        cycle_state(lang, &r.cycle.state.to_string()),
                        r.slots_added
                    )
                );
            }
            output::print(&week.to_string())
        }
        CycleCmd::Show(a) => {
            let week = app.week_or_current(a.week.as_deref())?;
            let s = cycles::show_cycle(app, week).await?;
            match a.format {
                Format::Json => output::print_json(&s),
                Format::Text => output::print(&match lang {
                    Lang::Zh => format!(
                        "{} {}：应报 {} 个项目，已报 {} 个，未报 {} 个{}",
                        s.week,
                        cycle_state(lang, &s.state.to_string()),
                        s.projects,
                        s.reported,
                        s.missing.len(),
                        if s.missing.is_empty() {
                            String::new()
                        } else {
                            format!("（{}）", s.missing.join("、"))
                        }
                    ),
                    Lang::En => format!(
                        "{} {}: {} projects, {} reported, {} missing{}",
                        s.week,
                        s.state,
                        s.projects,
                        s.reported,
                        s.missing.len(),
                        if s.missing.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", s.missing.join(", "))
                        }
                    ),
                }),
            }
        }
        CycleCmd::Close(a) => {
            let week = app.week_or_current(a.week.as_deref())?;
            let outcome = cycles::close_cycle(app, actor, week).await?;
            match lang {
                Lang::Zh => eprintln!("{week}：{}", catalog::to_zh(&outcome.to_string())),
                Lang::En => eprintln!("{week}: {outcome}"),
            }
            output::print(&week.to_string())
        }
        CycleCmd::Sheet(a) => {
            let week = app.week_or_current(a.week.as_deref())?;
            let data = cycles::cycle_sheet(app, week).await?;
            let core = &app.config.core;
            let bytes = match a.format {
                SheetFormat::Text => sheet::render_text(core, &data).into_bytes(),
                SheetFormat::Html => sheet::render_html(core, &data).into_bytes(),
                SheetFormat::Xlsx => sheet::render_xlsx(core, &data)
                    .map_err(|e| CliError::failed(anyhow::anyhow!(e)))?,
            };
            output::write_out(a.out.as_deref(), &bytes)
        }
    }
}

/// A cycle's state in words (进行中, 已关闭).
fn cycle_state(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => docket_domain::cycle::CycleState::parse(code)
            .map_or_else(|_| code.to_string(), |s| s.label_zh().to_string()),
        Lang::En => words::en(code),
    }
}
