//! `docket run`: the long-running service — the HTTP service on `--listen`, the scheduler,
//! email delivery and the escalation sweep (`docket_app::service`) — until Ctrl-C or SIGTERM.
//! On a signal the HTTP service stops accepting and finishes the requests under way, then
//! the scheduler and delivery finish their work and stop.

use std::net::SocketAddr;

use clap::Args;
use docket_app::App;
use docket_auth::LinkSigner;
use tokio::sync::watch;

use crate::error::{CliError, CliResult};
use crate::i18n::Lang;
use crate::tr;

/// `run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where the HTTP service listens (`DOCKET_LISTEN`).
    #[arg(long, env = "DOCKET_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
}

/// The key of signed links in emails, from `DOCKET_SECRET` (at least 32 bytes). Without one,
/// one-click links are off — allowed only on a loopback address.
fn link_signer(listen: &SocketAddr, lang: Lang) -> Result<Option<LinkSigner>, CliError> {
    match std::env::var("DOCKET_SECRET") {
        Ok(secret) if !secret.is_empty() => LinkSigner::new(secret.as_bytes())
            .map(Some)
            .map_err(|e| CliError::bad_input(format!("DOCKET_SECRET: {e}"))),
        _ if listen.ip().is_loopback() => {
            tracing::warn!("DOCKET_SECRET is not set: one-click links in emails are off");
            Ok(None)
        }
        _ => Err(CliError::bad_input(tr!(
            lang,
            "DOCKET_SECRET：监听非本机地址 {listen} 时必须设置：请设为至少 32 字节的随机值，如 `openssl rand -base64 48`",
            "DOCKET_SECRET: required when listening on {listen} (not loopback): set at least 32 random bytes, e.g. `openssl rand -base64 48`"
        ))),
    }
}

/// Runs the service until a shutdown signal, then lets the work under way finish.
///
/// # Errors
/// Bad input for a bad listen address, secret or mail configuration; failure if another
/// `docket run` holds the SQLite database, the port cannot be bound or the scheduler or
/// delivery fails.
pub async fn run(app: &App, args: RunArgs, database_url: &str, lang: Lang) -> CliResult {
    // One service per SQLite file, refused before anything starts; held until we return.
    let _lock = docket_store::run_lock::acquire(database_url)
        .map_err(|e| CliError::failed(anyhow::anyhow!("docket run: {e}")))?;
    let listen: SocketAddr = args.listen.trim().parse().map_err(|_| {
        CliError::bad_input(tr!(
            lang,
            "--listen {}：不是地址（如 127.0.0.1:8080）",
            "--listen {}: not an address (e.g. 127.0.0.1:8080)",
            args.listen
        ))
    })?;
    let signer = link_signer(&listen, lang)?;
    app.sync_reference().await?;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        CliError::failed(anyhow::anyhow!(tr!(
            lang,
            "无法监听 {listen}：{e}",
            "cannot listen on {listen}: {e}"
        )))
    })?;
    let bound = listener.local_addr().map_err(CliError::failed)?;
    let base_url = app.config.http.base_url(&bound.to_string());
    let app = match signer {
        Some(s) => app.with_links(s, &base_url),
        None => app.clone(),
    };
    let state = docket_http::HttpState::new(app.clone(), &base_url).map_err(CliError::bad_input)?;

    let (http_stop, mut http_stopping) = watch::channel(false);
    let on_signal = http_stop.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing the requests and work under way");
        let _ = on_signal.send(true);
    });
    let (work_stop, work_stopping) = watch::channel(false);
    tracing::info!(listen = %bound, public = %base_url, files = %app.files.describe(), "docket run: HTTP service, scheduler and email delivery started");
    let http = async {
        let mut draining = http_stopping.clone();
        let stopped = async move {
            let _ = http_stopping.wait_for(|s| *s).await;
        };
        // Requests under way get DRAIN to finish (a stalled upload must not hold the
        // process); then the scheduler and delivery stop within `[mail] shutdown_secs`.
        let deadline = async move {
            let _ = draining.wait_for(|s| *s).await;
            tokio::time::sleep(DRAIN).await;
        };
        let r = tokio::select! {
            r = docket_http::serve(state, listener, stopped) => r,
            () = deadline => {
                tracing::warn!("requests still open {DRAIN:?} after the signal: closed unfinished");
                Ok(())
            }
        };
        let _ = work_stop.send(true);
        r
    };
    let work = async {
        let r = docket_app::service::run_background(&app, work_stopping).await;
        let _ = http_stop.send(true);
        r
    };
    let (served, worked) = tokio::join!(http, work);
    // Token uses noted by the last requests, not yet recorded (a lost one is only a hint).
    if let Err(e) = app.token_uses.flush(&app.db).await {
        tracing::warn!(error = %e, "recording API token uses failed");
    }
    worked?;
    served.map_err(|e| {
        CliError::failed(anyhow::anyhow!(tr!(
            lang,
            "HTTP 服务出错：{e}",
            "the HTTP service failed: {e}"
        )))
    })?;
    tracing::info!("docket run: stopped");
    Ok(())
}

/// How long requests under way may take to finish after a shutdown signal.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(5);

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
