//! When API bearer tokens were last used, recorded in batches off the request path.
//!
//! Accepting a token is one read; recording its use (`last_used_at`, to the minute) would be a
//! write and a commit of its own on every first request of a minute — on PostgreSQL a WAL
//! flush per request when 5,000 owners each submit once. Instead a request notes the use
//! here and one statement a second ([`FLUSH_AFTER`]) records every use noted meanwhile, with
//! the latest instant noted (so a recorded use may be up to that second late). `docket run`
//! flushes what is left when it stops. Revocation and expiry are unaffected: every request
//! still reads its token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use docket_store::Db;
use uuid::Uuid;

use crate::error::AppResult;

/// How long a noted use waits for others to be recorded with it.
pub const FLUSH_AFTER: Duration = Duration::from_secs(1);

/// Token uses noted and not yet recorded (cheap to share; one per [`crate::App`]).
#[derive(Debug, Default)]
pub struct TokenUses {
    pending: Mutex<Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    /// Token id → the latest use noted.
    uses: HashMap<Uuid, DateTime<Utc>>,
    /// Whether a flush is already waiting to run.
    scheduled: bool,
}

impl TokenUses {
    /// Notes a use of token `id` at `now`; the first use noted after a flush schedules the
    /// next one ([`FLUSH_AFTER`] later, on the current Tokio runtime). Outside a runtime
    /// the use stays noted for the next [`TokenUses::flush`].
    pub fn note(self: &Arc<Self>, db: &Db, id: Uuid, now: DateTime<Utc>) {
        let schedule = {
            let mut p = self.lock();
            let at = p.uses.entry(id).or_insert(now);
            *at = (*at).max(now);
            !std::mem::replace(&mut p.scheduled, true)
        };
        if !schedule {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.lock().scheduled = false;
            return;
        };
        let (uses, db) = (self.clone(), db.clone());
        rt.spawn(async move {
            tokio::time::sleep(FLUSH_AFTER).await;
            if let Err(e) = uses.flush(&db).await {
                // A lost "last used" time is no reason to fail anyone's request.
                tracing::warn!(error = %e, "recording API token uses failed");
            }
        });
    }

    /// Records every use noted so far, in one statement per thousand tokens.
    ///
    /// # Errors
    /// Unexpected if the database fails (the uses are then dropped: they are only a hint).
    pub async fn flush(&self, db: &Db) -> AppResult {
        let (ids, latest) = {
            let mut p = self.lock();
            p.scheduled = false;
            let uses = std::mem::take(&mut p.uses);
            let latest = uses.values().max().copied();
            (uses.into_keys().collect::<Vec<_>>(), latest)
        };
        let Some(latest) = latest else {
            return Ok(());
        };
        docket_auth::tokens::record_uses(&db.conn, &ids, latest).await?;
        Ok(())
    }

    /// How many tokens have a use noted and not yet recorded.
    pub fn pending(&self) -> usize {
        self.lock().uses.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
