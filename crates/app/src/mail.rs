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
