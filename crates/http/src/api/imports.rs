//! Imports of contract files (projects, progress, milestones, indicators, applications) uploaded as
//! multipart form data: the office only, all or nothing, bad rows as `FILE:ROW` lines.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use docket_app::imports::{self as uc, ImportKind};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use crate::auth::ApiActor;
use crate::error::{ApiError, ApiResult};
use crate::state::HttpState;

/// Options of `POST /api/imports/{kind}`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Check and report without writing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The longest file name kept (the rest is cut).
const NAME_MAX: usize = 100;

/// Imports one uploaded CSV or XLSX file (form field `file`).
#[utoipa::path(post, path = "/api/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "projects, progress, milestones, indicators or applications"), ImportQuery),
    request_body(content_type = "multipart/form-data", description = "field `file`: the CSV or XLSX file"),
    responses((status = 200, description = "imported: rows read and what they did"),
              (status = 400, description = "bad rows, each as FILE:ROW: COLUMN: VALUE: reason; nothing written"),
              (status = 403, description = "not the office")),
    security(("bearer" = [])))]
pub async fn import(
    State(s): State<HttpState>,
    ApiActor(actor): ApiActor,
    Path(kind): Path<String>,
    Query(q): Query<ImportQuery>,
    mut form: Multipart,
) -> ApiResult<Json<Value>> {
    let Some(kind) = ImportKind::parse(&kind) else {
        return Err(ApiError::bad_request(format!(
            "{kind:?}: not an import (projects, progress, milestones, indicators, applications)"
        )));
    };
    let mut upload = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("upload: {}", e.body_text())))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = safe_name(field.file_name().unwrap_or("upload.csv"));
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::bad_request(format!("upload {name}: {}", e.body_text())))?;
        upload = Some((name, bytes));
    }
    let (name, bytes) =
        upload.ok_or_else(|| ApiError::bad_request("upload: no form field `file`"))?;
    // The file keeps its name in a private folder, so bad rows read `NAME:ROW: …`.
    let dir = tempfile::tempdir()
        .map_err(|e| docket_app::AppError::unexpected("a temporary folder for the upload", e))?;
    let path = dir.path().join(&name);
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| docket_app::AppError::unexpected("saving the upload", e))?;
    let report = uc::import_file(&s.app, &actor, kind, &path, q.dry_run, |_, _| {})
        .await
        .map_err(|e| without_folder(e, dir.path()))?;
    Ok(Json(json!({
        "file": name,
        "dry_run": q.dry_run,
        "summary": uc::import_summary(&report),
        "report": report,
    })))
}

/// The error with the private folder taken out of its lines, so they read `NAME:ROW: …` as
/// the uploader named the file.
fn without_folder(e: docket_app::AppError, dir: &std::path::Path) -> docket_app::AppError {
    let prefix = format!("{}/", dir.display());
    match e {
        docket_app::AppError::BadInput { message, details } => docket_app::AppError::BadInput {
            message: message.replace(&prefix, ""),
            details: details.iter().map(|d| d.replace(&prefix, "")).collect(),
        },
        other => other,
    }
}

/// The uploaded file's base name, without folders or characters a path cannot hold.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(NAME_MAX)
        .collect();
    let clean = clean.trim_start_matches('.').trim().to_string();
    if clean.is_empty() {
        "upload.csv".into()
    } else {
        clean
    }
}
