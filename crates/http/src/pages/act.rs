//! One-click links from emails: `GET /act/{token}` shows what the link does and a button
//! (changing nothing); `POST` does it, once.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use docket_app::links::{self as uc, LinkForm};
use serde::Deserialize;

use super::signin::{csrf_refused, failed};
use super::{csrf_for_form, csrf_ok, refusal, with_cookie};
use crate::state::HttpState;

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub(crate) struct ActForm {
    #[serde(default)]
    csrf: String,
    note: Option<String>,
    due: Option<String>,
}

fn refused(s: &HttpState, e: &docket_app::AppError) -> Response {
    if e.kind() == docket_app::ErrorKind::Unexpected {
        return failed(s, e);
    }
    let (status, title) = refusal(e);
    s.pages.message(s, status, title, &e.to_string())
}

/// `GET /act/{token}`: the confirmation page.
pub(crate) async fn page(
    State(s): State<HttpState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = match uc::open_link(&s.app, &token).await {
        Ok(p) => p,
        Err(e) => return refused(&s, &e),
    };
    if p.used {
        return s.pages.message(
            &s,
            StatusCode::CONFLICT,
            "链接已使用",
            "此链接已使用过，不能重复办理。如需继续办理，请登录系统。",
        );
    }
    let (csrf, cookie) = csrf_for_form(&s, &headers);
    let (asks_note, asks_date) = p.action.asks();
    let expires = p
        .expires_at
        .with_timezone(&s.app.workflow.settings.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let ctx = minijinja::context! {
        csrf, token,
        action => p.action.label(),
        subject => p.subject,
        recipient => p.recipient,
        expires,
        asks_note, asks_date,
    };
    with_cookie(s.pages.render(&s, StatusCode::OK, "act.html", ctx), cookie)
}

/// `POST /act/{token}`: performs the action as the link's recipient, once.
pub(crate) async fn perform(
    State(s): State<HttpState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ActForm>,
) -> Response {
    if !csrf_ok(&headers, &f.csrf) {
        return csrf_refused(&s);
    }
    let form = LinkForm {
        note: f.note,
        due: f.due,
    };
    match uc::follow_link(&s.app, &token, &form).await {
        Ok(done) => s.pages.message(&s, StatusCode::OK, "办理成功", &done),
        Err(e) => refused(&s, &e),
    }
}
