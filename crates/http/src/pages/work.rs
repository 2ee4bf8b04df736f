//! `/`: 我的待办 — what waits for the signed-in person, overdue first.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use docket_app::work::{self as uc, WorkItem};
use serde::Serialize;

use super::person::Person;
use super::view;
use crate::state::HttpState;

/// One issue line as the page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct IssueLine {
    /// Number, or the id when an old issue has none (used in the link only).
    key: String,
    number: String,
    title: String,
    project: String,
    category: &'static str,
    task_force: String,
    state: &'static str,
    flag: &'static str,
    flag_class: &'static str,
    limit: Option<String>,
    left: String,
    overdue: bool,
}

impl IssueLine {
    pub(crate) fn of(s: &HttpState, w: &WorkItem) -> IssueLine {
        let i = &w.issue;
        IssueLine {
            key: i.number.clone().unwrap_or_else(|| i.id.to_string()),
            number: i.number.clone().unwrap_or_default(),
            title: i.title.clone(),
            project: w.project_name.clone(),
            category: view::category(&i.category),
            task_force: view::task_force(s, i.task_force.as_deref()),
            state: view::state(&i.state),
            flag: view::flag(i.flag),
            flag_class: view::flag_class(i.flag),
            limit: w.limit.map(view::date),
            left: view::days_left(w.workdays_left, w.overdue_days),
            overdue: w.overdue_days.is_some(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Group {
    title: &'static str,
    items: Vec<IssueLine>,
}

/// `GET /`: the person's work.
pub(crate) async fn page(State(s): State<HttpState>, p: Person) -> Response {
    let work = match uc::my_work(&s.app, &p.actor).await {
        Ok(w) => w,
        Err(e) => return super::signin::failed(&s, &e),
    };
    let week = docket_domain::period::IsoWeek::containing(s.app.today());
    let reports: Vec<_> = work
        .reports
        .iter()
        .map(|r| {
            minijinja::context! {
                code => r.code.clone(), name => r.name.clone(), status => r.status.label_zh(),
                deadline => r.deadline.clone(), overdue => r.overdue,
                left => view::days_left(r.workdays_left, None),
            }
        })
        .collect();
    let lines = |items: &[WorkItem]| items.iter().map(|w| IssueLine::of(&s, w)).collect();
    let groups = vec![
        Group {
            title: "待签收",
            items: lines(&work.to_accept),
        },
        Group {
            title: "办理中",
            items: lines(&work.to_handle),
        },
        Group {
            title: "待销号",
            items: lines(&work.to_close),
        },
    ];
    let ctx = minijinja::context! {
        me => p.me(&s),
        empty => work.is_empty(),
        week_label => view::week_label(week),
        reports,
        groups => minijinja::Value::from(minijinja::value::Serde(&groups)),
    };
    s.pages.render(&s, StatusCode::OK, "home.html", ctx)
}
