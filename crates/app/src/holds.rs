//! Held products (扣发), for the office: a bulletin or dispatch sheet the scheduler kept back
//! because it looked wrong (empty, no reports, too late after downtime) or awaits approval
//! (`[bulletin] approve = true`). The office lists them, previews one as it would be sent,
//! releases it (queued through the outbox in the same transaction as the state change) or
//! drops it. Holds are named by their short number; nothing is deleted.

use docket_domain::hold::{HoldKind, HoldState};
use docket_domain::period::{IsoWeek, Month};
use docket_store::holds::{self, Hold};
use sea_orm::TransactionTrait;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// A held product rendered as it would be sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HoldPreview {
    /// The hold.
    pub hold: Hold,
    /// The email subject (or the sheet's title).
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
}

/// Holds waiting for the office (every hold with `all`), by number (the office only).
///
/// # Errors
/// Not permitted; unexpected if the database fails.
pub async fn list_holds(app: &App, actor: &Actor, all: bool) -> AppResult<Vec<Hold>> {
    require_office(actor, "list held products")?;
    Ok(holds::list(&app.db.conn, all).await?)
}

async fn find(app: &App, number: i64) -> AppResult<Hold> {
    holds::by_number(&app.db.conn, number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("hold {number}: no such held product")))
}

fn month_of(h: &Hold) -> AppResult<Month> {
    Month::parse(&h.period)
        .map_err(|e| AppError::unexpected(format!("hold {}: period {}", h.number, h.period), e))
}

fn week_of(h: &Hold) -> AppResult<IsoWeek> {
    IsoWeek::parse(&h.period)
        .map_err(|e| AppError::unexpected(format!("hold {}: period {}", h.number, h.period), e))
}

/// Hold `number` with its product rendered now, as releasing it would send it (the office
/// only).
///
/// # Errors
/// Not permitted; not found; bad input for a bulletin month that has none; unexpected if
/// rendering or the database fails.
pub async fn preview_hold(app: &App, actor: &Actor, number: i64) -> AppResult<HoldPreview> {
    require_office(actor, "preview a held product")?;
    let hold = find(app, number).await?;
    let (subject, text, html) = match hold.kind {
        HoldKind::Bulletin => {
            let b = crate::bulletins::bulletin_model(app, month_of(&hold)?).await?;
            (
                docket_bulletin::render::subject(&b),
                docket_bulletin::render::text::render(&b),
                docket_bulletin::render::html::render(&b),
            )
        }
        HoldKind::DispatchSheet => {
            let week = week_of(&hold)?;
            let data =
                app.scheduler.sheet(week, app.now()).await?.ok_or_else(|| {
                    AppError::NotFound(format!("hold {number}: {week} has no cycle"))
                })?;
            let core = &app.config.core;
            (
                format!(
                    "【调度单】{}（{week}）",
                    docket_scheduler::sheet::title(&week.to_string())
                ),
                docket_scheduler::sheet::render_text(core, &data),
                docket_scheduler::sheet::render_html(core, &data),
            )
        }
    };
    Ok(HoldPreview {
        hold,
        subject,
        text,
        html,
    })
}

/// Releases hold `number`: its product is queued to its usual recipients through the outbox,
/// in one transaction with the state change (the office only). Returns the emails queued.
///
/// # Errors
/// Not permitted; not found; conflict if it was already released or dropped; bad input for
/// a bulletin that is still empty (import the data first, or drop it); unexpected if the
/// database fails.
pub async fn release_hold(app: &App, actor: &Actor, number: i64) -> AppResult<usize> {
    require_office(actor, "release a held product")?;
    let hold = find(app, number).await?;
    undecided(&hold)?;
    let now = app.now();
    let now_ms = docket_store::time::to_ms(now);
    let bulletin = match hold.kind {
        HoldKind::Bulletin => {
            if app.config.bulletin.recipients.is_empty() {
                return Err(docket_bulletin::BulletinError::NoRecipients.into());
            }
            let b = crate::bulletins::bulletin_model(app, month_of(&hold)?).await?;
            if let Some(reason) = docket_bulletin::emptiness(&b) {
                return Err(AppError::bad_input(format!(
                    "hold {number}: the bulletin is still empty, not released ({reason}); drop it with `docket hold drop {number}`"
                )));
            }
            let rendered = docket_bulletin::render_all(&b, &app.config.bulletin.attach)?;
            Some((b, rendered))
        }
        HoldKind::DispatchSheet => None,
    };
    let tx = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    if !holds::decide(&tx, hold.id, HoldState::Released, &actor.id, now_ms).await? {
        return Err(decided_meanwhile(number));
    }
    let queued = match &bulletin {
        Some((b, rendered)) => {
            let c = &app.config;
            docket_bulletin::queue_bulletin(&tx, &c.core, &c.bulletin, b, rendered, false, now_ms)
                .await?
                .queued
        }
        None => {
            app.scheduler
                .queue_sheet(&tx, &week_of(&hold)?.to_string(), 1, now)
                .await?
        }
    };
    tx.commit().await?;
    tracing::info!(hold = number, kind = %hold.kind, period = %hold.period, queued, "hold released");
    Ok(queued)
}

/// Drops hold `number`: its product is never sent (the office only).
///
/// # Errors
/// Not permitted; not found; conflict if it was already released or dropped.
pub async fn drop_hold(app: &App, actor: &Actor, number: i64) -> AppResult {
    require_office(actor, "drop a held product")?;
    let hold = find(app, number).await?;
    undecided(&hold)?;
    let now_ms = docket_store::time::to_ms(app.now());
    let tx = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    if !holds::decide(&tx, hold.id, HoldState::Dropped, &actor.id, now_ms).await? {
        return Err(decided_meanwhile(number));
    }
    tx.commit().await?;
    tracing::info!(hold = number, kind = %hold.kind, period = %hold.period, "hold dropped");
    Ok(())
}

fn undecided(h: &Hold) -> AppResult {
    if h.state == HoldState::Held {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "hold {}: already {} ({}) by {}",
            h.number,
            h.state.label_zh(),
            h.state,
            h.decided_by.as_deref().unwrap_or("?")
        )))
    }
}

fn decided_meanwhile(number: i64) -> AppError {
    AppError::Conflict(format!(
        "hold {number}: released or dropped meanwhile by someone else"
    ))
}
