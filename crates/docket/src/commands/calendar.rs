//! `docket calendar show|import`: the working-day calendar.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::i18n::Lang;
use crate::output::{self, Format};
use crate::tr;

/// Calendar commands.
#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Whether a day is a working day, and why (holiday, 调休 make-up day, weekend).
    Show(ShowArgs),
    /// Loads a year's holidays and make-up working days (the format of config/calendar/*.toml).
    Import(ImportArgs),
}

/// `calendar show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The day, YYYY-MM-DD.
    pub date: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `calendar import` options.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The year's table (TOML).
    pub file: PathBuf,
}

/// Runs a calendar command.
///
/// # Errors
/// Bad input for a bad date, file or table; not permitted; failure.
pub async fn run(app: &App, actor: &Actor, cmd: CalendarCmd, lang: Lang) -> CliResult {
    match cmd {
        CalendarCmd::Show(a) => {
            let day = docket_app::calendar::calendar_day(app, &a.date)?;
            match a.format {
                Format::Json => output::print_json(&day),
                Format::Text => {
                    // The reason in the CLI's language (JSON keeps the office's).
                    let reason = chrono::NaiveDate::parse_from_str(&day.date, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| app.calendar.day(d).ok())
                        .map_or_else(
                            || day.reason.clone(),
                            |info| match lang {
                                Lang::Zh => info.reason.label_zh(),
                                Lang::En => info.reason.label_en(),
                            },
                        );
                    output::print(&match lang {
                        Lang::Zh => format!(
                            "{} {}：{}",
                            day.date,
                            if day.workday {
                                "工作日"
                            } else {
                                "休息日"
                            },
                            reason
                        ),
                        Lang::En => format!(
                            "{} {}: {}",
                            day.date,
                            if day.workday {
                                "working day"
                            } else {
                                "day off"
                            },
                            reason
                        ),
                    })
                }
            }
        }
        CalendarCmd::Import(a) => {
            let r = docket_app::calendar::import_calendar_year(app, actor, &a.file).await?;
            eprintln!(
                "{}",
                tr!(
                    lang,
                    "{} 个问题的时限延伸到 {} 年、原为暂定，已按新日历重算",
                    "{} issues had provisional time limits into {} and were recomputed",
                    r.recomputed,
                    r.year
                )
            );
            output::print(&tr!(
                lang,
                "{} 年：已导入 {} 个节假日（共休 {} 天）、{} 个调休上班日",
                "{}: {} holidays ({} days off), {} make-up working days imported",
                r.year,
                r.holidays,
                r.days_off,
                r.make_up
            ))
        }
    }
}
