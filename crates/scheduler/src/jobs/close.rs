//! The `close` job: closes a week's cycle (slots still due become missing) and sends the
//! dispatch sheet (调度单) to the office and every task force's leader and deputies, rendered
//! from the `dispatch_sheet` template with the XLSX sheet attached.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use docket_domain::config::CoreConfig;
use docket_domain::hold::{HoldKind, HoldReason};
use docket_domain::period::IsoWeek;
use docket_store::cycles::{self, Cycle, SheetData};
use docket_store::holds;
use docket_store::outbox::{Delivery, NewAttachment, NewMessage, enqueue};
use docket_store::scheduling::{self, FiringRow};
use docket_store::time::{from_ms, to_ms};
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::engine::{CatchUp, Scheduler};
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
    /// (recorded in the ledger). On a closed week it queues a corrected sheet — a new
    /// version, （更正第N版） — when 补报 (late entries) for the week were recorded since the
    /// last version was sent; otherwise it changes nothing.
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
        let Some(c) = cycles::cycle(&txn, &week.to_string()).await? else {
            return Err(SchedulerError::BadInput(format!(
                "{week}: no cycle was opened for this week"
            )));
        };
        let outcome = match c.closed_at {
            Some(closed_at) => self.correct_in(&txn, &c, closed_at, now).await?,
            None => self.close_in(&txn, week, now, &CatchUp::Send).await?,
        };
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

    /// A closed week: a corrected sheet if 补报 arrived since the last version, else nothing.
    async fn correct_in(
        &self,
        txn: &DatabaseTransaction,
        c: &Cycle,
        closed_at: i64,
        now: DateTime<Utc>,
    ) -> Result<String, SchedulerError> {
        let since = c.sheet_versioned_at.unwrap_or(closed_at);
        let corrections = cycles::late_entries_of_week(txn, &c.week, since).await?;
        if corrections.is_empty() {
            return Ok("already closed; no 补报 since the sheet was sent: sheet unchanged".into());
        }
        let version = cycles::next_sheet_version(txn, c.id, to_ms(now)).await?;
        let n = self.queue_sheet(txn, &c.week, version, now).await?;
        Ok(format!(
            "already closed; {} 补报 since the last sheet: corrected sheet （更正第{version}版） queued to {n}",
            corrections.len()
        ))
    }

    /// Queues version `version` of the closed week's sheet (as of its close; from version 2
    /// on with the week's 补报 listed as corrections) to [`sheet_recipients`]. Used by closing,
    /// by corrections and by the office releasing a held sheet. Expects the caller's
    /// transaction. Returns how many emails were queued.
    ///
    /// # Errors
    /// [`SchedulerError::BadInput`] if the week has no closed cycle; [`SchedulerError::Store`].
    pub async fn queue_sheet<C: sea_orm::ConnectionTrait>(
        &self,
        txn: &C,
        week: &str,
        version: i32,
        now: DateTime<Utc>,
    ) -> Result<usize, SchedulerError> {
        let bad = || SchedulerError::BadInput(format!("{week}: no closed cycle for this week"));
        let parsed = IsoWeek::parse(week).map_err(|_| bad())?;
        let c = cycles::cycle(txn, week).await?.ok_or_else(bad)?;
        let closed_at = c.closed_at.ok_or_else(bad)?;
        let data = self
            .sheet_in(txn, parsed, from_ms(closed_at))
            .await?
            .ok_or_else(bad)?;
        let corrections = if version > 1 {
            cycles::late_entries_of_week(txn, week, closed_at).await?
        } else {
            Vec::new()
        };
        let xlsx = sheet::render_xlsx(self.core(), &data).map_err(|e| SchedulerError::Hook {
            schedule: "close".into(),
            period: week.to_string(),
            reason: e,
        })?;
        let mut context = sheet::context(self.core(), &data);
        context["version"] = version.into();
        context["corrections"] = corrections
            .iter()
            .map(|l| serde_json::json!({"code": l.code, "name": l.name, "week": l.week}))
            .collect::<Vec<_>>()
            .into();
        let (key, filename) = if version > 1 {
            (
                format!("sheet:{week}:v{version}:"),
                format!("调度单-{week}-更正第{version}版.xlsx"),
            )
        } else {
            (format!("sheet:{week}:"), format!("调度单-{week}.xlsx"))
        };
        let msgs: Vec<NewMessage> = self
            .sheet_recipients()
            .into_iter()
            .map(|r| NewMessage {
                dedupe_key: format!("{key}{}", r.email),
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
                    filename: filename.clone(),
                    content_type:
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
                    data: xlsx.clone(),
                }],
            })
            .collect();
        Ok(enqueue(txn, &msgs, to_ms(now)).await?)
    }

    /// Closes `week`'s cycle in `txn` and queues its sheet — unless the catch-up rules say
    /// otherwise (a missed week superseded by a later one: not sent; fired too late: held),
    /// or no project reported (held: an empty sheet does not go to leaders).
    pub(crate) async fn close_in(
        &self,
        txn: &DatabaseTransaction,
        week: IsoWeek,
        now: DateTime<Utc>,
        catch_up: &CatchUp,
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
        let summary = sheet::summary_line(&data);
        let counts = sheet::counts(&data);
        let held = match catch_up {
            CatchUp::Quiet(by) => {
                return Ok(format!(
                    "closed; {summary}; sheet skipped: superseded by {by} (catch-up after downtime)"
                ));
            }
            CatchUp::Stale(reason) => Some((HoldReason::Stale, reason.clone())),
            CatchUp::Send if counts.submitted + counts.late == 0 => Some((
                HoldReason::NoReports,
                format!(
                    "无报送：{week} 应报 {} 个项目，无一报送；调度单未发出，请办公室核实后发送或作废",
                    counts.projects
                ),
            )),
            CatchUp::Send => None,
        };
        if let Some((code, reason)) = held {
            let h = holds::hold(
                txn,
                HoldKind::DispatchSheet,
                &week.to_string(),
                code,
                &reason,
                to_ms(now),
            )
            .await?;
            return Ok(format!(
                "closed; {summary}; sheet held (hold {}): {reason}",
                h.number
            ));
        }
        let n = self.queue_sheet(txn, &week.to_string(), 1, now).await?;
        Ok(format!("closed; {summary}; sheet queued to {n}"))
    }
}
