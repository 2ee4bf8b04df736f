//! 问题详情: `/issues/{key}` shows an issue's facts, its whole history and its attachments,
//! with only the buttons the person may use; `/issues/{key}/act/{action}` asks for
//! confirmation (and the note, date or task force the action needs) and POSTs it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use docket_app::issues as uc;
use docket_app::{AppError, ErrorKind};
use docket_workflow::Action;
use docket_workflow::views::IssueDetail;
use serde::Deserialize;
use uuid::Uuid;

use super::person::Person;
use super::view;
use crate::state::HttpState;

/// `?done=accept` after an action.
#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

/// The confirmation form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    task_force: String,
}

/// A page for a use case's refusal, in Chinese.
pub(crate) fn refused(s: &HttpState, e: &AppError) -> Response {
    let (status, title, text) = match e.kind() {
        ErrorKind::NotFound => (
            StatusCode::NOT_FOUND,
            "未找到",
            "没有找到该事项，请核对编号。",
        ),
        ErrorKind::NotPermitted => (
            StatusCode::FORBIDDEN,
            "无权访问",
            "您无权查看或办理此事项。如有疑问，请联系协调办。",
        ),
        ErrorKind::Conflict => (
            StatusCode::CONFLICT,
            "无法办理",
            "该事项的状态已发生变化，此操作已不适用。请返回刷新后查看。",
        ),
        ErrorKind::BadInput => (
            StatusCode::BAD_REQUEST,
            "无法办理",
            "填写的内容有误，请返回检查后重试。",
        ),
        ErrorKind::Unexpected => return super::signin::failed(s, e),
    };
    s.pages.message(s, status, title, text)
}

/// The issue behind `key` as `p` may see it: 404 for no such issue, 403 for another unit's.
async fn load(s: &HttpState, p: &Person, key: &str) -> Result<(Uuid, IssueDetail), Response> {
    let id = uc::resolve_issue_id(&s.app, key)
        .await
        .map_err(|e| refused(s, &e))?;
    match uc::show_issue(&s.app, &p.actor, id).await {
        Ok(d) => Ok((id, d)),
        // The number exists (it resolved): the person may not see it.
        Err(e) if e.kind() == ErrorKind::NotFound && Uuid::parse_str(key).is_err() => Err(refused(
            s,
            &AppError::not_permitted("another unit's issue".to_string()),
        )),
        Err(e) => Err(refused(s, &e)),
    }
}

/// `GET /issues/{key}`.
pub(crate) async fn page(
    State(s): State<HttpState>,
    p: Person,
    Path(key): Path<String>,
    Query(q): Query<Done>,
) -> Response {
    let (id, d) = match load(&s, &p, &key).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let actions = match docket_app::work::issue_actions(&s.app, &p.actor, &d).await {
        Ok(a) => a,
        Err(e) => return super::signin::failed(&s, &e),
    };
    let files =
        match docket_app::files::list_files(&s.app, &p.actor, docket_app::files::Owner::Issue(id))
            .await
        {
            Ok(f) => f,
            Err(e) => return super::signin::failed(&s, &e),
        };
    let history: Vec<_> = d
        .history
        .iter()
        .map(|h| {
            minijinja::context! {
                at => view::time_text(&s, &h.at),
                who => view::who(&s, &h.actor),
                action => view::action(&h.action),
                to => h.from.as_deref().filter(|f| *f != h.to).map(|_| view::state(&h.to)),
                note => h.note.clone(),
            }
        })
        .collect();
    let buttons: Vec<_> = actions
        .iter()
        .map(|a| minijinja::context! { code => *a, label => view::action(a) })
        .collect();
    let assignees: Vec<String> = s
        .app
        .config
        .core
        .officials
        .iter()
        .filter(|o| d.assignees.contains(&o.email))
        .map(|o| view::who(&s, &o.id))
        .collect();
    let files: Vec<_> = files
        .iter()
        .map(|f| minijinja::context! { id => f.id.to_string(), name => f.name.clone(), kind => f.kind_label(), size => f.size_label(), by => view::who(&s, &f.uploaded_by), at => view::time(&s, f.uploaded_at) })
        .collect();
    let done = q.done.as_deref().map(view::action);
    let ctx = minijinja::context! {
        me => p.me(&s),
        key,
        done,
        number => d.number,
        title => d.title,
        detail => d.detail,
        project => d.project_name,
        project_code => d.project,
        category => view::category(&d.category),
        severity => view::severity(&d.severity),
        state => view::state(&d.state),
        task_force => view::task_force(&s, d.task_force.as_deref()),
        assignees => assignees.join("、"),
        lead_handler => d.lead_handler.as_deref().map(|h| view::who(&s, h)),
        accept_due => d.accept_due.map(view::date),
        due => d.due.map(view::date),
        flag => view::flag(d.flag),
        flag_class => view::flag_class(d.flag),
        rung => d.escalation_rung,
        raised_by => view::who(&s, &d.raised_by),
        raised_at => view::time_text(&s, &d.raised_at),
        resolution => d.resolution,
        history, buttons, files,
        may_attach => !actions.is_empty(),
        csrf => p.session.csrf_token.clone(),
    };
    s.pages.render(&s, StatusCode::OK, "issue.html", ctx)
}

/// What an action's form asks for: (note label, note required, asks a date, asks a task force).
fn asks(action: &str) -> Option<(Option<&'static str>, bool, bool, bool)> {
    Some(match action {
        "accept" | "start" => (None, false, false, false),
        "resolve" => (Some("办结说明"), true, false, false),
        "close" => (Some("核验意见"), false, false, false),
        "send_back" => (Some("退回理由"), true, false, false),
        "withdraw" => (Some("撤回理由"), true, false, false),
        "request_extension" => (Some("延期理由"), true, true, false),
        "reassign" => (Some("改派理由"), true, false, true),
        _ => return None,
    })
}

#[allow(clippy::too_many_arguments)]
fn confirm_page(
    s: &HttpState,
    p: &Person,
    status: StatusCode,
    key: &str,
    d: &IssueDetail,
    action: &str,
    form: &ActForm,
    error: Option<&str>,
) -> Response {
    let Some((note, note_required, asks_date, asks_tf)) = asks(action) else {
        return refused(s, &AppError::NotFound("no such action".into()));
    };
    let task_forces: Vec<_> = s
        .app
        .config
        .core
        .task_forces
        .iter()
        .filter(|t| Some(t.id.as_str()) != d.task_force.as_deref())
        .map(|t| minijinja::context! { id => t.id.clone(), name => t.name.clone(), selected => t.id == form.task_force })
        .collect();
    let ctx = minijinja::context! {
        me => p.me(s),
        key, action, label => view::action(action),
        number => d.number.clone(), title => d.title.clone(), project => d.project_name.clone(),
        state => view::state(&d.state),
        note, note_required, asks_date, asks_tf, task_forces,
        note_value => form.note.clone(), due_value => form.due.clone(),
        error,
        max_chars => s.app.config.core.limits.text_max_chars,
        csrf => p.session.csrf_token.clone(),
    };
    s.pages.render(s, status, "issue_act.html", ctx)
}

/// `GET /issues/{key}/act/{action}`: the confirmation form.
pub(crate) async fn confirm(
    State(s): State<HttpState>,
    p: Person,
    Path((key, action)): Path<(String, String)>,
) -> Response {
    let (_, d) = match load(&s, &p, &key).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    confirm_page(
        &s,
        &p,
        StatusCode::OK,
        &key,
        &d,
        &action,
        &ActForm::default(),
        None,
    )
}

/// The action the form asks for, or what is wrong with the form (in Chinese).
fn action_of(s: &HttpState, action: &str, f: &ActForm) -> Result<Action, &'static str> {
    let note = f.note.trim().to_string();
    let max = s.app.config.core.limits.text_max_chars;
    if f.note.chars().count() > max {
        return Err("说明过长，请精简后再提交。");
    }
    let need = |n: &str| {
        if n.trim().is_empty() {
            Err("请填写说明。")
        } else {
            Ok(n.trim().to_string())
        }
    };
    Ok(match action {
        "accept" => Action::Accept,
        "start" => Action::Start,
        "resolve" => Action::Resolve { note: need(&note)? },
        "close" => Action::Close {
            note: (!note.is_empty()).then_some(note),
        },
        "send_back" => Action::SendBack {
            reason: need(&note)?,
        },
        "withdraw" => Action::Withdraw {
            reason: need(&note)?,
        },
        "request_extension" => Action::RequestExtension {
            due: NaiveDate::parse_from_str(f.due.trim(), "%Y-%m-%d")
                .map_err(|_| "请选择申请延期至的日期。")?,
            reason: need(&note)?,
        },
        "reassign" => {
            let tf = f.task_force.trim();
            if s.app.config.core.task_force(tf).is_none() {
                return Err("请选择改派的工作专班。");
            }
            Action::Reassign {
                task_force: Some(tf.to_string()),
                reason: need(&note)?,
            }
        }
        _ => return Err("不支持的操作。"),
    })
}

/// `POST /issues/{key}/act/{action}`: does it, then back to the issue page.
pub(crate) async fn perform(
    State(s): State<HttpState>,
    p: Person,
    Path((key, action)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    if !p.csrf_ok(&f.csrf) {
        return super::signin::csrf_refused(&s);
    }
    let (id, d) = match load(&s, &p, &key).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let act = match action_of(&s, &action, &f) {
        Ok(a) => a,
        Err(msg) => {
            return confirm_page(
                &s,
                &p,
                StatusCode::BAD_REQUEST,
                &key,
                &d,
                &action,
                &f,
                Some(msg),
            );
        }
    };
    match uc::act_on_issue(&s.app, &p.actor, id, act).await {
        Ok(_) => Redirect::to(&format!("/issues/{key}?done={action}")).into_response(),
        Err(e) if e.kind() == ErrorKind::BadInput => confirm_page(
            &s,
            &p,
            StatusCode::BAD_REQUEST,
            &key,
            &d,
            &action,
            &f,
            Some("填写的内容不符合要求（例如延期日期须晚于原时限），请检查后重试。"),
        ),
        Err(e) => refused(&s, &e),
    }
}
