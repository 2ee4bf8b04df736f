//! 暂缓发送 (held products) for the office: the list, a preview as it would be sent, and
//! release or drop, each confirmed and CSRF-protected.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::holds as uc;
use serde::Deserialize;

use super::issue::refused;
use super::office::office_only;
use super::person::Person;
use super::view;
use crate::state::HttpState;

/// `GET /office/holds`: what is held, newest first, with the decided ones below.
pub(crate) async fn list(State(s): State<HttpState>, p: Person) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let holds = match uc::list_holds(&s.app, &p.actor, true).await {
        Ok(h) => h,
        Err(e) => return refused(&s, &e),
    };
    let rows: Vec<_> = holds
        .iter()
        .map(|h| {
            minijinja::context! {
                number => h.number,
                kind => h.kind.label_zh(),
                period => view::period(&h.period),
                reason => h.reason.clone(),
                state => h.state.label_zh(),
                waiting => h.state == docket_domain::hold::HoldState::Held,
                held_at => view::time(&s, docket_store::time::from_ms(h.held_at)),
                decided => h.decided_by.as_deref().map(|d| view::who(&s, d)),
            }
        })
        .collect();
    let ctx = minijinja::context! { me => p.me(&s), rows };
    s.pages.render(&s, StatusCode::OK, "office_holds.html", ctx)
}

/// `GET /office/holds/{number}`: the preview and the decision buttons.
pub(crate) async fn show(
    State(s): State<HttpState>,
    p: Person,
    Path(number): Path<i64>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let pv = match uc::preview_hold(&s.app, &p.actor, number).await {
        Ok(pv) => pv,
        Err(e) => return refused(&s, &e),
    };
    let ctx = minijinja::context! {
        me => p.me(&s),
        number,
        kind => pv.hold.kind.label_zh(),
        period => view::period(&pv.hold.period),
        reason => pv.hold.reason.clone(),
        state => pv.hold.state.label_zh(),
        waiting => pv.hold.state == docket_domain::hold::HoldState::Held,
        subject => pv.subject.clone(),
        text => pv.text.clone(),
        csrf => p.session.csrf_token.clone(),
    };
    s.pages.render(&s, StatusCode::OK, "office_hold.html", ctx)
}

/// The decision form.
#[derive(Debug, Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /office/holds/{number}`: release (send now) or drop.
pub(crate) async fn decide(
    State(s): State<HttpState>,
    p: Person,
    Path(number): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    if !p.csrf_ok(&f.csrf) {
        return super::signin::csrf_refused(&s);
    }
    if f.confirm != "yes" {
        return s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "未处理",
            "请先勾选“已核对内容”再处理。",
        );
    }
    let done = match f.decision.as_str() {
        "release" => uc::release_hold(&s.app, &p.actor, number).await.map(|_| ()),
        "drop" => uc::drop_hold(&s.app, &p.actor, number).await,
        _ => {
            return s
                .pages
                .message(&s, StatusCode::BAD_REQUEST, "未处理", "请选择发送或作废。");
        }
    };
    match done {
        Ok(()) => Redirect::to("/office/holds").into_response(),
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "未处理",
            "该事项已处理过，或内容仍为空，不能发送。",
        ),
        Err(e) => refused(&s, &e),
    }
}
