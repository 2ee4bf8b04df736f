//! The monthly bulletin (月通报): build in each format, send (the office).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docket_app::bulletins as uc;
use docket_bulletin::Format;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::state::HttpState;

/// Options of `GET /api/bulletins/{month}`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct BuildQuery {
    /// json (default), html, text, xlsx, docx or pdf.
    pub format: Option<String>,
}

/// The bulletin of a month in the format asked for.
#[utoipa::path(get, path = "/api/bulletins/{month}", tag = "bulletin",
    params(("month" = String, Path, description = "YYYY-MM"), BuildQuery),
    responses((status = 200, description = "the bulletin"), (status = 400, description = "bad month or format")),
    security(("bearer" = [])))]
pub async fn build(
    State(s): State<HttpState>,
    ApiActor(_actor): ApiActor,
    Path(month): Path<String>,
    Query(q): Query<BuildQuery>,
) -> ApiResult<Response> {
    let month = uc::parse_month(&month)?;
    let format = Format::parse(q.format.as_deref().unwrap_or("json"))
        .map_err(|e| ApiError::bad_request(format!("format: {e}")))?;
    let bytes = uc::build_bulletin(&s.app, month, format).await?;
    let (mime, ext) = (format.content_type(), format.extension());
    let disposition = format!("inline; filename=\"bulletin-{}.{ext}\"", month.key());
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Options of `POST /api/bulletins/{month}/send`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SendQuery {
    /// Queue it again to everyone.
    #[serde(default)]
    pub resend: bool,
}

/// Queues the bulletin to the distribution list (the office).
#[utoipa::path(post, path = "/api/bulletins/{month}/send", tag = "bulletin",
    params(("month" = String, Path, description = "YYYY-MM"), SendQuery),
    responses((status = 200, description = "queued"), (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn send(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(month): Path<String>,
    Query(q): Query<SendQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let month = uc::parse_month(&month)?;
    let r = uc::send_bulletin(&s.app, &actor, month, q.resend).await?;
    Ok(Json(
        json!({"month": month.key(), "queued": r.queued, "recipients": r.recipients}),
    ))
}
