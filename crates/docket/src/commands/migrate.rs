//! `docket migrate`: creates or upgrades the schema; a second run changes nothing.

use crate::app::App;
use crate::error::CliResult;
use crate::output;

/// Runs the pending migrations and reports how many ran.
pub async fn run(app: &App) -> CliResult {
    let ran = docket_store::migrate(&app.db).await?;
    app.sync_reference().await?;
    tracing::info!(ran, "schema is current");
    output::print(&format!("schema is current ({ran} migrations applied)"))
}
