//! The `close` job: closes a week's cycle (slots still due become missing) and sends the
//! dispatch sheet (调度单) to the office and every task force's leader and deputies, rendered
//! from the `dispatch_sheet` template with the XLSX sheet attached.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use docket_domain::config::CoreConfig;
use docket_domain::period::IsoWeek;
use docket_store::cycles::{self, Cycle, SheetData};
use docket_store::outbox::{Delivery, NewAttachment, NewMessage, enqueue};
use docket_store::scheduling::{self, FiringRow};
use docket_store::time::{from_ms, to_ms};
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::engine::Scheduler;
use crate::error::SchedulerError;
use crate::jobs::{Recipient, office};
use crate::sheet;

/// Who receives the dispatch sheet: the office, then each task force's leader and deputies
/// (each address once). The job queues exactly these and the preview names them.
pub fn sheet_recipients(core: &CoreConfig) -> Vec<Recipient> {
    let mut out = vec![office(core)];
    for tf in &core.task_forces {
        for id in std::iter::once(&tf.lead).chain(tf.deputies.iter()) {
            if let Some(o) = core.official(id)
                && !out.iter().any(|r| r.email == o.email)
            {
                out.push(Recipient::new(&o.email, &o.name, Some(&o.id)));
            }
        }
    }
    out
}

impl Scheduler {
    /// The window a sheet covers: from the previous cycle's close (or the week's Monday) to
    /// `until`.
    async fn sheet_in<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        week: IsoWeek,
        until: DateTime<Utc>,
    ) -> Result<Option<SheetData>, SchedulerError> {
        let tz = self.plan().tz;
        let monday = crate::plan::local_to_utc(tz, week.monday().and_time(NaiveTime::MIN));
        let prev = IsoWeek::containing(week.monday() - Duration::days(7));
        let from = match cycles::cycle(conn, &prev.to_string()).await? {
            Some(Cycle {
                closed_at: Some(c), ..
            }) => from_ms(c),
            _ => monday,
        };
        let today = until.with_timezone(&tz).date_naive();
        Ok(cycles::sheet_data(
            conn,
            &week.to_string(),
            to_ms(from),
            to_ms(until) + 1,
            today,
        )
        .await?)
    }

    /// The dispatch sheet of `week` as of `now` (closed cycles up to their close).
    ///
    /// # Errors
    /// [`SchedulerError::Store`] if the database fails.
    pub async fn sheet(
        &self,
        week: IsoWeek,
        now: DateTime<Utc>,
    ) -> Result<Option<SheetData>, SchedulerError> {
        let until = match cycles::cycle(&self.db().conn, &week.to_string()).await? {
            Some(Cycle {
                closed_at: Some(c), ..
            }) => from_ms(c),
            Some(_) => now,
            None => return Ok(None),
        };
        self.sheet_in(&self.db().conn, week, until).await
    }

    /// The sheet's recipients: [`sheet_recipients`] of this scheduler's configuration.
    pub fn sheet_recipients(&self) -> Vec<Recipient> {
        sheet_recipients(self.core())
    }

    /// Closes `week`'s cycle now and queues its sheet, as `docket cycle close` does
    /// (idempotent; recorded in the ledger).
    ///
    /// # Errors
    /// [`SchedulerError::BadInput`] if the week has no cycle; [`SchedulerError::Store`].
    pub async fn close_week(
        &self,
        week: IsoWeek,
        now: DateTime<Utc>,
    ) -> Result<String, SchedulerError> {
        let txn = self
            .db()
            .conn
            .begin_with_options(docket_store::db::WRITE)
            .await?;
        if cycles::cycle(&txn, &week.to_string()).await?.is_none() {
            return Err(SchedulerError::BadInput(format!(
                "{week}: no cycle was opened for this week"
            )));
        }
        let outcome = self.close_in(&txn, week, now).await?;
        scheduling::record_firings(
            &txn,
            &[FiringRow {
                schedule: "close".into(),
                period: week.to_string(),
                due_at: to_ms(now),
                fired_at: to_ms(now),
                owner: "cli".into(),
                outcome: outcome.clone(),
            }],
        )
        .await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// Closes `week`'s cycle in `txn` and queues its sheet.
    pub(crate) async fn close_in(
        &self,
        txn: &DatabaseTransaction,
        week: IsoWeek,
        now: DateTime<Utc>,
    ) -> Result<String, SchedulerError> {
        let Some(c) = cycles::cycle(txn, &week.to_string()).await? else {
            return Ok("no cycle".into());
        };
        if !cycles::close_cycle(txn, c.id, to_ms(now)).await? {
            return Ok("already closed".into());
        }
        let Some(data) = self.sheet_in(txn, week, now).await? else {
            return Ok("no cycle".into());
        };
        let xlsx = sheet::render_xlsx(self.core(), &data).map_err(|e| SchedulerError::Hook {
            schedule: "close".into(),
            period: week.to_string(),
            reason: e,
        })?;
        let summary = sheet::summary_line(&data);
        let context = sheet::context(self.core(), &data);
        let msgs: Vec<NewMessage> = self
            .sheet_recipients()
            .into_iter()
            .map(|r| NewMessage {
                dedupe_key: format!("sheet:{week}:{}", r.email),
                kind: "dispatch_sheet".into(),
                to_email: r.email,
                to_name: r.name,
                official: r.official,
                context: context.clone(),
                subject: None,
                text_body: None,
                html_body: None,
                delivery: Delivery::Immediate,
                period: Some(week.to_string()),
                attachments: vec![NewAttachment {
                    filename: format!("调度单-{week}.xlsx"),
                    content_type:
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
                    data: xlsx.clone(),
                }],
            })
            .collect();
        let n = enqueue(txn, &msgs, to_ms(now)).await?;
        Ok(format!("closed; {summary}; sheet queued to {n}"))
    }
}
