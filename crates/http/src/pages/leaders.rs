//! Pages to read: the project library and one project, the monthly bulletin as it will be
//! sent (with the office's send button), and the leaders' dashboard with its trend chart.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use docket_app::dashboard::TrendPoint;
use docket_bulletin::Format;
use docket_bulletin::formula::{Light, classify, fmt_percent};
use docket_domain::period::Month;
use docket_domain::project::{Category, Level, Stage};
use serde::Deserialize;

use super::issue::refused;
use super::office::office_only;
use super::person::Person;
use super::view;
use crate::state::HttpState;

fn level(code: &str) -> &'static str {
    Level::parse(code).map_or("—", Level::label_zh)
}

fn light_class(l: Light) -> &'static str {
    match l {
        Light::Green => "light-green",
        Light::Yellow => "light-yellow",
        Light::Red => "light-red",
    }
}

fn light_label(l: Light) -> &'static str {
    match l {
        Light::Green => "绿灯",
        Light::Yellow => "黄灯",
        Light::Red => "红灯",
    }
}

/// `GET /office/projects`: the library (the office).
pub(crate) async fn projects(State(s): State<HttpState>, p: Person) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let list = match docket_app::projects::list_projects(&s.app, &p.actor, None).await {
        Ok(l) => l,
        Err(e) => return refused(&s, &e),
    };
    let rows: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, pr)| {
            minijinja::context! {
                n => i + 1, code => pr.code.clone(), name => pr.name.clone(),
                level => level(&pr.level),
                stage => Stage::parse(&pr.stage).map_or("—", Stage::label_zh),
                category => Category::parse(&pr.category).map_or("—", Category::label_zh),
                unit => pr.owner_unit.clone(),
                plan => view::wan(pr.annual_plan.yuan()),
            }
        })
        .collect();
    let ctx = minijinja::context! { me => p.me(&s), rows, total => list.len() };
    s.pages
        .render(&s, StatusCode::OK, "office_projects.html", ctx)
}

/// `GET /projects/{code}`: one project with its issues; its owner unit and the office (and
/// readers) see it, another unit's contact gets 403.
pub(crate) async fn project(
    State(s): State<HttpState>,
    p: Person,
    Path(code): Path<String>,
) -> Response {
    let all =
        docket_store::issues::projects_by_code(&s.app.db.conn, std::slice::from_ref(&code)).await;
    let exists = match all {
        Ok(m) => m.get(&code).cloned(),
        Err(e) => return super::signin::failed(&s, &e.into()),
    };
    let Some(pr) = exists else {
        return s.pages.message(
            &s,
            StatusCode::NOT_FOUND,
            "未找到",
            "没有该项目，请核对项目编号。",
        );
    };
    if let (false, Some(unit)) = (p.actor.office, p.actor.unit.as_deref())
        && unit != pr.owner_unit
    {
        return refused(
            &s,
            &docket_app::AppError::not_permitted("another unit's project".to_string()),
        );
    }
    let v = match docket_app::projects::show_project(&s.app, &p.actor, &code, None).await {
        Ok(v) => v,
        Err(e) => return refused(&s, &e),
    };
    let issues: Vec<_> = v
        .issues
        .iter()
        .map(|i| {
            minijinja::context! {
                key => i.number.clone().unwrap_or_else(|| i.id.to_string()),
                number => i.number.clone().unwrap_or_default(),
                title => i.title.clone(),
                category => view::category(&i.category),
                state => view::state(&i.state),
                task_force => view::task_force(&s, i.task_force.as_deref()),
            }
        })
        .collect();
    let h = &v.history;
    let progress: Vec<_> = h
        .progress
        .iter()
        .rev()
        .take(12)
        .map(|m| {
            minijinja::context! {
                month => view::period(&m.month),
                ytd => view::wan(m.ytd_completed_yuan),
                prior => m.prior_ytd_completed_yuan.map(view::wan),
            }
        })
        .collect();
    let milestones: Vec<_> = h
        .milestones
        .iter()
        .map(|m| {
            minijinja::context! {
                label => docket_domain::project::Milestone::parse(&m.milestone)
                    .map_or("其他节点", docket_domain::project::Milestone::label_zh),
                planned => m.planned.map(view::date),
                actual => m.actual.map(view::date),
            }
        })
        .collect();
    let changes: Vec<_> = h
        .changes
        .iter()
        .rev()
        .map(|c| {
            let (field, old) = view::change(&c.field, c.old.as_deref());
            let (_, new) = view::change(&c.field, c.new.as_deref());
            minijinja::context! {
                field, old, new, file => c.file.clone(),
                at => view::time(&s, docket_store::time::from_ms(c.at)),
            }
        })
        .collect();
    let reports = recent_reports(&s, &v);
    let pj = &v.project;
    let ctx = minijinja::context! {
        progress, milestones, changes, reports,
        me => p.me(&s),
        code => pj.code.clone(), name => pj.name.clone(),
        level => level(&pj.level),
        stage => Stage::parse(&pj.stage).map_or("—", Stage::label_zh),
        category => Category::parse(&pj.category).map_or("—", Category::label_zh),
        unit => pj.owner_unit.clone(), district => pj.district.clone(),
        national_code => pj.national_code.clone(), tags => pj.tags.join("、"),
        responsible => pj.responsible_official.as_deref().map(|o| view::who(&s, o)),
        year => pj.plan_year,
        plan => view::wan(pj.annual_plan.yuan()),
        total => format!("{}", pj.total_investment_wan),
        may_report => p.actor.office || p.actor.unit.as_deref() == Some(pj.owner_unit.as_str()),
        issues,
    };
    s.pages.render(&s, StatusCode::OK, "project.html", ctx)
}

/// Weekly reports the project page shows, newest first.
const RECENT_REPORTS: usize = 8;

/// The project's latest weekly reports as the page shows them: the week with its dates, the
/// report's text, late marks, who and when, and its site photos.
fn recent_reports(s: &HttpState, v: &docket_app::projects::ProjectView) -> Vec<minijinja::Value> {
    v.history
        .reports
        .iter()
        .rev()
        .take(RECENT_REPORTS)
        .map(|r| {
            let files: Vec<_> = v
                .report_files
                .get(&r.id)
                .into_iter()
                .flatten()
                .map(|f| {
                    minijinja::context! {
                        id => f.id.to_string(), name => f.name.clone(),
                        image => f.is_image(), kind => f.kind_label(), size => f.size_label(),
                    }
                })
                .collect();
            minijinja::context! {
                week => view::period(&r.week),
                progress => if r.no_change { "本周无变化".to_string() } else { r.progress.clone() },
                milestones => r.milestones.clone(),
                problems => r.problems.clone(),
                next => r.next_week_plan.clone(),
                week_amount => r.week_amount_yuan.map(view::wan),
                ytd => r.ytd_completed_yuan.map(view::wan),
                late => if r.late_entry { Some("补报") } else if r.late { Some("迟报") } else { None },
                by => view::who(s, &r.submitted_by),
                at => view::time(s, docket_store::time::from_ms(r.submitted_at)),
                files,
            }
        })
        .collect()
}

/// `?month=2024-09&sent=3`.
#[derive(Debug, Deserialize)]
pub(crate) struct MonthQuery {
    month: Option<String>,
    sent: Option<usize>,
}

async fn month_of(s: &HttpState, text: Option<&str>) -> Result<Month, Response> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Month::parse(t).map_err(|_| {
            s.pages.message(
                s,
                StatusCode::BAD_REQUEST,
                "月份有误",
                "请按“2024-09”的格式填写月份。",
            )
        }),
        None => docket_app::bulletins::latest_month(&s.app)
            .await
            .map_err(|e| super::signin::failed(s, &e)),
    }
}

/// `GET /office/bulletin`: the month's bulletin as it will be sent, with the send button.
pub(crate) async fn bulletin(
    State(s): State<HttpState>,
    p: Person,
    Query(q): Query<MonthQuery>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    let month = match month_of(&s, q.month.as_deref()).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let empty = match docket_app::bulletins::preview_bulletin(&s.app, month, Format::Text).await {
        Ok(_) => None,
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => Some(e.to_string()),
        Err(e) => return refused(&s, &e),
    };
    let ctx = minijinja::context! {
        me => p.me(&s),
        month => month.to_string(),
        month_label => format!("{}年{}月", month.year(), month.month()),
        empty => empty.is_some(),
        sent => q.sent,
        csrf => p.session.csrf_token.clone(),
    };
    s.pages
        .render(&s, StatusCode::OK, "office_bulletin.html", ctx)
}

/// `GET /bulletin/{month}`: the bulletin's HTML itself (the preview frame; leaders read it).
pub(crate) async fn bulletin_html(
    State(s): State<HttpState>,
    _p: Person,
    Path(month): Path<String>,
) -> Response {
    let month = match month_of(&s, Some(&month)).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    match docket_app::bulletins::preview_bulletin(&s.app, month, Format::Html).await {
        Ok(bytes) => Html(String::from_utf8_lossy(&bytes).into_owned()).into_response(),
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => s.pages.message(
            &s,
            StatusCode::NOT_FOUND,
            "暂无月通报",
            "该月尚无可通报的数据（项目、年度计划或完成投资未导入）。",
        ),
        Err(e) => refused(&s, &e),
    }
}

/// The send form.
#[derive(Debug, Deserialize)]
pub(crate) struct SendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /office/bulletin/send`: queues the bulletin to the distribution list.
pub(crate) async fn send_bulletin(
    State(s): State<HttpState>,
    p: Person,
    Form(f): Form<SendForm>,
) -> Response {
    if let Some(r) = office_only(&s, &p) {
        return r;
    }
    if !p.csrf_ok(&f.csrf) {
        return super::signin::csrf_refused(&s);
    }
    let month = match month_of(&s, Some(&f.month)).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    if f.confirm != "yes" {
        return s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "未发送",
            "请勾选“已核对通报内容，确认发送”后再发送。",
        );
    }
    match docket_app::bulletins::send_bulletin(&s.app, &p.actor, month, false).await {
        Ok(q) => Redirect::to(&format!("/office/bulletin?month={month}&sent={}", q.queued))
            .into_response(),
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "未发送",
            "该月通报没有可发送的数据，或未配置接收人。请核对后再发送。",
        ),
        Err(e) => refused(&s, &e),
    }
}

/// The trend as an inline SVG line chart: completion (red) against the even schedule
/// (grey, dashed), months on the x axis.
fn trend_svg(points: &[TrendPoint]) -> String {
    let (w, h, left, bottom, top) = (640.0, 240.0, 44.0, 28.0, 12.0);
    let max = points
        .iter()
        .map(|p| p.rate.max(p.target))
        .fold(1.0_f64, f64::max);
    let x = |m: u32| left + (w - left - 12.0) * (f64::from(m) - 1.0) / 11.0;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    let line = |f: &dyn Fn(&TrendPoint) -> f64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.month), y(f(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut svg = format!(
        r#"<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="年度投资完成率逐月走势" xmlns="http://www.w3.org/2000/svg" font-size="12">"#
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{}" y="{:.1}" text-anchor="end" fill="#666">{}</text>"##,
            w - 12.0,
            left - 4.0,
            y(v) + 4.0,
            fmt_percent(v),
            y = y(v)
        ));
    }
    for m in 1..=12 {
        svg.push_str(&format!(
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#666">{m}月</text>"##,
            x(m),
            h - 8.0
        ));
    }
    svg.push_str(&format!(
        r##"<polyline fill="none" stroke="#999" stroke-dasharray="4 3" stroke-width="2" points="{}"/>"##,
        line(&|p| p.target)
    ));
    svg.push_str(&format!(
        r##"<polyline fill="none" stroke="#a61b1b" stroke-width="2.5" points="{}"/>"##,
        line(&|p| p.rate)
    ));
    for p in points {
        svg.push_str(&format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#a61b1b"><title>{}月：{}</title></circle>"##,
            x(p.month),
            y(p.rate),
            p.month,
            fmt_percent(p.rate)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /dashboard`: the leaders' dashboard.
pub(crate) async fn dashboard(
    State(s): State<HttpState>,
    p: Person,
    Query(q): Query<MonthQuery>,
) -> Response {
    let month = match q.month.as_deref() {
        Some(_) => match month_of(&s, q.month.as_deref()).await {
            Ok(m) => Some(m),
            Err(r) => return r,
        },
        None => None,
    };
    let d = match docket_app::dashboard::dashboard(&s.app, &p.actor, month).await {
        Ok(d) => d,
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => {
            return s.pages.message(
                &s,
                StatusCode::OK,
                "暂无数据",
                "尚未导入项目计划和月度进度，看板暂无数据。",
            );
        }
        Err(e) => return refused(&s, &e),
    };
    let b = &d.bulletin;
    let lights = &s.app.config.bulletin.lights;
    let group = |label: String, f: &docket_bulletin::model::Fig| {
        let l = classify(f.completion_rate, f.target, lights);
        minijinja::context! {
            label, projects => f.projects,
            rate => fmt_percent(f.completion_rate), target => fmt_percent(f.target),
            ahead => docket_bulletin::formula::fmt_ahead(f.ahead_points, docket_domain::config::Language::Zh),
            light => light_label(l), class => light_class(l),
        }
    };
    let mut groups = vec![group("全市合计".into(), &b.investment.total)];
    groups.extend(
        b.investment
            .by_level
            .iter()
            .map(|(code, f)| group(level(code).to_string(), &f.fig)),
    );
    let lagging: Vec<_> = b
        .lagging
        .iter()
        .take(20)
        .map(|l| {
            minijinja::context! {
                code => l.code.clone(), name => l.name.clone(), unit => l.owner_unit.clone(),
                rate => fmt_percent(l.completion_rate),
                ahead => docket_bulletin::formula::fmt_ahead(l.ahead_points, docket_domain::config::Language::Zh),
                light => light_label(l.light), class => light_class(l.light),
                not_reported => l.not_reported,
            }
        })
        .collect();
    let overdue: Vec<_> = d
        .overdue
        .iter()
        .map(|o| {
            minijinja::context! {
                task_force => view::task_force(&s, o.task_force.as_deref()),
                by_rung => o.by_rung.clone(), total => o.total,
            }
        })
        .collect();
    let settings = &s.app.workflow.settings;
    let rung_headers: Vec<String> = std::iter::once("逾期未升级".to_string())
        .chain(
            (1..=i32::try_from(settings.workflow.ladder.len()).unwrap_or(0))
                .map(|n| format!("提请{}", docket_workflow::notify::rung_level(settings, n))),
        )
        .collect();
    let ctx = minijinja::context! {
        rung_headers,
        me => p.me(&s),
        month => d.month.to_string(),
        month_label => format!("{}年{}月", d.month.year(), d.month.month()),
        groups, lagging, lagging_total => b.lagging.len(), overdue,
        issues_raised => b.issues.all.raised, issues_closed => b.issues.all.closed,
        issues_overdue => b.issues.all.overdue,
        chart => minijinja::Value::from_safe_string(trend_svg(&d.trend)),
        has_trend => !d.trend.is_empty(),
    };
    s.pages.render(&s, StatusCode::OK, "dashboard.html", ctx)
}
