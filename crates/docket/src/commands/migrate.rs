//! `docket migrate`: creates or upgrades the schema (a second run changes nothing), then
//! mirrors the configured officials and task forces.

use std::path::Path;

use docket_app::{App, AppError};

use crate::error::CliResult;
use crate::i18n::Lang;
use crate::output;
use crate::tr;

/// Runs the pending migrations and reports how many ran.
///
/// # Errors
/// Bad input for a bad config or URL; failure if the database is down.
pub async fn run(config: &Path, database_url: &str, lang: Lang) -> CliResult {
    let (config, db) = App::connect_only(config, database_url).await?;
    let ran = docket_store::migrate(&db).await.map_err(AppError::from)?;
    docket_app::context::sync_reference(&db, &config, chrono::Utc::now()).await?;
    tracing::info!(ran, "schema is current");
    output::print(&tr!(
        lang,
        "数据库结构已是最新（本次执行 {ran} 个迁移）",
        "schema is current ({ran} migrations applied)"
    ))
}
