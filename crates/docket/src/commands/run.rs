//! `docket run`: the long-running service — the scheduler (cycles, reminders, sheets, the
//! bulletin, the escalation sweep) and continuous email delivery, until Ctrl-C or SIGTERM.
//! Every piece resumes from the database after a restart: the ledger says what has fired,
//! the outbox what is still to send.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::Args;
use docket_domain::period::Month;
use docket_scheduler::{BoxFuture, BulletinHook, Recipient};
use sea_orm::DatabaseTransaction;
use tokio::sync::watch;

use crate::app::App;
use crate::error::{CliError, CliResult};

/// `run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Address for the HTTP service (a later stage serves it).
    #[arg(long, env = "DOCKET_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
}

/// Builds and queues the monthly bulletin when the scheduler says it is due, in the
/// scheduler's transaction (so it commits with the ledger row: exactly once).
pub(crate) struct QueueBulletin {
    pub(crate) app: App,
}

impl BulletinHook for QueueBulletin {
    fn fire<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        month: Month,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move {
            let c = &self.app.config;
            let b = docket_bulletin::build(txn, &c.core, &c.bulletin, &self.app.calendar, month)
                .await
                .map_err(|e| e.to_string())?;
            let rendered = docket_bulletin::render_all(&b).map_err(|e| e.to_string())?;
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
        let c = &self.app.config;
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

/// Runs the service until a shutdown signal.
///
/// # Errors
/// Bad input for bad schedules or mail settings; failure if another scheduler holds the
/// SQLite database or the database fails.
pub async fn run(app: &App, args: RunArgs) -> CliResult {
    app.sync_reference().await?;
    let dispatcher = super::mail::dispatcher(app)?;
    let scheduler = super::cycle::scheduler(app)?
        .with_bulletin_hook(Arc::new(QueueBulletin { app: app.clone() }));

    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing the work under way");
        let _ = tx.send(true);
    });
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    tracing::info!(listen = %args.listen, "docket run: scheduler and email delivery started");

    // The escalation sweep of issue time limits, every few minutes.
    let sweeper = {
        let app = app.clone();
        let mut rx = rx.clone();
        async move {
            let workflow = super::issue::workflow(&app);
            loop {
                match docket_workflow::sweep_overdue(&workflow, &app.db.conn, app.clock.now()).await
                {
                    Ok(r) => tracing::debug!(?r, "issue sweep"),
                    Err(e) => tracing::warn!(error = %e, "issue sweep failed; retrying later"),
                }
                tokio::select! {
                    _ = rx.wait_for(|v| *v) => break,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(300)) => {}
                }
            }
        }
    };
    let clock = app.clock.clone();
    let (sched, mail, ()) = tokio::join!(
        scheduler.run_until(clock, stopped(rx.clone())),
        dispatcher.run_until(stopped(rx.clone())),
        sweeper,
    );
    sched.map_err(super::cycle::classify)?;
    mail.map_err(|e| CliError::Failed(anyhow::anyhow!(e)))?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = ctrl_c.await;
}
