//! `docket calendar show|import`: the working-day calendar.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use docket_domain::calendar::CalendarYear;
use sea_orm::TransactionTrait;

use crate::app::App;
use crate::error::{CliError, CliResult};
use crate::output;

/// Calendar commands.
#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Whether a day is a working day, and why (holiday, 调休 make-up day, weekend).
    Show(ShowArgs),
    /// Loads a year's holidays and make-up working days (the format of config/calendar/*.toml).
    Import(ImportArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum Format {
    /// One line for people.
    #[default]
    Text,
    /// `{"date", "workday", "reason"}`.
    Json,
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
pub async fn run(app: &App, cmd: CalendarCmd) -> CliResult {
    match cmd {
        CalendarCmd::Show(a) => show(app, a),
        CalendarCmd::Import(a) => import(app, a).await,
    }
}

fn show(app: &App, a: ShowArgs) -> CliResult {
    let date = NaiveDate::parse_from_str(a.date.trim(), "%Y-%m-%d")
        .map_err(|_| CliError::bad_input(format!("date: {}: not a day YYYY-MM-DD", a.date)))?;
    let info = app.calendar.day(date).map_err(CliError::bad_input)?;
    let zh = app.config.core.office.language == docket_domain::config::Language::Zh;
    let reason = if zh {
        info.reason.label_zh()
    } else {
        info.reason.label_en()
    };
    match a.format {
        Format::Json => output::print_json(&serde_json::json!({
            "date": date.to_string(),
            "workday": info.workday,
            "reason": reason,
        })),
        Format::Text => output::print(&format!(
            "{date} {}: {}",
            if info.workday {
                "working day"
            } else {
                "day off"
            },
            reason
        )),
    }
}

async fn import(app: &App, a: ImportArgs) -> CliResult {
    let file = a.file.display().to_string();
    let text = std::fs::read_to_string(&a.file)
        .map_err(|e| CliError::bad_input(format!("{file}: cannot read: {e}")))?;
    let table = CalendarYear::from_toml_str(&text)
        .map_err(|e| CliError::bad_input(format!("{file}: {e}")))?;
    let now = docket_store::time::to_ms(app.clock.now());
    let txn = app
        .db
        .conn
        .begin()
        .await
        .map_err(docket_store::StoreError::from)?;
    docket_store::calendar::save_year(
        &txn,
        &docket_store::calendar::StoredYear {
            year: table.year,
            source: table.source.clone(),
            table_toml: text,
            imported_at: now,
        },
    )
    .await?;
    txn.commit().await.map_err(docket_store::StoreError::from)?;
    let days: usize = table
        .holidays
        .iter()
        .map(|h| (h.to - h.from).num_days() as usize + 1)
        .sum();
    let make_up: usize = table.holidays.iter().map(|h| h.workdays.len()).sum();
    // Issues whose time limits ran into this year were counted Monday-to-Friday,
    // provisionally: count them again over the calendar as it now stands.
    let mut calendar = (*app.calendar).clone();
    calendar.insert(table.clone());
    let workflow = docket_workflow::Workflow::new(
        docket_workflow::Settings::new(app.config.core.clone(), app.config.workflow.clone()),
        calendar,
    );
    let recomputed = workflow
        .recompute_provisional(&app.db.conn, app.clock.now())
        .await
        .map_err(super::issue::classify)?;
    eprintln!(
        "{recomputed} issues had provisional time limits into {} and were recomputed",
        table.year
    );
    output::print(&format!(
        "{}: {} holidays ({days} days off), {make_up} make-up working days imported",
        table.year,
        table.holidays.len()
    ))
}
