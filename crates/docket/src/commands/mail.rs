//! `docket mail`: the operator's view of the outbox — flush it now, list it, retry a row.

use clap::{Subcommand, ValueEnum};
use docket_app::{Actor, App};
use docket_store::outbox::State;

use crate::error::{CliError, CliResult};
use crate::output::{self, Format};

/// `docket mail …`
#[derive(Debug, Subcommand)]
pub enum MailCmd {
    /// Attempt every pending email now (ignoring retry delays), then exit; exit 1 if any failed.
    Flush,
    /// List emails in a state.
    List {
        /// Which state: pending, sent or dead (default: all).
        #[arg(long, value_enum)]
        state: Option<ListState>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// At most this many rows.
        #[arg(long, default_value_t = 1000)]
        limit: u64,
    },
    /// Put a dead (or pending) email back in the queue, due now, with its attempts reset.
    Retry {
        /// The email's id (from `docket mail list`).
        id: String,
    },
}

/// States `mail list` filters on.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListState {
    /// Waiting to be sent (or for a digest).
    Pending,
    /// Delivered.
    Sent,
    /// Given up.
    Dead,
}

/// Runs a `mail` command.
///
/// # Errors
/// Exit 1 when a flush leaves failures or the database fails; exit 2 for bad arguments.
pub async fn run(app: &App, actor: &Actor, cmd: MailCmd) -> CliResult {
    match cmd {
        MailCmd::Flush => {
            let r = docket_app::mail::flush_mail(app, actor).await?;
            for (id, why) in &r.failures {
                eprintln!("failed {id}: {why}");
            }
            output::print(&format!("sent {} failed {}", r.sent, r.failed()))?;
            if r.failed() > 0 {
                return Err(CliError::failed(anyhow::anyhow!(
                    "{} of {} emails failed ({} will be retried, {} dead-lettered)",
                    r.failed(),
                    r.attempted,
                    r.retried,
                    r.dead
                )));
            }
            Ok(())
        }
        MailCmd::List {
            state,
            format,
            limit,
        } => {
            let state = state.map(|s| match s {
                ListState::Pending => State::Pending,
                ListState::Sent => State::Sent,
                ListState::Dead => State::Dead,
            });
            let rows = docket_app::mail::list_mail(app, actor, state, limit).await?;
            match format {
                Format::Json => {
                    let v: Vec<serde_json::Value> =
                        rows.iter().map(docket_app::mail::mail_entry).collect();
                    output::print(&serde_json::to_string_pretty(&v).map_err(CliError::failed)?)
                }
                Format::Text => {
                    let mut s = format!(
                        "{:<36}  {:<8}  {:<15}  {:>3}  {}\n",
                        "id", "state", "kind", "try", "to / last error"
                    );
                    for r in &rows {
                        let err = r
                            .last_error
                            .as_deref()
                            .map(|e| format!("  ({e})"))
                            .unwrap_or_default();
                        s.push_str(&format!(
                            "{:<36}  {:<8}  {:<15}  {:>3}  {}{}\n",
                            r.id, r.state, r.kind, r.attempts, r.to_email, err
                        ));
                    }
                    output::print(s.trim_end())
                }
            }
        }
        MailCmd::Retry { id } => {
            let id = docket_app::mail::retry_mail(app, actor, &id).await?;
            output::print(&id.to_string())
        }
    }
}
