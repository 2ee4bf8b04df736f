//! `GET /healthz` (200 when the database answers, 503 otherwise) and `GET /metrics`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::metrics;
use crate::state::HttpState;

pub(crate) fn routes() -> Router<HttpState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::scrape))
}

/// Health: `{"status":"ok"}` when the database answers.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "the database answers"), (status = 503, description = "the database does not answer")))]
pub(crate) async fn healthz(State(state): State<HttpState>) -> Response {
    match docket_app::status::check_database(&state.app).await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "database"})),
            )
                .into_response()
        }
    }
}
