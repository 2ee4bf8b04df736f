//! The email outbox, for the office: flush now, list, retry a dead row.

use docket_notifier::DeliveryReport;
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

/// Outbox rows, newest first, optionally of one state (the office only).
///
/// # Errors
/// Not permitted; unexpected if the database fails.
pub async fn list_mail(
    app: &App,
    actor: &Actor,
    state: Option<State>,
    limit: u64,
) -> AppResult<Vec<OutboxRow>> {
    require_office(actor, "read the outbox")?;
    Ok(outbox::list(&app.db.conn, state, limit).await?)
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

/// One outbox row as the CLI's `mail list --format json` and the API show it.
pub fn mail_entry(r: &OutboxRow) -> serde_json::Value {
    use docket_store::time::from_ms;
    serde_json::json!({
        "id": r.id, "kind": r.kind, "to": r.to_email, "state": r.state,
        "attempts": r.attempts, "dedupe_key": r.dedupe_key, "last_error": r.last_error,
        "created_at": from_ms(r.created_at).to_rfc3339(),
        "next_attempt_at": from_ms(r.next_attempt_at).to_rfc3339(),
        "sent_at": r.sent_at.map(|t| from_ms(t).to_rfc3339()),
    })
}
