//! The time limits over time: the overdue sweep that climbs the escalation ladder, and the
//! recount of provisional limits once a missing calendar year is imported.

use chrono::{DateTime, Utc};
use docket_store::issues as repo;
use docket_store::outbox;
use docket_store::time::{from_ms, to_ms};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::error::WorkflowError;
use crate::lifecycle::{self, EventData};
use crate::limits;
use crate::notify::{self, Kind};
use crate::service::Workflow;
use crate::stored::{NewEvent, parse_category, parse_event_data, parse_state};

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// (issue, rung) for every rung fired.
    pub escalations: Vec<(Uuid, i32)>,
    /// Emails queued.
    pub emails: usize,
}

impl Workflow {
    /// Counts again, over this workflow's calendar, the time limits of open issues that were
    /// computed provisionally (they ran into a year without a table): call it after a new
    /// year is imported. Each limit is counted from the day it was last set (raise,
    /// reassign, reopen) or moved onto a working day (an approved extension); a change is
    /// recorded as a `recompute_limits` event. Returns the issues whose limits changed.
    ///
    /// # Errors
    /// A database failure; [`WorkflowError::Corrupt`] for a provisional issue whose stored
    /// category, state or event data does not read back (issues done before it stay
    /// committed); [`WorkflowError::Conflict`] never escapes (a concurrently
    /// changed issue is left for the next run).
    pub async fn recompute_provisional<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<usize, WorkflowError> {
        let now_ms = to_ms(now);
        let mut changed = 0;
        for issue in repo::provisional_issues(db).await? {
            let txn = db.begin_with_options(docket_store::db::WRITE).await?;
            let events = repo::issue_events(&txn, issue.id).await?;
            let mut last_set = None;
            for e in events.iter().rev() {
                let d = parse_event_data(e)?;
                if d.due.is_some() {
                    last_set = Some((e, d));
                    break;
                }
            }
            let Some((ev, data)) = last_set else {
                continue;
            };
            let category = parse_category(&issue.category)?;
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
            let e = NewEvent {
                issue_id: issue.id,
                seq: next.version,
                action: lifecycle::RECOMPUTE,
                actor: "system",
                from: Some(state),
                to: state,
                note: Some(&note),
                data: &record,
                at: now_ms,
            }
            .into_row();
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
    /// escalation ladder (`[workflow] ladder`; by default handler → group leader → office head) to the rung its lateness
    /// has reached, each rung once, recorded as an event with its emails queued. Set-based:
    /// one read, multi-row inserts, one update per rung. Safe to run again: nothing repeats.
    ///
    /// # Errors
    /// [`WorkflowError::Store`] if the database fails, [`WorkflowError::Corrupt`] if an
    /// overdue issue's stored state is not a known code; nothing is written then.
    pub async fn sweep_overdue<C: ConnectionTrait + TransactionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<SweepReport, WorkflowError> {
        let today = limits::business_date(&self.settings, now);
        let now_ms = to_ms(now);
        let txn = db.begin_with_options(docket_store::db::WRITE).await?;
        let rungs = i32::try_from(self.settings.workflow.ladder.len()).unwrap_or(i32::MAX);
        let candidates = repo::overdue_issues(&txn, today, rungs).await?;
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
            let state = parse_state(&issue.state)?;
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
                    notified: Some(notify::notified(&to)),
                    ..EventData::default()
                };
                let note = format!("overdue {days} working day(s) since {limit}");
                events.push(
                    NewEvent {
                        issue_id: issue.id,
                        seq,
                        action: lifecycle::ESCALATE,
                        actor: "system",
                        from: Some(state),
                        to: state,
                        note: Some(&note),
                        data: &data,
                        at: now_ms,
                    }
                    .into_row(),
                );
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
                    None,
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
}
