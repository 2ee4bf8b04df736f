//! Exports for other offices: the 督办/考核 record (the office).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docket_app::supervision::{ExportFormat, export_supervision};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::ApiActor;
use crate::error::ApiResult;
use crate::state::HttpState;

/// Options of `GET /api/exports/supervision`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SupervisionQuery {
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// json (default) or xlsx.
    pub format: Option<String>,
}

/// The 督办/考核 record of whole months per responsible unit and task force (the office).
#[utoipa::path(get, path = "/api/exports/supervision", tag = "exports",
    params(SupervisionQuery),
    responses((status = 200, description = "the record: JSON, or the XLSX workbook"),
        (status = 400, description = "bad months or format"),
        (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn supervision(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Query(q): Query<SupervisionQuery>,
) -> ApiResult<Response> {
    let format = ExportFormat::parse(q.format.as_deref().unwrap_or("json"))?;
    let bytes = export_supervision(&s.app, &actor, &q.from, &q.to, format).await?;
    let (mime, ext) = match format {
        ExportFormat::Json => ("application/json", "json"),
        ExportFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = format!(
        "attachment; filename=\"supervision-{}-{}.{ext}\"",
        q.from.trim(),
        q.to.trim()
    )
    .replace(['\r', '\n'], "");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
