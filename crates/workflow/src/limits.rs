//! Time limits in working days, and the flags they give: blue (due within a working day),
//! yellow (overdue), red (overdue by more than `[workflow] red_after_days` working days).

use chrono::{DateTime, NaiveDate, Utc};
use docket_domain::calendar::{Reckoned, WorkCalendar};
use docket_domain::issue::{IssueCategory, IssueState};
use serde::Serialize;

use crate::config::Settings;

/// A supervision flag (督办).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Nothing to chase.
    None,
    /// Due within a working day.
    Blue,
    /// Overdue.
    Yellow,
    /// Overdue beyond the configured number of working days.
    Red,
}

impl Flag {
    /// The code shown in lists.
    pub fn code(self) -> &'static str {
        match self {
            Flag::None => "",
            Flag::Blue => "blue",
            Flag::Yellow => "yellow",
            Flag::Red => "red",
        }
    }
}

/// The office's business date at `at`.
pub fn business_date(settings: &Settings, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&settings.tz()).date_naive()
}

/// The accept limit and due date of an issue of `category` assigned on `from`.
pub fn deadlines(
    settings: &Settings,
    calendar: &WorkCalendar,
    category: IssueCategory,
    from: NaiveDate,
) -> (Reckoned<NaiveDate>, Reckoned<NaiveDate>) {
    let (accept, resolve) = settings.workflow.limits_for(category);
    (
        calendar.add_workdays(from, accept),
        calendar.add_workdays(from, resolve),
    )
}

/// The limit that applies now: accepting while `assigned`, resolving while accepted or in
/// progress; none once resolved, closed or withdrawn.
pub fn current_limit(
    state: IssueState,
    accept_due: Option<NaiveDate>,
    due: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match state {
        IssueState::Assigned => accept_due.or(due),
        IssueState::Accepted | IssueState::InProgress => due,
        _ => None,
    }
}

/// Working days overdue on `today` (None if not overdue).
pub fn overdue_days(calendar: &WorkCalendar, limit: NaiveDate, today: NaiveDate) -> Option<u32> {
    (today > limit).then(|| calendar.workdays_between(limit, today).value)
}

/// The flag of an issue with `limit` on `today`.
pub fn flag(
    settings: &Settings,
    calendar: &WorkCalendar,
    limit: Option<NaiveDate>,
    today: NaiveDate,
) -> Flag {
    let Some(limit) = limit else {
        return Flag::None;
    };
    match overdue_days(calendar, limit, today) {
        Some(d) if d > settings.workflow.red_after_days => Flag::Red,
        Some(_) => Flag::Yellow,
        None if calendar.workdays_between(today, limit).value <= 1 => Flag::Blue,
        None => Flag::None,
    }
}

/// The escalation rung an issue overdue by `days` working days has reached (0 to 3).
pub fn rung_reached(settings: &Settings, days: u32) -> i32 {
    settings
        .workflow
        .escalate_after_days
        .iter()
        .filter(|t| days >= **t)
        .count() as i32
}

/// The current limits (inclusive bounds; `None` unbounded) that give `flag` on `today`: how
/// a flag filter becomes a date range the database can apply. `Flag::None` matches issues
/// without a limit too, so it has no range (`None`).
pub fn flag_range(
    settings: &Settings,
    calendar: &WorkCalendar,
    flag: Flag,
    today: NaiveDate,
) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    // The flags change with the limit one way only (an earlier limit is never less overdue),
    // so each boundary is found by stepping a day at a time from `today`; a few weeks at most.
    let last_red = || {
        let mut d = today.pred_opt()?;
        while calendar.workdays_between(d, today).value <= settings.workflow.red_after_days {
            d = d.pred_opt()?;
        }
        Some(d)
    };
    let last_blue = || {
        let mut d = today;
        while let Some(next) = d.succ_opt() {
            if calendar.workdays_between(today, next).value > 1 {
                break;
            }
            d = next;
        }
        d
    };
    match flag {
        Flag::None => None,
        Flag::Red => Some((None, Some(last_red()?))),
        Flag::Yellow => Some((
            last_red().and_then(|d| d.succ_opt()),
            Some(today.pred_opt()?),
        )),
        Flag::Blue => Some((Some(today), Some(last_blue()))),
    }
}
