//! The `calendar_alarm` job: when next year's working-day table is missing, emails the
//! office (rendered from the `calendar_alarm` template) so it imports the State Council's
//! holiday arrangement before deadlines cross into that year.

use chrono::{DateTime, Utc};
use docket_domain::config::CoreConfig;
use docket_store::outbox::{Delivery, NewMessage, enqueue};
use docket_store::time::to_ms;
use sea_orm::DatabaseTransaction;

use crate::engine::Scheduler;
use crate::error::SchedulerError;
use crate::jobs::{Recipient, office};

/// Who receives the missing-calendar alarm: the office.
pub fn alarm_recipients(core: &CoreConfig) -> Vec<Recipient> {
    vec![office(core)]
}

impl Scheduler {
    /// Queues the alarm for `year` in `txn` unless its table is present.
    pub(crate) async fn alarm_in(
        &self,
        txn: &DatabaseTransaction,
        year: i32,
        period: &str,
        now: DateTime<Utc>,
    ) -> Result<String, SchedulerError> {
        if self.calendar().has_year(year) {
            return Ok(format!("{year} table present"));
        }
        tracing::warn!(
            "the working-day calendar for {year} is missing: import it with `docket calendar import FILE`"
        );
        let msgs: Vec<NewMessage> = alarm_recipients(self.core())
            .into_iter()
            .map(|r| NewMessage {
                dedupe_key: format!("calendar-alarm:{period}"),
                kind: "calendar_alarm".into(),
                to_email: r.email,
                to_name: r.name,
                official: r.official,
                context: serde_json::json!({"year": year}),
                subject: None,
                text_body: None,
                html_body: None,
                delivery: Delivery::Immediate,
                period: Some(period.to_string()),
                attachments: Vec::new(),
            })
            .collect();
        let n = enqueue(txn, &msgs, to_ms(now)).await?;
        Ok(format!("{year} table missing: alarm queued ({n})"))
    }
}
