//! The `remind` job: at each reminder rung, emails whoever the rung targets about the
//! projects of an open cycle that have not reported yet — one email per recipient listing
//! their projects, rendered from the `reminder` template.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use docket_domain::config::CoreConfig;
use docket_domain::cycle::CycleState;
use docket_domain::period::IsoWeek;
use docket_store::cycles::{self, PendingSlot};
use docket_store::outbox::{Delivery, NewMessage, enqueue};
use docket_store::time::{from_ms, to_ms};
use sea_orm::DatabaseTransaction;

use crate::config::ReminderTarget;
use crate::engine::Scheduler;
use crate::error::SchedulerError;
use crate::jobs::{Recipient, office};

/// One reminder email: who gets it and the projects it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// The recipient.
    pub to: Recipient,
    /// The recipient's projects still to report, by code.
    pub projects: Vec<PendingSlot>,
}

/// Who is reminded about `pending` (projects still to report) at a rung targeting `target`,
/// by email address: for [`ReminderTarget::Owner`] each project's contact address (named for
/// its owner unit) and the officials of that unit; for [`ReminderTarget::Responsible`] each
/// project's responsible official and the office. The job queues exactly these emails and
/// `docket schedule preview` names exactly these people.
pub fn reminder_recipients(
    core: &CoreConfig,
    target: ReminderTarget,
    pending: &[PendingSlot],
) -> Vec<Reminder> {
    let mut to: BTreeMap<String, Reminder> = BTreeMap::new();
    let mut add = |r: Recipient, p: &PendingSlot| {
        let e = to.entry(r.email.clone()).or_insert_with(|| Reminder {
            to: r,
            projects: Vec::new(),
        });
        if !e.projects.iter().any(|q| q.code == p.code) {
            e.projects.push(p.clone());
        }
    };
    for p in pending {
        match target {
            ReminderTarget::Owner => {
                if let Some(e) = p.contact_email.as_deref().filter(|e| !e.is_empty()) {
                    add(Recipient::new(e, &p.owner_unit, None), p);
                }
                for o in core
                    .officials
                    .iter()
                    .filter(|o| o.unit.as_deref() == Some(p.owner_unit.as_str()))
                {
                    add(Recipient::new(&o.email, &o.name, Some(&o.id)), p);
                }
            }
            ReminderTarget::Responsible => {
                if let Some(o) = p
                    .responsible_official
                    .as_deref()
                    .and_then(|id| core.official(id))
                {
                    add(Recipient::new(&o.email, &o.name, Some(&o.id)), p);
                }
                add(office(core), p);
            }
        }
    }
    to.into_values().collect()
}

/// The `reminder` email of `r` for `week`: its projects, the deadline (office time), the
/// rung (0 for a 催报 outside the ladder); `dedupe_key` makes it once.
pub(crate) fn reminder_message(
    r: Reminder,
    dedupe_key: String,
    week: IsoWeek,
    rung: usize,
    deadline: &str,
    provisional: bool,
) -> NewMessage {
    let projects: Vec<serde_json::Value> = r
        .projects
        .iter()
        .map(|p| serde_json::json!({"code": p.code, "name": p.name, "owner_unit": p.owner_unit}))
        .collect();
    NewMessage {
        dedupe_key,
        kind: "reminder".into(),
        to_email: r.to.email,
        to_name: r.to.name,
        official: r.to.official,
        context: serde_json::json!({
            "week": week.to_string(),
            "rung": rung,
            "chase": rung == 0,
            "deadline": deadline,
            "provisional": provisional,
            "projects": projects,
        }),
        subject: None,
        text_body: None,
        html_body: None,
        delivery: Delivery::Immediate,
        period: Some(week.to_string()),
        attachments: Vec::new(),
    }
}

impl Scheduler {
    /// Whom rung `rung` (0-based) targets; rungs beyond the configured list target owners.
    pub fn reminder_target(&self, rung: usize) -> ReminderTarget {
        self.plan()
            .config
            .reminders
            .get(rung)
            .map(|r| r.to)
            .unwrap_or(ReminderTarget::Owner)
    }

    /// Queues rung `rung`'s reminders for `week` in `txn`.
    pub(crate) async fn remind_in(
        &self,
        txn: &DatabaseTransaction,
        week: IsoWeek,
        rung: usize,
        now: DateTime<Utc>,
    ) -> Result<String, SchedulerError> {
        let Some(c) = cycles::cycle(txn, &week.to_string()).await? else {
            return Ok("no cycle".into());
        };
        if c.state != CycleState::Open {
            return Ok("cycle closed: nothing to remind".into());
        }
        let pending = cycles::pending_slots(txn, c.id).await?;
        if pending.is_empty() {
            return Ok("every project reported".into());
        }
        let deadline = from_ms(c.deadline_at)
            .with_timezone(&self.plan().tz)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let msgs: Vec<NewMessage> =
            reminder_recipients(self.core(), self.reminder_target(rung), &pending)
                .into_iter()
                .map(|r| {
                    let key = format!("reminder:{week}:r{}:{}", rung + 1, r.to.email);
                    reminder_message(r, key, week, rung + 1, &deadline, c.deadline_provisional)
                })
                .collect();
        let n = enqueue(txn, &msgs, to_ms(now)).await?;
        Ok(format!(
            "rung {}: {} pending projects, {n} reminders queued",
            rung + 1,
            pending.len()
        ))
    }
}
