//! `[schedules]`: when the weekly cycle opens, the report deadline, the reminder ladder,
//! closing, the monthly bulletin, the calendar alarm and any custom cron jobs — all in the
//! office's time zone, all shifted by the working-day calendar where the rules say so.
//!
//! Cron strings use the `cron` crate's syntax: 6 or 7 fields, seconds first. Its numeric
//! day-of-week counts 1 = Sunday (CRATES.md trap 6), so validation refuses numbers in that
//! field and asks for day names (`Mon`, `Tue-Fri`).

use std::str::FromStr;

use chrono::NaiveTime;
use docket_domain::config::ConfigError;
use serde::{Deserialize, Serialize};

/// What to do with periods missed while no scheduler ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Misfire {
    /// One run for the most recent missed period; older ones are recorded as skipped.
    Latest,
    /// Every missed period runs, oldest first.
    All,
    /// Missed periods are recorded as skipped; only on-time periods run.
    Skip,
}

/// Who a reminder rung goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderTarget {
    /// The project's contact email and the officials of its owner unit.
    Owner,
    /// The responsible official, with the office in copy (a separate message to each).
    Responsible,
}

/// One rung of the reminder ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// Working days relative to the deadline's day: -1 the working day before, 0 the
    /// deadline's day, 1 the working day after.
    pub workdays: i32,
    /// Time of day, `HH:MM`.
    pub at: String,
    /// Recipients.
    pub to: ReminderTarget,
}

/// Misfire policy per built-in schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MisfirePolicies {
    /// Opening cycles (default `all`: no week is lost to downtime).
    pub open: Misfire,
    /// The reminder ladder (default `latest`: one consolidated reminder, never a burst).
    pub remind: Misfire,
    /// Closing with the dispatch sheet (default `all`: every missed week closes, but only the
    /// latest week's sheet is sent; the earlier sheets are recorded as skipped).
    pub close: Misfire,
    /// The monthly bulletin (default `latest`; at most the latest missed month is sent
    /// whatever the policy, the earlier ones are recorded as skipped).
    pub bulletin: Misfire,
    /// The missing-calendar alarm (default `latest`).
    pub calendar_alarm: Misfire,
}

impl Default for MisfirePolicies {
    fn default() -> Self {
        MisfirePolicies {
            open: Misfire::All,
            remind: Misfire::Latest,
            close: Misfire::All,
            bulletin: Misfire::Latest,
            calendar_alarm: Misfire::Latest,
        }
    }
}

/// A custom cron job: fires the hook registered under `action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobConfig {
    /// Unique name (the ledger's schedule name is `job:NAME`).
    pub name: String,
    /// Cron expression, seconds first, day names for day-of-week.
    pub cron: String,
    /// The hook to call (default: the name).
    #[serde(default)]
    pub action: Option<String>,
    /// Misfire policy (default `latest`).
    #[serde(default = "latest")]
    pub misfire: Misfire,
}

fn latest() -> Misfire {
    Misfire::Latest
}

/// The `[schedules]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulesConfig {
    /// Opening: a weekly cron; on a holiday the cycle opens on the week's next working day.
    pub open: String,
    /// The report deadline: a weekly cron; moved to the next working day and never less than
    /// one working day after opening.
    pub deadline: String,
    /// The reminder ladder.
    pub reminders: Vec<Rung>,
    /// Closing: this many working days after the deadline's day (the grace) …
    pub close_after_workdays: u32,
    /// … at this time of day, `HH:MM`.
    pub close_at: String,
    /// The monthly bulletin fires on this working day of the month (1 = first) …
    pub bulletin_workday: u32,
    /// … at this time, `HH:MM`.
    pub bulletin_at: String,
    /// From this day (`MM-DD`) on, a missing table for next year raises an alarm weekly.
    pub calendar_alarm_from: String,
    /// Time of day of the alarm, `HH:MM`.
    pub calendar_alarm_at: String,
    /// How long a leader's lease lasts without renewal, in seconds.
    pub lease_seconds: u32,
    /// How often `docket run` ticks, in seconds.
    pub tick_seconds: u32,
    /// How far back missed periods are caught up after downtime, in days.
    pub catch_up_days: u32,
    /// A product (dispatch sheet, bulletin) fired more than this many hours after it was due
    /// (after downtime) is held for the office instead of sent (`docket hold list`).
    pub catch_up_horizon_hours: u32,
    /// Under the `skip` policy, a firing this many seconds late still counts as on time.
    pub misfire_grace_seconds: u32,
    /// Misfire policy per schedule.
    pub misfire: MisfirePolicies,
    /// Custom cron jobs.
    pub jobs: Vec<JobConfig>,
}

impl Default for SchedulesConfig {
    fn default() -> Self {
        SchedulesConfig {
            open: "0 0 9 * * Mon".into(),
            deadline: "0 0 17 * * Wed".into(),
            reminders: vec![
                Rung {
                    workdays: -1,
                    at: "09:00".into(),
                    to: ReminderTarget::Owner,
                },
                Rung {
                    workdays: 0,
                    at: "09:00".into(),
                    to: ReminderTarget::Owner,
                },
                Rung {
                    workdays: 1,
                    at: "09:00".into(),
                    to: ReminderTarget::Responsible,
                },
            ],
            close_after_workdays: 2,
            close_at: "09:00".into(),
            bulletin_workday: 5,
            bulletin_at: "09:00".into(),
            calendar_alarm_from: "11-01".into(),
            calendar_alarm_at: "09:00".into(),
            lease_seconds: 60,
            tick_seconds: 15,
            catch_up_days: 35,
            catch_up_horizon_hours: 72,
            misfire_grace_seconds: 300,
            misfire: MisfirePolicies::default(),
            jobs: Vec::new(),
        }
    }
}

/// Parses a cron string, refusing a numeric day-of-week field.
///
/// # Errors
/// [`ConfigError`] on `key`.
pub fn parse_cron(key: &str, text: &str) -> Result<cron::Schedule, ConfigError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if !(6..=7).contains(&fields.len()) {
        return Err(ConfigError::new(
            key,
            format!(
                "{text:?} has {} fields; write 6 or 7, seconds first (e.g. \"0 0 9 * * Mon\")",
                fields.len()
            ),
        ));
    }
    let dow = fields[5];
    if dow.chars().any(|c| c.is_ascii_digit()) {
        return Err(ConfigError::new(
            key,
            format!(
                "day-of-week field {dow:?} is numeric; the cron crate counts 1 = Sunday, so write day names (Mon, Tue-Fri, …)"
            ),
        ));
    }
    cron::Schedule::from_str(text)
        .map_err(|e| ConfigError::new(key, format!("bad cron expression {text:?}: {e}")))
}

/// Parses `HH:MM`.
///
/// # Errors
/// [`ConfigError`] on `key`.
pub fn parse_time(key: &str, text: &str) -> Result<NaiveTime, ConfigError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| ConfigError::new(key, format!("{text:?} is not a time of day HH:MM")))
}

impl SchedulesConfig {
    /// Checks every key.
    ///
    /// # Errors
    /// The first [`ConfigError`], naming its key (e.g. `schedules.open`, `schedules.jobs[2].cron`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        parse_cron("schedules.open", &self.open)?;
        parse_cron("schedules.deadline", &self.deadline)?;
        for (i, r) in self.reminders.iter().enumerate() {
            parse_time(&format!("schedules.reminders[{i}].at"), &r.at)?;
            if !(-5..=5).contains(&r.workdays) {
                return Err(ConfigError::new(
                    format!("schedules.reminders[{i}].workdays"),
                    "must be -5 to 5",
                ));
            }
        }
        parse_time("schedules.close_at", &self.close_at)?;
        parse_time("schedules.bulletin_at", &self.bulletin_at)?;
        parse_time("schedules.calendar_alarm_at", &self.calendar_alarm_at)?;
        if !(1..=15).contains(&self.bulletin_workday) {
            return Err(ConfigError::new(
                "schedules.bulletin_workday",
                "must be 1 to 15",
            ));
        }
        if self.close_after_workdays > 10 {
            return Err(ConfigError::new(
                "schedules.close_after_workdays",
                "must be 0 to 10",
            ));
        }
        self.alarm_from()?;
        if self.lease_seconds < 5 {
            return Err(ConfigError::new(
                "schedules.lease_seconds",
                "must be at least 5",
            ));
        }
        if self.tick_seconds == 0 || self.tick_seconds * 2 > self.lease_seconds {
            return Err(ConfigError::new(
                "schedules.tick_seconds",
                "must be at least 1 and at most half of lease_seconds",
            ));
        }
        if self.catch_up_days == 0 || self.catch_up_days > 366 {
            return Err(ConfigError::new(
                "schedules.catch_up_days",
                "must be 1 to 366",
            ));
        }
        if self.catch_up_horizon_hours == 0 || self.catch_up_horizon_hours > 8784 {
            return Err(ConfigError::new(
                "schedules.catch_up_horizon_hours",
                "must be 1 to 8784 (a year)",
            ));
        }
        let mut names = std::collections::HashSet::new();
        for (i, j) in self.jobs.iter().enumerate() {
            if j.name.trim().is_empty() || !names.insert(j.name.as_str()) {
                return Err(ConfigError::new(
                    format!("schedules.jobs[{i}].name"),
                    "must be non-empty and unique",
                ));
            }
            parse_cron(&format!("schedules.jobs[{i}].cron"), &j.cron)?;
        }
        Ok(())
    }

    /// The alarm's start day as (month, day).
    ///
    /// # Errors
    /// [`ConfigError`] on `schedules.calendar_alarm_from`.
    pub fn alarm_from(&self) -> Result<(u32, u32), ConfigError> {
        let bad = || {
            ConfigError::new(
                "schedules.calendar_alarm_from",
                format!("{:?} is not MM-DD", self.calendar_alarm_from),
            )
        };
        let (m, d) = self.calendar_alarm_from.split_once('-').ok_or_else(bad)?;
        let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        chrono::NaiveDate::from_ymd_opt(2023, m, d).ok_or_else(bad)?;
        Ok((m, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_day_of_week_is_refused_naming_the_key() {
        let e = parse_cron("schedules.open", "0 0 9 * * 1").unwrap_err();
        assert_eq!(e.key, "schedules.open");
        assert!(e.reason.contains("1 = Sunday"), "{e}");
        assert!(parse_cron("schedules.open", "0 0 9 * * Mon").is_ok());
        assert!(parse_cron("x", "0 9 * * Mon").is_err());
        SchedulesConfig::default().validate().unwrap();
        let c = SchedulesConfig {
            jobs: vec![JobConfig {
                name: "a".into(),
                cron: "0 30 2 * * 0".into(),
                action: None,
                misfire: Misfire::All,
            }],
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().key, "schedules.jobs[0].cron");
    }
}
