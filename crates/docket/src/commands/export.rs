//! `docket export supervision`: the 督办/考核 record per responsible unit and task force.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_app::supervision::{ExportFormat, export_supervision};
use docket_app::{Actor, App};

use crate::error::{CliError, CliResult};
use crate::i18n::Lang;
use crate::output;

/// Export commands.
#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// The 督办/考核 record of whole months (office only): reports due, on time, late and
    /// missing per unit; issues received, accepted and resolved in time, overdue, escalations
    /// by rung, flags and median working days per unit and task force; the raw events.
    Supervision(SupervisionArgs),
}

/// `export supervision` options.
#[derive(Debug, Args)]
pub struct SupervisionArgs {
    /// First month, `YYYY-MM`.
    #[arg(long)]
    pub from: String,
    /// Last month, `YYYY-MM`.
    #[arg(long)]
    pub to: String,
    /// `xlsx` (one sheet per measure and the raw events) or `json`.
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs an export command.
///
/// # Errors
/// Bad input (months, format, file); not permitted (only the office); failure.
pub async fn run(app: &App, actor: &Actor, cmd: ExportCmd, lang: Lang) -> CliResult {
    let ExportCmd::Supervision(a) = cmd;
    let format = ExportFormat::parse(&a.format)?;
    if format == ExportFormat::Xlsx && a.out.is_none() && std::io::stdout().is_terminal() {
        return Err(CliError::bad_input(lang.pick(
            "--format xlsx：输出为二进制文件；请用 --out 文件，或把标准输出重定向到文件",
            "--format xlsx: the output is binary; give --out FILE or redirect stdout to a file",
        )));
    }
    let bytes = export_supervision(app, actor, &a.from, &a.to, format).await?;
    output::write_out(a.out.as_deref(), &bytes)?;
    if format == ExportFormat::Json && a.out.is_none() {
        output::print("")?;
    }
    Ok(())
}
