//! docket-http: the HTTP service of `docket run --listen`, over the application layer.
//!
//! - `GET /healthz`, `GET /metrics` (Prometheus text), `GET /api/openapi.json` (OpenAPI 3.1,
//!   generated from the handlers by utoipa);
//! - the JSON API under `/api/` (bearer tokens; 401 without, 403 when not permitted), whose
//!   handlers only parse, call one `docket_app` use case, and answer — errors as
//!   `{"error": {"code", "message", "details": [...]}}`;
//! - pages: password-less sign-in (`/login`), sign-out, and the confirmation pages of signed
//!   one-click links in emails (`/act/{token}`), rendered from `config/templates/web/`.
//!
//! Every request gets an id (`x-request-id`, kept if the caller sent one), is logged with it,
//! and is timed into the `/metrics` histograms. [`serve`] stops accepting on shutdown and
//! lets the requests under way finish.
//!
//! It imports `docket-app` (the use cases) and `docket-auth` (cookie names), nothing below
//! them for writing: no SQL and no business rule lives here.

pub mod api;
mod auth;
mod error;
mod health;
mod metrics;
mod openapi;
mod pages;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request, StatusCode};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use openapi::openapi_json;
pub use state::HttpState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service: routes and the layers every request passes.
pub fn router(state: HttpState) -> Router {
    let settings = &state.app.config.http;
    let body_limit = usize::try_from(settings.max_upload_mb)
        .unwrap_or(20)
        .saturating_mul(1024 * 1024);
    let timeout = Duration::from_secs(u64::from(settings.request_timeout_secs));
    Router::new()
        .merge(health::routes())
        .merge(api::routes())
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then lets the requests under
/// way finish.
///
/// # Errors
/// The listener's I/O error.
pub async fn serve(
    state: HttpState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY the last part of a large response (an 800 KiB issue list) can wait
    // for the client's delayed ACK, ~40 ms on Linux (Nagle's algorithm).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set on a connection");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
