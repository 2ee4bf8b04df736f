//! The schedules as people plan with them: the next firings and who they reach.

use docket_scheduler::preview::PreviewLine;
use docket_store::scheduling::Firing;

use crate::context::App;
use crate::error::AppResult;

/// The firings of the next `weeks` weeks (1 to 104) in office time, with their recipients.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn preview_schedules(app: &App, weeks: u32) -> AppResult<Vec<PreviewLine>> {
    Ok(app
        .scheduler
        .preview(app.now(), weeks.clamp(1, 104))
        .await?)
}

/// The scheduler's ledger: what fired, and what was skipped with the reason (catch-up after
/// downtime, misfire policy), oldest due first; one schedule's only with `schedule`.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn schedule_history(app: &App, schedule: Option<&str>) -> AppResult<Vec<Firing>> {
    Ok(docket_store::scheduling::list_firings(&app.db.conn, schedule).await?)
}
