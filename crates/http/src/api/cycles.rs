//! Weekly dispatch cycles: show, open, close (the office).

use axum::Json;
use axum::extract::{Path, State};
use docket_app::cycles as uc;
use serde_json::{Value, json};

use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::state::HttpState;

/// One week's cycle: state, deadline, and each active project's report status.
#[utoipa::path(get, path = "/api/cycles/{week}", tag = "cycles",
    params(("week" = String, Path, description = "ISO week, e.g. 2024-W37, or `current`")),
    responses((status = 200, description = "the cycle"), (status = 404, description = "no cycle for this week")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<HttpState>,
    ApiActor(_actor): ApiActor,
    Path(week): Path<String>,
) -> ApiResult<Json<Value>> {
    let week = s.app.week_or_current(week_arg(&week))?;
    Ok(Json(json!(uc::show_cycle(&s.app, week).await?)))
}

/// Opens a week's cycle (the office).
#[utoipa::path(post, path = "/api/cycles/{week}/open", tag = "cycles",
    params(("week" = String, Path, description = "ISO week or `current`")),
    responses((status = 200, description = "opened (or already open)"), (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn open(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(week): Path<String>,
) -> ApiResult<Json<Value>> {
    let week = s.app.week_or_current(week_arg(&week))?;
    let o = uc::open_cycle(&s.app, &actor, week).await?;
    Ok(Json(json!({
        "week": week.to_string(),
        "created": o.created,
        "slots_added": o.slots_added,
        "state": o.cycle.state,
    })))
}

/// Closes a week's cycle and queues its dispatch sheet (the office).
#[utoipa::path(post, path = "/api/cycles/{week}/close", tag = "cycles",
    params(("week" = String, Path, description = "ISO week or `current`")),
    responses((status = 200, description = "closed"), (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn close(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(week): Path<String>,
) -> ApiResult<Json<Value>> {
    let week = s.app.week_or_current(week_arg(&week))?;
    let message = uc::close_cycle(&s.app, &actor, week).await?;
    Ok(Json(json!({"week": week.to_string(), "message": message})))
}

fn week_arg(text: &str) -> Option<&str> {
    (text != "current").then_some(text)
}
