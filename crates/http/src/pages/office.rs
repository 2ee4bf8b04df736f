//! The office's pages (协调办): this week's dispatch with 催报, and the issue queue with
//! filters and bulk 催办. Only the office opens them.

use axum::extract::{Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::work::{self, QueuePage, WorkItem};
use docket_domain::cycle::SlotStatus;
use docket_domain::issue::{IssueCategory, IssueState};
use docket_domain::period::IsoWeek;
use docket_store::issue_lines::LineQuery;
use docket_store::issues::IssueFilter;
use docket_workflow::limits::Flag;
use serde::Deserialize;

use super::issue::refused;
use super::person::Person;
use super::view;
use super::work::IssueLine;
use crate::state::HttpState;

/// Issues on one page of the queue.
const PAGE_SIZE: u64 = 100;

/// The office only; others get the Chinese 403 page.
pub(crate) fn office_only(s: &HttpState, p: &Person) -> Option<Response> {
    (!p.actor.office).then(|| {
        refused(
            s,
            &docket_app::AppError::not_permitted("office pages".to_string()),
        )
    })
}

/// `?week=2026-W49&chased=3`.
#[derive(Debug, Deserialize)]
pub(crate) struct WeekQuery {
    week: Option<String>,
    chased: Option<usize>,
}

/// `GET /office/week`: 已报/迟报/未报 per project, with 催报.
pub(crate) async fn week(
    State(s): State<HttpState>,
    p: Person,
    Query(q): Query<WeekQuery>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let week = q
        .week
        .as_deref()
        .and_then(|w| IsoWeek::parse(w).ok())
        .unwrap_or_else(|| IsoWeek::containing(s.app.today()));
    let sheet = match docket_app::cycles::cycle_sheet(&s.app, week).await {
        Ok(sh) => Some(sh),
        Err(e) if e.kind() == docket_app::ErrorKind::NotFound => None,
        Err(e) => return refused(&s, &e),
    };
    let (mut submitted, mut late, mut missing) = (0, 0, 0);
    let rows: Vec<_> = sheet
        .iter()
        .flat_map(|sh| sh.rows.iter())
        .enumerate()
        .map(|(i, r)| {
            match r.status {
                SlotStatus::Submitted => submitted += 1,
                SlotStatus::Late => late += 1,
                SlotStatus::Due | SlotStatus::Missing => missing += 1,
            }
            minijinja::context! {
                n => i + 1,
                code => r.code.clone(),
                name => r.name.clone(),
                unit => r.owner_unit.clone(),
                status => r.status.label_zh(),
                class => match r.status {
                    SlotStatus::Submitted => "",
                    SlotStatus::Late => "flag-yellow",
                    SlotStatus::Due | SlotStatus::Missing => "flag-red",
                },
                pending => !r.status.is_reported(),
                week_amount => r.week_amount.map(view::wan),
                ytd => r.ytd_completed.map(view::wan),
                no_change => r.no_change,
            }
        })
        .collect();
    let open = sheet
        .as_ref()
        .is_some_and(|sh| sh.state == docket_domain::cycle::CycleState::Open);
    let ctx = minijinja::context! {
        me => p.me(&s),
        week => week.to_string(),
        week_label => view::week_label(week),
        prev => IsoWeek::containing(week.monday() - chrono::Duration::days(1)).to_string(),
        next => week.next().to_string(),
        opened => sheet.is_some(),
        open,
        total => rows.len(), submitted, late, missing,
        rows,
        chased => q.chased,
        csrf => p.session.csrf_token.clone(),
    };
    s.pages.render(&s, StatusCode::OK, "office_week.html", ctx)
}

/// The fields of a form with repeated keys (`code=A&code=B`), URL-decoded.
fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

fn values<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// `POST /office/week/chase`: 催报 the chosen projects (or all still to report).
pub(crate) async fn chase_reports(
    State(s): State<HttpState>,
    p: Person,
    RawForm(raw): RawForm,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let pairs = form_pairs(&raw);
    if !p.csrf_ok(values(&pairs, "csrf").first().copied().unwrap_or("")) {
        return super::signin::csrf_refused(&s);
    }
    let Some(week) = values(&pairs, "week")
        .first()
        .and_then(|w| IsoWeek::parse(w).ok())
    else {
        return s
            .pages
            .message(&s, StatusCode::BAD_REQUEST, "无法催报", "缺少调度周次。");
    };
    let all = !values(&pairs, "all").is_empty();
    let codes: Vec<String> = values(&pairs, "code")
        .into_iter()
        .map(str::to_string)
        .collect();
    if !all && codes.is_empty() {
        return s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "无法催报",
            "请先勾选要催报的项目，或点击“全部催报”。",
        );
    }
    match docket_app::cycles::chase_reports(&s.app, &p.actor, week, &codes).await {
        Ok(c) => {
            Redirect::to(&format!("/office/week?week={week}&chased={}", c.projects)).into_response()
        }
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "无法催报",
            "本周调度未开始或已结束，不能催报。",
        ),
        Err(e) => refused(&s, &e),
    }
}

/// `?task_force=&category=&state=&flag=&page=&chased=`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueQuery {
    #[serde(default)]
    task_force: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    flag: String,
    page: Option<usize>,
    chased: Option<usize>,
}

/// One page of the queue for `q`, overdue first (filtered and paged by the database).
async fn queue(s: &HttpState, p: &Person, q: &QueueQuery) -> docket_app::AppResult<QueuePage> {
    let query = LineQuery {
        filter: IssueFilter {
            task_force: match q.task_force.as_str() {
                "" => None,
                "office" => Some(None),
                tf => Some(Some(tf.to_string())),
            },
            open_only: q.state.is_empty(),
            states: (!q.state.is_empty()).then(|| vec![q.state.clone()]),
            ..IssueFilter::default()
        },
        category: (!q.category.is_empty()).then(|| q.category.clone()),
        ..LineQuery::default()
    };
    let flag = match q.flag.as_str() {
        "blue" => Some(Flag::Blue),
        "yellow" => Some(Flag::Yellow),
        "red" => Some(Flag::Red),
        _ => None,
    };
    let page = q.page.unwrap_or(1).max(1) as u64;
    let mut found =
        work::queue_page(&s.app, &p.actor, query.clone(), flag, page, PAGE_SIZE).await?;
    let pages = found.total.div_ceil(PAGE_SIZE).max(1);
    if page > pages {
        // Past the end (the queue shrank): show the last page.
        found = work::queue_page(&s.app, &p.actor, query, flag, pages, PAGE_SIZE).await?;
    }
    Ok(found)
}

/// `GET /office/issues`: the issue queue.
pub(crate) async fn issues(
    State(s): State<HttpState>,
    p: Person,
    Query(q): Query<QueueQuery>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let found = match queue(&s, &p, &q).await {
        Ok(i) => i,
        Err(e) => return refused(&s, &e),
    };
    let pages = found.total.div_ceil(PAGE_SIZE).max(1);
    let page = (q.page.unwrap_or(1).max(1) as u64).min(pages);
    let (total, overdue) = (found.total, found.overdue);
    let shown: Vec<WorkItem> = found.items;
    let lines: Vec<IssueLine> = shown.iter().map(|w| IssueLine::of(&s, w)).collect();
    let opt = |v: &str, l: &str, sel: &str| minijinja::context! { value => v, label => l, selected => v == sel };
    let mut task_forces = vec![opt("office", "协调办", &q.task_force)];
    task_forces.extend(
        s.app
            .config
            .core
            .task_forces
            .iter()
            .map(|t| opt(&t.id, &t.name, &q.task_force)),
    );
    let categories: Vec<_> = IssueCategory::ALL
        .iter()
        .map(|c| opt(c.code(), c.label_zh(), &q.category))
        .collect();
    let states: Vec<_> = IssueState::ALL
        .iter()
        .map(|c| opt(c.code(), c.label_zh(), &q.state))
        .collect();
    let flags = vec![
        opt("blue", "蓝色督办（临期）", &q.flag),
        opt("yellow", "黄色督办（逾期）", &q.flag),
        opt("red", "红色督办（严重逾期）", &q.flag),
    ];
    let query = format!(
        "task_force={}&category={}&state={}&flag={}",
        q.task_force, q.category, q.state, q.flag
    );
    let ctx = minijinja::context! {
        me => p.me(&s),
        total, overdue,
        lines => minijinja::Value::from(minijinja::value::Serde(&lines)),
        page, pages, query,
        task_forces, categories, states, flags,
        chased => q.chased,
        csrf => p.session.csrf_token.clone(),
    };
    s.pages
        .render(&s, StatusCode::OK, "office_issues.html", ctx)
}

/// `POST /office/issues/chase`: 催办 every chosen issue, each recorded in its history and
/// emailed to its task force.
pub(crate) async fn chase_issues(
    State(s): State<HttpState>,
    p: Person,
    RawForm(raw): RawForm,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let pairs = form_pairs(&raw);
    if !p.csrf_ok(values(&pairs, "csrf").first().copied().unwrap_or("")) {
        return super::signin::csrf_refused(&s);
    }
    let keys = values(&pairs, "issue");
    if keys.is_empty() {
        return s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "无法催办",
            "请先勾选要催办的问题。",
        );
    }
    let note = values(&pairs, "note")
        .first()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let mut done = 0;
    for key in keys {
        let id = match docket_app::issues::resolve_issue_id(&s.app, key).await {
            Ok(id) => id,
            Err(e) => return refused(&s, &e),
        };
        let action = docket_workflow::Action::Chase { note: note.clone() };
        match docket_app::issues::act_on_issue(&s.app, &p.actor, id, action).await {
            Ok(_) => done += 1,
            // Closed meanwhile: nothing to chase; the others still go.
            Err(e) if e.kind() == docket_app::ErrorKind::Conflict => {}
            Err(e) => return refused(&s, &e),
        }
    }
    Redirect::to(&format!("/office/issues?chased={done}")).into_response()
}
