//! `docket schedule preview`: the next firings in office time, each with the calendar's
//! reason for any shift and the people it would email — computed by the same recipients
//! function each job queues with ([`crate::jobs`]), so the preview and the outbox agree.

use chrono::{DateTime, Duration, Utc};
use docket_domain::period::IsoWeek;
use docket_store::cycles;

use crate::engine::Scheduler;
use crate::error::SchedulerError;
use crate::jobs::Recipient;
use crate::jobs::alarm::alarm_recipients;
use crate::jobs::close::sheet_recipients;
use crate::jobs::remind::reminder_recipients;

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
    /// Why it moved, e.g. `国庆节，顺延至10月9日（周四）`.
    pub reason: Option<String>,
    /// Reckoned over a year without a calendar table.
    pub provisional: bool,
    /// How many people it would email (reminders: if every active project were still to
    /// report); `names.len()`.
    pub recipients: usize,
    /// Their names, e.g. `孙丽` (an official), an owner unit, or the office: as the emails
    /// are addressed.
    pub names: Vec<String>,
    /// The same people as the office reads them, each once in first-seen order: an official
    /// with the title (`孙丽（市自然资源局局长）`), an owner unit (`高新区管委会×11` when
    /// several of its addresses are emailed), or the office.
    pub people: Vec<String>,
    /// Set while the schedule is paused: who paused it, when and why (the firing will be
    /// skipped, and not caught up after the resume).
    pub paused: Option<String>,
}

/// Each name once, in first-seen order, with `×N` when it came N > 1 times.
fn tally(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for n in names {
        match at.get(&n) {
            Some(&i) => out[i].1 += 1,
            None => {
                at.insert(n.clone(), out.len());
                out.push((n, 1));
            }
        }
    }
    out.into_iter()
        .map(|(n, c)| if c > 1 { format!("{n}×{c}") } else { n })
        .collect()
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
        let names = |list: &[Recipient]| -> Vec<(String, String)> {
            list.iter()
                .map(|r| {
                    let person = match &r.official {
                        Some(id) => self.person(id),
                        None => r.name.clone(),
                    };
                    (r.name.clone(), person)
                })
                .collect()
        };
        let paused_now: Vec<_> = docket_store::schedule_pauses::pauses(&self.db().conn)
            .await?
            .into_iter()
            .filter(|p| p.until.is_none())
            .collect();
        let mut out = Vec::new();
        let fmt = |t: DateTime<Utc>| {
            t.with_timezone(&tz)
                .format("%Y-%m-%d %H:%M (%a)")
                .to_string()
        };
        for o in self.occurrences(now, to) {
            let (reason, provisional, who) = match o.schedule.as_str() {
                "open" | "close" => {
                    let week = IsoWeek::parse(&o.period).ok();
                    let t = week.and_then(|w| self.plan().cycle_times(&cal, w));
                    let reason = if o.schedule == "open" {
                        t.as_ref().and_then(|t| t.open_shift.clone())
                    } else {
                        None
                    };
                    let who = if o.schedule == "close" {
                        names(&sheet_recipients(core))
                    } else {
                        Vec::new()
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
                            names: Vec::new(),
                            people: Vec::new(),
                            paused: None,
                        });
                    }
                    (reason, t.is_some_and(|t| t.provisional), who)
                }
                "remind" => {
                    let rung = o
                        .period
                        .rsplit("/r")
                        .next()
                        .and_then(|r| r.parse::<usize>().ok())
                        .unwrap_or(1);
                    let target = self.reminder_target(rung.saturating_sub(1));
                    let to: Vec<Recipient> = reminder_recipients(core, target, &contacts)
                        .into_iter()
                        .map(|r| r.to)
                        .collect();
                    let who = names(&to);
                    (None, false, who)
                }
                "bulletin" => (None, false, names(&self.bulletin_recipients())),
                "calendar_alarm" => (
                    Some("next year's calendar table is missing".into()),
                    false,
                    names(&alarm_recipients(core)),
                ),
                _ => (None, false, Vec::new()),
            };
            let paused = paused_now
                .iter()
                .find(|p| p.schedule == o.schedule)
                .map(|p| self.pause_text(p));
            out.push(PreviewLine {
                local: fmt(o.due_at),
                at: o.due_at,
                schedule: o.schedule,
                period: o.period,
                reason,
                provisional,
                recipients: who.len(),
                names: who.iter().map(|(n, _)| n.clone()).collect(),
                people: tally(who.into_iter().map(|(_, p)| p)),
                paused,
            });
        }
        out.sort_by_key(|a| a.at);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    // A unit emailed at several addresses is named once with the count; order is kept.
    #[test]
    fn people_are_named_once_with_a_count() {
        let names = [
            "高新区管委会",
            "孙丽（局长）",
            "高新区管委会",
            "高新区管委会",
        ];
        assert_eq!(
            super::tally(names.iter().map(|s| s.to_string())),
            ["高新区管委会×3", "孙丽（局长）"]
        );
    }
}
