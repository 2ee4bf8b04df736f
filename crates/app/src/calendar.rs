//! The working-day calendar: a day as the office counts it; importing a newly published
//! year (the office), after which provisional issue time limits are counted again.

use std::path::Path;

use chrono::NaiveDate;
use docket_domain::calendar::CalendarYear;
use docket_domain::config::Language;
use sea_orm::TransactionTrait;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// A day of the calendar, as `calendar show` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Day {
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// Whether it is a working day.
    pub workday: bool,
    /// Why, in the office's language (holiday name, 调休, weekend …).
    pub reason: String,
}

/// Whether `date` is a working day and why.
///
/// # Errors
/// Bad input for a malformed date or a year with no table.
pub fn calendar_day(app: &App, date: &str) -> AppResult<Day> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad_input(format!("date: {date}: not a day YYYY-MM-DD")))?;
    let info = app.calendar.day(d).map_err(AppError::bad_input)?;
    let reason = match app.config.core.office.language {
        Language::Zh => info.reason.label_zh(),
        Language::En => info.reason.label_en(),
    };
    Ok(Day {
        date: d.to_string(),
        workday: info.workday,
        reason: reason.to_string(),
    })
}

/// What importing a year did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearImported {
    /// The year.
    pub year: i32,
    /// Holidays listed.
    pub holidays: usize,
    /// Days off they make.
    pub days_off: usize,
    /// Make-up working days (调休).
    pub make_up: usize,
    /// Issues whose provisional time limits were counted again.
    pub recomputed: usize,
}

/// Imports a year's holidays and make-up days from a TOML table (the office only).
///
/// # Errors
/// Not permitted; bad input naming the file for an unreadable or inconsistent table.
pub async fn import_calendar_year(
    app: &App,
    actor: &Actor,
    file: &Path,
) -> AppResult<YearImported> {
    require_office(actor, "import a calendar year")?;
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| AppError::bad_input(format!("{name}: cannot read: {e}")))?;
    let table = CalendarYear::from_toml_str(&text)
        .map_err(|e| AppError::bad_input(format!("{name}: {e}")))?;
    // Issues whose time limits ran into this year were counted Monday-to-Friday,
    // provisionally: count them again over the calendar as it now stands, in the same
    // transaction as the year itself.
    let mut calendar = (*app.calendar).clone();
    calendar.insert(table.clone());
    let updated = app.with_calendar(calendar)?;
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    docket_store::calendar::save_year(
        &txn,
        &docket_store::calendar::StoredYear {
            year: table.year,
            source: table.source.clone(),
            table_toml: text,
            imported_at: docket_store::time::to_ms(app.now()),
        },
    )
    .await?;
    let recomputed = updated
        .workflow
        .recompute_provisional(&txn, app.now())
        .await?;
    txn.commit().await?;
    Ok(YearImported {
        year: table.year,
        holidays: table.holidays.len(),
        days_off: table
            .holidays
            .iter()
            .map(|h| (h.to - h.from).num_days() as usize + 1)
            .sum(),
        make_up: table.holidays.iter().map(|h| h.workdays.len()).sum(),
        recomputed,
    })
}
