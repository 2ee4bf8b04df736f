//! Expanding email rows into channel copies, once.
//!
//! For each email row not yet fanned out (and not held for a digest):
//! - the recipient official's channels get a copy each, keyed `{email key}@{channel}`;
//! - each task force the recipient belongs to (leader, deputies, members) posts it once in
//!   its group: the key is the email's with the recipient (official id or address) replaced
//!   by `*`, so the five emails of an assignment to five members make one post. Issue
//!   messages go only to the group of the task force handling the issue; messages whose
//!   content is personal (`reminder`, `digest`) never go to a group.
//!
//! Copies and the mark on their email rows commit in one transaction; the keys make a
//! re-run (another process, a crash before commit) insert nothing twice.

use docket_domain::config::{CoreConfig, Official, TaskForce};
use docket_store::outbox::{self, ChannelCopy, OutboxRow};
use sea_orm::TransactionTrait;
use serde_json::Value;

use super::{Channel, ChannelKind};
use crate::NotifyError;
use crate::dispatcher::Dispatcher;

/// Email rows expanded per transaction.
const FAN_BATCH: u64 = 500;

/// Kinds whose text is the same for every recipient, so one group post stands for all.
const PERSONAL_KINDS: &[&str] = &["reminder", "digest", "signin"];

impl Dispatcher {
    /// Makes the channel copies of every email row not yet expanded; returns how many copies
    /// were new. Runs before each delivery pass; without channels it only marks the rows.
    ///
    /// # Errors
    /// [`NotifyError::Store`] if the database fails (nothing of that batch is written).
    pub async fn fan_out(&self) -> Result<usize, NotifyError> {
        let inner = &self.inner;
        let held = self.held_officials();
        let mut made = 0;
        loop {
            let rows = outbox::unfanned(&inner.db.conn, &held, FAN_BATCH).await?;
            if rows.is_empty() {
                return Ok(made);
            }
            let copies: Vec<ChannelCopy> = rows
                .iter()
                .flat_map(|r| copies_of(&inner.core, &inner.settings.channels, r))
                .collect();
            let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
            let txn = inner
                .db
                .conn
                .begin_with_options(docket_store::db::WRITE)
                .await?;
            made += outbox::fan_out(&txn, &copies, &ids, self.now_ms()).await?;
            txn.commit().await?;
            if (rows.len() as u64) < FAN_BATCH {
                return Ok(made);
            }
        }
    }
}

/// The channel copies of one email row (none when no channel applies).
pub(crate) fn copies_of(
    core: &CoreConfig,
    channels: &[Channel],
    row: &OutboxRow,
) -> Vec<ChannelCopy> {
    let mut out = Vec::new();
    if channels.is_empty() {
        return out;
    }
    let find = |id: &str| channels.iter().find(|c| c.id == id && c.takes(&row.kind));
    let Some(official) = row.official.as_deref().and_then(|id| core.official(id)) else {
        return out;
    };
    for ch in official.channels.iter().filter_map(|id| find(id)) {
        let to = match ch.kind {
            ChannelKind::Sms => official.phone.clone().unwrap_or_default(),
            _ => ch.name.clone(),
        };
        out.push(copy(
            row,
            ch,
            format!("{}@{}", row.dedupe_key, ch.id),
            to,
            official.name.clone(),
            Some(official.id.clone()),
        ));
    }
    if PERSONAL_KINDS.contains(&row.kind.as_str()) {
        return out;
    }
    let context: Value = serde_json::from_str(&row.context).unwrap_or(Value::Null);
    for tf in core
        .task_forces
        .iter()
        .filter(|tf| concerns(tf, official, &context))
    {
        for ch in tf.channels.iter().filter_map(|id| find(id)) {
            out.push(copy(
                row,
                ch,
                format!("{}@{}", group_key(row), ch.id),
                ch.name.clone(),
                tf.name.clone(),
                None,
            ));
        }
    }
    out
}

/// Whether a message to `official` belongs in `tf`'s group: they are of the task force,
/// and an issue message is about an issue the task force handles.
fn concerns(tf: &TaskForce, official: &Official, context: &Value) -> bool {
    if tf.channels.is_empty() || !tf.everyone().contains(&official.id.as_str()) {
        return false;
    }
    match context.get("issue") {
        None | Some(Value::Null) => true,
        Some(issue) => match issue.get("task_force_id").and_then(Value::as_str) {
            Some(id) => id == tf.id,
            None => issue.get("task_force").and_then(Value::as_str) == Some(tf.name.as_str()),
        },
    }
}

/// The email's key with its recipient (official id or address segment) replaced by `*`:
/// the same for every recipient of one event.
fn group_key(row: &OutboxRow) -> String {
    row.dedupe_key
        .split(':')
        .map(|seg| {
            if Some(seg) == row.official.as_deref() || seg == row.to_email {
                "*"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join(":")
}

fn copy(
    row: &OutboxRow,
    ch: &Channel,
    dedupe_key: String,
    to: String,
    to_name: String,
    official: Option<String>,
) -> ChannelCopy {
    ChannelCopy {
        dedupe_key,
        channel: ch.id.clone(),
        kind: row.kind.clone(),
        to,
        to_name,
        official,
        context: row.context.clone(),
        subject: row.subject.clone(),
        period: row.period.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, official: &str, email: &str) -> OutboxRow {
        OutboxRow {
            id: uuid::Uuid::nil(),
            dedupe_key: key.into(),
            kind: "assignment".into(),
            to_email: email.into(),
            to_name: String::new(),
            official: Some(official.into()),
            context: "{}".into(),
            subject: None,
            text_body: None,
            html_body: None,
            delivery: "immediate".into(),
            period: None,
            state: "pending".into(),
            attempts: 0,
            next_attempt_at: 0,
            lease_until: None,
            lease_owner: None,
            last_error: None,
            last_error_at: None,
            created_at: 0,
            sent_at: None,
            channel: "email".into(),
            fanned_out: false,
        }
    }

    #[test]
    fn group_keys_drop_the_recipient() {
        let a = row("issue:u1:1:assignment:sun_li", "sun_li", "sun@x.cn");
        let b = row("issue:u1:1:assignment:wu_gang", "wu_gang", "wu@x.cn");
        assert_eq!(group_key(&a), "issue:u1:1:assignment:*");
        assert_eq!(group_key(&a), group_key(&b));
        let sheet = row("sheet:2024-W37:sun@x.cn", "sun_li", "sun@x.cn");
        assert_eq!(group_key(&sheet), "sheet:2024-W37:*");
        // An id that is part of another segment is left alone.
        let short = row("assignment:a:a1", "a", "a@x.cn");
        assert_eq!(group_key(&short), "assignment:*:a1");
    }
}
