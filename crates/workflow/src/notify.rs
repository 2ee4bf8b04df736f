//! The emails a change queues, built here and written by the caller's transaction through
//! `docket_store::outbox::enqueue`. Subjects and bodies are rendered already (Chinese by
//! default, English with `[office] language = "en"`); the `context` carries the same facts for
//! the notifier's templates.

use docket_domain::issue::IssueCategory;
use docket_store::entity::issues;
use docket_store::issues::ProjectRef;
use docket_store::outbox::{Delivery, NewMessage};
use serde_json::json;

use crate::config::Settings;

/// A recipient: official id (None for the office mailbox), name, email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The official's id, or None for the office's mailbox.
    pub official: Option<String>,
    /// Display name.
    pub name: String,
    /// Address.
    pub email: String,
}

/// The office's mailbox.
pub fn office(settings: &Settings) -> Recipient {
    Recipient {
        official: None,
        name: settings.core.office.name.clone(),
        email: settings.core.office.email.clone(),
    }
}

/// A configured official, or the office's mailbox for `office` / an unknown id.
pub fn official(settings: &Settings, id: &str) -> Recipient {
    match settings.core.official(id) {
        Some(o) => Recipient {
            official: Some(o.id.clone()),
            name: o.name.clone(),
            email: o.email.clone(),
        },
        None => office(settings),
    }
}

/// Everyone an issue is assigned to: the task force's leader, deputies and members, or the
/// office's mailbox when no task force handles it.
pub fn assignees(settings: &Settings, task_force: Option<&str>) -> Vec<Recipient> {
    match task_force.and_then(|tf| settings.core.task_force(tf)) {
        Some(tf) => tf
            .everyone()
            .into_iter()
            .map(|id| official(settings, id))
            .collect(),
        None => vec![office(settings)],
    }
}

/// The recipients of escalation rung `rung` (1 handler, 2 group leader, 3 office head).
pub fn rung_recipients(settings: &Settings, issue: &issues::Model, rung: i32) -> Vec<Recipient> {
    let tf = issue
        .task_force
        .as_deref()
        .and_then(|t| settings.core.task_force(t));
    let head = || vec![official(settings, &settings.core.office.head)];
    match (rung, tf) {
        (1, _) if issue.lead_handler.is_some() => vec![official(
            settings,
            issue.lead_handler.as_deref().unwrap_or(""),
        )],
        (1, Some(tf)) if !tf.members.is_empty() => {
            tf.members.iter().map(|m| official(settings, m)).collect()
        }
        (1, Some(tf)) => vec![official(settings, &tf.lead)],
        (1, None) => vec![office(settings)],
        (2, Some(tf)) => vec![official(settings, &tf.lead)],
        _ => head(),
    }
}

/// What an email is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 交办: a new assignment.
    Assignment,
    /// 签收.
    Accepted,
    /// 办结.
    Resolved,
    /// 销号.
    Closed,
    /// 退回.
    SentBack,
    /// 延期申请.
    ExtensionRequested,
    /// 督办: an escalation rung.
    Escalation(i32),
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Assignment => "assignment",
            Kind::Accepted => "issue_accepted",
            Kind::Resolved => "issue_resolved",
            Kind::Closed => "issue_closed",
            Kind::SentBack => "issue_sent_back",
            Kind::ExtensionRequested => "extension_requested",
            Kind::Escalation(_) => "escalation",
        }
    }

    fn delivery(self) -> Delivery {
        match self {
            Kind::Assignment | Kind::Escalation(_) => Delivery::Immediate,
            _ => Delivery::Digestible,
        }
    }

    fn words(self, en: bool) -> &'static str {
        match (self, en) {
            (Kind::Assignment, false) => "问题交办",
            (Kind::Accepted, false) => "问题已签收",
            (Kind::Resolved, false) => "问题已办结，请核实销号",
            (Kind::Closed, false) => "问题已销号",
            (Kind::SentBack, false) => "问题被退回重办",
            (Kind::ExtensionRequested, false) => "延期申请",
            (Kind::Escalation(_), false) => "逾期督办",
            (Kind::Assignment, true) => "Issue assigned",
            (Kind::Accepted, true) => "Issue accepted",
            (Kind::Resolved, true) => "Issue resolved: please verify and close",
            (Kind::Closed, true) => "Issue closed",
            (Kind::SentBack, true) => "Issue sent back",
            (Kind::ExtensionRequested, true) => "Extension requested",
            (Kind::Escalation(_), true) => "Overdue issue escalated",
        }
    }
}

/// Builds one message per recipient for step `seq` of `issue`.
pub fn messages(
    settings: &Settings,
    issue: &issues::Model,
    project: &ProjectRef,
    seq: i32,
    kind: Kind,
    note: Option<&str>,
    to: &[Recipient],
) -> Vec<NewMessage> {
    let en = settings.english();
    let cat = IssueCategory::parse(&issue.category).ok();
    let cat_label = match (cat, en) {
        (Some(c), false) => c.label_zh().to_string(),
        _ => issue.category.clone(),
    };
    let tf_name = issue
        .task_force
        .as_deref()
        .and_then(|t| settings.core.task_force(t))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| settings.core.office.name.clone());
    let due = issue.due.map(|d| d.to_string()).unwrap_or_default();
    let rung = if let Kind::Escalation(r) = kind {
        Some(r)
    } else {
        None
    };
    let subject = format!(
        "【{}】{} {}：{}",
        kind.words(en),
        project.code,
        project.name,
        issue.title
    );
    let mut text = if en {
        format!(
            "{}\n\nProject: {} {}\nCategory: {}\nIssue: {}\nHandled by: {}\nState: {}\nDue: {}\nIssue id: {}\n",
            kind.words(en),
            project.code,
            project.name,
            cat_label,
            issue.title,
            tf_name,
            issue.state,
            due,
            issue.id
        )
    } else {
        format!(
            "{}\n\n项目：{} {}\n类别：{}\n问题：{}\n承办：{}\n状态：{}\n办理时限：{}\n问题编号：{}\n",
            kind.words(en),
            project.code,
            project.name,
            cat_label,
            issue.title,
            tf_name,
            issue.state,
            due,
            issue.id
        )
    };
    if !issue.detail.is_empty() {
        text.push_str(&format!(
            "{}{}\n",
            if en { "Detail: " } else { "详情：" },
            issue.detail
        ));
    }
    if let Some(n) = note {
        text.push_str(&format!("{}{}\n", if en { "Note: " } else { "说明：" }, n));
    }
    if let Some(r) = rung {
        text.push_str(&format!(
            "{}{r}\n",
            if en {
                "Escalation rung: "
            } else {
                "督办层级："
            }
        ));
    }
    to.iter()
        .map(|r| NewMessage {
            dedupe_key: format!(
                "issue:{}:{seq}:{}:{}",
                issue.id,
                kind.code(),
                r.official.as_deref().unwrap_or("office")
            ),
            kind: kind.code().to_string(),
            to_email: r.email.clone(),
            to_name: r.name.clone(),
            official: r.official.clone(),
            context: json!({
                "issue_id": issue.id.to_string(),
                "title": issue.title,
                "detail": issue.detail,
                "project_code": project.code,
                "project_name": project.name,
                "category": issue.category,
                "category_label": cat_label,
                "state": issue.state,
                "task_force": issue.task_force,
                "task_force_name": tf_name,
                "due": issue.due.map(|d| d.to_string()),
                "note": note,
                "rung": rung,
                "recipient_name": r.name,
            }),
            subject: Some(subject.clone()),
            text_body: Some(text.clone()),
            html_body: None,
            delivery: kind.delivery(),
            period: None,
            attachments: Vec::new(),
        })
        .collect()
}
