//! Sign-in by emailed link, the landing page, and sign-out.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::signin::{self as uc, SigninRequest};
use docket_auth::session::{clear_session_cookie, session_cookie};
use serde::Deserialize;

use super::{csrf_for_form, csrf_ok, refusal, with_cookie};
use crate::auth::Visitor;
use crate::state::HttpState;

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `GET /login`: asks for the email address.
pub(crate) async fn login_form(State(s): State<HttpState>, headers: HeaderMap) -> Response {
    let (csrf, cookie) = csrf_for_form(&s, &headers);
    let res = s.pages.render(
        &s,
        StatusCode::OK,
        "login.html",
        minijinja::context! { csrf, email => "" },
    );
    with_cookie(res, cookie)
}

/// `POST /login`: mails a link when the address is an official's; the same answer either way.
pub(crate) async fn login_request(
    State(s): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if !csrf_ok(&headers, &f.csrf) {
        return csrf_refused(&s);
    }
    match uc::request_signin(&s.app, &f.email, Some(peer.ip()), &s.base_url).await {
        Ok(SigninRequest::Sent | SigninRequest::Unknown) => s.pages.message(
            &s,
            StatusCode::OK,
            "请查收邮件",
            "如该邮箱已在系统登记，登录链接已发送到该邮箱，15分钟内有效，仅可使用一次。",
        ),
        Ok(SigninRequest::RateLimited { retry_after }) => {
            let at = retry_after
                .with_timezone(&s.app.workflow.settings.tz())
                .format("%H:%M")
                .to_string();
            let mut res = s.pages.message(
                &s,
                StatusCode::TOO_MANY_REQUESTS,
                "请求过于频繁",
                &format!("登录请求过于频繁，请于{at}后再试。"),
            );
            let secs = (retry_after - s.app.now()).num_seconds().max(1);
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => {
            let (csrf, cookie) = csrf_for_form(&s, &headers);
            let res = s.pages.render(
                &s,
                StatusCode::BAD_REQUEST,
                "login.html",
                minijinja::context! { csrf, email => f.email, error => "请输入正确的电子邮箱地址。" },
            );
            with_cookie(res, cookie)
        }
        Err(e) => failed(&s, &e),
    }
}

/// `GET /login/{token}`: a page whose button signs in (a mail scanner's GET signs no one in).
pub(crate) async fn confirm_page(
    State(s): State<HttpState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (csrf, cookie) = csrf_for_form(&s, &headers);
    let res = s.pages.render(
        &s,
        StatusCode::OK,
        "login_confirm.html",
        minijinja::context! { csrf, token },
    );
    with_cookie(res, cookie)
}

/// `POST /login/{token}`: redeems the link; a new session (a new id, whatever cookie the
/// browser held before) and on to `/`.
pub(crate) async fn redeem(
    State(s): State<HttpState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&headers, &f.csrf) {
        return csrf_refused(&s);
    }
    match uc::redeem_signin(&s.app, &token).await {
        Ok(session) => {
            let cookie = session_cookie(&session, s.secure_cookies, s.app.now());
            let mut res = Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => match e.kind() {
            docket_app::ErrorKind::Unexpected => failed(&s, &e),
            _ => s.pages.message(
                &s,
                refusal(&e).0,
                "登录链接无效",
                "此登录链接已使用、已过期或不完整。请返回登录页重新获取。",
            ),
        },
    }
}

/// `POST /logout`: ends the session (the session's CSRF token required).
pub(crate) async fn logout(
    State(s): State<HttpState>,
    Visitor(v): Visitor,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some((session, _)) = v {
        if docket_auth::session::check_csrf(&session, &f.csrf).is_err() {
            return csrf_refused(&s);
        }
        if let Err(e) = uc::sign_out(&s.app, session.id.as_str()).await {
            return failed(&s, &e);
        }
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie(s.secure_cookies)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub(crate) fn csrf_refused(s: &HttpState) -> Response {
    s.pages.message(
        s,
        StatusCode::FORBIDDEN,
        "页面已失效",
        "表单校验失败（页面可能已过期）。请刷新页面后重试。",
    )
}

pub(crate) fn failed(s: &HttpState, e: &docket_app::AppError) -> Response {
    tracing::error!(error = %e, cause = ?std::error::Error::source(e), "page request failed");
    s.pages.message(
        s,
        StatusCode::INTERNAL_SERVER_ERROR,
        "系统错误",
        "系统暂时无法处理，请稍后再试或联系协调办。",
    )
}
