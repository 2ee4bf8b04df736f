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

/// One project as people read it: its listing (plan, level, stage, owner) and its issues.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectView {
    /// The library's line for the project.
    #[serde(flatten)]
    pub project: ProjectListing,
    /// Its issues, open and closed, oldest first.
    pub issues: Vec<docket_workflow::service::IssueSummary>,
    /// Plans per year, monthly progress, milestones and field changes from imports.
    pub history: docket_store::project_history::ProjectHistory,
}

/// Project `code` (of `year`'s plan, or the latest) if `actor` may see it, with its issues.
///
/// # Errors
/// Not found (also when the actor may not see it); unexpected if the database fails.
pub async fn show_project(
    app: &App,
    actor: &Actor,
    code: &str,
    year: Option<i32>,
) -> AppResult<ProjectView> {
    let code = code.trim();
    let project = list_projects(app, actor, year)
        .await?
        .into_iter()
        .rev()
        .find(|p| p.code == code)
        .ok_or_else(|| crate::AppError::NotFound(format!("project {code}: no such project")))?;
    let id = docket_store::issues::projects_by_code(&app.db.conn, &[code.to_string()])
        .await?
        .get(code)
        .map(|p| p.id);
    let filter = docket_store::issues::IssueFilter {
        project_id: id,
        ..Default::default()
    };
    let issues = match id {
        Some(_) => crate::issues::list_issues(app, actor, &filter, false).await?,
        None => Vec::new(),
    };
    let history = match id {
        Some(id) => docket_store::project_history::project_history(&app.db.conn, id).await?,
        None => Default::default(),
    };
    Ok(ProjectView {
        project,
        issues,
        history,
    })
}
