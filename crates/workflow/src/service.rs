//! The workflow's operations: raise (with de-duplication and routing), act on an issue,
//! sweep the time limits, and read issues back. Each write opens one transaction:
//! state change → event → outbox rows → commit.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use docket_domain::calendar::WorkCalendar;
use docket_domain::issue::{IssueCategory, IssueState};
use docket_store::entity::{issue_events, issues};
use docket_store::issues::{self as repo, IssueFilter, OpenKey, ProjectRef};
use docket_store::outbox::{self, NewMessage};
use docket_store::time::{from_ms, to_ms};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::config::Settings;
use crate::error::WorkflowError;
use crate::lifecycle::{self, Action, EventData, Replayed, Step};
use crate::limits::{self, Flag};
use crate::notify::{self, Kind};
use crate::permission::{self, Actor};
use crate::routing::{self, Route};

/// Severity of an issue.
pub const SEVERITIES: [(&str, &str); 3] =
    [("normal", "一般"), ("major", "较大"), ("critical", "重大")];

/// An issue to raise.
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    /// Project code.
    pub project: String,
    /// Category code or Chinese label.
    pub category: String,
    /// Title (required).
    pub title: String,
    /// Detail (may be empty).
    pub detail: String,
    /// Severity code (default `normal`).
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

/// The workflow over one configuration and calendar.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// The configuration.
    pub settings: Settings,
    /// The working-day calendar.
    pub calendar: WorkCalendar,
}

/// The key that makes two titles "the same problem": trimmed and case-folded.
pub fn title_key(title: &str) -> String {
    title.trim().to_lowercase()
}

struct Valid {
    category: IssueCategory,
    title: String,
    detail: String,
    severity: String,
}

fn is_unique_violation(e: &WorkflowError) -> bool {
    let s = e.to_string().to_lowercase();
    s.contains("ux_issues_open_title") || (s.contains("unique") && s.contains("issues.title_key"))
}

impl Workflow {
    /// A workflow over `settings` and `calendar`.
    pub fn new(settings: Settings, calendar: WorkCalendar) -> Self {
        Workflow { settings, calendar }
    }

    fn check_text(&self, field: &str, text: &str, max: usize) -> Result<(), WorkflowError> {
        let n = text.chars().count();
        if n > max {
            return Err(WorkflowError::invalid(
                field,
                format!("{n} characters, at most {max} allowed"),
            ));
        }
        Ok(())
    }

    fn validate(&self, item: &NewIssue) -> Result<Valid, WorkflowError> {
        let category = IssueCategory::parse(&item.category)
            .map_err(|e| WorkflowError::invalid("category", format!("{:?}: {e}", item.category)))?;
        let title = item.title.trim().to_string();
        if title.is_empty() {
            return Err(WorkflowError::invalid("title", "must not be empty"));
        }
        self.check_text("title", &title, self.settings.workflow.title_max_chars)?;
        self.check_text(
            "detail",
            &item.detail,
            self.settings.workflow.note_max_chars,
        )?;
        let severity = match item.severity.as_deref().map(str::trim) {
            None | Some("") => "normal".to_string(),
            Some(s) => SEVERITIES
                .iter()
                .find(|(c, z)| s.eq_ignore_ascii_case(c) || s == *z)
                .map(|(c, _)| c.to_string())
                .ok_or_else(|| {
                    WorkflowError::invalid(
                        "severity",
                        format!("{s:?}: expected normal/一般, major/较大 or critical/重大"),
                    )
                })?,
        };
        Ok(Valid {
            category,
            title,
            detail: item.detail.trim().to_string(),
            severity,
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
    /// issue's id instead. All or nothing.
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
        let codes: Vec<String> = items.iter().map(|i| i.project.trim().to_string()).collect();
        let projects = repo::projects_by_code(db, &codes).await?;
        for code in &codes {
            let p = projects
                .get(code)
                .ok_or_else(|| WorkflowError::UnknownProject(code.clone()))?;
            permission::check_raise(actor, p)?;
        }
        // A concurrent raise of the same problem can win the unique index between our check
        // and our insert: read again once and the winner's id comes back.
        match self
            .raise_txn(db, actor, items, &valid, &codes, &projects, now)
            .await
        {
            Err(e) if is_unique_violation(&e) => {
                self.raise_txn(db, actor, items, &valid, &codes, &projects, now)
                    .await
            }
            r => r,
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn raise_txn<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        items: &[NewIssue],
        valid: &[Valid],
        codes: &[String],
        projects: &HashMap<String, ProjectRef>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Raised>, WorkflowError> {
        let txn = db.begin().await?;
        let keys: Vec<OpenKey> = valid
            .iter()
            .zip(codes)
            .map(|(v, c)| {
                (
                    projects[c].id,
                    v.category.code().to_string(),
                    title_key(&v.title),
                )
            })
            .collect();
        let mut open = repo::open_issues_by_key(&txn, &keys).await?;
        let now_ms = to_ms(now);
        let today = limits::business_date(&self.settings, now);
        let mut out = Vec::with_capacity(items.len());
        let mut new_issues = Vec::new();
        let mut events = Vec::new();
        let mut mails: Vec<NewMessage> = Vec::new();
        let mut route_cache: HashMap<(Uuid, IssueCategory), Route> = HashMap::new();
        for ((item, v), key) in items.iter().zip(valid).zip(keys) {
            if let Some(id) = open.get(&key) {
                out.push(Raised {
                    id: *id,
                    created: false,
                });
                continue;
            }
            let project = &projects[item.project.trim()];
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
                severity: v.severity.clone(),
                state: IssueState::Assigned.code().to_string(),
                task_force: route.task_force.clone(),
                lead_handler: None,
                co_handlers: String::new(),
                raised_by: actor.id.clone(),
                report_id: item.report_id,
                raised_at: now_ms,
                accept_due: Some(accept_due.value),
                due: Some(due.value),
                due_provisional: accept_due.provisional || due.provisional,
                escalation_rung: 0,
                resolution: None,
                version: 1,
                updated_at: now_ms,
            };
            let to = notify::assignees(&self.settings, route.task_force.as_deref());
            let data = EventData {
                task_force: Some(route.task_force.clone()),
                accept_due: Some(issue.accept_due),
                due: Some(issue.due),
                due_provisional: Some(issue.due_provisional),
                rule: Some(route.rule.clone()),
                notified: Some(
                    to.iter()
                        .map(|r| r.official.clone().unwrap_or_else(|| "office".into()))
                        .collect(),
                ),
                ..EventData::default()
            };
            events.push(event(
                id,
                1,
                lifecycle::RAISE,
                &actor.id,
                None,
                IssueState::Assigned,
                None,
                &data,
                now_ms,
            ));
            mails.extend(notify::messages(
                &self.settings,
                &issue,
                project,
                1,
                Kind::Assignment,
                None,
                &to,
            ));
            open.insert(key, id);
            out.push(Raised { id, created: true });
            new_issues.push(issue);
        }
        repo::insert_issues(&txn, &new_issues).await?;
        repo::insert_events(&txn, &events).await?;
        outbox::enqueue(&txn, &mails, now_ms).await?;
        txn.commit().await?;
        Ok(out)
    }

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
        let txn = db.begin().await?;
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
        let category = IssueCategory::parse(&issue.category).unwrap_or(IssueCategory::Other);
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
            Action::SendBack { .. } => mails.push((Kind::SentBack, vec![raiser])),
            Action::Withdraw { .. } => {}
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
                    notified: Some(
                        to.iter()
                            .map(|r| r.official.clone().unwrap_or_else(|| "office".into()))
                            .collect(),
                    ),
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
        let ev = event(
            id,
            seq,
            action.code(),
            &actor.id,
            Some(state),
            to_state,
            action.note(),
            &data,
            now_ms,
        );
        repo::insert_events(&txn, &[ev]).await?;
        let msgs: Vec<NewMessage> = mails
            .into_iter()
            .flat_map(|(k, to)| {
                notify::messages(&self.settings, &next, &project, seq, k, action.note(), &to)
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
            Action::Close { note } => note
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

    /// Counts again, over this workflow's calendar, the time limits of open issues that were
    /// computed provisionally (they ran into a year without a table): call it after a new
    /// year is imported. Each limit is counted from the day it was last set (raise,
    /// reassign, reopen) or moved onto a working day (an approved extension); a change is
    /// recorded as a `recompute_limits` event. Returns the issues whose limits changed.
    ///
    /// # Errors
    /// A database failure; [`WorkflowError::Conflict`] never escapes (a concurrently
    /// changed issue is left for the next run).
    pub async fn recompute_provisional<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<usize, WorkflowError> {
        let now_ms = to_ms(now);
        let mut changed = 0;
        for issue in repo::provisional_issues(db).await? {
            let txn = db.begin().await?;
            let events = repo::issue_events(&txn, issue.id).await?;
            let Some((ev, data)) = events.iter().rev().find_map(|e| {
                let d: EventData = serde_json::from_str(e.data.as_deref()?).ok()?;
                d.due.is_some().then_some((e, d))
            }) else {
                continue;
            };
            let category = IssueCategory::parse(&issue.category).unwrap_or(IssueCategory::Other);
            let base = limits::business_date(&self.settings, from_ms(ev.at));
            let (accept, due) = limits::deadlines(&self.settings, &self.calendar, category, base);
            let mut next = issue.clone();
            match ev.action.as_str() {
                lifecycle::RAISE | "reassign" => {
                    next.accept_due = Some(accept.value);
                    next.due = Some(due.value);
                    next.due_provisional = accept.provisional || due.provisional;
                }
                "reopen" => {
                    next.due = Some(due.value);
                    next.due_provisional = due.provisional;
                }
                "approve_extension" => {
                    let Some(wanted) = data.requested_due.or(data.due.flatten()) else {
                        continue;
                    };
                    let d = self.calendar.on_or_next_workday(wanted);
                    next.due = Some(d.value);
                    next.due_provisional = d.provisional;
                }
                _ => continue,
            }
            if (next.accept_due, next.due, next.due_provisional)
                == (issue.accept_due, issue.due, issue.due_provisional)
            {
                continue;
            }
            let state = parse_state(&issue.state)?;
            next.version = issue.version + 1;
            next.updated_at = now_ms;
            let record = EventData {
                accept_due: Some(next.accept_due),
                due: Some(next.due),
                due_provisional: Some(next.due_provisional),
                ..EventData::default()
            };
            let note = format!(
                "time limits counted over the calendar: due {} (was {})",
                next.due.map(|d| d.to_string()).unwrap_or_default(),
                issue.due.map(|d| d.to_string()).unwrap_or_default()
            );
            let e = event(
                issue.id,
                next.version,
                lifecycle::RECOMPUTE,
                "system",
                Some(state),
                state,
                Some(&note),
                &record,
                now_ms,
            );
            if !repo::update_issue(&txn, &next, issue.version).await? {
                continue;
            }
            repo::insert_events(&txn, &[e]).await?;
            txn.commit().await?;
            changed += 1;
        }
        Ok(changed)
    }

    /// One sweep of the time limits at `now`: every open issue past its limit climbs the
    /// escalation ladder (handler → group leader → office head) to the rung its lateness
    /// has reached, each rung once, recorded as an event with its emails queued. Set-based:
    /// one read, multi-row inserts, one update per rung. Safe to run again: nothing repeats.
    ///
    /// # Errors
    /// [`WorkflowError::Store`] if the database fails (nothing is written then).
    pub async fn sweep_overdue<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<SweepReport, WorkflowError> {
        let today = limits::business_date(&self.settings, now);
        let now_ms = to_ms(now);
        let txn = db.begin().await?;
        let candidates = repo::overdue_issues(&txn, today, 3).await?;
        let projects = repo::projects_by_id(
            &txn,
            &candidates.iter().map(|i| i.project_id).collect::<Vec<_>>(),
        )
        .await?;
        let mut report = SweepReport::default();
        let mut events = Vec::new();
        let mut updates = Vec::new();
        let mut mails = Vec::new();
        for issue in &candidates {
            let Ok(state) = parse_state(&issue.state) else {
                continue;
            };
            let Some(limit) = limits::current_limit(state, issue.accept_due, issue.due) else {
                continue;
            };
            let Some(days) = limits::overdue_days(&self.calendar, limit, today) else {
                continue;
            };
            let reached = limits::rung_reached(&self.settings, days);
            if reached <= issue.escalation_rung {
                continue;
            }
            let Some(project) = projects.get(&issue.project_id) else {
                continue;
            };
            let mut seq = issue.version;
            for rung in issue.escalation_rung + 1..=reached {
                seq += 1;
                let to = notify::rung_recipients(&self.settings, issue, rung);
                let data = EventData {
                    rung: Some(rung),
                    notified: Some(
                        to.iter()
                            .map(|r| r.official.clone().unwrap_or_else(|| "office".into()))
                            .collect(),
                    ),
                    ..EventData::default()
                };
                let note = format!("overdue {days} working day(s) since {limit}");
                events.push(event(
                    issue.id,
                    seq,
                    lifecycle::ESCALATE,
                    "system",
                    Some(state),
                    state,
                    Some(&note),
                    &data,
                    now_ms,
                ));
                mails.extend(notify::messages(
                    &self.settings,
                    issue,
                    project,
                    seq,
                    Kind::Escalation {
                        rung,
                        days_overdue: days,
                    },
                    Some(&note),
                    &to,
                ));
                report.escalations.push((issue.id, rung));
            }
            updates.push((issue.id, reached, reached - issue.escalation_rung));
        }
        repo::insert_events(&txn, &events).await?;
        repo::set_escalation_rungs(&txn, &updates, now_ms).await?;
        report.emails = outbox::enqueue(&txn, &mails, now_ms).await?;
        txn.commit().await?;
        Ok(report)
    }

    /// An issue with its history, as `docket issue show` prints it.
    ///
    /// # Errors
    /// [`WorkflowError::UnknownIssue`]; [`WorkflowError::Store`].
    pub async fn show<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<IssueDetail, WorkflowError> {
        let issue = repo::get_issue(db, id)
            .await?
            .ok_or_else(|| WorkflowError::UnknownIssue(id.to_string()))?;
        let project = repo::projects_by_id(db, &[issue.project_id])
            .await?
            .remove(&issue.project_id);
        let events = repo::issue_events(db, id).await?;
        let today = limits::business_date(&self.settings, now);
        let state = parse_state(&issue.state)?;
        let limit = limits::current_limit(state, issue.accept_due, issue.due);
        let history = events
            .iter()
            .map(|e| HistoryEntry {
                seq: e.seq,
                action: e.action.clone(),
                actor: e.actor.clone(),
                from: e.from_state.clone(),
                to: e.to_state.clone(),
                note: e.note.clone(),
                at: from_ms(e.at).to_rfc3339(),
                data: e.data.as_deref().and_then(|d| serde_json::from_str(d).ok()),
            })
            .collect();
        Ok(IssueDetail {
            id: issue.id,
            project: project.as_ref().map(|p| p.code.clone()).unwrap_or_default(),
            project_name: project.map(|p| p.name).unwrap_or_default(),
            category: issue.category.clone(),
            title: issue.title.clone(),
            detail: issue.detail.clone(),
            severity: issue.severity.clone(),
            state: issue.state.clone(),
            task_force: issue.task_force.clone(),
            assignees: notify::assignees(&self.settings, issue.task_force.as_deref())
                .into_iter()
                .map(|r| r.email)
                .collect(),
            lead_handler: issue.lead_handler.clone(),
            co_handlers: split_list(&issue.co_handlers),
            raised_by: issue.raised_by.clone(),
            raised_at: from_ms(issue.raised_at).to_rfc3339(),
            accept_due: issue.accept_due,
            due: issue.due,
            due_provisional: issue.due_provisional,
            flag: limits::flag(&self.settings, &self.calendar, limit, today),
            escalation_rung: issue.escalation_rung,
            resolution: issue.resolution.clone(),
            history,
        })
    }

    /// Issues for a list, with their flags on `now`'s business date.
    ///
    /// # Errors
    /// [`WorkflowError::Store`].
    pub async fn list<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        filter: &IssueFilter,
        overdue_only: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<IssueSummary>, WorkflowError> {
        let rows = repo::list_issues(db, filter).await?;
        let projects =
            repo::projects_by_id(db, &rows.iter().map(|i| i.project_id).collect::<Vec<_>>())
                .await?;
        let today = limits::business_date(&self.settings, now);
        let mut out = Vec::new();
        for i in rows {
            let state = parse_state(&i.state)?;
            let limit = limits::current_limit(state, i.accept_due, i.due);
            let flag = limits::flag(&self.settings, &self.calendar, limit, today);
            if overdue_only && flag < Flag::Yellow {
                continue;
            }
            out.push(IssueSummary {
                id: i.id,
                project: projects
                    .get(&i.project_id)
                    .map(|p| p.code.clone())
                    .unwrap_or_default(),
                category: i.category,
                title: i.title,
                state: i.state,
                task_force: i.task_force,
                due: i.due,
                limit,
                flag,
                escalation_rung: i.escalation_rung,
            });
        }
        Ok(out)
    }

    /// Replays an issue's stored events.
    ///
    /// # Errors
    /// [`WorkflowError::Conflict`] if the history does not replay; [`WorkflowError::Store`].
    pub async fn replay<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> Result<Replayed, WorkflowError> {
        let events = repo::issue_events(db, id).await?;
        let steps = events.iter().map(step_of).collect::<Result<Vec<_>, _>>()?;
        lifecycle::replay(&steps)
    }
}

/// What the replay of an issue says about its stored row: equal when consistent.
pub fn stored_as_replayed(issue: &issues::Model) -> Result<Replayed, WorkflowError> {
    Ok(Replayed {
        state: Some(parse_state(&issue.state)?),
        task_force: issue.task_force.clone(),
        accept_due: issue.accept_due,
        due: issue.due,
        due_provisional: issue.due_provisional,
        lead_handler: issue.lead_handler.clone(),
        co_handlers: split_list(&issue.co_handlers),
        rung: issue.escalation_rung,
        version: issue.version,
    })
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_state(s: &str) -> Result<IssueState, WorkflowError> {
    IssueState::parse(s).map_err(|e| WorkflowError::Conflict(format!("stored state {s:?}: {e}")))
}

fn step_of(e: &issue_events::Model) -> Result<Step, WorkflowError> {
    Ok(Step {
        action: e.action.clone(),
        from: e.from_state.as_deref().map(parse_state).transpose()?,
        to: parse_state(&e.to_state)?,
        data: match e.data.as_deref() {
            Some(d) => serde_json::from_str(d)
                .map_err(|err| WorkflowError::Conflict(format!("event {} data: {err}", e.seq)))?,
            None => EventData::default(),
        },
    })
}

#[allow(clippy::too_many_arguments)]
fn event(
    issue_id: Uuid,
    seq: i32,
    action: &str,
    actor: &str,
    from: Option<IssueState>,
    to: IssueState,
    note: Option<&str>,
    data: &EventData,
    at: i64,
) -> issue_events::Model {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
    issue_events::Model {
        id: Uuid::now_v7(),
        issue_id,
        seq,
        action: action.to_string(),
        actor: actor.to_string(),
        from_state: from.map(|s| s.code().to_string()),
        to_state: to.code().to_string(),
        note: note.map(|n| n.trim().to_string()),
        data: (json != "{}").then_some(json),
        at,
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// (issue, rung) for every rung fired.
    pub escalations: Vec<(Uuid, i32)>,
    /// Emails queued.
    pub emails: usize,
}

/// One step of an issue's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// 1, 2, …
    pub seq: i32,
    /// The action code.
    pub action: String,
    /// Who (official id, `office` or `system`).
    pub actor: String,
    /// State before.
    pub from: Option<String>,
    /// State after.
    pub to: String,
    /// Note or reason.
    pub note: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What else changed.
    pub data: Option<serde_json::Value>,
}

/// An issue as `docket issue show --format json` prints it (the contract's keys first).
#[derive(Debug, Clone, Serialize)]
pub struct IssueDetail {
    /// Id.
    pub id: Uuid,
    /// Project code.
    pub project: String,
    /// Category code.
    pub category: String,
    /// State code.
    pub state: String,
    /// Task force id, null for the office.
    pub task_force: Option<String>,
    /// Emails of everyone it is assigned to.
    pub assignees: Vec<String>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// Every event.
    pub history: Vec<HistoryEntry>,
    /// Project name.
    pub project_name: String,
    /// Title.
    pub title: String,
    /// Detail.
    pub detail: String,
    /// Severity.
    pub severity: String,
    /// Lead handler (主办).
    pub lead_handler: Option<String>,
    /// Co-handlers (协办).
    pub co_handlers: Vec<String>,
    /// Who raised it.
    pub raised_by: String,
    /// When.
    pub raised_at: String,
    /// Accept limit.
    pub accept_due: Option<NaiveDate>,
    /// Whether the dates ran into a year without a calendar table.
    pub due_provisional: bool,
    /// Flag today.
    pub flag: Flag,
    /// Escalation rung reached.
    pub escalation_rung: i32,
    /// Resolution note.
    pub resolution: Option<String>,
}

/// A line of `docket issue list`.
#[derive(Debug, Clone, Serialize)]
pub struct IssueSummary {
    /// Id.
    pub id: Uuid,
    /// Project code.
    pub project: String,
    /// Category.
    pub category: String,
    /// Title.
    pub title: String,
    /// State.
    pub state: String,
    /// Task force (null: the office).
    pub task_force: Option<String>,
    /// Due date.
    pub due: Option<NaiveDate>,
    /// The limit that applies now (accept or resolve).
    pub limit: Option<NaiveDate>,
    /// Flag.
    pub flag: Flag,
    /// Escalation rung.
    pub escalation_rung: i32,
}

/// Why an issue went where it went: the rule recorded when it was raised, and what the
/// current configuration would decide now.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The issue.
    pub id: Uuid,
    /// Where it is now (null: the office).
    pub task_force: Option<String>,
    /// The rule recorded at raising (or at the last reassignment: `reassign` by whom).
    pub recorded: String,
    /// What routing gives today.
    pub current: Route,
}

impl Workflow {
    /// Explains an issue's routing (`docket issue route --explain ID`).
    ///
    /// # Errors
    /// [`WorkflowError::UnknownIssue`]; [`WorkflowError::Store`].
    pub async fn explain<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> Result<Explanation, WorkflowError> {
        let issue = repo::get_issue(db, id)
            .await?
            .ok_or_else(|| WorkflowError::UnknownIssue(id.to_string()))?;
        let project = repo::projects_by_id(db, &[issue.project_id])
            .await?
            .remove(&issue.project_id)
            .ok_or_else(|| WorkflowError::UnknownProject(issue.project_id.to_string()))?;
        let category = IssueCategory::parse(&issue.category).unwrap_or(IssueCategory::Other);
        let events = repo::issue_events(db, id).await?;
        let recorded = events
            .iter()
            .rev()
            .find_map(|e| match e.action.as_str() {
                lifecycle::RAISE => {
                    let d: EventData = e
                        .data
                        .as_deref()
                        .and_then(|d| serde_json::from_str(d).ok())
                        .unwrap_or_default();
                    Some(d.rule.unwrap_or_default())
                }
                "reassign" => Some(format!(
                    "reassigned by {} ({})",
                    e.actor,
                    e.note.clone().unwrap_or_default()
                )),
                _ => None,
            })
            .unwrap_or_default();
        Ok(Explanation {
            id,
            task_force: issue.task_force,
            recorded,
            current: routing::route_issue(&self.settings, &project, category),
        })
    }
}
