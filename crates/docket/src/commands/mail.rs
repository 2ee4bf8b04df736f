//! `docket mail`: the operator's view of the outbox — flush it now, list it, retry a row.

use clap::{Subcommand, ValueEnum};
use docket_notifier::{Dispatcher, NotifierSettings, NotifyError, TransportSpec};
use docket_store::outbox::{self, State};

use crate::app::App;
use crate::error::{CliError, CliResult};
use crate::output;

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
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
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

/// `mail list` output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Table,
    /// JSON.
    Json,
}

fn classify(e: NotifyError) -> CliError {
    if e.is_bad_input() {
        CliError::bad_input(e)
    } else {
        CliError::Failed(e.into())
    }
}

/// The process's dispatcher, for `mail flush`, the demo and `docket run`.
///
/// # Errors
/// Bad input for bad `[smtp]`/`[mail]` settings or a broken template (naming file and line).
pub fn dispatcher(app: &App) -> CliResult<Dispatcher> {
    let c = &app.config;
    let settings = NotifierSettings::resolve(&c.core, &c.smtp, &c.mail, c.dir(), &|k| {
        std::env::var(k).ok()
    })
    .map_err(|e| CliError::bad_input(format!("config {}: {e}", c.path.display())))?;
    Dispatcher::new(
        app.db.clone(),
        &c.core,
        settings,
        app.clock.clone(),
        app.calendar.clone(),
    )
    .map_err(classify)
}

/// Runs a `mail` command.
///
/// # Errors
/// Exit 1 when a flush leaves failures or the database fails; exit 2 for bad arguments.
pub async fn run(app: &App, cmd: MailCmd) -> CliResult {
    match cmd {
        MailCmd::Flush => {
            let d = dispatcher(app)?;
            let r = d.flush_all().await.map_err(classify)?;
            for (id, why) in &r.failures {
                eprintln!("failed {id}: {why}");
            }
            output::print(&format!("sent {} failed {}", r.sent, r.failed()))?;
            if r.failed() > 0 {
                return Err(CliError::Failed(anyhow::anyhow!(
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
            let rows = outbox::list(&app.db.conn, state, limit).await?;
            match format {
                ListFormat::Json => {
                    let v: Vec<serde_json::Value> = rows
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "id": r.id, "kind": r.kind, "to": r.to_email, "state": r.state,
                                "attempts": r.attempts, "dedupe_key": r.dedupe_key, "last_error": r.last_error,
                                "created_at": docket_store::time::from_ms(r.created_at).to_rfc3339(),
                                "next_attempt_at": docket_store::time::from_ms(r.next_attempt_at).to_rfc3339(),
                                "sent_at": r.sent_at.map(|t| docket_store::time::from_ms(t).to_rfc3339()),
                            })
                        })
                        .collect();
                    output::print(
                        &serde_json::to_string_pretty(&v)
                            .map_err(|e| CliError::Failed(e.into()))?,
                    )
                }
                ListFormat::Table => {
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
            let uuid = uuid::Uuid::parse_str(id.trim()).map_err(|_| {
                CliError::bad_input(format!("mail retry: {id:?} is not an email id"))
            })?;
            let now = docket_store::time::to_ms(app.clock.now());
            if outbox::retry(&app.db.conn, uuid, now).await? {
                output::print(&uuid.to_string())
            } else {
                match outbox::find(&app.db.conn, uuid).await? {
                    None => Err(CliError::bad_input(format!(
                        "mail retry: no email with id {uuid}"
                    ))),
                    Some(r) => Err(CliError::bad_input(format!(
                        "mail retry: email {uuid} is {}, not dead or pending",
                        r.state
                    ))),
                }
            }
        }
    }
}

/// The demo's email section: delivers what the demo queued (as `.eml` files unless `[smtp]`
/// is configured) and says where it went.
///
/// # Errors
/// As [`run`] for a flush.
pub async fn demo(app: &App) -> CliResult {
    let d = dispatcher(app)?;
    let r = d.flush_all().await.map_err(classify)?;
    let held = outbox::list(&app.db.conn, Some(State::Pending), 100_000)
        .await?
        .len();
    let whereto = match d.transport() {
        TransportSpec::Eml(dir) => format!(".eml files in {}", dir.display()),
        TransportSpec::Smtp(t) => format!("SMTP server {}:{}", t.host, t.port),
    };
    let mut s = format!(
        "\n== 邮件 Email ==\n发送 {} 封，失败 {} 封 → {whereto}",
        r.sent,
        r.failed()
    );
    if held > 0 {
        s.push_str(&format!("\n{held} 封待发（含等待每日/每周汇总的事项）"));
    }
    output::print(&s)
}
