//! Schedules (定时任务): each with its pause in force and next firings, pause and resume
//! (the office), as `docket schedule preview/pause/resume` and the page `/office/schedules`.

use axum::Json;
use axum::extract::{Path, State};
use docket_app::schedules as uc;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::JsonBody;
use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::state::HttpState;

/// Every schedule: `name`, `paused` (`{schedule, from, until, by, reason}` or null) and
/// `next` (its next firings as `docket schedule preview` lists them).
#[utoipa::path(get, path = "/api/schedules", tag = "schedules",
    responses((status = 200, description = "the schedules"), (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn list(State(s): State<HttpState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Value>> {
    Ok(Json(json!(uc::schedule_states(&s.app, &actor).await?)))
}

/// Body of `POST /api/schedules/{name}/pause`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PauseRequest {
    /// Why (one line), shown wherever the pause is.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Pauses a schedule (the office): periods due while paused are skipped, not caught up.
/// Answers the pause as recorded (`{schedule, action, reason, actor, at}`).
#[utoipa::path(post, path = "/api/schedules/{name}/pause", tag = "schedules", request_body = PauseRequest,
    params(("name" = String, Path, description = "open, remind, close, bulletin, calendar_alarm or a custom job's name")),
    responses((status = 200, description = "paused"), (status = 400, description = "no such schedule, or the reason too long"),
              (status = 403, description = "not the office"), (status = 409, description = "already paused")),
    security(("bearer" = [])))]
pub async fn pause(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(name): Path<String>,
    JsonBody(r): JsonBody<PauseRequest>,
) -> ApiResult<Json<Value>> {
    let e = uc::pause_schedule(&s.app, &actor, &name, r.reason.as_deref()).await?;
    Ok(Json(json!(e)))
}

/// Resumes a paused schedule (the office): it fires again from its next period.
#[utoipa::path(post, path = "/api/schedules/{name}/resume", tag = "schedules",
    params(("name" = String, Path, description = "the schedule")),
    responses((status = 200, description = "resumed"), (status = 400, description = "no such schedule"),
              (status = 403, description = "not the office"), (status = 409, description = "not paused")),
    security(("bearer" = [])))]
pub async fn resume(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let e = uc::resume_schedule(&s.app, &actor, &name).await?;
    Ok(Json(json!(e)))
}
