//! The long-running service's background work: the scheduler (cycles, reminders, sheets,
//! the bulletin), continuous email delivery and the escalation sweep of issue time limits.
//! Every piece resumes from the database after a restart: the ledger says what has fired,
//! the outbox what is still to send.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_domain::calendar::WorkCalendar;
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
            if let Some(reason) = docket_bulletin::emptiness(&b) {
                // Held, not mailed: leaders never receive an empty bulletin.
                tracing::warn!(%month, %reason, "bulletin held: empty");
                return Ok(format!("bulletin {month} held (not sent): {reason}"));
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
/// under way finish.
///
/// # Errors
/// Bad input for a bad mail configuration; unexpected if the scheduler or delivery fails.
pub async fn run_background(app: &App, stop: watch::Receiver<bool>) -> AppResult {
    let dispatcher = app.dispatcher()?;
    let scheduler = app.new_scheduler(None)?;
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
