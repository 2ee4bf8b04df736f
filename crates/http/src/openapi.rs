//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the request types' schemas.

use axum::Json;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "Docket API", description = "周调度、月通报: weekly dispatch and monthly bulletin of a city's key projects. Every route but this document and /healthz needs `Authorization: Bearer TOKEN` (docket token create)."),
    paths(
        crate::health::healthz,
        api::issues::list, api::issues::raise, api::issues::show, api::issues::act, api::issues::sweep,
        api::projects::list, api::projects::show,
        api::applications::list, api::applications::show,
        api::cycles::show, api::cycles::open, api::cycles::close,
        api::reports::submit, api::reports::list,
        api::bulletins::build, api::bulletins::send,
        api::mail::list, api::mail::retry,
        api::imports::import,
        api::exports::supervision,
        api::schedules::list, api::schedules::pause, api::schedules::resume,
    ),
    components(schemas(
        api::issues::RaiseRequest, api::issues::ActionRequest,
        api::reports::ReportRequest, api::reports::ReportsRequest,
        api::schedules::PauseRequest,
        crate::error::ErrorBody, crate::error::ErrorDetail,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "issues", description = "blocking issues (要素制约) and their actions"),
        (name = "projects", description = "the project library"),
        (name = "applications", description = "applications to higher levels for funds and policies (争取上级资金和政策)"),
        (name = "cycles", description = "weekly dispatch cycles (周调度)"),
        (name = "reports", description = "weekly reports (周报)"),
        (name = "bulletin", description = "the monthly bulletin (月通报)"),
        (name = "mail", description = "the email outbox"),
        (name = "imports", description = "contract files"),
        (name = "schedules", description = "the scheduler's schedules (定时任务): pause and resume"),
        (name = "exports", description = "the 督办/考核 record"),
        (name = "service", description = "health"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as JSON text.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub(crate) async fn serve_openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
