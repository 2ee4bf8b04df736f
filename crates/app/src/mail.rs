//! The email outbox, for the office: flush now, list with totals, where delivery stands
//! (the circuit breaker), retry a dead row.

use docket_notifier::{DeliveryReport, DeliveryState};
use docket_store::outbox::{self, OutboxRow, State};
use uuid::Uuid;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// Attempts every pending email now, ignoring retry delays (the office only).
///
/// # Errors
/// Not permitted; bad input for a bad mail configuration; unexpected if the database fails.
/// Send failures are in the report, not errors.
pub async fn flush_mail(app: &App, actor: &Actor) -> AppResult<DeliveryReport> {
    require_office(actor, "flush the outbox")?;
    Ok(app.dispatcher()?.flush_all().await?)
}

/// A page of the outbox and the counts around it.
#[derive(Debug, Clone)]
pub struct MailList {
    /// The rows shown, oldest first.
    pub rows: Vec<OutboxRow>,
    /// Rows matching the filter, shown or not.
    pub matching: i64,
    /// Rows in each state (the whole outbox), by state code.
    pub totals: Vec<(String, i64)>,
    /// Where delivery stands (paused by the circuit breaker, or not).
    pub delivery: DeliveryState,
}

impl MailList {
    /// Whether rows were left out by the limit.
    pub fn truncated(&self) -> bool {
        (self.rows.len() as i64) < self.matching
    }
}

/// Outbox rows, oldest first, optionally of one state, at most `limit`, with the totals per
/// state and whether delivery is paused (the office only).
///
/// # Errors
/// Not permitted; unexpected if the database fails.
pub async fn list_mail(
    app: &App,
    actor: &Actor,
    state: Option<State>,
    limit: u64,
) -> AppResult<MailList> {
    require_office(actor, "read the outbox")?;
    let conn = &app.db.conn;
    let totals = outbox::count_by_state(conn).await?;
    let matching = match state {
        Some(s) => totals
            .iter()
            .filter(|(code, _)| code == s.code())
            .map(|(_, n)| n)
            .sum(),
        None => totals.iter().map(|(_, n)| n).sum(),
    };
    Ok(MailList {
        rows: outbox::list(conn, state, limit).await?,
        matching,
        totals,
        delivery: docket_notifier::delivery_state(conn, app.now()).await?,
    })
}

/// Where delivery stands and how many emails are in each state (the office only).
///
/// # Errors
/// Not permitted; unexpected if the database fails.
pub async fn mail_status(
    app: &App,
    actor: &Actor,
) -> AppResult<(DeliveryState, Vec<(String, i64)>)> {
    require_office(actor, "read the outbox")?;
    let conn = &app.db.conn;
    Ok((
        docket_notifier::delivery_state(conn, app.now()).await?,
        outbox::count_by_state(conn).await?,
    ))
}

/// Where each configured channel's delivery stands (its own circuit breaker,
/// `channel:{id}`): the channel's label for people (`企业微信（用地专班群）`) and its state.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn channel_states(app: &App) -> AppResult<Vec<(String, DeliveryState)>> {
    let mut out = Vec::new();
    for c in &app.config.channels {
        let label = docket_notifier::channel_label(&c.id, &app.config.channels);
        let name = c.name.as_deref().unwrap_or(&c.id);
        let route = format!("channel:{}", c.id);
        let state = docket_notifier::route_state(&app.db.conn, &route, app.now()).await?;
        out.push((format!("{label}（{name}）"), state));
    }
    Ok(out)
}

/// The line people read about delivery: "投递正常", or "投递暂停至 HH:MM（原因）" in the
/// office's time zone (with the date when it is not today).
pub fn delivery_line(app: &App, d: &DeliveryState) -> String {
    let Some(until) = d.paused_until else {
        return match (d.failures, &d.reason) {
            (n, Some(why)) if n > 0 => format!("投递正常（连续 {n} 次连接失败：{why}）"),
            _ => "投递正常".to_string(),
        };
    };
    let why = d.reason.as_deref().unwrap_or("邮件服务器无法连接");
    let (at, today) = match app.config.core.timezone() {
        Ok(tz) => (
            until.with_timezone(&tz).naive_local(),
            app.now().with_timezone(&tz).date_naive(),
        ),
        Err(_) => (until.naive_utc(), app.now().date_naive()),
    };
    let when = if at.date() == today {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    };
    format!("投递暂停至 {when}（{why}）")
}

/// An instant in the office's time zone, `YYYY-MM-DD HH:MM`.
pub fn office_time(app: &App, ms: i64) -> String {
    let t = docket_store::time::from_ms(ms);
    match app.config.core.timezone() {
        Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// Puts a dead or pending email back in the queue, due now (the office only).
///
/// # Errors
/// Not permitted; not found; conflict when the email is sent or being sent.
pub async fn retry_mail(app: &App, actor: &Actor, id: &str) -> AppResult<Uuid> {
    require_office(actor, "retry an email")?;
    let uuid = Uuid::parse_str(id.trim())
        .map_err(|_| AppError::bad_input(format!("mail retry: {id:?} is not an email id")))?;
    let now = docket_store::time::to_ms(app.now());
    if outbox::retry(&app.db.conn, uuid, now).await? {
        return Ok(uuid);
    }
    match outbox::find(&app.db.conn, uuid).await? {
        None => Err(AppError::NotFound(format!(
            "mail retry: no email with id {uuid}"
        ))),
        Some(r) => Err(AppError::Conflict(format!(
            "mail retry: email {uuid} is {}, not dead or pending",
            r.state
        ))),
    }
}

/// One outbox row as the CLI's `mail list --format json` and the API show it; `channel` is
/// `email` or the id of a `[[channels]]` entry, `to` the address, phone or robot.
pub fn mail_entry(r: &OutboxRow) -> serde_json::Value {
    use docket_store::time::from_ms;
    serde_json::json!({
        "id": r.id, "kind": r.kind, "channel": r.channel, "to": r.to_email, "state": r.state,
        "attempts": r.attempts, "dedupe_key": r.dedupe_key, "last_error": r.last_error,
        "created_at": from_ms(r.created_at).to_rfc3339(),
        "next_attempt_at": from_ms(r.next_attempt_at).to_rfc3339(),
        "sent_at": r.sent_at.map(|t| from_ms(t).to_rfc3339()),
        "last_error_at": r.last_error_at.map(|t| from_ms(t).to_rfc3339()),
        "lease_until": r.lease_until.map(|t| from_ms(t).to_rfc3339()),
    })
}
