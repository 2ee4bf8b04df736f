//! The emails a change queues, built here and written by the caller's transaction through
//! `docket_store::outbox::enqueue`. The notifier renders them from the office's templates
//! (Chinese by default, English with `[office] language = "en"`) using the `context` built here.

use docket_domain::issue::IssueCategory;
use docket_store::entity::issues;
use docket_store::issues::ProjectRef;
use docket_store::outbox::{Delivery, NewMessage};
use serde_json::json;

use crate::config::{Rung, Settings};

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

/// Who `to` names, for an event's record: official ids, `office` for the office's mailbox.
pub fn notified(to: &[Recipient]) -> Vec<String> {
    to.iter()
        .map(|r| r.official.clone().unwrap_or_else(|| "office".into()))
        .collect()
}

/// The recipients of escalation rung `rung` (1 = the first of `[workflow] ladder`; by
/// default 1 handler, 2 group leader, 3 office head). A rung with nobody to reach falls
/// back: deputies to the group leader, the linked city leader and everything of an issue no
/// task force handles (or past the ladder's end) to the office head.
pub fn rung_recipients(settings: &Settings, issue: &issues::Model, rung: i32) -> Vec<Recipient> {
    let tf = issue
        .task_force
        .as_deref()
        .and_then(|t| settings.core.task_force(t));
    let head = || vec![official(settings, &settings.core.office.head)];
    let ids = |list: &[String]| -> Vec<Recipient> {
        list.iter().map(|m| official(settings, m)).collect()
    };
    match (settings.workflow.rung(rung), tf) {
        (Some(Rung::Handler), _) if issue.lead_handler.is_some() => vec![official(
            settings,
            issue.lead_handler.as_deref().unwrap_or(""),
        )],
        (Some(Rung::Handler), Some(tf)) if !tf.members.is_empty() => ids(&tf.members),
        (Some(Rung::Handler), Some(tf)) => vec![official(settings, &tf.lead)],
        (Some(Rung::Handler), None) => vec![office(settings)],
        (Some(Rung::Lead), Some(tf)) => vec![official(settings, &tf.lead)],
        (Some(Rung::Deputy), Some(tf)) if !tf.deputies.is_empty() => ids(&tf.deputies),
        (Some(Rung::Deputy), Some(tf)) => vec![official(settings, &tf.lead)],
        (Some(Rung::Leader), Some(tf)) => match &tf.leader {
            Some(l) => vec![official(settings, l)],
            None => head(),
        },
        _ => head(),
    }
}

/// What an email is about; each is a template kind of the notifier (`config/templates/`).
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
    /// 催办: the office chases the handlers.
    Chase,
    /// 督办: an escalation rung, with the working days overdue.
    Escalation {
        /// The rung's number on `[workflow] ladder` (1 = the first).
        rung: i32,
        /// Working days past the time limit.
        days_overdue: u32,
    },
}

impl Kind {
    /// The template kind.
    fn code(self) -> &'static str {
        match self {
            Kind::Assignment => "assignment",
            Kind::Accepted => "accepted",
            Kind::Resolved => "resolved",
            Kind::Closed => "closed",
            Kind::SentBack => "sent_back",
            Kind::ExtensionRequested => "extension_requested",
            Kind::Escalation { .. } => "escalation",
            Kind::Chase => "chase",
        }
    }

    fn delivery(self) -> Delivery {
        match self {
            Kind::Assignment | Kind::Escalation { .. } | Kind::Chase => Delivery::Immediate,
            _ => Delivery::Digestible,
        }
    }
}

/// The level named on an escalation rung (the office head past the ladder's end).
pub fn rung_level(settings: &Settings, rung: i32) -> &'static str {
    settings
        .workflow
        .rung(rung)
        .unwrap_or(Rung::OfficeHead)
        .label(settings.english())
}

/// Who acted, as an email names them: an official's name with their title
/// (`孙丽（市自然资源局局长）`), the office's name for `office`, the id itself if unknown.
pub fn actor_label(settings: &Settings, actor: &str) -> String {
    match settings.core.official(actor) {
        Some(o) if o.title.trim().is_empty() => o.name.clone(),
        Some(o) if settings.english() => format!("{} ({})", o.name, o.title),
        Some(o) => format!("{}（{}）", o.name, o.title),
        None if actor == "office" => settings.core.office.name.clone(),
        None => actor.to_string(),
    }
}

/// Builds one message per recipient for step `seq` of `issue`, taken by `actor` (an official
/// id or `office`; None for the system's own steps such as escalation). The notifier renders
/// them from the kind's templates and this context (the fields its crate docs list, with
/// `actor` the [`actor_label`]), so the office edits every email in one place.
#[allow(clippy::too_many_arguments)]
pub fn messages(
    settings: &Settings,
    issue: &issues::Model,
    project: &ProjectRef,
    seq: i32,
    kind: Kind,
    note: Option<&str>,
    actor: Option<&str>,
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
        .map(|t| t.name.clone());
    let mut context = json!({
        "issue": {
            "id": issue.id.to_string(),
            "title": issue.title,
            "number": issue.number,
            "detail": issue.detail,
            "category": issue.category,
            "category_label": cat_label,
            "state": issue.state,
            "due": issue.due.map(|d| d.to_string()),
            "task_force": tf_name,
            // The handling task force's id: its group robots (`[[task_forces]] channels`)
            // post the issue's messages.
            "task_force_id": issue.task_force,
        },
        "project": {
            "code": project.code,
            "name": project.name,
            "owner_unit": project.owner_unit,
        },
        "note": note,
        "actor": actor.map(|a| actor_label(settings, a)),
    });
    if let Kind::Escalation { rung, days_overdue } = kind {
        context["rung"] = json!(rung);
        context["days_overdue"] = json!(days_overdue);
        context["level"] = json!(rung_level(settings, rung));
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
            context: context.clone(),
            subject: None,
            text_body: None,
            html_body: None,
            delivery: kind.delivery(),
            period: None,
            attachments: Vec::new(),
        })
        .collect()
}
