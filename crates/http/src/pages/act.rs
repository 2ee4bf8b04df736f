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
    let text = e.to_string();
    // The link's own refusals are written in Chinese; a refusal from the action itself (the
    // workflow's, in English for the CLI and logs) is said in words for people instead.
    let text = if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        text
    } else {
        match e.kind() {
            docket_app::ErrorKind::Conflict => {
                "该事项的状态已发生变化（可能已由他人办理），此链接的操作已不适用。请登录系统查看。"
            }
            docket_app::ErrorKind::NotPermitted => "您无权办理此事项。如有疑问，请联系协调办。",
            docket_app::ErrorKind::NotFound => "没有找到该事项，可能已被撤回。",
            _ => "填写的内容不符合要求，请返回检查后重试。",
        }
        .to_string()
    };
    s.pages.message(s, status, title, &text)
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
