//! The weekly dispatch cycle (周调度): open and close (the office), show and the sheet
//! (anyone).

use docket_domain::period::IsoWeek;
use docket_store::cycles::{CycleSummary, OpenOutcome, SheetData};

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// Opens `week`'s cycle now: one report slot per active project; idempotent.
///
/// # Errors
/// Not permitted (only the office); bad input for a week without a working day.
pub async fn open_cycle(app: &App, actor: &Actor, week: IsoWeek) -> AppResult<OpenOutcome> {
    require_office(actor, "open a dispatch cycle")?;
    Ok(app.scheduler.open_week(week, app.now()).await?)
}

/// Closes `week`'s cycle now and queues its dispatch sheet; idempotent. Returns what it did.
///
/// # Errors
/// Not permitted (only the office); bad input for a week that was never opened.
pub async fn close_cycle(app: &App, actor: &Actor, week: IsoWeek) -> AppResult<String> {
    require_office(actor, "close a dispatch cycle")?;
    Ok(app.scheduler.close_week(week, app.now()).await?)
}

/// `week`'s counts: projects, reported, missing.
///
/// # Errors
/// Not found for a week that was never opened.
pub async fn show_cycle(app: &App, week: IsoWeek) -> AppResult<CycleSummary> {
    docket_store::cycles::cycle_summary(&app.db.conn, &week.to_string())
        .await?
        .ok_or_else(|| no_cycle(week))
}

/// The dispatch sheet's data for `week`.
///
/// # Errors
/// Not found for a week that was never opened.
pub async fn cycle_sheet(app: &App, week: IsoWeek) -> AppResult<SheetData> {
    app.scheduler
        .sheet(week, app.now())
        .await?
        .ok_or_else(|| no_cycle(week))
}

fn no_cycle(week: IsoWeek) -> AppError {
    AppError::NotFound(format!("--week {week}: no cycle was opened for this week"))
}

/// 催报: emails the owner units of `codes` (every project still to report when empty) of
/// `week`'s open cycle now (the office).
///
/// # Errors
/// Not permitted (only the office); bad input for a week without an open cycle.
pub async fn chase_reports(
    app: &App,
    actor: &Actor,
    week: IsoWeek,
    codes: &[String],
) -> AppResult<docket_scheduler::jobs::chase::Chased> {
    require_office(actor, "chase weekly reports")?;
    Ok(app.scheduler.chase_reports(week, codes, app.now()).await?)
}
