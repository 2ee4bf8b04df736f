//! 定时任务 for the office: each schedule (开启调度, 催报, 结束调度, 月通报, 日历提醒, custom jobs)
//! with whether it is paused and its next firings; pause (with a reason) and resume, each
//! CSRF-protected; the latest entries of the scheduler's ledger.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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
                    // The calendar alarm's period is `YEAR/WEEK`: the year whose table is
                    // due. Other reasons are the holiday shifts, in Chinese.
                    let (period, reason) = match l.period.split_once('/') {
                        Some((year, _)) if st.name == "calendar_alarm" => (
                            format!("{year}年工作日历"),
                            Some(format!("请导入{year}年工作日历")),
                        ),
                        _ => (
                            view::period(l.period.split("/r").next().unwrap_or(&l.period)),
                            l.reason.clone(),
                        ),
                    };
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
            // The ledger's own words are for the CLI's catalogue; the page says what
            // happened, and why a period was skipped when a pause did it.
            let result = match (&h.event, h.skipped) {
                (Some(_), _) => h.outcome.clone(),
                (None, true) => match h.outcome.find("已暂停") {
                    Some(i) => format!("已跳过：{}", &h.outcome[i..]),
                    None => "已跳过".to_string(),
                },
                (None, false) => "已执行".to_string(),
            };
            let period = match h.period.split_once('/') {
                Some((year, _)) if h.schedule == "calendar_alarm" => format!("{year}年工作日历"),
                _ => view::period(h.period.split("/r").next().unwrap_or(&h.period)),
            };
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
