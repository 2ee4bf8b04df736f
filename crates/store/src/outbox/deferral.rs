//! Handing a claimed row back without counting the attempt: the mail server was unreachable
//! (refused, timed out, 421) or an operator's flush met a transient refusal, which says
//! nothing about the message; or the session stopped before the row was tried. The claim's
//! attempt is taken back, so only permanent refusals and the service's own backoff schedule
//! move a message towards the dead letters.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::State;
use crate::StoreError;
use crate::entity::outbox::{Column as Col, Entity as Outbox};

/// Returns `owner`'s claimed row `id` to the queue with its attempt count as before the
/// claim and its due time unchanged, recording `error` and when (`now_ms`). False when
/// `owner` no longer holds the claim.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn mark_deferred<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    id: Uuid,
    error: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let n = Outbox::update_many()
        .col_expr(Col::State, Expr::val(State::Pending.code()))
        .col_expr(Col::LeaseOwner, Expr::val(Option::<String>::None))
        .col_expr(Col::LeaseUntil, Expr::val(Option::<i64>::None))
        .col_expr(Col::Attempts, attempt_taken_back())
        .col_expr(Col::LastError, Expr::val(error))
        .col_expr(Col::LastErrorAt, Expr::val(now_ms))
        .filter(Col::Id.eq(id))
        .filter(Col::State.eq(State::Sending.code()))
        .filter(Col::LeaseOwner.eq(owner))
        .exec(conn)
        .await?;
    Ok(n.rows_affected == 1)
}

/// Returns `owner`'s claimed rows that were never tried to the queue, as they were before
/// the claim (attempts, due time and last error unchanged). Returns how many.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn release_untried<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    ids: &[Uuid],
) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in ids.chunks(200) {
        n += Outbox::update_many()
            .col_expr(Col::State, Expr::val(State::Pending.code()))
            .col_expr(Col::LeaseOwner, Expr::val(Option::<String>::None))
            .col_expr(Col::LeaseUntil, Expr::val(Option::<i64>::None))
            .col_expr(Col::Attempts, attempt_taken_back())
            .filter(Col::Id.is_in(chunk.iter().copied()))
            .filter(Col::State.eq(State::Sending.code()))
            .filter(Col::LeaseOwner.eq(owner))
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(n)
}

/// `attempts - 1`, never below zero (the claim added one).
fn attempt_taken_back() -> Expr {
    Expr::case(
        Expr::col(Col::Attempts).gt(0),
        Expr::col(Col::Attempts).sub(1),
    )
    .finally(0)
    .into()
}
