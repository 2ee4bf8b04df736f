//! Digests: an official who chose `daily` or `weekly` delivery gets one email listing their
//! pending `digestible` items, on working days only (weekly: the week's first working day).
//! Immediate rows (assignments, escalations, bulletins) never wait for a digest.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use docket_domain::config::DigestMode;
use docket_store::outbox::{self, Delivery, NewMessage};
use sea_orm::TransactionTrait;

use crate::{Dispatcher, NotifyError};

impl Dispatcher {
    /// Queues the digests due on `date` (office-local): one `digest` row per official in
    /// daily mode with pending items, and per weekly official when `date` is the first
    /// working day of its ISO week. The gathered rows become `digested` in the same
    /// transaction. Nothing happens on a day off. Safe to call again the same day (the
    /// digest's dedupe key is `digest:{official}:{date}`). Returns how many digests were queued.
    ///
    /// # Errors
    /// [`NotifyError::Calendar`] if `date`'s year has no working-day table;
    /// [`NotifyError::Store`] if the database fails.
    pub async fn queue_digests(&self, date: NaiveDate) -> Result<usize, NotifyError> {
        let inner = &self.inner;
        if !inner.calendar.day(date)?.workday {
            return Ok(0);
        }
        let monday =
            date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()));
        let mut first_of_week = true;
        for d in monday.iter_days().take_while(|d| *d < date) {
            if inner.calendar.day(d)?.workday {
                first_of_week = false;
            }
        }
        let due: Vec<String> = inner
            .officials
            .iter()
            .filter(|o| match o.digest {
                DigestMode::Immediate => false,
                DigestMode::Daily => true,
                DigestMode::Weekly => first_of_week,
            })
            .map(|o| o.id.clone())
            .collect();
        let rows = outbox::pending_digestible(&inner.db.conn, &due).await?;
        let mut by_official: BTreeMap<String, Vec<outbox::OutboxRow>> = BTreeMap::new();
        for r in rows {
            if let Some(o) = r.official.clone() {
                by_official.entry(o).or_default().push(r);
            }
        }
        let now = self.now_ms();
        let mut queued = 0;
        for (official_id, items) in by_official {
            let Some(official) = inner.officials.iter().find(|o| o.id == official_id) else {
                continue;
            };
            let listed: Vec<serde_json::Value> = items
                .iter()
                .map(|r| {
                    let subject = match &r.subject {
                        Some(s) => s.clone(),
                        None => inner
                            .context_for(r)
                            .and_then(|c| inner.templates.render(&r.kind, &c))
                            .map(|x| x.subject)
                            .unwrap_or_else(|_| r.kind.clone()),
                    };
                    serde_json::json!({
                        "kind": r.kind,
                        "subject": subject,
                        "period": r.period,
                        "queued_at": docket_store::time::from_ms(r.created_at)
                            .with_timezone(&inner.tz)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    })
                })
                .collect();
            let key = format!("digest:{official_id}:{date}");
            let mode = match official.digest {
                DigestMode::Weekly => "weekly",
                _ => "daily",
            };
            let msg = NewMessage {
                dedupe_key: key.clone(),
                kind: "digest".into(),
                to_email: official.email.clone(),
                to_name: official.name.clone(),
                official: Some(official_id.clone()),
                context: serde_json::json!({
                    "official": { "id": official.id, "name": official.name, "title": official.title },
                    "date": date.to_string(),
                    "mode": mode,
                    "count": listed.len(),
                    "items": listed,
                }),
                subject: None,
                text_body: None,
                html_body: None,
                delivery: Delivery::Immediate,
                period: Some(date.to_string()),
                attachments: vec![],
            };
            let txn = inner
                .db
                .conn
                .begin_with_options(docket_store::db::WRITE)
                .await?;
            let n = outbox::enqueue(&txn, &[msg], now).await?;
            if n == 0 {
                // Today's digest is already queued; later items wait for the next one.
                txn.rollback().await?;
                continue;
            }
            let ids: Vec<uuid::Uuid> = items.iter().map(|r| r.id).collect();
            let marked = outbox::mark_digested(&txn, &ids, &key, now).await?;
            if marked as usize != ids.len() {
                // Another process gathered or sent some meanwhile: try again next time.
                txn.rollback().await?;
                continue;
            }
            txn.commit().await?;
            queued += 1;
        }
        Ok(queued)
    }
}
