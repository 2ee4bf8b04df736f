//! The project library: list and one project, as far as the token's official may see.

use axum::Json;
use axum::extract::{Path, Query, State};
use docket_app::projects as uc;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::state::HttpState;

/// Filters of `GET /api/projects`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ProjectQuery {
    /// The plan year (default: the latest).
    pub year: Option<i32>,
}

/// Projects with their plan and progress (an owner contact sees its unit's).
#[utoipa::path(get, path = "/api/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, description = "JSON array of projects")), security(("bearer" = [])))]
pub async fn list(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ProjectQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        uc::list_projects(&s.app, &actor, q.year).await?
    )))
}

/// One project with its plan, progress, weekly reports (and their files, by report id) and
/// its issues.
#[utoipa::path(get, path = "/api/projects/{code}", tag = "projects",
    params(("code" = String, Path, description = "project code"), ProjectQuery),
    responses((status = 200, description = "the project"), (status = 404, description = "no such project (or not visible)")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(code): Path<String>,
    Query(q): Query<ProjectQuery>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        uc::show_project(&s.app, &actor, &code, q.year).await?
    )))
}
