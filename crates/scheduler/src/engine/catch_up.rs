//! What a tick does with the periods it finds due: each schedule's misfire policy, then the
//! catch-up rules that keep downtime from turning into a burst of email —
//! - at most the latest dispatch sheet and bulletin go out: earlier missed weeks still close
//!   (their cycles must not stay open) but their sheets are recorded as skipped, and earlier
//!   missed bulletins are skipped;
//! - no reminder for a week that closes in the same catch-up (its sheet names who did not
//!   report), nor, at the first start, for a week whose report deadline has passed;
//! - a sheet or bulletin fired more than `catch_up_horizon_hours` after it was due is held
//!   for the office (`docket hold list`) instead of sent.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::{Occurrence, Scheduler, Work};
use crate::config::Misfire;

/// How an occurrence's product goes out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum CatchUp {
    /// On time (or late within the horizon): sent as usual.
    #[default]
    Send,
    /// A missed week closed during catch-up: the cycle closes, its sheet is not sent
    /// (superseded by the period named).
    Quiet(String),
    /// Fired long after it was due: the product is held for the office, with the reason.
    Stale(String),
}

/// Occurrences to fire (each with the earlier periods it supersedes) and to record as
/// skipped (with the reason).
pub(crate) type Decision = (
    Vec<(Occurrence, Vec<Occurrence>)>,
    Vec<(Occurrence, String)>,
);

impl Scheduler {
    /// Applies the misfire policies and catch-up rules to the pending occurrences, by
    /// schedule. `first_start`: this tick made the anchor (no scheduler ever ran here).
    pub(crate) fn decide(
        &self,
        by_schedule: BTreeMap<String, Vec<Occurrence>>,
        now: DateTime<Utc>,
        first_start: bool,
    ) -> Decision {
        let grace = Duration::seconds(i64::from(self.plan.config.misfire_grace_seconds));
        let mut fire: Vec<(Occurrence, Vec<Occurrence>)> = Vec::new();
        let mut skip: Vec<(Occurrence, String)> = Vec::new();
        for (schedule, mut list) in by_schedule {
            list.sort_by_key(|o| o.due_at);
            let policy = match schedule.as_str() {
                // A bulletin is for leaders: never more than the latest missed month.
                "bulletin" if self.policy(&schedule) == Misfire::All => Misfire::Latest,
                _ => self.policy(&schedule),
            };
            match policy {
                Misfire::All if schedule == "close" && list.len() > 1 => {
                    let last = list.last().map(|o| o.period.clone()).unwrap_or_default();
                    let n = list.len();
                    for (i, mut o) in list.into_iter().enumerate() {
                        if i + 1 < n {
                            o.catch_up = CatchUp::Quiet(last.clone());
                        }
                        fire.push((o, Vec::new()));
                    }
                }
                Misfire::All => fire.extend(list.into_iter().map(|o| (o, Vec::new()))),
                Misfire::Latest => {
                    if let Some(last) = list.pop() {
                        fire.push((last, list));
                    }
                }
                Misfire::Skip => {
                    for o in list {
                        if now - o.due_at <= grace {
                            fire.push((o, Vec::new()));
                        } else {
                            skip.push((o, "skipped: misfire policy skip".into()));
                        }
                    }
                }
            }
        }
        let horizon = Duration::hours(i64::from(self.plan.config.catch_up_horizon_hours));
        let cal = self.calendar();
        let mut kept = Vec::with_capacity(fire.len());
        for (mut o, superseded) in fire {
            if let Work::Remind(week, _) = o.work
                && let Some(t) = self.plan.cycle_times(&cal, week)
            {
                let reason = if t.close <= now && now - o.due_at > grace {
                    Some(format!(
                        "skipped: {week} closes in the same catch-up (its sheet names who did not report)"
                    ))
                } else if first_start && t.deadline <= now {
                    Some(format!(
                        "skipped: first start after {week}'s report deadline; no reminders for a past deadline"
                    ))
                } else {
                    None
                };
                if let Some(reason) = reason {
                    // The superseded rungs go with it: none of them is sent either.
                    skip.extend(superseded.into_iter().map(|s| (s, reason.clone())));
                    skip.push((o, reason));
                    continue;
                }
            }
            if matches!(o.work, Work::Close(_) | Work::Bulletin(_))
                && o.catch_up == CatchUp::Send
                && now - o.due_at > horizon
            {
                o.catch_up = CatchUp::Stale(format!(
                    "补发过期：应于 {} 发出，{} 小时后才补发（超过补发时限 {} 小时），请办公室审核后发送或作废",
                    o.due_at
                        .with_timezone(&self.plan.tz)
                        .format("%Y-%m-%d %H:%M"),
                    (now - o.due_at).num_hours(),
                    self.plan.config.catch_up_horizon_hours
                ));
            }
            kept.push((o, superseded));
        }
        (kept, skip)
    }
}
