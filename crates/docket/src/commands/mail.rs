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
    /// List messages (oldest first: emails and their copies on other channels) with the
    /// totals per state; says when the list is cut short.
    List {
        /// Which state: pending, sending, sent, dead or digested (default: all).
        #[arg(long, value_enum)]
        state: Option<ListState>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// At most this many rows.
        #[arg(long, default_value_t = 1000)]
        limit: u64,
    },
    /// Where delivery stands: 投递正常, or 投递暂停至 HH:MM（原因）, and the totals per state.
    Status {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
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
    /// Claimed by a process (after a crash: until its lease expires).
    Sending,
    /// Delivered.
    Sent,
    /// Given up.
    Dead,
    /// Gathered into a digest.
    Digested,
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
            if r.untried > 0 {
                eprintln!(
                    "the mail server is unreachable: stopped early, {} emails not tried (still pending)",
                    r.untried
                );
            }
            if r.delivery.is_paused() {
                eprintln!("{}", docket_app::mail::delivery_line(app, &r.delivery));
            }
            output::print(&format!("sent {} failed {}", r.sent, r.failed()))?;
            if r.failed() > 0 {
                return Err(CliError::failed(anyhow::anyhow!(
                    "{} of {} emails failed ({} left pending, attempts not counted; {} dead-lettered)",
                    r.failed(),
                    r.attempted,
                    r.deferred + r.retried,
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
                ListState::Sending => State::Sending,
                ListState::Sent => State::Sent,
                ListState::Dead => State::Dead,
                ListState::Digested => State::Digested,
            });
            let list = docket_app::mail::list_mail(app, actor, state, limit).await?;
            let channels = docket_app::mail::channel_states(app).await?;
            let notice = list.truncated().then(|| {
                format!(
                    "仅显示前 {} 条，共 {} 条（--limit 可调）",
                    list.rows.len(),
                    list.matching
                )
            });
            match format {
                Format::Json => {
                    if let Some(n) = &notice {
                        eprintln!("{n}");
                    }
                    let v: Vec<serde_json::Value> =
                        list.rows.iter().map(docket_app::mail::mail_entry).collect();
                    output::print(&serde_json::to_string_pretty(&v).map_err(CliError::failed)?)
                }
                Format::Text => output::print(&list_text(app, &list, &channels, notice)),
            }
        }
        MailCmd::Status { format } => {
            let (d, totals) = docket_app::mail::mail_status(app, actor).await?;
            let channels = docket_app::mail::channel_states(app).await?;
            match format {
                Format::Json => {
                    let channels: Vec<serde_json::Value> = app
                        .config
                        .channels
                        .iter()
                        .zip(&channels)
                        .map(|(c, (_, s))| {
                            serde_json::json!({
                                "channel": c.id,
                                "paused": s.is_paused(),
                                "paused_until": s.paused_until.map(|t| t.to_rfc3339()),
                                "failures": s.failures,
                                "reason": s.reason,
                            })
                        })
                        .collect();
                    let v = serde_json::json!({
                        "paused": d.is_paused(),
                        "paused_until": d.paused_until.map(|t| t.to_rfc3339()),
                        "failures": d.failures,
                        "reason": d.reason,
                        "line": docket_app::mail::delivery_line(app, &d),
                        "totals": totals.iter().map(|(s, n)| (s.clone(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
                        "channels": channels,
                    });
                    output::print(&serde_json::to_string_pretty(&v).map_err(CliError::failed)?)
                }
                Format::Text => output::print(&format!(
                    "{}{}\n{}",
                    docket_app::mail::delivery_line(app, &d),
                    channel_lines(app, &channels),
                    totals_line(&totals)
                )),
            }
        }
        MailCmd::Retry { id } => {
            let id = docket_app::mail::retry_mail(app, actor, &id).await?;
            output::print(&id.to_string())
        }
    }
}

/// The text table of `mail list`: rows (their channel in words: 邮件/企业微信/钉钉/短信; a
/// `sending` row with its lease expiry in office time), the totals per state, the delivery
/// line, and the truncation notice.
fn list_text(
    app: &App,
    list: &docket_app::mail::MailList,
    channels: &[(String, docket_notifier::DeliveryState)],
    notice: Option<String>,
) -> String {
    let mut s = format!(
        "{:<36}  {:<8}  {}  {:<15}  {:>3}  {}\n",
        "id",
        "state",
        pad("渠道", 8),
        "kind",
        "try",
        "to / last error"
    );
    for r in &list.rows {
        let mut extra = String::new();
        if r.state == State::Sending.code()
            && let Some(until) = r.lease_until
        {
            extra.push_str(&format!(
                "  租约至 {}",
                docket_app::mail::office_time(app, until)
            ));
        }
        if let Some(e) = r.last_error.as_deref() {
            let at = r
                .last_error_at
                .map(|t| format!("{} ", docket_app::mail::office_time(app, t)))
                .unwrap_or_default();
            extra.push_str(&format!("  ({at}{e})"));
        }
        let channel = docket_notifier::channel_label(&r.channel, &app.config.channels);
        s.push_str(&format!(
            "{:<36}  {:<8}  {}  {:<15}  {:>3}  {}{}\n",
            r.id,
            r.state,
            pad(channel, 8),
            r.kind,
            r.attempts,
            r.to_email,
            extra
        ));
    }
    s.push_str(&totals_line(&list.totals));
    s.push('\n');
    s.push_str(&docket_app::mail::delivery_line(app, &list.delivery));
    s.push_str(&channel_lines(app, channels));
    if let Some(n) = notice {
        s.push('\n');
        s.push_str(&n);
    }
    s
}

/// `text` padded with blanks to `columns` terminal columns (a Chinese character takes two).
fn pad(text: &str, columns: usize) -> String {
    let width: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}

/// A line per channel whose delivery is not plain sailing: paused by its breaker, or with
/// connection failures counted (each starting with a line break; empty when all is well).
fn channel_lines(app: &App, channels: &[(String, docket_notifier::DeliveryState)]) -> String {
    channels
        .iter()
        .filter(|(_, d)| d.is_paused() || d.failures > 0)
        .map(|(label, d)| format!("\n{label}：{}", docket_app::mail::delivery_line(app, d)))
        .collect()
}

/// "合计 N：pending 3 · sent 10 …" (every state, zeros included).
fn totals_line(totals: &[(String, i64)]) -> String {
    let all: i64 = totals.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = [
        State::Pending,
        State::Sending,
        State::Sent,
        State::Dead,
        State::Digested,
    ]
    .iter()
    .map(|st| {
        let n: i64 = totals
            .iter()
            .filter(|(c, _)| c == st.code())
            .map(|(_, n)| n)
            .sum();
        format!("{} {n}", st.code())
    })
    .collect();
    format!("合计 {all}：{}", parts.join(" · "))
}
