//! The long-running service's background work: the scheduler (cycles, reminders, sheets,
//! the bulletin), continuous email delivery and the escalation sweep of issue time limits.
//! Every piece resumes from the database after a restart: the ledger says what has fired,
//! the outbox what is still to send.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_domain::calendar::WorkCalendar;
use docket_domain::hold::{HoldKind, HoldReason};
use docket_domain::period::Month;
use docket_scheduler::{BoxFuture, BulletinHook, Recipient};
use sea_orm::DatabaseTransaction;
use tokio::sync::watch;

use crate::config::AppConfig;
use crate::context::App;
use crate::error::{AppError, AppResult};

/// How often the escalation sweep runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// Builds and queues the month's bulletin when its schedule falls due, in the ledger's
/// transaction (so it commits with the ledger row: exactly once).
pub(crate) struct QueueBulletin {
    pub(crate) config: Arc<AppConfig>,
    pub(crate) calendar: Arc<WorkCalendar>,
}

impl BulletinHook for QueueBulletin {
    fn fire<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        month: Month,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let c = &self.config;
            let mut b = docket_bulletin::build(txn, &c.core, &c.bulletin, &self.calendar, month)
                .await
                .map_err(|e| e.to_string())?;
            b.meta.issued = now
                .with_timezone(&c.core.timezone().unwrap_or(chrono_tz::Asia::Shanghai))
                .date_naive();
            // Held, not mailed: leaders never receive an empty bulletin, and with
            // `[bulletin] approve` none the office has not released.
            let held = match docket_bulletin::emptiness(&b) {
                Some(reason) => Some((HoldReason::Empty, format!("无数据：{reason}"))),
                None if c.bulletin.approve => Some((
                    HoldReason::Approval,
                    "待审核：按配置 [bulletin] approve = true，月通报须经办公室审核后发送"
                        .to_string(),
                )),
                None => None,
            };
            if let Some((code, reason)) = held {
                let now_ms = docket_store::time::to_ms(now);
                let h = docket_store::holds::hold(
                    txn,
                    HoldKind::Bulletin,
                    &month.to_string(),
                    code,
                    &reason,
                    now_ms,
                )
                .await
                .map_err(|e| e.to_string())?;
                tracing::warn!(%month, %reason, hold = h.number, "bulletin held");
                return Ok(format!(
                    "bulletin {month} held (hold {}): {reason}",
                    h.number
                ));
            }
            let rendered =
                docket_bulletin::render_all(&b, &c.bulletin.attach).map_err(|e| e.to_string())?;
            let q = docket_bulletin::queue_bulletin(
                txn,
                &c.core,
                &c.bulletin,
                &b,
                &rendered,
                false,
                docket_store::time::to_ms(now),
            )
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!("bulletin {month} queued: {q:?}"))
        })
    }

    /// `[bulletin] recipients`, resolved as `queue_bulletin` resolves them (each official
    /// once; unknown ids are refused at config load).
    fn recipients(&self) -> Vec<Recipient> {
        let c = &self.config;
        let mut out: Vec<Recipient> = Vec::new();
        for o in c
            .bulletin
            .recipients
            .iter()
            .filter_map(|id| c.core.official(id))
        {
            if !out
                .iter()
                .any(|r| r.official.as_deref() == Some(o.id.as_str()))
            {
                out.push(Recipient::new(&o.email, &o.name, Some(&o.id)));
            }
        }
        out
    }
}

/// Runs the scheduler, delivery and the sweep until `stop` turns true, then lets the work
/// under way finish (delivery within `[mail] shutdown_secs`: emails still being sent then
/// come back through their lease).
///
/// # Errors
/// Bad input for a bad mail configuration; unexpected if the scheduler or delivery fails.
pub async fn run_background(app: &App, stop: watch::Receiver<bool>) -> AppResult {
    let dispatcher = app.dispatcher()?;
    // `docket run` holds the SQLite file's run lock: no other scheduler can be alive, so a
    // lease left by a killed process is taken over rather than waited out.
    let scheduler = app.new_scheduler(None)?.exclusive();
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let sweeper = {
        let app = app.clone();
        let mut rx = stop.clone();
        async move {
            loop {
                match app.workflow.sweep_overdue(&app.db.conn, app.now()).await {
                    Ok(r) => tracing::debug!(?r, "issue sweep"),
                    Err(e) => tracing::warn!(error = %e, "issue sweep failed; retrying later"),
                }
                tokio::select! {
                    _ = rx.wait_for(|v| *v) => break,
                    _ = tokio::time::sleep(SWEEP_EVERY) => {}
                }
            }
        }
    };
    let (sched, mail, ()) = tokio::join!(
        scheduler.run_until(app.clock.clone(), stopped(stop.clone())),
        dispatcher.run_until(stopped(stop.clone())),
        sweeper,
    );
    sched?;
    mail.map_err(|e| AppError::unexpected("email delivery stopped", e.to_string()))?;
    Ok(())
}
