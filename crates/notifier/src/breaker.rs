//! The circuit breaker in front of the mail server: after `[mail] breaker_failures`
//! consecutive connection failures or timeouts, the service pauses delivery for a cool-down
//! (`breaker_cooldown_secs`, doubled per trip up to `breaker_cooldown_max_secs`); the first
//! message through closes it. Its state lives in the database (`docket_store::breaker`), so
//! `docket mail status`, `/metrics` and every replica see the same pause.
//!
//! Each channel (group robot, SMS gateway) has a breaker of its own, `channel:{id}`, with
//! the same policy: a webhook that is down pauses only itself.

use chrono::{DateTime, Utc};
use docket_store::breaker;
use docket_store::time::{from_ms, to_ms};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::NotifyError;
use crate::dispatcher::Dispatcher;
use crate::session::ServerNews;

/// The email breaker's name in the database (channels use `channel:{id}`).
pub const ROUTE: &str = "smtp";

/// Where delivery stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryState {
    /// Consecutive connection failures or timeouts so far.
    pub failures: i32,
    /// Delivery is paused until then (only when in the future).
    pub paused_until: Option<DateTime<Utc>>,
    /// The last connection failure, while failures are being counted.
    pub reason: Option<String>,
}

impl DeliveryState {
    /// Whether the service holds delivery back now.
    pub fn is_paused(&self) -> bool {
        self.paused_until.is_some()
    }
}

/// Reads the breaker's state as of `now`.
///
/// # Errors
/// [`NotifyError::Store`] if the database fails.
pub async fn delivery_state<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<DeliveryState, NotifyError> {
    route_state(conn, ROUTE, now).await
}

/// Reads the breaker of `route` (`smtp`, or `channel:{id}`) as of `now`.
///
/// # Errors
/// [`NotifyError::Store`] if the database fails.
pub async fn route_state<C: ConnectionTrait>(
    conn: &C,
    route: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryState, NotifyError> {
    let Some(b) = breaker::breaker(conn, route).await? else {
        return Ok(DeliveryState::default());
    };
    Ok(DeliveryState {
        failures: b.failures,
        paused_until: b.paused_until.filter(|t| *t > to_ms(now)).map(from_ms),
        reason: b.reason,
    })
}

impl Dispatcher {
    /// Where delivery stands now (paused or not, and why).
    ///
    /// # Errors
    /// [`NotifyError::Store`] if the database fails.
    pub async fn delivery_state(&self) -> Result<DeliveryState, NotifyError> {
        delivery_state(&self.inner.db.conn, self.inner.clock.now()).await
    }

    /// Where the route `route` stands now (`smtp`, or `channel:{id}`).
    ///
    /// # Errors
    /// [`NotifyError::Store`] if the database fails.
    pub async fn route_state(&self, route: &str) -> Result<DeliveryState, NotifyError> {
        route_state(&self.inner.db.conn, route, self.inner.clock.now()).await
    }

    /// Tells the breaker what a session learnt: a message through closes it; unreachable
    /// failures count towards (or renew) a pause.
    pub(crate) async fn record_news(
        &self,
        route: &str,
        before: &DeliveryState,
        sent: usize,
        news: &ServerNews,
    ) -> Result<DeliveryState, NotifyError> {
        let inner = &self.inner;
        let policy = &inner.settings.breaker;
        let now = to_ms(inner.clock.now());
        if news.unreachable == 0 && (sent == 0 || (before.failures == 0 && !before.is_paused())) {
            return Ok(before.clone());
        }
        let txn = inner
            .db
            .conn
            .begin_with_options(docket_store::db::WRITE)
            .await?;
        if sent > 0 {
            breaker::record_success(&txn, route, policy, now).await?;
        }
        if news.unreachable > 0 {
            let reason = news.last_reason.as_deref().unwrap_or("unreachable");
            let b = breaker::record_failures(&txn, route, policy, news.unreachable, now, reason)
                .await?;
            if b.paused_until.is_some_and(|t| t > now) && !before.is_paused() {
                tracing::warn!(
                    until = %from_ms(b.paused_until.unwrap_or(now)),
                    failures = b.failures,
                    route,
                    "mail delivery paused: {reason}"
                );
            }
        }
        txn.commit().await?;
        route_state(&inner.db.conn, route, inner.clock.now()).await
    }
}
