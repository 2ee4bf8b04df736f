//! `docket hold list|show|release|drop`: products the scheduler held back instead of sending
//! (an empty bulletin, a sheet without reports, a stale catch-up, a bulletin awaiting
//! approval), for the office. Holds are named by their short number.

use clap::{Args, Subcommand, ValueEnum};
use docket_app::{Actor, App, holds};
use docket_store::holds::Hold;

use crate::error::CliResult;
use crate::i18n::words::{self, pad};
use crate::i18n::{Lang, catalog};
use crate::output::{self, Format};
use crate::tr;

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

/// One hold: number, kind, period, state, when held (office time), the reason, and who
/// decided when.
fn line(app: &App, lang: Lang, h: &Hold) -> String {
    let (kind, state) = match lang {
        Lang::Zh => (
            h.kind.label_zh().to_string(),
            h.state.label_zh().to_string(),
        ),
        Lang::En => (words::en(h.kind.code()), words::en(h.state.code())),
    };
    let reason = match lang {
        Lang::Zh => catalog::to_zh(&h.reason),
        Lang::En => h.reason.clone(),
    };
    format!(
        "{:>4}  {} {} {} {}  {}{}",
        h.number,
        pad(&kind, 14),
        pad(&h.period, 9),
        pad(&state, 8),
        words::office_ms(app, h.held_at),
        reason,
        match (&h.decided_by, h.decided_at) {
            (Some(by), Some(at)) => format!(
                "（{} {}）",
                words::who(app, lang, by),
                words::office_ms(app, at)
            ),
            _ => String::new(),
        }
    )
}

/// Runs a hold command.
///
/// # Errors
/// Not permitted (the office only); not found; conflict when already decided; bad input
/// for a bulletin still empty; failure.
pub async fn run(app: &App, actor: &Actor, cmd: HoldCmd, lang: Lang) -> CliResult {
    match cmd {
        HoldCmd::List(a) => {
            let list = holds::list_holds(app, actor, a.all).await?;
            match a.format {
                Format::Json => output::print_json(&list),
                Format::Text => {
                    let mut s = String::new();
                    for h in &list {
                        s.push_str(&line(app, lang, h));
                        s.push('\n');
                    }
                    s.push_str(&tr!(
                        lang,
                        "共 {} 个扣发产品",
                        "{} held product(s)",
                        list.len()
                    ));
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
                    eprintln!("{}", line(app, lang, &p.hold));
                    output::print(&format!("{}\n\n{}", p.subject, p.text))
                }
            }
        }
        HoldCmd::Release(a) => {
            let n = holds::release_hold(app, actor, a.number).await?;
            output::print(&tr!(
                lang,
                "扣发产品 {} 已放行：{n} 封邮件已排队",
                "hold {} released: {n} email(s) queued",
                a.number
            ))
        }
        HoldCmd::Drop(a) => {
            holds::drop_hold(app, actor, a.number).await?;
            output::print(&tr!(
                lang,
                "扣发产品 {} 已作废",
                "hold {} dropped",
                a.number
            ))
        }
    }
}
