//! `docket bulletin build|send`: the monthly bulletin (月通报) in JSON, HTML, text or XLSX,
//! and its email to the distribution list through the outbox.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use docket_bulletin::{Bulletin, BulletinError, Format};
use docket_domain::period::Month;
use docket_store::sea_orm::TransactionTrait;

use crate::app::App;
use crate::error::{CliError, CliResult};
use crate::output;

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
    /// json, html, text or xlsx.
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

fn classify(e: BulletinError) -> CliError {
    if e.is_bad_input() {
        CliError::bad_input(e)
    } else {
        CliError::Failed(e.into())
    }
}

fn parse_month(text: &str) -> CliResult<Month> {
    Month::parse(text).map_err(|e| CliError::bad_input(format!("--month {text}: {e}")))
}

/// Builds the model for `month` and records it in `bulletins`.
///
/// # Errors
/// Bad input for a month without a bulletin (January with February); failure if the
/// database fails.
pub async fn build_model(app: &App, month: Month) -> CliResult<Bulletin> {
    let c = &app.config;
    let b = docket_bulletin::build(&app.db.conn, &c.core, &c.bulletin, &app.calendar, month)
        .await
        .map_err(classify)?;
    Ok(b)
}

/// Runs a `bulletin` subcommand.
///
/// # Errors
/// Bad input (exit 2) for a bad month or format; failure for database errors.
pub async fn run(app: &App, cmd: BulletinCmd) -> CliResult {
    match cmd {
        BulletinCmd::Build(a) => {
            let month = parse_month(&a.month)?;
            let format = Format::parse(&a.format)
                .map_err(|e| CliError::bad_input(format!("--format: {e}")))?;
            if format == Format::Xlsx && a.out.is_none() && std::io::stdout().is_terminal() {
                return Err(CliError::bad_input(
                    "--format xlsx: the workbook is binary; give --out FILE or redirect stdout to a file",
                ));
            }
            let b = build_model(app, month).await?;
            let bytes = format.render(&b).map_err(classify)?;
            let now = docket_store::time::to_ms(app.clock.now());
            docket_store::bulletin::record_bulletin(
                &app.db.conn,
                month.key(),
                b.issue_number as i32,
                b.cutoff,
                &b.to_json().map_err(classify)?,
                now,
            )
            .await?;
            match a.out {
                Some(path) => {
                    write_file(&path, &bytes)?;
                    tracing::info!(file = %path.display(), "bulletin written");
                    Ok(())
                }
                None => {
                    let mut out = std::io::stdout().lock();
                    match out.write_all(&bytes).and_then(|_| out.flush()) {
                        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                            Err(CliError::Failed(e.into()))
                        }
                        _ => Ok(()),
                    }
                }
            }
        }
        BulletinCmd::Send(a) => {
            let month = parse_month(&a.month)?;
            if app.config.bulletin.recipients.is_empty() {
                return Err(classify(BulletinError::NoRecipients));
            }
            let b = build_model(app, month).await?;
            let rendered = docket_bulletin::render_all(&b).map_err(classify)?;
            let now = docket_store::time::to_ms(app.clock.now());
            let tx = app
                .db
                .conn
                .begin()
                .await
                .map_err(|e| CliError::Failed(e.into()))?;
            let q = docket_bulletin::queue_bulletin(
                &tx,
                &app.config.core,
                &app.config.bulletin,
                &b,
                &rendered,
                a.resend,
                now,
            )
            .await
            .map_err(classify)?;
            tx.commit().await.map_err(|e| CliError::Failed(e.into()))?;
            tracing::info!(month = %month, recipients = q.recipients, queued = q.queued, "bulletin queued");
            output::print(&format!(
                "queued {} of {} recipients",
                q.queued, q.recipients
            ))
        }
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> CliResult {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::Failed(anyhow::anyhow!("cannot create {}: {e}", dir.display()))
        })?;
    }
    std::fs::write(path, bytes)
        .map_err(|e| CliError::Failed(anyhow::anyhow!("cannot write {}: {e}", path.display())))
}

/// The demo's part: builds the sample city's September bulletin into `out/` in all four
/// formats and prints the headline figures.
///
/// # Errors
/// As [`run`].
pub async fn demo(app: &App) -> CliResult {
    let month = Month::parse("2024-09").map_err(|e| CliError::Failed(anyhow::anyhow!("{e}")))?;
    let b = build_model(app, month).await?;
    let dir = PathBuf::from("out");
    let mut files = Vec::new();
    for (format, ext) in [
        (Format::Json, "json"),
        (Format::Html, "html"),
        (Format::Text, "txt"),
        (Format::Xlsx, "xlsx"),
    ] {
        let path = dir.join(format!("bulletin-{month}.{ext}"));
        write_file(&path, &format.render(&b).map_err(classify)?)?;
        files.push(path.display().to_string());
    }
    let mut lines = vec![format!(
        "月通报 {} {}：{}",
        docket_bulletin::render::issue_line(&b),
        docket_bulletin::render::ytd_label(&b),
        files.join(", ")
    )];
    lines.extend(
        docket_bulletin::render::headlines(&b)
            .into_iter()
            .map(|h| format!("  {h}")),
    );
    lines.push(format!(
        "  滞后项目{}个（红灯{}个），本月未报{}个；开工率{}；问题销号率{}",
        b.lagging.len(),
        b.lagging
            .iter()
            .filter(|l| l.light == docket_bulletin::formula::Light::Red)
            .count(),
        b.not_reported.len(),
        docket_bulletin::formula::fmt_percent_opt(b.starts.rate),
        docket_bulletin::formula::fmt_percent_opt(b.issues.all.close_rate),
    ));
    output::print(&lines.join("\n"))
}
