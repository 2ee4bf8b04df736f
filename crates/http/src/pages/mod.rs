//! Pages for people (server-rendered from `config/templates/web/*.html`, Chinese): sign-in
//! by emailed link, sign-out, and the confirmation pages of one-click links in emails.
//!
//! Every form carries a CSRF token: forms before sign-in use a double-submit cookie
//! (`docket_csrf`, random, SameSite=Lax, compared with the form's field in constant time);
//! forms of a signed-in session use the session's own token.

mod act;
mod files;
mod holds;
mod issue;
mod leaders;
mod office;
mod person;
mod report;
mod schedules;
mod signin;
mod view;
mod work;

use std::path::Path;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Environment;

use crate::state::HttpState;

/// The double-submit CSRF cookie of forms shown before sign-in.
pub(crate) const CSRF_COOKIE: &str = "docket_csrf";
/// Page templates that must exist.
const PAGES: &[&str] = &[
    "login.html",
    "login_confirm.html",
    "message.html",
    "act.html",
    "home.html",
    "issue.html",
    "issue_act.html",
    "report.html",
    "office_week.html",
    "office_issues.html",
    "office_projects.html",
    "office_bulletin.html",
    "project.html",
    "dashboard.html",
    "office_holds.html",
    "office_hold.html",
    "office_schedules.html",
];

pub(crate) fn routes() -> Router<HttpState> {
    Router::new()
        .route("/", get(work::page))
        .route("/issues/{key}", get(issue::page))
        .route(
            "/issues/{key}/act/{action}",
            get(issue::confirm).post(issue::perform),
        )
        .route("/issues/{key}/files", post(files::attach_to_issue))
        .route("/files/{id}", get(files::download))
        .route("/report/{code}", get(report::form).post(report::submit))
        .route("/office/week", get(office::week))
        .route("/office/week/chase", post(office::chase_reports))
        .route("/office/issues", get(office::issues))
        .route("/office/issues/chase", post(office::chase_issues))
        .route("/office/projects", get(leaders::projects))
        .route("/office/bulletin", get(leaders::bulletin))
        .route("/office/bulletin/send", post(leaders::send_bulletin))
        .route("/bulletin/{month}", get(leaders::bulletin_html))
        .route("/projects/{code}", get(leaders::project))
        .route("/dashboard", get(leaders::dashboard))
        .route("/office/holds", get(holds::list))
        .route(
            "/office/holds/{number}",
            get(holds::show).post(holds::decide),
        )
        .route("/office/schedules", get(schedules::page))
        .route("/office/schedules/{name}", post(schedules::change))
        .route(
            "/login",
            get(signin::login_form).post(signin::login_request),
        )
        .route(
            "/login/{token}",
            get(signin::confirm_page).post(signin::redeem),
        )
        .route("/logout", post(signin::logout))
        .route("/act/{token}", get(act::page).post(act::perform))
}

/// The loaded page templates.
pub(crate) struct Pages {
    env: Environment<'static>,
}

impl Pages {
    /// Loads every `*.html` of `dir` and checks that each page template compiles.
    pub(crate) fn load(dir: &Path) -> Result<Pages, String> {
        let mut env = Environment::new();
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("page templates {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if !name.ends_with(".html") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("page template {}: {e}", path.display()))?;
            env.add_template_owned(name, text)
                .map_err(|e| format!("page template {}: {e}", path.display()))?;
        }
        for page in PAGES {
            env.get_template(page)
                .map_err(|e| format!("page template {}/{page}: {e}", dir.display()))?;
        }
        Ok(Pages { env })
    }

    /// Renders `page` with `ctx` (plus the office's name) as an HTML response.
    pub(crate) fn render(
        &self,
        state: &HttpState,
        status: StatusCode,
        page: &str,
        ctx: minijinja::Value,
    ) -> Response {
        let office = &state.app.config.core.office;
        let ctx = minijinja::context! { office => minijinja::context! { name => office.name.clone(), city => office.city.clone() }, ..ctx };
        match self.env.get_template(page).and_then(|t| t.render(ctx)) {
            Ok(html) => (status, no_store(), Html(html)).into_response(),
            Err(e) => {
                tracing::error!(page, error = %e, "page template failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "页面生成失败，请联系协调办。",
                )
                    .into_response()
            }
        }
    }

    /// A page with a title and one message.
    pub(crate) fn message(
        &self,
        state: &HttpState,
        status: StatusCode,
        title: &str,
        message: &str,
    ) -> Response {
        self.render(
            state,
            status,
            "message.html",
            minijinja::context! { title, message },
        )
    }
}

/// Pages carry personal data and one-time forms: never cached.
fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ]
}

/// The request's CSRF cookie value, if any.
fn csrf_cookie(headers: &HeaderMap) -> Option<&str> {
    crate::auth::cookie(headers, CSRF_COOKIE).filter(|v| !v.is_empty() && v.len() <= 64)
}

/// The CSRF token for a form shown before sign-in: the cookie's, or a new random one with
/// the `Set-Cookie` header that stores it.
pub(crate) fn csrf_for_form(
    state: &HttpState,
    headers: &HeaderMap,
) -> (String, Option<HeaderValue>) {
    if let Some(v) = csrf_cookie(headers) {
        return (v.to_string(), None);
    }
    let token = docket_auth::session::new_form_token();
    let cookie = format!(
        "{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if state.secure_cookies { "; Secure" } else { "" }
    );
    (token, HeaderValue::from_str(&cookie).ok())
}

/// Whether a form's CSRF field matches its cookie (double submit).
pub(crate) fn csrf_ok(headers: &HeaderMap, submitted: &str) -> bool {
    csrf_cookie(headers)
        .is_some_and(|c| docket_auth::session::check_double_submit(c, submitted).is_ok())
}

/// Adds a `Set-Cookie` header to a response when one is given.
pub(crate) fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The status and page title of a use case's refusal on a page.
pub(crate) fn refusal(e: &docket_app::AppError) -> (StatusCode, &'static str) {
    use docket_app::ErrorKind as K;
    let status = crate::error::status_of(e.kind());
    let title = match e.kind() {
        K::BadInput => "无法办理",
        K::NotPermitted => "无权办理",
        K::NotFound => "未找到",
        K::Conflict => "无法办理",
        K::Unexpected => "系统错误",
    };
    (status, title)
}
