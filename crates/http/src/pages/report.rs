//! 周报填报: `/report/{code}` — the weekly report form for a project's owner unit, phone
//! first. Last week's progress prefilled (this week's own report when resubmitting before
//! the deadline), 本周无变化 as a one-tap shortcut, problems with a category picker that
//! become routed issues, site photos attached; errors shown next to their field with the
//! input kept; a closed week says so instead of showing the form.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::reports as uc;
use docket_domain::Amount;
use docket_domain::cycle::{CycleState, ReportInput};
use docket_domain::issue::IssueCategory;
use docket_domain::period::IsoWeek;
use docket_store::cycles::ReportLine;
use serde::{Deserialize, Serialize};

use super::files::MultipartForm;
use super::issue::refused;
use super::person::Person;
use super::view;
use crate::state::HttpState;

/// Problem rows on the form.
const PROBLEM_ROWS: usize = 3;

/// `?week=2026-W49&done=1`.
#[derive(Debug, Deserialize)]
pub(crate) struct WeekQuery {
    week: Option<String>,
    done: Option<String>,
}

/// The form's values as shown (entered or prefilled).
#[derive(Debug, Default, Serialize)]
struct Values {
    week_amount: String,
    ytd_completed: String,
    progress: String,
    milestones: String,
    next_week_plan: String,
    contact: String,
    problems: Vec<(String, String)>,
}

/// Errors by field name, in Chinese.
#[derive(Debug, Default, Serialize)]
struct Errors {
    week_amount: Option<&'static str>,
    ytd_completed: Option<&'static str>,
    progress: Option<String>,
    photos: Option<String>,
    form: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        self.week_amount.is_some()
            || self.ytd_completed.is_some()
            || self.progress.is_some()
            || self.photos.is_some()
            || self.form.is_some()
    }
}

/// The project as `p` may report it, or the page refusing.
async fn project(
    s: &HttpState,
    p: &Person,
    code: &str,
) -> Result<docket_store::issues::ProjectRef, Response> {
    let found = docket_store::issues::projects_by_code(&s.app.db.conn, &[code.to_string()]).await;
    let project = match found {
        Ok(mut m) => m.remove(code),
        Err(e) => return Err(super::signin::failed(s, &e.into())),
    };
    let Some(project) = project else {
        return Err(s.pages.message(
            s,
            StatusCode::NOT_FOUND,
            "未找到",
            "没有该项目，请核对项目编号。",
        ));
    };
    if let Err(e) = docket_app::actor::require_reporter(&p.actor, &project) {
        return Err(refused(s, &e));
    }
    Ok(project)
}

fn week_of(s: &HttpState, text: Option<&str>) -> IsoWeek {
    text.and_then(|t| IsoWeek::parse(t).ok())
        .unwrap_or_else(|| IsoWeek::containing(s.app.today()))
}

fn wan(v: Option<i64>) -> String {
    v.map(|y| Amount::from_yuan(y).to_string())
        .unwrap_or_default()
}

/// The newest report of `week` for `code`, if any.
async fn latest(s: &HttpState, p: &Person, week: IsoWeek, code: &str) -> Option<ReportLine> {
    uc::list_reports(&s.app, &p.actor, week, Some(code))
        .await
        .ok()?
        .into_iter()
        .max_by_key(|r| r.submitted_at)
}

#[allow(clippy::too_many_arguments)]
fn render(
    s: &HttpState,
    p: &Person,
    status: StatusCode,
    project: &docket_store::issues::ProjectRef,
    week: IsoWeek,
    values: &Values,
    errors: &Errors,
    context: minijinja::Value,
) -> Response {
    let categories: Vec<_> = IssueCategory::ALL
        .iter()
        .map(|c| minijinja::context! { code => c.code(), label => c.label_zh() })
        .collect();
    let mut problems = values.problems.clone();
    problems.resize(PROBLEM_ROWS.max(problems.len()), Default::default());
    let problems: Vec<_> = problems
        .iter()
        .enumerate()
        .map(|(i, (c, t))| minijinja::context! { n => i + 1, category => c.clone(), title => t.clone() })
        .collect();
    let ctx = minijinja::context! {
        me => p.me(s),
        code => project.code.clone(),
        name => project.name.clone(),
        unit => project.owner_unit.clone(),
        week => week.to_string(),
        week_label => view::week_span_label(week),
        values => minijinja::Value::from(minijinja::value::Serde(values)),
        errors => minijinja::Value::from(minijinja::value::Serde(errors)),
        has_errors => errors.any(),
        problems, categories,
        max_chars => s.app.config.core.limits.text_max_chars,
        max_file_mb => s.app.config.http.max_file_mb,
        csrf => p.session.csrf_token.clone(),
        ..context
    };
    s.pages.render(s, status, "report.html", ctx)
}

/// `GET /report/{code}`.
pub(crate) async fn form(
    State(s): State<HttpState>,
    p: Person,
    Path(code): Path<String>,
    Query(q): Query<WeekQuery>,
) -> Response {
    let project = match project(&s, &p, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let week = week_of(&s, q.week.as_deref());
    let cycle = docket_store::cycles::cycle(&s.app.db.conn, &week.to_string()).await;
    let cycle = match cycle {
        Ok(c) => c,
        Err(e) => return super::signin::failed(&s, &e.into()),
    };
    let times = s.app.scheduler.plan().cycle_times(&s.app.calendar, week);
    let deadline = times.as_ref().map(|t| view::time(&s, t.deadline));
    let closed = cycle
        .as_ref()
        .is_some_and(|c| c.state == CycleState::Closed);
    let this_week = latest(&s, &p, week, &code).await;
    let last_week = latest(
        &s,
        &p,
        IsoWeek::containing(week.monday() - chrono::Duration::days(1)),
        &code,
    )
    .await;
    let source = this_week.as_ref().or(last_week.as_ref());
    let values = Values {
        progress: source.map(|r| r.progress.clone()).unwrap_or_default(),
        week_amount: this_week
            .as_ref()
            .map(|r| wan(r.week_amount))
            .unwrap_or_default(),
        ytd_completed: this_week
            .as_ref()
            .map(|r| wan(r.ytd_completed))
            .unwrap_or_default(),
        ..Values::default()
    };
    let ctx = minijinja::context! {
        deadline,
        closed,
        opened => cycle.is_some(),
        resubmit => this_week.is_some(),
        submitted_at => this_week.as_ref().map(|r| view::time(&s, docket_store::time::from_ms(r.submitted_at))),
        last_ytd => last_week.as_ref().and_then(|r| r.ytd_completed).map(view::wan),
        done => q.done.is_some(),
    };
    render(
        &s,
        &p,
        StatusCode::OK,
        &project,
        week,
        &values,
        &Errors::default(),
        ctx,
    )
}

const AMOUNT_HINT: &str = "请填写数字（万元），最多4位小数，例如 125.5";

fn amount(text: &str) -> Result<Option<Amount>, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Amount::parse_wan(t).map(Some).map_err(|_| AMOUNT_HINT)
}

/// `POST /report/{code}`: records the report (and its photos), then back to the form with a
/// confirmation; errors next to their fields.
pub(crate) async fn submit(
    State(s): State<HttpState>,
    p: Person,
    Path(code): Path<String>,
    m: Multipart,
) -> Response {
    let form = match MultipartForm::read_checked(&s, &p, m, "提交失败").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let project = match project(&s, &p, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let week = week_of(&s, Some(form.field("week")));
    let no_change = !form.field("no_change").is_empty();
    let problems: Vec<(String, String)> = (1..=PROBLEM_ROWS)
        .map(|i| {
            (
                form.field(&format!("problem_category_{i}"))
                    .trim()
                    .to_string(),
                form.field(&format!("problem_title_{i}")).trim().to_string(),
            )
        })
        .collect();
    let values = Values {
        week_amount: form.field("week_amount").to_string(),
        ytd_completed: form.field("ytd_completed").to_string(),
        progress: form.field("progress").to_string(),
        milestones: form.field("milestones").to_string(),
        next_week_plan: form.field("next_week_plan").to_string(),
        contact: form.field("contact").to_string(),
        problems: problems.clone(),
    };
    let mut errors = Errors::default();
    let week_amount = amount(&values.week_amount)
        .map_err(|e| errors.week_amount = Some(e))
        .ok()
        .flatten();
    let ytd = amount(&values.ytd_completed)
        .map_err(|e| errors.ytd_completed = Some(e))
        .ok()
        .flatten();
    if !no_change && values.progress.trim().is_empty() {
        errors.progress = Some("请填写形象进度，或点击“本周无变化”。".into());
    }
    if let Err(e) = docket_app::files::check_uploads(&s.app, &form.files) {
        errors.photos = Some(super::files::refusal_text(&e));
    }
    let back = |status, errors: &Errors| {
        render(
            &s,
            &p,
            status,
            &project,
            week,
            &values,
            errors,
            minijinja::context! { opened => true },
        )
    };
    if errors.any() {
        return back(StatusCode::BAD_REQUEST, &errors);
    }
    let problems_text = problems
        .iter()
        .filter(|(_, t)| !t.is_empty())
        .map(|(c, t)| {
            let label = IssueCategory::parse(c).map_or("其他", IssueCategory::label_zh);
            format!("{label}：{t}")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let input = ReportInput {
        code: project.code.clone(),
        week,
        week_amount,
        ytd_completed: ytd,
        progress: values.progress.clone(),
        milestones: values.milestones.clone(),
        problems: problems_text,
        next_week_plan: values.next_week_plan.clone(),
        contact: values.contact.clone(),
        no_change,
    };
    match uc::submit_report_with_photos(&s.app, &p.actor, input, &form.files).await {
        Ok(_) => {
            Redirect::to(&format!("/report/{}?week={week}&done=1", project.code)).into_response()
        }
        Err(e) if e.kind() == docket_app::ErrorKind::Conflict => {
            errors.form =
                Some("本周调度已结束，周报已锁定，未保存。如需补报，请联系协调办。".into());
            back(StatusCode::CONFLICT, &errors)
        }
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => {
            errors.form = Some(format!("填写内容不符合要求，未保存：{}", too_long_hint(&e)));
            back(StatusCode::BAD_REQUEST, &errors)
        }
        Err(e) => refused(&s, &e),
    }
}

/// A Chinese hint for a refusal the form could not catch itself (text over the limits).
fn too_long_hint(e: &docket_app::AppError) -> String {
    let text = super::files::refusal_text(e);
    let fields = [
        ("progress", "形象进度"),
        ("milestones", "节点完成情况"),
        ("problems", "存在问题"),
        ("next_week_plan", "下周计划"),
        ("contact", "联系人"),
    ];
    let named: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| text.contains(k))
        .map(|(_, v)| *v)
        .collect();
    if named.is_empty() {
        "请检查各项内容的长度和格式。".into()
    } else {
        format!("{}内容过长，请精简。", named.join("、"))
    }
}
