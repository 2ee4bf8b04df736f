//! Raising issues: validation, de-duplication against open problems, routing, the first
//! event and the assignment emails, all in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use docket_domain::issue::{IssueCategory, IssueState, Severity};
use docket_domain::text::{multi_line, single_line};
use docket_store::entity::issues;
use docket_store::issues::{self as repo, OpenKey, ProjectRef};
use docket_store::outbox::{self, NewMessage};
use docket_store::time::to_ms;
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::error::WorkflowError;
use crate::lifecycle::{self, EventData};
use crate::limits;
use crate::notify::{self, Kind};
use crate::permission::{self, Actor};
use crate::routing::{self, Route};
use crate::service::Workflow;
use crate::stored::NewEvent;

/// An issue to raise.
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    /// Project code.
    pub project: String,
    /// Category code or Chinese label.
    pub category: String,
    /// Title (required); stored on one line ([`single_line`]).
    pub title: String,
    /// Detail (may be empty); control characters other than line breaks are dropped.
    pub detail: String,
    /// Severity code or Chinese label (default `normal`).
    pub severity: Option<String>,
    /// The weekly report it came from, if any.
    pub report_id: Option<Uuid>,
}

/// The outcome of raising one issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raised {
    /// The issue's id (the existing one for a duplicate).
    pub id: Uuid,
    /// False when the same open problem existed already.
    pub created: bool,
}

/// The short number people use: the year of raising and its count in that year, at least
/// three digits (`2024-031`).
pub fn issue_number(year: i32, n: i64) -> String {
    format!("{year}-{n:03}")
}

/// The key that makes two titles "the same problem": on one line (blanks folded), trimmed
/// and case-folded.
pub fn title_key(title: &str) -> String {
    single_line(title).to_lowercase()
}

/// A [`NewIssue`] that passed validation.
struct Valid {
    project: String,
    category: IssueCategory,
    title: String,
    detail: String,
    severity: Severity,
    report_id: Option<Uuid>,
}

impl Workflow {
    fn validate(&self, item: &NewIssue) -> Result<Valid, WorkflowError> {
        let category = IssueCategory::parse(&item.category)
            .map_err(|e| WorkflowError::invalid("category", format!("{:?}: {e}", item.category)))?;
        // One line, always: a CR/LF in a title would reach email headers and `<title>`.
        let title = single_line(&item.title);
        let detail = multi_line(&item.detail);
        if title.is_empty() {
            return Err(WorkflowError::invalid("title", "must not be empty"));
        }
        self.check_text("title", &title, self.settings.workflow.title_max_chars)?;
        self.check_text("detail", &detail, self.settings.workflow.note_max_chars)?;
        let severity = match item.severity.as_deref().map(str::trim) {
            None | Some("") => Severity::Normal,
            Some(s) => Severity::parse(s)
                .map_err(|e| WorkflowError::invalid("severity", format!("{s:?}: {e}")))?,
        };
        Ok(Valid {
            project: item.project.trim().to_string(),
            category,
            title,
            detail,
            severity,
            report_id: item.report_id,
        })
    }

    /// Raises one issue; the same open problem returns the existing issue.
    ///
    /// # Errors
    /// As [`Workflow::raise_many`].
    pub async fn raise<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        item: NewIssue,
        now: DateTime<Utc>,
    ) -> Result<Raised, WorkflowError> {
        let mut r = self.raise_many(db, actor, &[item], now).await?;
        Ok(r.remove(0))
    }

    /// Raises and routes many issues in one transaction with set-based statements: the
    /// issues, their first events and their assignment emails. Each item that repeats an
    /// open problem (project + category + trimmed, case-folded title) returns the open
    /// issue's id instead. All or nothing. Given a caller's transaction, the work runs in a
    /// savepoint of it.
    ///
    /// # Errors
    /// [`WorkflowError::Invalid`] / [`WorkflowError::UnknownProject`] for bad input,
    /// [`WorkflowError::Forbidden`] if the actor may not raise for a project; nothing written.
    pub async fn raise_many<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        items: &[NewIssue],
        now: DateTime<Utc>,
    ) -> Result<Vec<Raised>, WorkflowError> {
        let mut valid = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let v = self.validate(item).map_err(|e| match e {
                WorkflowError::Invalid { field, reason } if items.len() > 1 => {
                    WorkflowError::Invalid {
                        field: format!("issue[{i}].{field}"),
                        reason,
                    }
                }
                other => other,
            })?;
            valid.push(v);
        }
        let codes: Vec<String> = valid.iter().map(|v| v.project.clone()).collect();
        let projects = repo::projects_by_code(db, &codes).await?;
        for code in &codes {
            let p = projects
                .get(code)
                .ok_or_else(|| WorkflowError::UnknownProject(code.clone()))?;
            permission::check_raise(actor, p)?;
        }
        // A concurrent raise of the same problem can win the unique index between our check
        // and our insert. The failed attempt's transaction (or savepoint) is rolled back
        // first — on PostgreSQL a failed statement poisons it — then a second attempt reads
        // the winner's id.
        match self.raise_txn(db, actor, &valid, &projects, now).await {
            Err(e) if e.is_unique_violation() => {
                tracing::debug!("raise lost a race on the open-problem index; reading again");
                self.raise_txn(db, actor, &valid, &projects, now).await
            }
            r => r,
        }
    }

    /// One attempt in its own transaction (a savepoint under a caller's transaction):
    /// committed on success, rolled back before any error is returned.
    async fn raise_txn<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        valid: &[Valid],
        projects: &HashMap<String, ProjectRef>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Raised>, WorkflowError> {
        let txn = db.begin_with_options(docket_store::db::WRITE).await?;
        match self.raise_in(&txn, actor, valid, projects, now).await {
            Ok(out) => {
                txn.commit().await?;
                Ok(out)
            }
            Err(e) => {
                txn.rollback().await?;
                Err(e)
            }
        }
    }

    async fn raise_in<C: ConnectionTrait>(
        &self,
        txn: &C,
        actor: &Actor,
        valid: &[Valid],
        projects: &HashMap<String, ProjectRef>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Raised>, WorkflowError> {
        let keys: Vec<OpenKey> = valid
            .iter()
            .map(|v| {
                (
                    projects[&v.project].id,
                    v.category.code().to_string(),
                    title_key(&v.title),
                )
            })
            .collect();
        let mut open = repo::open_issues_by_key(txn, &keys).await?;
        let now_ms = to_ms(now);
        let today = limits::business_date(&self.settings, now);
        let mut out = Vec::with_capacity(valid.len());
        let mut new_issues = Vec::new();
        let mut events = Vec::new();
        let mut mails: Vec<NewMessage> = Vec::new();
        let mut route_cache: HashMap<(Uuid, IssueCategory), Route> = HashMap::new();
        // Numbers for the issues that will be new (not an open duplicate, not a repeat in
        // this batch), reserved in one statement.
        let fresh = {
            let mut seen = std::collections::HashSet::new();
            keys.iter()
                .filter(|k| !open.contains_key(*k) && seen.insert((*k).clone()))
                .count()
        };
        let year = today.year();
        let mut next_number = if fresh > 0 {
            repo::reserve_issue_numbers(txn, year, fresh as i64).await?
        } else {
            0
        };
        for (v, key) in valid.iter().zip(keys) {
            if let Some(id) = open.get(&key) {
                out.push(Raised {
                    id: *id,
                    created: false,
                });
                continue;
            }
            let project = &projects[&v.project];
            let route = route_cache
                .entry((project.id, v.category))
                .or_insert_with(|| routing::route_issue(&self.settings, project, v.category))
                .clone();
            let (accept_due, due) =
                limits::deadlines(&self.settings, &self.calendar, v.category, today);
            let id = Uuid::now_v7();
            let issue = issues::Model {
                id,
                project_id: project.id,
                category: v.category.code().to_string(),
                title: v.title.clone(),
                title_key: key.2.clone(),
                detail: v.detail.clone(),
                severity: v.severity.code().to_string(),
                state: IssueState::Assigned.code().to_string(),
                task_force: route.task_force.clone(),
                lead_handler: None,
                co_handlers: String::new(),
                raised_by: actor.id.clone(),
                report_id: v.report_id,
                raised_at: now_ms,
                accept_due: Some(accept_due.value),
                due: Some(due.value),
                due_provisional: accept_due.provisional || due.provisional,
                escalation_rung: 0,
                resolution: None,
                version: 1,
                updated_at: now_ms,
                number: Some(issue_number(year, next_number)),
            };
            next_number += 1;
            let to = notify::assignees(&self.settings, route.task_force.as_deref());
            let data = EventData {
                task_force: Some(route.task_force.clone()),
                accept_due: Some(issue.accept_due),
                due: Some(issue.due),
                due_provisional: Some(issue.due_provisional),
                rule: Some(route.rule.clone()),
                notified: Some(notify::notified(&to)),
                ..EventData::default()
            };
            events.push(
                NewEvent {
                    issue_id: id,
                    seq: 1,
                    action: lifecycle::RAISE,
                    actor: &actor.id,
                    from: None,
                    to: IssueState::Assigned,
                    note: None,
                    data: &data,
                    at: now_ms,
                }
                .into_row(),
            );
            mails.extend(notify::messages(
                &self.settings,
                &issue,
                project,
                1,
                Kind::Assignment,
                None,
                Some(&actor.id),
                &to,
            ));
            open.insert(key, id);
            out.push(Raised { id, created: true });
            new_issues.push(issue);
        }
        repo::insert_issues(txn, &new_issues).await?;
        repo::insert_events(txn, &events).await?;
        outbox::enqueue(txn, &mails, now_ms).await?;
        Ok(out)
    }
}
