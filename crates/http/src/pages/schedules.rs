//! 定时任务 for the office: each schedule (开启调度, 催报, 结束调度, 月通报, 日历提醒, custom jobs)
//! with whether it is paused and its next firings; pause (with a reason) and resume, each
//! CSRF-protected; the latest entries of the scheduler's ledger.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::catalog;
use docket_app::schedules as uc;
use docket_scheduler::pause::schedule_label_zh;
use serde::Deserialize;

use super::issue::refused;
use super::office::office_only;
use super::person::Person;
use super::view;
use crate::state::HttpState;

/// Ledger lines the page shows, newest first.
const HISTORY_LINES: usize = 20;

/// A firing's period in words: a week or month as [`view::period`] says it (a reminder
/// round's `/rN` dropped); the calendar alarm's `YEAR/…` as the year whose working-day
/// calendar is due.
fn period_label(schedule: &str, period: &str) -> String {
    match period.split_once('/') {
        Some((year, _)) if schedule == "calendar_alarm" => format!("{year}年工作日历"),
        _ => view::period(period.split("/r").next().unwrap_or(period)),
    }
}

/// `GET /office/schedules`.
pub(crate) async fn page(State(s): State<HttpState>, p: Person) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let states = match uc::schedule_states(&s.app, &p.actor).await {
        Ok(v) => v,
        Err(e) => return refused(&s, &e),
    };
    let history = match uc::schedule_history_lines(&s.app, None).await {
        Ok(v) => v,
        Err(e) => return refused(&s, &e),
    };
    let rows: Vec<_> = states
        .iter()
        .map(|st| {
            let next: Vec<_> = st
                .next
                .iter()
                .map(|l| {
                    let reason = l.reason.as_deref().map(catalog::to_zh);
                    let period = period_label(&st.name, &l.period);
                    minijinja::context! {
                        at => view::time(&s, l.at), period, reason,
                        people => (l.recipients > 0).then_some(l.recipients),
                    }
                })
                .collect();
            minijinja::context! {
                name => st.name.clone(),
                label => schedule_label_zh(&st.name),
                paused => st.paused.as_ref().map(|pz| minijinja::context! {
                    by => view::who(&s, &pz.by),
                    at => view::time(&s, docket_store::time::from_ms(pz.from)),
                    reason => pz.reason.clone(),
                }),
                next,
            }
        })
        .collect();
    let history: Vec<_> = history
        .iter()
        .rev()
        .take(HISTORY_LINES)
        .map(|h| {
            // The ledger's outcome texts carry codes and English details (weeks as
            // 2026-W52, commands): the page says what happened, and why a period was
            // skipped when a pause did it (a pause's own words are Chinese).
            let result = match (&h.event, h.skipped) {
                (Some(_), _) => h.outcome.clone(),
                (None, true) => match h.outcome.find("已暂停") {
                    Some(i) => format!("已跳过：{}", &h.outcome[i..]),
                    None => "已跳过".to_string(),
                },
                (None, false) => "已执行".to_string(),
            };
            let period = period_label(&h.schedule, &h.period);
            minijinja::context! {
                label => schedule_label_zh(&h.schedule),
                period,
                at => if h.fired.is_empty() { h.due.clone() } else { h.fired.clone() },
                result,
                skipped => h.skipped,
            }
        })
        .collect();
    let ctx = minijinja::context! {
        me => p.me(&s), rows, history,
        csrf => p.session.csrf_token.clone(),
        note_max => s.app.config.workflow.note_max_chars,
    };
    s.pages
        .render(&s, StatusCode::OK, "office_schedules.html", ctx)
}

/// The pause or resume form.
#[derive(Debug, Deserialize)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// `POST /office/schedules/{name}`: pause (with the reason) or resume, then back to the list.
pub(crate) async fn change(
    State(s): State<HttpState>,
    p: Person,
    Path(name): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    if !p.csrf_ok(&f.csrf) {
        return super::signin::csrf_refused(&s);
    }
    let done = match f.action.as_str() {
        "pause" => uc::pause_schedule(&s.app, &p.actor, &name, Some(&f.reason))
            .await
            .map(|_| ()),
        "resume" => uc::resume_schedule(&s.app, &p.actor, &name)
            .await
            .map(|_| ()),
        _ => {
            return s
                .pages
                .message(&s, StatusCode::BAD_REQUEST, "未处理", "请选择暂停或恢复。");
        }
    };
    match done {
        Ok(()) => Redirect::to("/office/schedules").into_response(),
        Err(e) if e.kind() == docket_app::ErrorKind::Conflict => s.pages.message(
            &s,
            StatusCode::CONFLICT,
            "未处理",
            "该定时任务已是此状态（可能已由他人处理），请刷新后再看。",
        ),
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "未处理",
            "没有这个定时任务，或暂停原因过长。",
        ),
        Err(e) => refused(&s, &e),
    }
}
