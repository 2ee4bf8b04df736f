//! When things happen: each week's opening, deadline, reminder rungs and closing; each month's
//! bulletin; the calendar alarm; custom cron jobs — computed from the configuration, the
//! working-day calendar and the office's time zone, with no I/O.
//!
//! Local times map to instants by the office's zone: a time that does not exist (a daylight
//! saving gap) fires at the first instant after the gap, a time that occurs twice fires at its
//! first occurrence.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use docket_domain::calendar::WorkCalendar;
use docket_domain::config::ConfigError;
use docket_domain::period::{IsoWeek, Month};

use crate::config::{ReminderTarget, SchedulesConfig, parse_cron, parse_time};

/// The instant of a local wall-clock time in `tz`: the earliest one if it occurs twice, the
/// first instant after the gap if it does not exist.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Walk forward minute by minute (gaps are whole minutes, at most hours long): the
            // first valid minute is where the gap ends.
            let mut t = local
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(local);
            for _ in 0..(24 * 60) {
                t += Duration::minutes(1);
                if let Some(x) = tz.from_local_datetime(&t).earliest() {
                    return x.with_timezone(&Utc);
                }
            }
            local.and_utc()
        }
    }
}

/// The next local wall-clock time strictly after `after_local` matching `schedule`, read as
/// wall-clock time (the zone is applied by [`local_to_utc`]).
pub fn next_local(schedule: &cron::Schedule, after_local: NaiveDateTime) -> Option<NaiveDateTime> {
    schedule
        .after(&after_local.and_utc())
        .next()
        .map(|t| t.naive_utc())
}

/// A weekly schedule's computed times for one ISO week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleTimes {
    /// The week.
    pub week: IsoWeek,
    /// Opening (UTC) and its local day.
    pub open: DateTime<Utc>,
    /// The day it opens.
    pub open_date: NaiveDate,
    /// Why opening moved, e.g. `国庆节，顺延至10月9日（周四）`.
    pub open_shift: Option<String>,
    /// The deadline (UTC).
    pub deadline: DateTime<Utc>,
    /// The deadline's day.
    pub deadline_date: NaiveDate,
    /// Why the deadline moved.
    pub deadline_shift: Option<String>,
    /// Whether the deadline was reckoned over a year without a table.
    pub provisional: bool,
    /// Reminder rungs: (rung index, instant, target); rungs that would fire before opening or
    /// after closing are dropped.
    pub reminders: Vec<(usize, DateTime<Utc>, ReminderTarget)>,
    /// Closing (UTC).
    pub close: DateTime<Utc>,
}

/// The parsed schedule configuration with the zone and calendar it runs on.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The configuration.
    pub config: SchedulesConfig,
    /// The office's zone.
    pub tz: Tz,
    open: cron::Schedule,
    deadline: cron::Schedule,
    rung_times: Vec<NaiveTime>,
    close_at: NaiveTime,
    bulletin_at: NaiveTime,
    alarm_at: NaiveTime,
    alarm_from: (u32, u32),
    /// Custom jobs: (ledger name, action, schedule).
    pub jobs: Vec<(String, String, cron::Schedule)>,
}

impl Plan {
    /// Parses the configuration.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key.
    pub fn new(config: SchedulesConfig, tz: Tz) -> Result<Plan, ConfigError> {
        config.validate()?;
        let rung_times = config
            .reminders
            .iter()
            .enumerate()
            .map(|(i, r)| parse_time(&format!("schedules.reminders[{i}].at"), &r.at))
            .collect::<Result<_, _>>()?;
        let jobs = config
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| {
                Ok((
                    format!("job:{}", j.name),
                    j.action.clone().unwrap_or_else(|| j.name.clone()),
                    parse_cron(&format!("schedules.jobs[{i}].cron"), &j.cron)?,
                ))
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Plan {
            open: parse_cron("schedules.open", &config.open)?,
            deadline: parse_cron("schedules.deadline", &config.deadline)?,
            close_at: parse_time("schedules.close_at", &config.close_at)?,
            bulletin_at: parse_time("schedules.bulletin_at", &config.bulletin_at)?,
            alarm_at: parse_time("schedules.calendar_alarm_at", &config.calendar_alarm_at)?,
            alarm_from: config.alarm_from()?,
            rung_times,
            jobs,
            config,
            tz,
        })
    }

    fn at(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        local_to_utc(self.tz, date.and_time(time))
    }

    /// The first local time of `schedule` in the week.
    fn in_week(schedule: &cron::Schedule, week: IsoWeek) -> Option<NaiveDateTime> {
        let start = week.monday().and_hms_opt(0, 0, 0)? - Duration::seconds(1);
        let t = next_local(schedule, start)?;
        (IsoWeek::containing(t.date()) == week).then_some(t)
    }

    /// The times of `week`'s cycle; `None` when the week has no working day from the opening
    /// weekday on (no cycle that week).
    pub fn cycle_times(&self, cal: &WorkCalendar, week: IsoWeek) -> Option<CycleTimes> {
        let nominal = Self::in_week(&self.open, week)?;
        let sunday = week.day(Weekday::Sun);
        let mut provisional = false;
        let mut open_date = nominal.date();
        loop {
            let w = cal.is_workday(open_date);
            provisional |= w.provisional;
            if w.value {
                break;
            }
            open_date = open_date.succ_opt()?;
            if open_date > sunday {
                return None;
            }
        }
        let open_shift =
            (open_date != nominal.date()).then(|| shift_reason(cal, nominal.date(), open_date));
        let open = self.at(open_date, nominal.time());

        let dl_nominal = Self::in_week(&self.deadline, week).unwrap_or(nominal);
        let moved = cal.on_or_next_workday(dl_nominal.date());
        let min = cal.add_workdays(open_date, 1);
        provisional |= moved.provisional || min.provisional;
        let (deadline_date, deadline_shift) = if moved.value >= min.value {
            let s = (moved.value != dl_nominal.date())
                .then(|| shift_reason(cal, dl_nominal.date(), moved.value));
            (moved.value, s)
        } else {
            (
                min.value,
                Some(format!(
                    "截止不早于开启后一个工作日，顺延至{}",
                    short_date(min.value)
                )),
            )
        };
        let deadline = self.at(deadline_date, dl_nominal.time());

        let close_day = cal.add_workdays(deadline_date, self.config.close_after_workdays);
        provisional |= close_day.provisional;
        let close = self.at(close_day.value, self.close_at).max(deadline);

        let mut reminders = Vec::new();
        for (i, rung) in self.config.reminders.iter().enumerate() {
            let day = match rung.workdays.cmp(&0) {
                std::cmp::Ordering::Equal => deadline_date,
                std::cmp::Ordering::Greater => {
                    cal.add_workdays(deadline_date, rung.workdays as u32).value
                }
                std::cmp::Ordering::Less => {
                    prev_workdays(cal, deadline_date, rung.workdays.unsigned_abs())
                }
            };
            let t = self.at(day, self.rung_times[i]);
            if t > open && t < close {
                reminders.push((i, t, rung.to));
            }
        }
        Some(CycleTimes {
            week,
            open,
            open_date,
            open_shift,
            deadline,
            deadline_date,
            deadline_shift,
            provisional,
            reminders,
            close,
        })
    }

    /// When the bulletin for `month` (the month reported) fires: the configured working day
    /// of the following month, and the reason if a holiday moved it past the plain count.
    pub fn bulletin_time(&self, cal: &WorkCalendar, month: Month) -> (DateTime<Utc>, bool) {
        let day = cal.add_workdays(month.last_day(), self.config.bulletin_workday);
        (self.at(day.value, self.bulletin_at), day.provisional)
    }

    /// The calendar alarm's firings for `year` (which checks next year's table): one per ISO
    /// week from the configured day to the year's end, as (week, instant).
    pub fn alarm_times(&self, year: i32) -> Vec<(IsoWeek, DateTime<Utc>)> {
        let Some(from) = NaiveDate::from_ymd_opt(year, self.alarm_from.0, self.alarm_from.1) else {
            return Vec::new();
        };
        let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(from);
        let mut out = Vec::new();
        let mut d = from;
        while d <= end {
            let week = IsoWeek::containing(d);
            out.push((week, self.at(d, self.alarm_at)));
            d = week.next().monday();
        }
        out
    }

    /// A custom job's firings with local wall-clock time in `(from, to]` (UTC bounds), each
    /// with its period (the local wall-clock time, so a repeated hour fires once).
    pub fn job_times(
        &self,
        schedule: &cron::Schedule,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(String, DateTime<Utc>)> {
        let tz = self.tz;
        // Start a little early in wall-clock terms so a gap-shifted time is not missed.
        let mut local = from.with_timezone(&tz).naive_local() - Duration::hours(3);
        let mut out = Vec::new();
        while let Some(n) = next_local(schedule, local) {
            let at = local_to_utc(tz, n);
            if at > to {
                break;
            }
            if at > from
                && out
                    .last()
                    .is_none_or(|(p, _): &(String, DateTime<Utc>)| *p != fmt_local(n))
            {
                out.push((fmt_local(n), at));
            }
            local = n;
            if out.len() > 100_000 {
                break;
            }
        }
        out
    }
}

fn fmt_local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// The working day `n` working days before `date`.
pub fn prev_workdays(cal: &WorkCalendar, date: NaiveDate, n: u32) -> NaiveDate {
    let mut d = date;
    let mut left = n;
    let mut guard = 0;
    while left > 0 && guard < 400 {
        d = d.pred_opt().unwrap_or(d);
        guard += 1;
        if cal.is_workday(d).value {
            left -= 1;
        }
    }
    d
}

/// `10月9日（周四）`.
pub fn short_date(d: NaiveDate) -> String {
    const DAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    format!(
        "{}月{}日（周{}）",
        d.month(),
        d.day(),
        DAYS[d.weekday().num_days_from_monday() as usize]
    )
}

/// `国庆节，顺延至10月9日（周四）`: the calendar's reason for the nominal day, and where it
/// went.
pub fn shift_reason(cal: &WorkCalendar, nominal: NaiveDate, moved: NaiveDate) -> String {
    let why = match cal.day(nominal) {
        Ok(info) => info.reason.label_zh(),
        Err(e) => format!("{}年无日历（按周一至周五暂定）", e.year),
    };
    format!("{why}，顺延至{}", short_date(moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paris_sunday_half_past_two_fires_once_a_week_across_both_transitions() {
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let plan = Plan::new(SchedulesConfig::default(), tz).unwrap();
        let s = parse_cron("x", "0 30 2 * * Sun").unwrap();
        // Spring: 2024-03-31 02:30 does not exist (02:00 -> 03:00, 01:00 UTC).
        let from = Utc.with_ymd_and_hms(2024, 3, 20, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2024, 4, 10, 0, 0, 0).unwrap();
        let got = plan.job_times(&s, from, to);
        let at: Vec<String> = got.iter().map(|(_, t)| t.to_rfc3339()).collect();
        assert_eq!(
            at,
            [
                "2024-03-24T01:30:00+00:00",
                "2024-03-31T01:00:00+00:00",
                "2024-04-07T00:30:00+00:00"
            ]
        );
        // Autumn: 2024-10-27 02:30 occurs twice; the first is 00:30 UTC.
        let from = Utc.with_ymd_and_hms(2024, 10, 20, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2024, 11, 5, 0, 0, 0).unwrap();
        let at: Vec<String> = plan
            .job_times(&s, from, to)
            .iter()
            .map(|(_, t)| t.to_rfc3339())
            .collect();
        assert_eq!(
            at,
            [
                "2024-10-20T00:30:00+00:00",
                "2024-10-27T00:30:00+00:00",
                "2024-11-03T01:30:00+00:00"
            ]
        );
    }
}
