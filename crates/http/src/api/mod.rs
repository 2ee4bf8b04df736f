//! The JSON API under `/api/`: each handler parses, calls one use case of `docket_app` as the
//! token's official, and answers. Every route but `/api/openapi.json` needs a bearer token.

pub mod applications;
pub mod bulletins;
pub mod cycles;
pub mod exports;
pub mod imports;
pub mod issues;
pub mod mail;
pub mod projects;
pub mod reports;
pub mod schedules;

use axum::Router;
use axum::routing::{get, post};

use crate::state::HttpState;

pub(crate) fn routes() -> Router<HttpState> {
    Router::new()
        .route("/api/openapi.json", get(crate::openapi::serve_openapi))
        .route("/api/issues", get(issues::list).post(issues::raise))
        .route("/api/issues/{id}", get(issues::show))
        .route("/api/issues/{id}/actions", post(issues::act))
        .route("/api/issues/sweep", post(issues::sweep))
        .route("/api/projects", get(projects::list))
        .route("/api/projects/{code}", get(projects::show))
        .route("/api/applications", get(applications::list))
        .route("/api/applications/{id}", get(applications::show))
        .route("/api/cycles/{week}", get(cycles::show))
        .route("/api/cycles/{week}/open", post(cycles::open))
        .route("/api/cycles/{week}/close", post(cycles::close))
        .route("/api/reports", post(reports::submit))
        .route("/api/reports/{week}", get(reports::list))
        .route("/api/bulletins/{month}", get(bulletins::build))
        .route("/api/bulletins/{month}/send", post(bulletins::send))
        .route("/api/mail", get(mail::list))
        .route("/api/mail/{id}/retry", post(mail::retry))
        .route("/api/imports/{kind}", post(imports::import))
        .route("/api/exports/supervision", get(exports::supervision))
        .route("/api/schedules", get(schedules::list))
        .route("/api/schedules/{name}/pause", post(schedules::pause))
        .route("/api/schedules/{name}/resume", post(schedules::resume))
        .fallback(fallback)
}

async fn fallback(uri: axum::http::Uri) -> crate::ApiError {
    crate::ApiError::from(docket_app::AppError::NotFound(format!(
        "{}: no such route",
        uri.path()
    )))
}

/// A JSON body, with a 400 in the API's error form when it does not parse.
pub struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(e) => Err(crate::ApiError::bad_request(format!(
                "request body: {}",
                e.body_text()
            ))),
        }
    }
}
