//! Issues: list, raise, show with history, act, sweep.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use docket_app::issues as uc;
use docket_workflow::views::IssueSummary;
use docket_workflow::{Action, NewIssue};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::JsonBody;
use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::state::HttpState;

/// Filters of `GET /api/issues`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only this task force's issues (`office` for the office's own).
    pub task_force: Option<String>,
    /// Only issues in this state (code, e.g. `assigned`).
    pub state: Option<String>,
    /// Only overdue issues (yellow or red).
    #[serde(default)]
    pub overdue: bool,
    /// Include closed and withdrawn issues.
    #[serde(default)]
    pub all: bool,
}

/// Issues visible to the token's official, oldest first, with today's flags.
#[utoipa::path(get, path = "/api/issues", tag = "issues", params(ListQuery),
    responses((status = 200, description = "JSON array of issues"), (status = 401, description = "no valid token")),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<IssueSummary>>> {
    let filter = uc::issue_filter(q.task_force, q.all, q.state);
    // Serialised straight from the rows (no JSON tree of 3,000 objects built first).
    Ok(Json(
        uc::list_issues(&s.app, &actor, &filter, q.overdue).await?,
    ))
}

/// A new issue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RaiseRequest {
    /// Project code.
    pub project: String,
    /// Category: land, funding, environmental, energy, approval, other (or 用地 …).
    pub category: String,
    /// Title (one line).
    pub title: String,
    /// Detail.
    #[serde(default)]
    pub detail: String,
    /// Severity: normal, major, critical.
    pub severity: Option<String>,
}

/// Raises an issue and routes it; 201 with its id, or 200 with the open duplicate's.
#[utoipa::path(post, path = "/api/issues", tag = "issues", request_body = RaiseRequest,
    responses((status = 201, description = "raised"), (status = 200, description = "an open duplicate exists"),
              (status = 400, description = "bad input"), (status = 403, description = "not permitted")),
    security(("bearer" = [])))]
pub async fn raise(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    JsonBody(r): JsonBody<RaiseRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let item = NewIssue {
        project: r.project,
        category: r.category,
        title: r.title,
        detail: r.detail,
        severity: r.severity,
        report_id: None,
    };
    let raised = uc::raise_issue(&s.app, &actor, item).await?;
    let status = if raised.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!(raised))))
}

/// One issue with its whole history.
#[utoipa::path(get, path = "/api/issues/{id}", tag = "issues", params(("id" = String, Path, description = "issue number (2024-031) or id")),
    responses((status = 200, description = "the issue"), (status = 404, description = "no such issue (or not visible)")),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = uc::resolve_issue_id(&s.app, &id).await?;
    Ok(Json(json!(uc::show_issue(&s.app, &actor, id).await?)))
}

/// An action on an issue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// accept, start, resolve, close, send_back, withdraw, reopen, reassign,
    /// request_extension, approve_extension, designate.
    pub action: String,
    /// The note (resolve: required; close, approve_extension: optional).
    pub note: Option<String>,
    /// The reason (send_back, withdraw, reopen, reassign, request_extension: required).
    pub reason: Option<String>,
    /// The date (request_extension, approve_extension), `YYYY-MM-DD`.
    pub due: Option<String>,
    /// The task force to move to (reassign; `office` for the office).
    pub task_force: Option<String>,
    /// The lead handler (designate).
    pub lead: Option<String>,
    /// Co-handlers (designate).
    #[serde(default)]
    pub co_handlers: Vec<String>,
}

fn required(v: Option<String>, field: &str, action: &str) -> ApiResult<String> {
    v.map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("{field}: required for {action}")))
}

fn date(v: Option<String>, action: &str) -> ApiResult<NaiveDate> {
    let text = required(v, "due", action)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request(format!("due: {text:?}: not a date (YYYY-MM-DD)")))
}

impl ActionRequest {
    fn into_action(self) -> ApiResult<Action> {
        let a = self.action.trim().to_string();
        Ok(match a.as_str() {
            "accept" => Action::Accept,
            "start" => Action::Start,
            "resolve" => Action::Resolve {
                note: required(self.note, "note", &a)?,
            },
            "close" => Action::Close { note: self.note },
            "send_back" => Action::SendBack {
                reason: required(self.reason, "reason", &a)?,
            },
            "withdraw" => Action::Withdraw {
                reason: required(self.reason, "reason", &a)?,
            },
            "reopen" => Action::Reopen {
                reason: required(self.reason, "reason", &a)?,
            },
            "reassign" => Action::Reassign {
                task_force: required(self.task_force, "task_force", &a)
                    .map(|t| (t != "office").then_some(t))?,
                reason: required(self.reason, "reason", &a)?,
            },
            "request_extension" => Action::RequestExtension {
                due: date(self.due, &a)?,
                reason: required(self.reason, "reason", &a)?,
            },
            "approve_extension" => Action::ApproveExtension {
                due: date(self.due, &a)?,
                note: self.note,
            },
            "designate" => Action::Designate {
                lead: required(self.lead, "lead", &a)?,
                co: self.co_handlers,
            },
            "chase" => Action::Chase { note: self.note },
            other => {
                return Err(ApiError::bad_request(format!(
                    "action: {other:?}: not an action (accept, start, resolve, close, send_back, withdraw, reopen, reassign, request_extension, approve_extension, designate, chase)"
                )));
            }
        })
    }
}

/// Takes an action on an issue as the token's official; answers the issue as stored after.
#[utoipa::path(post, path = "/api/issues/{id}/actions", tag = "issues", request_body = ActionRequest,
    params(("id" = String, Path, description = "issue number (2024-031) or id")),
    responses((status = 200, description = "done"), (status = 400, description = "bad input"),
              (status = 403, description = "not permitted"), (status = 404, description = "no such issue"),
              (status = 409, description = "not allowed in its state")),
    security(("bearer" = [])))]
pub async fn act(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<ActionRequest>,
) -> ApiResult<Json<Value>> {
    let id = uc::resolve_issue_id(&s.app, &id).await?;
    let action = r.into_action()?;
    uc::act_on_issue(&s.app, &actor, id, action).await?;
    Ok(Json(json!(uc::show_issue(&s.app, &actor, id).await?)))
}

/// One sweep of the time limits now (the office).
#[utoipa::path(post, path = "/api/issues/sweep", tag = "issues",
    responses((status = 200, description = "what the sweep did"), (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn sweep(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Value>> {
    let r = uc::sweep_limits(&s.app, &actor).await?;
    Ok(Json(json!(r)))
}
