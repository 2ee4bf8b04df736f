//! The delivery circuit breaker's state, one row per mail route (e.g. `smtp`): consecutive
//! connection failures, the instant delivery is paused until, the cool-down the next trip
//! uses (doubled per trip up to a cap) and why. Kept in the database so every process — the
//! service, `docket mail flush`, another replica — sees one state and `mail status` can show it.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::StoreError;
use crate::entity::delivery_breaker::{self as row, Column as Col, Entity as Breaker};

/// A route's breaker as stored.
pub type BreakerRow = row::Model;

/// How the breaker reacts to failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive connection failures (or timeouts) that pause delivery.
    pub threshold: u32,
    /// The first pause, ms.
    pub cooldown_ms: i64,
    /// The longest pause, ms (the cool-down doubles per trip up to this).
    pub cooldown_max_ms: i64,
}

/// The breaker of `name`, if it ever recorded anything.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn breaker<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> Result<Option<BreakerRow>, StoreError> {
    Ok(Breaker::find_by_id(name.to_string()).one(conn).await?)
}

/// Records `count` connection failures of route `name` at `now_ms` and returns the new state:
/// once the consecutive failures reach the policy's threshold delivery pauses for the
/// current cool-down (a pause under way is not extended) and the next cool-down doubles, up
/// to the cap. Expects a write transaction (begun with [`crate::db::WRITE`]) so that two
/// processes do not lose each other's counts.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn record_failures<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    policy: &BreakerPolicy,
    count: u32,
    now_ms: i64,
    reason: &str,
) -> Result<BreakerRow, StoreError> {
    let old = breaker(conn, name).await?;
    let failures = old
        .as_ref()
        .map_or(0, |b| b.failures)
        .saturating_add(i32::try_from(count).unwrap_or(i32::MAX));
    let mut cooldown = old
        .as_ref()
        .map_or(policy.cooldown_ms, |b| b.cooldown_ms)
        .clamp(1, policy.cooldown_max_ms.max(1));
    let mut paused_until = old.as_ref().and_then(|b| b.paused_until);
    let pausing = paused_until.is_some_and(|t| t > now_ms);
    if !pausing && i64::from(failures) >= i64::from(policy.threshold) {
        paused_until = Some(now_ms.saturating_add(cooldown));
        cooldown = cooldown
            .saturating_mul(2)
            .min(policy.cooldown_max_ms.max(1));
    }
    let new = BreakerRow {
        name: name.to_string(),
        failures,
        paused_until,
        cooldown_ms: cooldown,
        reason: Some(reason.to_string()),
        updated_at: now_ms,
    };
    save(conn, &new).await?;
    Ok(new)
}

/// Closes route `name`'s breaker after a message went through: no failures, no pause, the
/// cool-down back to the policy's first.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn record_success<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    policy: &BreakerPolicy,
    now_ms: i64,
) -> Result<(), StoreError> {
    save(
        conn,
        &BreakerRow {
            name: name.to_string(),
            failures: 0,
            paused_until: None,
            cooldown_ms: policy.cooldown_ms,
            reason: None,
            updated_at: now_ms,
        },
    )
    .await
}

async fn save<C: ConnectionTrait>(conn: &C, b: &BreakerRow) -> Result<(), StoreError> {
    let am = row::ActiveModel {
        name: Set(b.name.clone()),
        failures: Set(b.failures),
        paused_until: Set(b.paused_until),
        cooldown_ms: Set(b.cooldown_ms),
        reason: Set(b.reason.clone()),
        updated_at: Set(b.updated_at),
    };
    Breaker::insert(am)
        .on_conflict(
            OnConflict::column(Col::Name)
                .update_columns([
                    Col::Failures,
                    Col::PausedUntil,
                    Col::CooldownMs,
                    Col::Reason,
                    Col::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
