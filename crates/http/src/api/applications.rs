//! Applications to higher levels (争取上级资金和政策): the list and one with its history, for
//! the office and the city leaders (an owner contact sees its unit's; anyone else 403).

use axum::Json;
use axum::extract::{Path, Query, State};
use docket_app::applications as uc;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::state::HttpState;

/// Filters of `GET /api/applications`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Only this state (code or label: `approved` / 批复, …).
    pub state: Option<String>,
    /// Only this funding category (code or label: `central_budget` / 中央预算内投资, …).
    pub category: Option<String>,
}

/// Applications as the token's official may see them, by number.
#[utoipa::path(get, path = "/api/applications", tag = "applications", params(ApplicationQuery),
    responses((status = 200, description = "JSON array of applications: id, ref_no, title, project, category, unit, applied_wan, approved_wan, received_wan, state, date"),
              (status = 400, description = "unknown state or category"),
              (status = 403, description = "neither the office, a city leader nor an applying unit")),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ApplicationQuery>,
) -> ApiResult<Json<Value>> {
    let opts = uc::ListOptions {
        state: q.state,
        category: q.category,
    };
    Ok(Json(json!(
        uc::list_applications(&s.app, &actor, &opts).await?
    )))
}

/// One application with its history (each change: who, when, old → new, the file).
#[utoipa::path(get, path = "/api/applications/{id}", tag = "applications",
    params(("id" = i64, Path, description = "the application's number")),
    responses((status = 200, description = "the application with `history`"),
              (status = 403, description = "neither the office, a city leader nor an applying unit"),
              (status = 404, description = "no such application (or not visible)")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        uc::show_application(&s.app, &actor, &id).await?
    )))
}
