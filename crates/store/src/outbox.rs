//! The email outbox: every email is a row written in the same transaction as the change that
//! causes it, unique by its dedupe key, so repeating a step never queues a second copy.
//!
//! Feature crates queue with [`enqueue`]; the notifier claims, renders, sends and marks rows.
//! Each email row is expanded once into copies on the configured channels (group robots, an
//! SMS gateway; see `channels`), which travel through the same ledger, route by route.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use uuid::Uuid;

use crate::StoreError;
use crate::sql::insert_batched;

mod channels;
mod deferral;
mod listing;
pub use channels::{ChannelCopy, EMAIL, count_by_channel, fan_out, unfanned};
pub use deferral::{mark_deferred, release_untried};
pub use listing::{count_by_state, find, list};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent as soon as the dispatcher runs (assignments, escalations, bulletins).
    Immediate,
    /// Gathered into the recipient's digest if they chose one, else sent at once.
    Digestible,
}

impl Delivery {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::Digestible => "digestible",
        }
    }
}

/// An attachment to queue with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// File name shown to the recipient.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// A message to queue. Either give `subject`/`text_body` (and optionally `html_body`)
/// already rendered, or leave them `None` and let the notifier render the `kind`'s
/// templates from `context` when it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// Unique per logical email, e.g. `assignment:{issue}:{official}`; a second
    /// enqueue with the same key is ignored.
    pub dedupe_key: String,
    /// The template kind, e.g. `assignment`, `reminder`, `bulletin`.
    pub kind: String,
    /// Recipient address (validated by the caller's config).
    pub to_email: String,
    /// Recipient display name.
    pub to_name: String,
    /// The recipient's official id, if they are a configured official (for digests).
    pub official: Option<String>,
    /// Template context.
    pub context: serde_json::Value,
    /// Pre-rendered subject.
    pub subject: Option<String>,
    /// Pre-rendered plain-text body.
    pub text_body: Option<String>,
    /// Pre-rendered HTML body.
    pub html_body: Option<String>,
    /// Immediate or digestible.
    pub delivery: Delivery,
    /// The business period it concerns (e.g. `2024-W37`, `2024-09`), for digests and lists.
    pub period: Option<String>,
    /// Attachments.
    pub attachments: Vec<NewAttachment>,
}

/// Queues messages; returns how many were new (duplicates by dedupe key are skipped).
/// Expects to run in the caller's transaction, beside the change that causes the emails.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    messages: &[NewMessage],
    now_ms: i64,
) -> Result<usize, StoreError> {
    if messages.is_empty() {
        return Ok(0);
    }
    // Which keys are new decides which attachments to write; messages without attachments
    // rely on the unique key alone (ON CONFLICT DO NOTHING), with no look-up first.
    let keys: Vec<String> = messages
        .iter()
        .filter(|m| !m.attachments.is_empty())
        .map(|m| m.dedupe_key.clone())
        .collect();
    let mut existing = std::collections::HashSet::new();
    for chunk in keys.chunks(crate::sql::batch_rows(1)) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let found: Vec<String> = crate::entity::outbox::Entity::find()
            .select_only()
            .column(crate::entity::outbox::Column::DedupeKey)
            .filter(crate::entity::outbox::Column::DedupeKey.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        existing.extend(found);
    }
    let mut rows = Vec::new();
    let mut attachments = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in messages {
        if existing.contains(&m.dedupe_key) || !seen.insert(m.dedupe_key.as_str()) {
            continue;
        }
        let id = Uuid::now_v7();
        rows.push(vec![
            Expr::val(id),
            Expr::val(m.dedupe_key.clone()),
            Expr::val(m.kind.clone()),
            Expr::val(m.to_email.clone()),
            Expr::val(m.to_name.clone()),
            Expr::val(m.official.clone()),
            Expr::val(m.context.to_string()),
            Expr::val(m.subject.clone()),
            Expr::val(m.text_body.clone()),
            Expr::val(m.html_body.clone()),
            Expr::val(m.delivery.code()),
            Expr::val(m.period.clone()),
            Expr::val("pending"),
            Expr::val(0),
            Expr::val(now_ms),
            Expr::val(now_ms),
        ]);
        for a in &m.attachments {
            attachments.push(vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(id),
                Expr::val(a.filename.clone()),
                Expr::val(a.content_type.clone()),
                Expr::val(a.data.clone()),
            ]);
        }
    }
    let cols = [
        "id",
        "dedupe_key",
        "kind",
        "to_email",
        "to_name",
        "official",
        "context",
        "subject",
        "text_body",
        "html_body",
        "delivery",
        "period",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
    ];
    // The unique key also guards against a concurrent enqueue of the same message.
    let skip = OnConflict::column("dedupe_key").do_nothing().to_owned();
    let n = insert_batched(conn, "outbox", &cols, rows, Some(skip), |_| {}).await?;
    insert_batched(
        conn,
        "outbox_attachments",
        &["id", "message_id", "filename", "content_type", "data"],
        attachments,
        None,
        |_| {},
    )
    .await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------
// Delivery: claiming, marking, listing and retrying rows (used by the notifier and the CLI).
// ---------------------------------------------------------------------------------------

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::outbox::{self as row, Column as Col, Entity as Outbox};
use crate::entity::outbox_attachments as att;

/// A stored outbox row.
pub type OutboxRow = row::Model;
/// A stored attachment row.
pub type AttachmentRow = att::Model;

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting to be sent (or to be gathered into a digest).
    Pending,
    /// Claimed by a dispatcher whose lease has not yet expired.
    Sending,
    /// Accepted by the mail server (or written as an `.eml` file).
    Sent,
    /// Given up: a permanent refusal or too many attempts.
    Dead,
    /// Gathered into a digest email, which is its own row.
    Digested,
}

impl State {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Sending => "sending",
            State::Sent => "sent",
            State::Dead => "dead",
            State::Digested => "digested",
        }
    }

    /// Parses a stored or typed code.
    pub fn parse(text: &str) -> Option<State> {
        [
            State::Pending,
            State::Sending,
            State::Sent,
            State::Dead,
            State::Digested,
        ]
        .into_iter()
        .find(|s| s.code() == text.trim())
    }
}

/// What a claim takes.
#[derive(Debug, Clone)]
pub struct ClaimSpec<'a> {
    /// Who claims (a dispatcher's unique id); only it may mark the rows afterwards.
    pub owner: &'a str,
    /// The current instant, ms.
    pub now_ms: i64,
    /// How long the claim holds; after that another dispatcher may take the row again.
    pub lease_ms: i64,
    /// Officials whose `digestible` rows wait for their digest and are not claimed.
    pub held_officials: &'a [String],
    /// The route claimed: [`EMAIL`], or a channel's id. Each route is claimed on its own, so
    /// a webhook that is down never holds up email (nor email a webhook).
    pub channel: &'a str,
}

/// Rows another dispatcher may take: pending, or claimed by a dispatcher whose lease expired.
fn claimable(now_ms: i64) -> Condition {
    Condition::any()
        .add(Col::State.eq(State::Pending.code()))
        .add(
            Condition::all()
                .add(Col::State.eq(State::Sending.code()))
                .add(Col::LeaseUntil.lt(now_ms)),
        )
}

fn not_held(held: &[String]) -> Condition {
    if held.is_empty() {
        return Condition::all();
    }
    Condition::any()
        .add(Col::Delivery.ne(Delivery::Digestible.code()))
        .add(Col::Official.is_null())
        .add(Col::Official.is_not_in(held.iter().cloned()))
}

/// The claiming `UPDATE … RETURNING`: the outer condition repeats `claimable` so that a row a
/// concurrent dispatcher took first (between the inner selection and the update) is skipped
/// on both backends; each claim counts as an attempt.
async fn claim_where<C: ConnectionTrait>(
    conn: &C,
    spec: &ClaimSpec<'_>,
    pick: sea_orm::sea_query::SelectStatement,
) -> Result<Vec<OutboxRow>, StoreError> {
    let rows = Outbox::update_many()
        .col_expr(Col::State, Expr::val(State::Sending.code()))
        .col_expr(Col::LeaseOwner, Expr::val(spec.owner))
        .col_expr(Col::LeaseUntil, Expr::val(spec.now_ms + spec.lease_ms))
        .col_expr(
            Col::Attempts,
            sea_orm::sea_query::ExprTrait::add(Expr::col(Col::Attempts), 1),
        )
        .filter(Col::Id.in_subquery(pick))
        .filter(claimable(spec.now_ms))
        .filter(Col::Channel.eq(spec.channel))
        .exec_with_returning(conn)
        .await?;
    Ok(rows)
}

/// Claims up to `limit` rows that are due (`next_attempt_at <= now`, or whose lease
/// expired), oldest due first. Run it outside a long transaction; send afterwards, outside
/// any transaction.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn claim_due<C: ConnectionTrait>(
    conn: &C,
    spec: &ClaimSpec<'_>,
    limit: u64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let pick = sea_orm::sea_query::Query::select()
        .column(Col::Id)
        .from(Outbox)
        .cond_where(
            Condition::all()
                .add(claimable(spec.now_ms))
                .add(Col::Channel.eq(spec.channel))
                .add(
                    Condition::any()
                        .add(Col::NextAttemptAt.lte(spec.now_ms))
                        .add(Col::State.eq(State::Sending.code())),
                )
                .add(not_held(spec.held_officials)),
        )
        .order_by(Col::NextAttemptAt, sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    claim_where(conn, spec, pick).await
}

/// Claims exactly these rows if they are still claimable (for an operator's flush, which
/// ignores retry delays) and on the spec's route. Rows claimed meanwhile by another
/// dispatcher are skipped.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn claim_ids<C: ConnectionTrait>(
    conn: &C,
    spec: &ClaimSpec<'_>,
    ids: &[Uuid],
) -> Result<Vec<OutboxRow>, StoreError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let pick = sea_orm::sea_query::Query::select()
        .column(Col::Id)
        .from(Outbox)
        .and_where(Col::Id.is_in(ids.iter().copied()))
        .to_owned();
    claim_where(conn, spec, pick).await
}

/// The ids of every row an operator's flush would attempt now, whatever its retry delay:
/// pending (or with an expired lease) and not held for a digest, on every route.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn flushable_ids<C: ConnectionTrait>(
    conn: &C,
    now_ms: i64,
    held_officials: &[String],
) -> Result<Vec<Uuid>, StoreError> {
    Ok(Outbox::find()
        .select_only()
        .column(Col::Id)
        .filter(claimable(now_ms))
        .filter(not_held(held_officials))
        .order_by_asc(Col::CreatedAt)
        .order_by_asc(Col::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The attachments of these messages, in the order they were queued.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn attachments_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<Vec<AttachmentRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(
            att::Entity::find()
                .filter(att::Column::MessageId.is_in(chunk.iter().copied()))
                .order_by_asc(att::Column::Id)
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Marks rows sent, if `owner` still holds their claim. Returns how many were marked.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn mark_sent<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    ids: &[Uuid],
    now_ms: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    // Small statements: one packet each (CRATES.md trap 5).
    for chunk in ids.chunks(200) {
        n += Outbox::update_many()
            .col_expr(Col::State, Expr::val(State::Sent.code()))
            .col_expr(Col::SentAt, Expr::val(now_ms))
            .col_expr(Col::LeaseOwner, Expr::val(Option::<String>::None))
            .col_expr(Col::LeaseUntil, Expr::val(Option::<i64>::None))
            .col_expr(Col::LastError, Expr::val(Option::<String>::None))
            .filter(Col::Id.is_in(chunk.iter().copied()))
            .filter(Col::State.eq(State::Sending.code()))
            .filter(Col::LeaseOwner.eq(owner))
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(n)
}

/// Returns a claimed row to the queue, due again at `next_attempt_ms`, recording the error
/// and when it happened (`now_ms`). The claim's attempt stays counted.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn mark_retry<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    id: Uuid,
    next_attempt_ms: i64,
    error: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let failed = Failed { error, now_ms };
    release(
        conn,
        owner,
        id,
        State::Pending,
        Some(next_attempt_ms),
        failed,
    )
    .await
}

/// Dead-letters a claimed row, recording why and when (`now_ms`).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn mark_dead<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    id: Uuid,
    error: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    release(conn, owner, id, State::Dead, None, Failed { error, now_ms }).await
}

/// An error to record on a row, and when it happened.
#[derive(Clone, Copy)]
struct Failed<'a> {
    error: &'a str,
    now_ms: i64,
}

/// Ends `owner`'s claim on row `id` in `state` with the failure (and a new due time, if
/// given); false when `owner` no longer holds the claim.
async fn release<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    id: Uuid,
    state: State,
    next_attempt_ms: Option<i64>,
    failed: Failed<'_>,
) -> Result<bool, StoreError> {
    let mut update = Outbox::update_many()
        .col_expr(Col::State, Expr::val(state.code()))
        .col_expr(Col::LeaseOwner, Expr::val(Option::<String>::None))
        .col_expr(Col::LeaseUntil, Expr::val(Option::<i64>::None))
        .col_expr(Col::LastError, Expr::val(failed.error))
        .col_expr(Col::LastErrorAt, Expr::val(failed.now_ms));
    if let Some(at) = next_attempt_ms {
        update = update.col_expr(Col::NextAttemptAt, Expr::val(at));
    }
    let n = update
        .filter(Col::Id.eq(id))
        .filter(Col::State.eq(State::Sending.code()))
        .filter(Col::LeaseOwner.eq(owner))
        .exec(conn)
        .await?;
    Ok(n.rows_affected == 1)
}

/// Puts a dead (or pending) row back in the queue, due now, with its attempt count reset.
/// Returns false if the row does not exist or is sent, digested or being sent.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn retry<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let n = Outbox::update_many()
        .col_expr(Col::State, Expr::val(State::Pending.code()))
        .col_expr(Col::NextAttemptAt, Expr::val(now_ms))
        .col_expr(Col::Attempts, Expr::val(0))
        .filter(Col::Id.eq(id))
        .filter(Col::State.is_in([State::Dead.code(), State::Pending.code()]))
        .exec(conn)
        .await?;
    Ok(n.rows_affected == 1)
}

/// Pending `digestible` rows of these officials (the items their next digest gathers),
/// oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn pending_digestible<C: ConnectionTrait>(
    conn: &C,
    officials: &[String],
) -> Result<Vec<OutboxRow>, StoreError> {
    if officials.is_empty() {
        return Ok(vec![]);
    }
    Ok(Outbox::find()
        .filter(Col::State.eq(State::Pending.code()))
        .filter(Col::Delivery.eq(Delivery::Digestible.code()))
        .filter(Col::Official.is_in(officials.iter().cloned()))
        .order_by_asc(Col::CreatedAt)
        .order_by_asc(Col::Id)
        .all(conn)
        .await?)
}

/// Marks rows as gathered into a digest (only those still pending). Returns how many.
/// Run it in the transaction that queues the digest itself.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn mark_digested<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    digest_key: &str,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in ids.chunks(200) {
        n += Outbox::update_many()
            .col_expr(Col::State, Expr::val(State::Digested.code()))
            .col_expr(Col::SentAt, Expr::val(now_ms))
            // Gathered items have no channel copies of their own (the digest may).
            .col_expr(Col::FannedOut, Expr::val(true))
            .col_expr(
                Col::LastError,
                Expr::val(format!("gathered into {digest_key}")),
            )
            .filter(Col::Id.is_in(chunk.iter().copied()))
            .filter(Col::State.eq(State::Pending.code()))
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(n)
}
