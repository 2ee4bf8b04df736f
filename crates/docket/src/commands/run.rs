//! `docket run`: the long-running service — the scheduler, email delivery and the
//! escalation sweep (`docket_app::service`) — until Ctrl-C or SIGTERM.

use clap::Args;
use docket_app::App;
use tokio::sync::watch;

use crate::error::CliResult;

/// `run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where the HTTP service will listen (`DOCKET_LISTEN`).
    #[arg(long, env = "DOCKET_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
}

/// Runs the service until a shutdown signal, then lets the work under way finish.
///
/// # Errors
/// Bad input for a bad mail configuration; failure if the scheduler or delivery fails.
pub async fn run(app: &App, args: RunArgs) -> CliResult {
    app.sync_reference().await?;
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing the work under way");
        let _ = tx.send(true);
    });
    tracing::info!(listen = %args.listen, "docket run: scheduler and email delivery started");
    docket_app::service::run_background(app, rx).await?;
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
