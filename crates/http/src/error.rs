//! The API's one error answer: `{"error": {"code", "message", "details": [...]}}` with the
//! status of the use case's error kind (400, 403, 404, 409, 500) or 401 for a missing token.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_app::{AppError, ErrorKind};
use serde::Serialize;

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// `bad_input`, `unauthorized`, `not_permitted`, `not_found`, `conflict`, `unexpected`.
    code: &'static str,
    /// For people.
    message: String,
    /// One line per bad row or field (`FILE:ROW: COLUMN: VALUE: reason`).
    details: Vec<String>,
}

impl ApiError {
    /// 401: no bearer token, or one that is unknown, revoked or expired.
    pub fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "a valid bearer token is required (Authorization: Bearer TOKEN)".into(),
            details: Vec::new(),
        }
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::from(AppError::bad_input(message.into()))
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The status code of a use case's error kind.
pub(crate) fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadInput => StatusCode::BAD_REQUEST,
        ErrorKind::NotPermitted => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Unexpected => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let kind = e.kind();
        let message = if kind == ErrorKind::Unexpected {
            // The cause goes to the log (with the request id), not to the caller.
            tracing::error!(error = %e, cause = ?std::error::Error::source(&e), "request failed");
            "an unexpected error occurred; the service log has the details".to_string()
        } else {
            e.to_string()
        };
        ApiError {
            status: status_of(kind),
            code: kind.code(),
            message,
            details: e.details().to_vec(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if unauthorized {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"docket\""),
            );
        }
        res
    }
}

/// A handler's result.
pub type ApiResult<T> = Result<T, ApiError>;
