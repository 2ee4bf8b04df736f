//! The monthly bulletin (月通报): built by anyone (leaders read it), sent by the office.

use docket_bulletin::{Bulletin, Format};
use docket_domain::period::Month;
use sea_orm::TransactionTrait;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// Parses a `YYYY-MM` month as typed by a person.
///
/// # Errors
/// Bad input naming the text.
pub fn parse_month(text: &str) -> AppResult<Month> {
    Month::parse(text).map_err(|e| AppError::bad_input(format!("--month {text}: {e}")))
}

/// The bulletin of `month` as a model (for the JSON API and the demo's summary).
///
/// # Errors
/// Bad input for a month that has no bulletin (January, before the first issue).
pub async fn bulletin_model(app: &App, month: Month) -> AppResult<Bulletin> {
    let c = &app.config;
    let mut b =
        docket_bulletin::build(&app.db.conn, &c.core, &c.bulletin, &app.calendar, month).await?;
    // The date of issue (印发日期) by the app's clock, in the office's time zone.
    b.meta.issued = app.today();
    Ok(b)
}

/// The bulletin of `month` if it has data: an empty one (no projects, plans or completed
/// investment) is bad input naming what is missing, so nothing empty is printed or sent.
///
/// # Errors
/// As [`bulletin_model`], and bad input for an empty bulletin.
async fn bulletin_with_data(app: &App, month: Month) -> AppResult<Bulletin> {
    let b = bulletin_model(app, month).await?;
    match docket_bulletin::emptiness(&b) {
        Some(reason) => Err(AppError::bad_input(reason)),
        None => Ok(b),
    }
}

/// Builds the bulletin of `month` in `format` and records it as built (its issue number
/// is then fixed).
///
/// # Errors
/// As [`bulletin_model`]; bad input for an empty bulletin; unexpected if rendering or the
/// database fails.
pub async fn build_bulletin(app: &App, month: Month, format: Format) -> AppResult<Vec<u8>> {
    let b = bulletin_with_data(app, month).await?;
    let (b, bytes) = render_off_runtime(b, move |b| format.render(b)).await?;
    docket_store::bulletin::record_bulletin(
        &app.db.conn,
        month.key(),
        b.issue_number as i32,
        b.cutoff,
        &b.to_json()?,
        docket_store::time::to_ms(app.now()),
    )
    .await?;
    Ok(bytes)
}

/// Runs `render` on a blocking thread: typesetting a PDF of thousands of rows takes long
/// enough to stall the HTTP service's other requests if run on the runtime.
async fn render_off_runtime<T: Send + 'static>(
    b: Bulletin,
    render: impl FnOnce(&Bulletin) -> Result<T, docket_bulletin::BulletinError> + Send + 'static,
) -> AppResult<(Bulletin, T)> {
    let (b, out) = tokio::task::spawn_blocking(move || {
        let out = render(&b);
        (b, out)
    })
    .await
    .map_err(|e| AppError::unexpected("rendering the bulletin", e))?;
    Ok((b, out?))
}

/// How many recipients a send queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulletinQueued {
    /// Emails newly queued.
    pub queued: usize,
    /// Recipients on the distribution list.
    pub recipients: usize,
}

/// Queues the bulletin of `month` to the distribution list (the office only); `resend`
/// queues it again to everyone.
///
/// # Errors
/// Not permitted; bad input for an empty distribution list or a month without a bulletin.
pub async fn send_bulletin(
    app: &App,
    actor: &Actor,
    month: Month,
    resend: bool,
) -> AppResult<BulletinQueued> {
    require_office(actor, "send the monthly bulletin")?;
    if app.config.bulletin.recipients.is_empty() {
        return Err(docket_bulletin::BulletinError::NoRecipients.into());
    }
    let b = bulletin_with_data(app, month).await?;
    // Rendered before the write transaction: typesetting the PDF holds no lock.
    let attach = app.config.bulletin.attach.clone();
    let (b, rendered) =
        render_off_runtime(b, move |b| docket_bulletin::render_all(b, &attach)).await?;
    let now = docket_store::time::to_ms(app.now());
    let tx = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    let q = docket_bulletin::queue_bulletin(
        &tx,
        &app.config.core,
        &app.config.bulletin,
        &b,
        &rendered,
        resend,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(month = %month, recipients = q.recipients, queued = q.queued, "bulletin queued");
    Ok(BulletinQueued {
        queued: q.queued,
        recipients: q.recipients,
    })
}

/// The latest month with progress figures (the month the leaders' dashboard and the office's
/// preview open on), or the month before today's when there are none yet.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn latest_month(app: &App) -> AppResult<Month> {
    let fallback = Month::containing(app.today()).prev();
    Ok(docket_store::progress::latest_month(&app.db.conn)
        .await?
        .and_then(|k| Month::from_key(k).ok())
        .unwrap_or(fallback))
}

/// The bulletin of `month` rendered in `format` as it would be sent, without recording it
/// (its issue number is fixed only when built or sent); anyone configured may read it.
///
/// # Errors
/// As [`bulletin_model`]; bad input (with the reason) for an empty bulletin.
pub async fn preview_bulletin(app: &App, month: Month, format: Format) -> AppResult<Vec<u8>> {
    let b = bulletin_with_data(app, month).await?;
    Ok(format.render(&b)?)
}
