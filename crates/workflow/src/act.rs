//! Acting on an issue: accept, start, resolve, close, send back, withdraw, reopen,
//! reassign, extensions and handler designation. One transaction per action: the checked
//! state change, its event and its emails.

use chrono::{DateTime, NaiveDate, Utc};
use docket_store::entity::issues;
use docket_store::issues as repo;
use docket_store::outbox::{self, NewMessage};
use docket_store::time::to_ms;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::error::WorkflowError;
use crate::lifecycle::{self, Action, EventData};
use crate::limits;
use crate::notify::{self, Kind};
use crate::permission::{self, Actor};
use crate::service::Workflow;
use crate::stored::{NewEvent, parse_category, parse_state};

impl Workflow {
    /// Takes `action` on issue `id` as `actor` at `now`; returns the issue as stored after.
    ///
    /// # Errors
    /// [`WorkflowError::UnknownIssue`], [`WorkflowError::Forbidden`],
    /// [`WorkflowError::IllegalTransition`] (naming state and action),
    /// [`WorkflowError::Invalid`] for a missing or too long note, [`WorkflowError::Conflict`]
    /// if the issue changed meanwhile. A refused action writes nothing.
    pub async fn act<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Uuid,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<issues::Model, WorkflowError> {
        let txn = db.begin_with_options(docket_store::db::WRITE).await?;
        let issue = repo::get_issue(&txn, id)
            .await?
            .ok_or_else(|| WorkflowError::UnknownIssue(id.to_string()))?;
        let project = repo::projects_by_id(&txn, &[issue.project_id])
            .await?
            .remove(&issue.project_id)
            .ok_or_else(|| WorkflowError::UnknownProject(issue.project_id.to_string()))?;
        let state = parse_state(&issue.state)?;
        self.validate_action(&action, &issue)?;
        permission::check_action(
            &self.settings,
            actor,
            &action,
            issue.task_force.as_deref(),
            &issue.raised_by,
            &project,
        )?;
        let to_state = lifecycle::next_state(state, action.code())?;
        let today = limits::business_date(&self.settings, now);
        let now_ms = to_ms(now);
        let mut next = issue.clone();
        next.state = to_state.code().to_string();
        next.version = issue.version + 1;
        next.updated_at = now_ms;
        let mut data = EventData::default();
        let seq = next.version;
        let mut mails = Vec::new();
        let category = parse_category(&issue.category)?;
        let raiser = notify::official(&self.settings, &issue.raised_by);
        match &action {
            Action::Accept => {
                mails.push((Kind::Accepted, vec![notify::office(&self.settings)]));
            }
            Action::Start => {}
            Action::Resolve { note } => {
                next.resolution = Some(note.trim().to_string());
                mails.push((Kind::Resolved, vec![notify::office(&self.settings)]));
            }
            Action::Close { .. } => mails.push((Kind::Closed, vec![raiser])),
            // 退回 goes to whoever does the work: the lead handler when one is designated,
            // else the task force handling the issue (the office for its own).
            Action::SendBack { .. } => {
                let to = match issue.lead_handler.as_deref() {
                    Some(h) => vec![notify::official(&self.settings, h)],
                    None => notify::assignees(&self.settings, issue.task_force.as_deref()),
                };
                mails.push((Kind::SentBack, to));
            }
            Action::Withdraw { .. } => {}
            Action::Chase { .. } => {
                let to = notify::assignees(&self.settings, issue.task_force.as_deref());
                data.notified = Some(notify::notified(&to));
                mails.push((Kind::Chase, to));
            }
            Action::Reopen { .. } => {
                let others = repo::open_issues_by_key(
                    &txn,
                    &[(
                        issue.project_id,
                        issue.category.clone(),
                        issue.title_key.clone(),
                    )],
                )
                .await?;
                if let Some(other) = others.values().next() {
                    return Err(WorkflowError::Conflict(format!(
                        "cannot reopen: issue {other} is open for the same problem"
                    )));
                }
                let (_, due) = limits::deadlines(&self.settings, &self.calendar, category, today);
                next.due = Some(due.value);
                next.due_provisional = due.provisional;
                next.escalation_rung = 0;
                data.due = Some(next.due);
                data.due_provisional = Some(next.due_provisional);
                data.rung = Some(0);
            }
            Action::Reassign { task_force, .. } => {
                let (accept_due, due) =
                    limits::deadlines(&self.settings, &self.calendar, category, today);
                next.task_force = task_force.clone();
                next.accept_due = Some(accept_due.value);
                next.due = Some(due.value);
                next.due_provisional = accept_due.provisional || due.provisional;
                next.lead_handler = None;
                next.co_handlers = String::new();
                next.escalation_rung = 0;
                let to = notify::assignees(&self.settings, task_force.as_deref());
                data = EventData {
                    task_force: Some(task_force.clone()),
                    accept_due: Some(next.accept_due),
                    due: Some(next.due),
                    due_provisional: Some(next.due_provisional),
                    lead_handler: Some(None),
                    co_handlers: Some(Vec::new()),
                    rung: Some(0),
                    notified: Some(notify::notified(&to)),
                    ..EventData::default()
                };
                mails.push((Kind::Assignment, to));
            }
            Action::RequestExtension { due, .. } => {
                data.requested_due = Some(*due);
                mails.push((
                    Kind::ExtensionRequested,
                    vec![notify::office(&self.settings)],
                ));
            }
            Action::ApproveExtension { due, .. } => {
                let d = self.calendar.on_or_next_workday(*due);
                next.due = Some(d.value);
                next.due_provisional = d.provisional;
                data.due = Some(next.due);
                data.due_provisional = Some(d.provisional);
            }
            Action::Designate { lead, co } => {
                next.lead_handler = Some(lead.clone());
                next.co_handlers = co.join(",");
                data.lead_handler = Some(Some(lead.clone()));
                data.co_handlers = Some(co.clone());
            }
        }
        if !repo::update_issue(&txn, &next, issue.version).await? {
            return Err(WorkflowError::Conflict(format!(
                "issue {id} was changed meanwhile; try again"
            )));
        }
        let ev = NewEvent {
            issue_id: id,
            seq,
            action: action.code(),
            actor: &actor.id,
            from: Some(state),
            to: to_state,
            note: action.note(),
            data: &data,
            at: now_ms,
        }
        .into_row();
        repo::insert_events(&txn, &[ev]).await?;
        let msgs: Vec<NewMessage> = mails
            .into_iter()
            .flat_map(|(k, to)| {
                notify::messages(
                    &self.settings,
                    &next,
                    &project,
                    seq,
                    k,
                    action.note(),
                    Some(&actor.id),
                    &to,
                )
            })
            .collect();
        outbox::enqueue(&txn, &msgs, now_ms).await?;
        txn.commit().await?;
        Ok(next)
    }

    fn validate_action(&self, action: &Action, issue: &issues::Model) -> Result<(), WorkflowError> {
        let max = self.settings.workflow.note_max_chars;
        let required = |field: &str, text: &str| -> Result<(), WorkflowError> {
            if text.trim().is_empty() {
                return Err(WorkflowError::invalid(field, "is required"));
            }
            self.check_text(field, text, max)
        };
        match action {
            Action::Resolve { note } => required("note", note),
            Action::SendBack { reason }
            | Action::Withdraw { reason }
            | Action::Reopen { reason } => required("reason", reason),
            Action::Reassign { task_force, reason } => {
                required("reason", reason)?;
                if let Some(tf) = task_force
                    && self.settings.core.task_force(tf).is_none()
                {
                    return Err(WorkflowError::invalid(
                        "task force",
                        format!("{tf:?}: no task force with this id"),
                    ));
                }
                if *task_force == issue.task_force {
                    return Err(WorkflowError::invalid(
                        "task force",
                        "the issue is already there",
                    ));
                }
                Ok(())
            }
            Action::RequestExtension { due, reason } => {
                required("reason", reason)?;
                self.later_due("due", *due, issue)
            }
            Action::ApproveExtension { due, note } => {
                if let Some(n) = note {
                    self.check_text("note", n, max)?;
                }
                self.later_due("due", *due, issue)
            }
            Action::Close { note } | Action::Chase { note } => note
                .as_deref()
                .map_or(Ok(()), |n| self.check_text("note", n, max)),
            Action::Designate { lead, co } => {
                let Some(tf) = issue.task_force.as_deref() else {
                    return Err(WorkflowError::invalid(
                        "lead",
                        "the issue is with the office: no task force to designate from",
                    ));
                };
                for (field, who) in
                    std::iter::once(("lead", lead)).chain(co.iter().map(|c| ("co", c)))
                {
                    if !permission::in_task_force(&self.settings, tf, who) {
                        return Err(WorkflowError::invalid(
                            field,
                            format!("{who:?} is not in task force {tf}"),
                        ));
                    }
                }
                Ok(())
            }
            Action::Accept | Action::Start => Ok(()),
        }
    }

    fn later_due(
        &self,
        field: &str,
        due: NaiveDate,
        issue: &issues::Model,
    ) -> Result<(), WorkflowError> {
        match issue.due {
            Some(cur) if due <= cur => Err(WorkflowError::invalid(
                field,
                format!("{due} is not after the current due date {cur}"),
            )),
            _ => Ok(()),
        }
    }
}
