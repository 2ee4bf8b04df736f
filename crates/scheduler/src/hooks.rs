//! The hooks through which the scheduler reaches work owned by other crates: the monthly
//! bulletin and custom cron jobs. The binary implements and wires them.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use docket_domain::period::Month;
use sea_orm::DatabaseTransaction;

use crate::jobs::Recipient;

/// A boxed future, for hooks.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Builds and queues the monthly bulletin when it falls due. The bulletin crate implements
/// it and the binary wires it; the work must be done in `txn` (it commits with the ledger).
pub trait BulletinHook: Send + Sync {
    /// Builds and queues the bulletin for `month` (the month reported); returns a short
    /// outcome for the ledger, or a message if it failed (the firing then retries next tick).
    fn fire<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        month: Month,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>>;

    /// Who the bulletin is sent to, for `docket schedule preview`; it must be the list
    /// [`BulletinHook::fire`] queues to. Empty when unknown.
    fn recipients(&self) -> Vec<Recipient> {
        Vec::new()
    }
}

/// A custom cron job's work (e.g. the notifier's digests), done in `txn`.
pub trait JobHook: Send + Sync {
    /// Does the job for `period` (its local wall-clock time); returns an outcome or a message.
    fn fire<'a>(
        &'a self,
        txn: &'a DatabaseTransaction,
        job: &'a str,
        period: &'a str,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>>;
}
