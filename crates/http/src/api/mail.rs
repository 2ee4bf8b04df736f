//! The outbox, for the office: list and retry.

use axum::Json;
use axum::extract::{Path, Query, State};
use docket_app::mail as uc;
use docket_store::outbox::State as MailState;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::state::HttpState;

/// Filters of `GET /api/mail`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MailQuery {
    /// pending, sent or dead.
    pub state: Option<String>,
    /// At most this many rows (default 100, at most 1,000).
    pub limit: Option<u64>,
}

/// Outbox rows, newest first (the office).
#[utoipa::path(get, path = "/api/mail", tag = "mail", params(MailQuery),
    responses((status = 200, description = "JSON array of emails"), (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<MailQuery>,
) -> ApiResult<Json<Value>> {
    let state = match q.state.as_deref() {
        None => None,
        Some(code) => match MailState::parse(code) {
            Some(st) => Some(st),
            None => {
                return Err(ApiError::bad_request(format!(
                    "state: {code:?}: expected pending, sending, sent, dead or digested"
                )));
            }
        },
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let list = uc::list_mail(&s.app, &actor, state, limit).await?;
    Ok(Json(json!(
        list.rows.iter().map(uc::mail_entry).collect::<Vec<_>>()
    )))
}

/// Puts a dead or pending email back in the queue (the office).
#[utoipa::path(post, path = "/api/mail/{id}/retry", tag = "mail",
    params(("id" = String, Path, description = "email id")),
    responses((status = 200, description = "queued again"), (status = 404, description = "no such email"),
              (status = 409, description = "sent or being sent")),
    security(("bearer" = [])))]
pub async fn retry(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = uc::retry_mail(&s.app, &actor, &id).await?;
    Ok(Json(json!({"id": id, "state": "pending"})))
}
