//! The `open` job: opens a week's cycle (one slot per active project). It emails no one.

use chrono::{DateTime, Utc};
use docket_domain::calendar::WorkCalendar;
use docket_domain::period::IsoWeek;
use docket_store::cycles::{self, NewCycle, OpenOutcome};
use docket_store::scheduling::{self, FiringRow};
use docket_store::time::to_ms;
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::engine::Scheduler;
use crate::error::SchedulerError;

impl Scheduler {
    /// Opens `week`'s cycle in `txn` (idempotent); `None` if the week has no working day.
    pub(crate) async fn open_in(
        &self,
        txn: &DatabaseTransaction,
        cal: &WorkCalendar,
        week: IsoWeek,
        now: DateTime<Utc>,
    ) -> Result<Option<OpenOutcome>, SchedulerError> {
        let Some(t) = self.plan().cycle_times(cal, week) else {
            return Ok(None);
        };
        let c = NewCycle {
            week: week.to_string(),
            opened_at: to_ms(t.open),
            deadline_at: to_ms(t.deadline),
            deadline_provisional: t.provisional,
            closes_at: to_ms(t.close),
        };
        Ok(Some(cycles::open_cycle(txn, &c, to_ms(now)).await?))
    }

    /// Opens the cycle of `week` now, as `docket cycle open` does: idempotent, recorded in the
    /// ledger so the scheduler does not open it again.
    ///
    /// # Errors
    /// [`SchedulerError::BadInput`] if the week has no working day;
    /// [`SchedulerError::Store`] if the database fails.
    pub async fn open_week(
        &self,
        week: IsoWeek,
        now: DateTime<Utc>,
    ) -> Result<OpenOutcome, SchedulerError> {
        let cal = self.calendar();
        let txn = self
            .db()
            .conn
            .begin_with_options(docket_store::db::WRITE)
            .await?;
        let Some(r) = self.open_in(&txn, &cal, week, now).await? else {
            return Err(SchedulerError::BadInput(format!(
                "{week} has no working day: no cycle opens that week"
            )));
        };
        let due = self
            .plan()
            .cycle_times(&cal, week)
            .map(|t| t.open)
            .unwrap_or(now);
        scheduling::record_firings(
            &txn,
            &[FiringRow {
                schedule: "open".into(),
                period: week.to_string(),
                due_at: to_ms(due),
                fired_at: to_ms(now),
                owner: "cli".into(),
                outcome: format!("opened {} slots (docket cycle open)", r.slots_added),
            }],
        )
        .await?;
        txn.commit().await?;
        Ok(r)
    }
}
