//! `docket calendar show|import`: the working-day calendar.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::output::{self, Format};

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
pub async fn run(app: &App, actor: &Actor, cmd: CalendarCmd) -> CliResult {
    match cmd {
        CalendarCmd::Show(a) => {
            let day = docket_app::calendar::calendar_day(app, &a.date)?;
            match a.format {
                Format::Json => output::print_json(&day),
                Format::Text => output::print(&format!(
                    "{} {}: {}",
                    day.date,
                    if day.workday {
                        "working day"
                    } else {
                        "day off"
                    },
                    day.reason
                )),
            }
        }
        CalendarCmd::Import(a) => {
            let r = docket_app::calendar::import_calendar_year(app, actor, &a.file).await?;
            eprintln!(
                "{} issues had provisional time limits into {} and were recomputed",
                r.recomputed, r.year
            );
            output::print(&format!(
                "{}: {} holidays ({} days off), {} make-up working days imported",
                r.year, r.holidays, r.days_off, r.make_up
            ))
        }
    }
}
