//! Weekly reports: submit (one or a batch, with their problems raised as issues in the same
//! transaction) and the week's list.

use axum::Json;
use axum::extract::{Path, State};
use docket_app::reports as uc;
use docket_domain::amount::Amount;
use docket_domain::cycle::ReportInput;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::JsonBody;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::state::HttpState;

/// One weekly report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportRequest {
    /// Project code.
    pub project: String,
    /// ISO week (default: the current week).
    pub week: Option<String>,
    /// This week's completed investment in 万元, as a decimal string (e.g. `"120.5"`).
    pub week_amount_wan: Option<String>,
    /// Year-to-date completed investment in 万元, as a decimal string.
    pub ytd_completed_wan: Option<String>,
    /// 形象进度.
    #[serde(default)]
    pub progress: String,
    /// Milestones reached.
    #[serde(default)]
    pub milestones: String,
    /// Problems needing coordination, one per line, `类别：标题` (raised as routed issues).
    #[serde(default)]
    pub problems: String,
    /// Next week's plan.
    #[serde(default)]
    pub next_week_plan: String,
    /// Contact person.
    #[serde(default)]
    pub contact: String,
    /// 本周无变化.
    #[serde(default)]
    pub no_change: bool,
}

/// One report or several.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ReportsRequest {
    /// A batch.
    Many(Vec<ReportRequest>),
    /// One.
    One(ReportRequest),
}

fn amount(field: &str, text: Option<&str>) -> ApiResult<Option<Amount>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Amount::parse_wan(t)
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("{field}: {t:?}: {e}"))),
    }
}

/// Submits weekly reports as the token's official (an owner contact for its unit's
/// projects, or the office). All or nothing.
#[utoipa::path(post, path = "/api/reports", tag = "reports", request_body = ReportsRequest,
    responses((status = 200, description = "recorded, with the issues raised"), (status = 400, description = "bad input, every bad field listed"),
              (status = 403, description = "a project of another unit")),
    security(("bearer" = [])))]
pub async fn submit(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    JsonBody(body): JsonBody<ReportsRequest>,
) -> ApiResult<Json<Value>> {
    let list = match body {
        ReportsRequest::Many(v) => v,
        ReportsRequest::One(r) => vec![r],
    };
    let mut inputs = Vec::with_capacity(list.len());
    for r in list {
        inputs.push(ReportInput {
            code: r.project,
            week: s.app.week_or_current(r.week.as_deref())?,
            week_amount: amount("week_amount_wan", r.week_amount_wan.as_deref())?,
            ytd_completed: amount("ytd_completed_wan", r.ytd_completed_wan.as_deref())?,
            progress: r.progress,
            milestones: r.milestones,
            problems: r.problems,
            next_week_plan: r.next_week_plan,
            contact: r.contact,
            no_change: r.no_change,
        });
    }
    let done = uc::submit_reports(&s.app, &actor, &inputs).await?;
    Ok(Json(json!({
        "reports": done.reports,
        "late": done.late(),
        "issues": done.issues,
    })))
}

/// Filters of `GET /api/reports/{week}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only this project's reports.
    pub project: Option<String>,
}

/// The week's reports (补报 marked), as far as the token's official may see.
#[utoipa::path(get, path = "/api/reports/{week}", tag = "reports",
    params(("week" = String, Path, description = "ISO week or `current`"), ListQuery),
    responses((status = 200, description = "JSON array of reports")),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(week): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let week = s
        .app
        .week_or_current((week != "current").then_some(week.as_str()))?;
    Ok(Json(json!(
        uc::list_reports(&s.app, &actor, week, q.project.as_deref()).await?
    )))
}
