//! Which occurrences of every schedule fall due in a window: cycles (open, reminders,
//! close) over the working-day calendar, the bulletin, the calendar alarm and custom jobs.

use chrono::{DateTime, Datelike, Duration, Utc};
use docket_domain::period::{IsoWeek, Month};

use super::{Occurrence, Scheduler, Work};

impl Scheduler {
    /// Every occurrence due in `(from, to]`, in due order.
    pub fn occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let cal = self.calendar();
        let tz = self.plan.tz;
        let mut out = Vec::new();
        let mut push = |schedule: &str, period: String, due_at: DateTime<Utc>, work: Work| {
            if due_at > from && due_at <= to {
                out.push(Occurrence {
                    schedule: schedule.into(),
                    period,
                    due_at,
                    work,
                    catch_up: Default::default(),
                });
            }
        };
        let first = from.with_timezone(&tz).date_naive() - Duration::days(21);
        let last = to.with_timezone(&tz).date_naive();
        let mut week = IsoWeek::containing(first);
        while week.monday() <= last {
            if let Some(t) = self.plan.cycle_times(&cal, week) {
                push("open", week.to_string(), t.open, Work::Open(week));
                for (i, at, _) in &t.reminders {
                    push(
                        "remind",
                        format!("{week}/r{}", i + 1),
                        *at,
                        Work::Remind(week, *i),
                    );
                }
                push("close", week.to_string(), t.close, Work::Close(week));
            }
            week = week.next();
        }
        let mut month = Month::containing(first).prev();
        while month.first_day() <= last {
            let (at, _) = self.plan.bulletin_time(&cal, month);
            push("bulletin", month.to_string(), at, Work::Bulletin(month));
            month = month.next();
        }
        for year in first.year()..=last.year() {
            if !cal.has_year(year + 1) {
                for (w, at) in self.plan.alarm_times(year) {
                    push(
                        "calendar_alarm",
                        format!("{}/{w}", year + 1),
                        at,
                        Work::Alarm(year + 1),
                    );
                }
            }
        }
        for (name, action, schedule) in &self.plan.jobs {
            for (period, at) in self.plan.job_times(schedule, from, to) {
                push(name, period, at, Work::Job(action.clone()));
            }
        }
        out.sort_by(|a, b| {
            a.due_at
                .cmp(&b.due_at)
                .then(a.work.rank().cmp(&b.work.rank()))
        });
        out
    }
}
