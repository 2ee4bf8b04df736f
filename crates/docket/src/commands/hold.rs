//! `docket hold list|show|release|drop`: products the scheduler held back instead of sending
//! (an empty bulletin, a sheet without reports, a stale catch-up, a bulletin awaiting
//! approval), for the office. Holds are named by their short number.

use clap::{Args, Subcommand, ValueEnum};
use docket_app::{Actor, App, holds};
use docket_store::holds::Hold;

use crate::error::CliResult;
use crate::output::{self, Format};

/// Hold commands.
#[derive(Debug, Subcommand)]
pub enum HoldCmd {
    /// Held products waiting for the office (`--all`: released and dropped too).
    List(ListArgs),
    /// One held product rendered as it would be sent (text, HTML or JSON).
    Show(ShowArgs),
    /// Sends a held product to its usual recipients (through the outbox).
    Release(NumberArg),
    /// Drops a held product: it is never sent.
    Drop(NumberArg),
}

/// `hold list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Also released and dropped holds.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// How `hold show` prints the product.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ShowFormat {
    /// The subject and the plain-text body.
    #[default]
    Text,
    /// The HTML body.
    Html,
    /// The hold and the rendered product as JSON.
    Json,
}

/// `hold show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The hold's number (from `hold list`).
    pub number: i64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ShowFormat,
}

/// A hold's number.
#[derive(Debug, Args)]
pub struct NumberArg {
    /// The hold's number (from `hold list`).
    pub number: i64,
}

fn local(app: &App, ms: i64) -> String {
    let t = docket_store::time::from_ms(ms);
    match app.config.core.timezone() {
        Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

fn line(app: &App, h: &Hold) -> String {
    format!(
        "{:>4}  {:<6} {:<9} {:<6} {}  {}{}",
        h.number,
        h.kind.label_zh(),
        h.period,
        h.state.label_zh(),
        local(app, h.held_at),
        h.reason,
        match (&h.decided_by, h.decided_at) {
            (Some(by), Some(at)) => format!("（{by} {}）", local(app, at)),
            _ => String::new(),
        }
    )
}

/// Runs a hold command.
///
/// # Errors
/// Not permitted (the office only); not found; conflict when already decided; bad input
/// for a bulletin still empty; failure.
pub async fn run(app: &App, actor: &Actor, cmd: HoldCmd) -> CliResult {
    match cmd {
        HoldCmd::List(a) => {
            let list = holds::list_holds(app, actor, a.all).await?;
            match a.format {
                Format::Json => output::print_json(&list),
                Format::Text => {
                    let mut s = String::new();
                    for h in &list {
                        s.push_str(&line(app, h));
                        s.push('\n');
                    }
                    s.push_str(&format!("{} held product(s)", list.len()));
                    output::print(&s)
                }
            }
        }
        HoldCmd::Show(a) => {
            let p = holds::preview_hold(app, actor, a.number).await?;
            match a.format {
                ShowFormat::Json => output::print_json(&p),
                ShowFormat::Html => output::print(&p.html),
                ShowFormat::Text => {
                    eprintln!("{}", line(app, &p.hold));
                    output::print(&format!("{}\n\n{}", p.subject, p.text))
                }
            }
        }
        HoldCmd::Release(a) => {
            let n = holds::release_hold(app, actor, a.number).await?;
            output::print(&format!("hold {} released: {n} email(s) queued", a.number))
        }
        HoldCmd::Drop(a) => {
            holds::drop_hold(app, actor, a.number).await?;
            output::print(&format!("hold {} dropped", a.number))
        }
    }
}
