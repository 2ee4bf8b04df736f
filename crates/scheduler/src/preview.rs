//! `docket schedule preview`: the next firings in office time, each with the calendar's
//! reason for any shift and how many people it would email.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use docket_store::cycles;

use crate::config::ReminderTarget;
use crate::engine::Scheduler;
use crate::error::SchedulerError;

/// One upcoming firing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreviewLine {
    /// Office-time wall clock, `YYYY-MM-DD HH:MM (Mon)`.
    pub local: String,
    /// The instant.
    pub at: DateTime<Utc>,
    /// Schedule name (`deadline` lines are informative: nothing fires).
    pub schedule: String,
    /// Period.
    pub period: String,
    /// Why it moved, e.g. `国庆节: moved to Thu 9 Oct`.
    pub reason: Option<String>,
    /// Reckoned over a year without a calendar table.
    pub provisional: bool,
    /// People it would email if every active project were still to report.
    pub recipients: usize,
}

impl Scheduler {
    /// The firings of the next `weeks` weeks after `now`.
    ///
    /// # Errors
    /// [`SchedulerError::Store`] if the database fails.
    pub async fn preview(
        &self,
        now: DateTime<Utc>,
        weeks: u32,
    ) -> Result<Vec<PreviewLine>, SchedulerError> {
        let to = now + Duration::weeks(i64::from(weeks));
        let cal = self.calendar();
        let tz = self.plan().tz;
        let contacts = cycles::active_contacts(&self.db().conn).await?;
        let core = self.core();
        let owner_count = {
            let mut s = HashSet::new();
            for p in &contacts {
                if let Some(e) = p.contact_email.as_deref().filter(|e| !e.is_empty()) {
                    s.insert(e.to_string());
                }
                for o in core
                    .officials
                    .iter()
                    .filter(|o| o.unit.as_deref() == Some(p.owner_unit.as_str()))
                {
                    s.insert(o.email.clone());
                }
            }
            s.len()
        };
        let responsible_count = {
            let mut s: HashSet<String> = contacts
                .iter()
                .filter_map(|p| {
                    p.responsible_official
                        .as_deref()
                        .and_then(|id| core.official(id))
                        .map(|o| o.email.clone())
                })
                .collect();
            s.insert(core.office.email.clone());
            s.len()
        };
        let mut out = Vec::new();
        let fmt = |t: DateTime<Utc>| {
            t.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M (%a)")
                .to_string()
        };
        for o in self.occurrences(now, to) {
            let (reason, provisional, recipients) = match o.schedule.as_str() {
                "open" | "close" => {
                    let week = docket_domain::period::IsoWeek::parse(&o.period).ok();
                    let t = week.and_then(|w| self.plan().cycle_times(&cal, w));
                    let reason = if o.schedule == "open" {
                        t.as_ref().and_then(|t| t.open_shift.clone())
                    } else {
                        None
                    };
                    let n = if o.schedule == "close" {
                        self.sheet_recipients().len()
                    } else {
                        0
                    };
                    if o.schedule == "open"
                        && let Some(t) = &t
                    {
                        out.push(PreviewLine {
                            local: fmt(t.deadline),
                            at: t.deadline,
                            schedule: "deadline".into(),
                            period: o.period.clone(),
                            reason: t.deadline_shift.clone(),
                            provisional: t.provisional,
                            recipients: 0,
                        });
                    }
                    (reason, t.is_some_and(|t| t.provisional), n)
                }
                "remind" => {
                    let rung = o
                        .period
                        .rsplit("/r")
                        .next()
                        .and_then(|r| r.parse::<usize>().ok())
                        .unwrap_or(1);
                    let target = self.plan().config.reminders.get(rung - 1).map(|r| r.to);
                    let n = if target == Some(ReminderTarget::Responsible) {
                        responsible_count
                    } else {
                        owner_count
                    };
                    (None, false, n)
                }
                "bulletin" => (None, false, core.officials.len() + 1),
                "calendar_alarm" => (
                    Some("next year's calendar table is missing".into()),
                    false,
                    1,
                ),
                _ => (None, false, 0),
            };
            out.push(PreviewLine {
                local: fmt(o.due_at),
                at: o.due_at,
                schedule: o.schedule,
                period: o.period,
                reason,
                provisional,
                recipients,
            });
        }
        out.sort_by_key(|a| a.at);
        Ok(out)
    }
}
