//! The project library as people read it.

use docket_store::library::ProjectListing;

use crate::actor::Actor;
use crate::context::App;
use crate::error::AppResult;

/// Projects (of `year`'s plan, or the latest) that `actor` may see: an owner contact its
/// unit's, everyone else all.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn list_projects(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
) -> AppResult<Vec<ProjectListing>> {
    let mut list = docket_store::library::list_projects(&app.db.conn, year).await?;
    if let (false, Some(unit)) = (actor.office, actor.unit.as_deref()) {
        list.retain(|p| p.owner_unit == unit);
    }
    Ok(list)
}
