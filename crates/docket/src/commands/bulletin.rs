//! `docket bulletin build|send`: the monthly bulletin (月通报) in JSON, HTML, text, XLSX,
//! or as the official document (公文) in DOCX or PDF, and its email to the distribution list through the outbox.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_app::bulletins::{build_bulletin, parse_month, send_bulletin};
use docket_app::{Actor, App};
use docket_bulletin::Format;

use crate::error::{CliError, CliResult};
use crate::i18n::{Lang, catalog};
use crate::output;
use crate::tr;

/// `bulletin` subcommands.
#[derive(Debug, Subcommand)]
pub enum BulletinCmd {
    /// Build the month's bulletin (stdout unless --out).
    Build(BuildArgs),
    /// Queue the month's bulletin by email to every recipient in [bulletin] recipients.
    Send(SendArgs),
}

/// `bulletin build` options.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The month, YYYY-MM (February covers 1-2月).
    #[arg(long)]
    pub month: String,
    /// json, html, text, xlsx, docx or pdf (docx and pdf: the 公文 form, A4).
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `bulletin send` options.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The month, YYYY-MM.
    #[arg(long)]
    pub month: String,
    /// Send again to everyone, even if this month was already sent.
    #[arg(long)]
    pub resend: bool,
}

/// Runs a bulletin command.
///
/// # Errors
/// Bad input (month, format, no recipients); not permitted (send); failure.
pub async fn run(app: &App, actor: &Actor, cmd: BulletinCmd, lang: Lang) -> CliResult {
    match cmd {
        BulletinCmd::Build(a) => {
            let month = parse_month(&a.month)?;
            let format = Format::parse(&a.format).map_err(|e| {
                let e = match lang {
                    Lang::Zh => catalog::to_zh(&e),
                    Lang::En => e,
                };
                CliError::bad_input(format!("--format: {e}"))
            })?;
            if format.is_binary() && a.out.is_none() && std::io::stdout().is_terminal() {
                return Err(CliError::bad_input(tr!(
                    lang,
                    "--format {}：输出为二进制文件；请用 --out 文件，或把标准输出重定向到文件",
                    "--format {}: the output is binary; give --out FILE or redirect stdout to a file",
                    format.extension()
                )));
            }
            let bytes = build_bulletin(app, month, format).await?;
            output::write_out(a.out.as_deref(), &bytes)?;
            if let Some(path) = &a.out {
                tracing::info!(file = %path.display(), "bulletin written");
            }
            Ok(())
        }
        BulletinCmd::Send(a) => {
            let month = parse_month(&a.month)?;
            let q = send_bulletin(app, actor, month, a.resend).await?;
            output::print(&tr!(
                lang,
                "已排队发给 {} 人（共 {} 位收件人）",
                "queued {} of {} recipients",
                q.queued,
                q.recipients
            ))
        }
    }
}
