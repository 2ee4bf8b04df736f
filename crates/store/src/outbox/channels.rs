//! Channel copies: the outbox rows that carry a message to a 企业微信 or 钉钉 group robot or
//! an SMS gateway. Feature crates queue email only; the notifier expands each email row once
//! ([`unfanned`], then [`fan_out`] in one transaction) into copies on the channels configured
//! for its recipient or the recipient's task force. A copy's dedupe key derives from its
//! email's, so expanding again inserts nothing twice; the email row is marked `fanned_out`.
//!
//! A copy is an ordinary outbox row with its own `channel`: claimed (by route), leased,
//! retried and dead-lettered exactly as email.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{Delivery, OutboxRow, State, not_held};
use crate::StoreError;
use crate::entity::outbox::{Column as Col, Entity as Outbox};
use crate::sql::insert_batched;

/// The `channel` of email rows (the default of every queued message).
pub const EMAIL: &str = "email";

/// A channel copy of an email row, to insert with [`fan_out`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelCopy {
    /// Unique per logical post, derived from the email's key (e.g. `{key}@{channel}`).
    pub dedupe_key: String,
    /// The channel's id (a `[[channels]]` entry).
    pub channel: String,
    /// The email's kind.
    pub kind: String,
    /// Where it goes, for people reading the outbox: a phone number, or the robot's channel.
    pub to: String,
    /// Whom it reaches: the official's or the task force's name.
    pub to_name: String,
    /// The official it is for (a per-official channel), or none (a task force's group).
    pub official: Option<String>,
    /// The email's template context (JSON text).
    pub context: String,
    /// The email's pre-rendered subject, if it had one.
    pub subject: Option<String>,
    /// The email's business period.
    pub period: Option<String>,
}

/// Email rows whose channel copies are still to be made, oldest first, at most `limit`:
/// not yet fanned out, not gathered into a digest, and not held for a digest of one of
/// `held_officials` (held items never go to channels; the digest itself may).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn unfanned<C: ConnectionTrait>(
    conn: &C,
    held_officials: &[String],
    limit: u64,
) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(Outbox::find()
        .filter(Col::FannedOut.eq(false))
        .filter(Col::Channel.eq(EMAIL))
        .filter(Col::State.ne(State::Digested.code()))
        .filter(not_held(held_officials))
        .order_by_asc(Col::CreatedAt)
        .order_by_asc(Col::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Inserts `copies` (a key already present is skipped) and marks the email rows `sources`
/// fanned out. Run it in one transaction, so that copies and mark commit together; returns
/// how many copies were new.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn fan_out<C: ConnectionTrait>(
    conn: &C,
    copies: &[ChannelCopy],
    sources: &[Uuid],
    now_ms: i64,
) -> Result<usize, StoreError> {
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<_> = copies
        .iter()
        .filter(|c| seen.insert(c.dedupe_key.as_str()))
        .map(|c| {
            vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(c.dedupe_key.clone()),
                Expr::val(c.kind.clone()),
                Expr::val(c.to.clone()),
                Expr::val(c.to_name.clone()),
                Expr::val(c.official.clone()),
                Expr::val(c.context.clone()),
                Expr::val(c.subject.clone()),
                // A copy goes at once: held items never get copies.
                Expr::val(Delivery::Immediate.code()),
                Expr::val(c.period.clone()),
                Expr::val(State::Pending.code()),
                Expr::val(0),
                Expr::val(now_ms),
                Expr::val(now_ms),
                Expr::val(c.channel.clone()),
                Expr::val(true),
            ]
        })
        .collect();
    let cols = [
        "id",
        "dedupe_key",
        "kind",
        "to_email",
        "to_name",
        "official",
        "context",
        "subject",
        "delivery",
        "period",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
        "channel",
        "fanned_out",
    ];
    let skip = OnConflict::column("dedupe_key").do_nothing().to_owned();
    let n = insert_batched(conn, "outbox", &cols, rows, Some(skip), |_| {}).await?;
    for chunk in sources.chunks(200) {
        Outbox::update_many()
            .col_expr(Col::FannedOut, Expr::val(true))
            .filter(Col::Id.is_in(chunk.iter().copied()))
            .filter(Col::FannedOut.eq(false))
            .exec(conn)
            .await?;
    }
    Ok(n)
}

/// How many rows are in each state per channel: `(channel, state, count)`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn count_by_channel<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(Outbox::find()
        .select_only()
        .column(Col::Channel)
        .column(Col::State)
        .column_as(Col::Id.count(), "n")
        .group_by(Col::Channel)
        .group_by(Col::State)
        .order_by_asc(Col::Channel)
        .order_by_asc(Col::State)
        .into_tuple()
        .all(conn)
        .await?)
}
