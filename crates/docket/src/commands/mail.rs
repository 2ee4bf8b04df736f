//! `docket mail`: the operator's view of the outbox — flush it now, list it, retry a row.

use clap::{Subcommand, ValueEnum};
use docket_app::{Actor, App};
use docket_store::outbox::State;

use crate::error::{CliError, CliResult};
use crate::i18n::words::{self, pad, pad_left};
use crate::i18n::{Lang, catalog};
use crate::output::{self, Format};
use crate::tr;

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
pub async fn run(app: &App, actor: &Actor, cmd: MailCmd, lang: Lang) -> CliResult {
    let reason = |why: &str| match lang {
        Lang::Zh => catalog::to_zh(why),
        Lang::En => why.to_string(),
    };
    match cmd {
        MailCmd::Flush => {
            let r = docket_app::mail::flush_mail(app, actor).await?;
            for (id, why) in &r.failures {
                eprintln!(
                    "{}",
                    tr!(lang, "发送失败 {id}：{}", "failed {id}: {}", reason(why))
                );
            }
            if r.untried > 0 {
                eprintln!(
                    "{}",
                    tr!(
                        lang,
                        "邮件服务器无法连接：已提前停止，{} 封邮件未尝试（仍待发）",
                        "the mail server is unreachable: stopped early, {} emails not tried (still pending)",
                        r.untried
                    )
                );
            }
            if r.delivery.is_paused() {
                eprintln!("{}", docket_app::mail::delivery_line(app, &r.delivery));
            }
            output::print(&tr!(
                lang,
                "已发送 {} 封，失败 {} 封",
                "sent {} failed {}",
                r.sent,
                r.failed()
            ))?;
            if r.failed() > 0 {
                return Err(CliError::failed(anyhow::anyhow!(tr!(
                    lang,
                    "{} 封邮件中有 {} 封失败（{} 封仍待发，不计尝试次数；{} 封已放弃）",
                    "{1} of {0} emails failed ({2} left pending, attempts not counted; {3} dead-lettered)",
                    r.attempted,
                    r.failed(),
                    r.deferred + r.retried,
                    r.dead
                ))));
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
                tr!(
                    lang,
                    "仅显示前 {} 条，共 {} 条（--limit 可调）",
                    "showing the first {} of {} (change with --limit)",
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
                Format::Text => output::print(&list_text(app, lang, &list, &channels, notice)),
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
                    totals_line(lang, &totals)
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
    lang: Lang,
    list: &docket_app::mail::MailList,
    channels: &[(String, docket_notifier::DeliveryState)],
    notice: Option<String>,
) -> String {
    let head = match lang {
        Lang::Zh => ["id", "状态", "渠道", "类型", "次数", "收件人 / 最近错误"],
        Lang::En => ["id", "state", "channel", "kind", "try", "to / last error"],
    };
    let line = |c: [&str; 6]| {
        format!(
            "{}  {}  {}  {}  {}  {}\n",
            pad(c[0], 36),
            pad(c[1], 10),
            pad(c[2], 10),
            pad(c[3], 15),
            pad_left(c[4], 4),
            c[5]
        )
    };
    let mut s = line(head);
    for r in &list.rows {
        let mut extra = String::new();
        if r.state == State::Sending.code()
            && let Some(until) = r.lease_until
        {
            extra.push_str(&format!(
                "  {} {}",
                lang.pick("租约至", "lease until"),
                words::office_ms(app, until)
            ));
        }
        if let Some(e) = r.last_error.as_deref() {
            let at = r
                .last_error_at
                .map(|t| format!("{} ", words::office_ms(app, t)))
                .unwrap_or_default();
            let e = match lang {
                Lang::Zh => catalog::to_zh(e),
                Lang::En => e.to_string(),
            };
            extra.push_str(&format!("  ({at}{e})"));
        }
        let channel = match lang {
            Lang::Zh => {
                docket_notifier::channel_label(&r.channel, &app.config.channels).to_string()
            }
            Lang::En => words::en(&r.channel),
        };
        s.push_str(&line([
            &r.id.to_string(),
            &words::mail_state(lang, &r.state),
            &channel,
            &words::mail_kind(lang, &r.kind),
            &r.attempts.to_string(),
            &format!("{}{extra}", r.to_email),
        ]));
    }
    s.push_str(&totals_line(lang, &list.totals));
    s.push('\n');
    s.push_str(&docket_app::mail::delivery_line(app, &list.delivery));
    s.push_str(&channel_lines(app, channels));
    if let Some(n) = notice {
        s.push('\n');
        s.push_str(&n);
    }
    s
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

/// "合计 N：待发 3 · 已发送 10 …" (every state, zeros included).
fn totals_line(lang: Lang, totals: &[(String, i64)]) -> String {
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
        format!("{} {n}", words::mail_state(lang, st.code()))
    })
    .collect();
    tr!(lang, "合计 {all}：{}", "total {all}: {}", parts.join(" · "))
}
