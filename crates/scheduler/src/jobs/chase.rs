//! 催报: the office chases owner units now, outside the reminder ladder — for the projects
//! it picks (or every project still to report) of an open cycle, one `reminder` email per
//! recipient, queued in one transaction. Pressing the button twice in one minute queues
//! nothing more (the dedupe key names the minute).

use chrono::{DateTime, Utc};
use docket_domain::cycle::CycleState;
use docket_domain::period::IsoWeek;
use docket_store::cycles;
use docket_store::outbox::{NewMessage, enqueue};
use docket_store::time::{from_ms, to_ms};
use sea_orm::TransactionTrait;

use crate::config::ReminderTarget;
use crate::engine::Scheduler;
use crate::error::SchedulerError;
use crate::jobs::remind::{reminder_message, reminder_recipients};

/// What a chase did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chased {
    /// Projects chased (still to report, among those asked for).
    pub projects: usize,
    /// Emails queued (0 when the same chase was queued this minute).
    pub emails: usize,
}

impl Scheduler {
    /// Queues 催报 reminders for `week` now, to the owner units of `codes` (every project
    /// still to report when `codes` is empty); projects that have reported are skipped.
    ///
    /// # Errors
    /// [`SchedulerError::BadInput`] for a week without a cycle or with a closed one;
    /// [`SchedulerError::Store`] if the database fails.
    pub async fn chase_reports(
        &self,
        week: IsoWeek,
        codes: &[String],
        now: DateTime<Utc>,
    ) -> Result<Chased, SchedulerError> {
        let txn = self
            .db()
            .conn
            .begin_with_options(docket_store::db::WRITE)
            .await?;
        let Some(c) = cycles::cycle(&txn, &week.to_string()).await? else {
            return Err(SchedulerError::BadInput(format!(
                "{week}: no cycle was opened for this week"
            )));
        };
        if c.state != CycleState::Open {
            return Err(SchedulerError::BadInput(format!(
                "{week}: the cycle is closed; nothing to chase"
            )));
        }
        let mut pending = cycles::pending_slots(&txn, c.id).await?;
        if !codes.is_empty() {
            pending.retain(|p| codes.contains(&p.code));
        }
        let tz = self.plan().tz;
        let deadline = from_ms(c.deadline_at)
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let minute = now.with_timezone(&tz).format("%Y%m%d%H%M");
        let msgs: Vec<NewMessage> =
            reminder_recipients(self.core(), ReminderTarget::Owner, &pending)
                .into_iter()
                .map(|r| {
                    let key = format!("reminder:{week}:chase:{minute}:{}", r.to.email);
                    reminder_message(r, key, week, 0, &deadline, c.deadline_provisional)
                })
                .collect();
        let emails = enqueue(&txn, &msgs, to_ms(now)).await?;
        txn.commit().await?;
        Ok(Chased {
            projects: pending.len(),
            emails,
        })
    }
}
