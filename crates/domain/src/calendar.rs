//! The working-day calendar: Chinese statutory holidays and make-up working days (调休).
//!
//! Each year's table comes from the State Council's notice, kept as a TOML file
//! (`config/calendar/YYYY.toml`) or imported later with `docket calendar import`. A year
//! without a table is never silently treated as Monday-to-Friday: [`WorkCalendar::day`]
//! refuses it, and arithmetic that runs into it ([`WorkCalendar::add_workdays`]) falls back
//! to Monday-to-Friday but marks its answer provisional so that callers show and recompute it.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// One year's table as published: holidays (ranges) with the make-up days they bring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    /// The year the table covers.
    pub year: i32,
    /// Where the table comes from (the notice's title and number).
    #[serde(default)]
    pub source: String,
    /// The holidays, each a range of days off with its make-up working days.
    #[serde(default, rename = "holiday")]
    pub holidays: Vec<Holiday>,
}

/// One holiday of a year's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// The Chinese name, e.g. 春节.
    pub name: String,
    /// The English name, e.g. Spring Festival.
    #[serde(default)]
    pub name_en: String,
    /// First day off.
    pub from: NaiveDate,
    /// Last day off (inclusive).
    pub to: NaiveDate,
    /// Weekend days that are working days in exchange (调休).
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

impl CalendarYear {
    /// Parses and checks a year's table.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] naming the holiday and date that is wrong: a range that runs
    /// backwards or leaves the year, a make-up day that is not a weekend day, a day listed twice.
    pub fn from_toml_str(text: &str) -> Result<Self, DomainError> {
        let table: CalendarYear =
            toml::from_str(text).map_err(|e| DomainError::invalid(e.to_string()))?;
        table.validate()?;
        Ok(table)
    }

    fn validate(&self) -> Result<(), DomainError> {
        let mut seen = HashMap::new();
        for (i, h) in self.holidays.iter().enumerate() {
            let at = format!("holiday[{i}] ({})", h.name);
            if h.from > h.to {
                return Err(DomainError::invalid(format!(
                    "{at}: from {} is after to {}",
                    h.from, h.to
                )));
            }
            for d in [h.from, h.to] {
                // A holiday may run over New Year, but must start in its year.
                if h.from.year() != self.year || (d.year() - self.year).abs() > 1 {
                    return Err(DomainError::invalid(format!(
                        "{at}: {d} is not in {}",
                        self.year
                    )));
                }
            }
            for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                if seen.insert(d, ()).is_some() {
                    return Err(DomainError::invalid(format!("{at}: {d} is listed twice")));
                }
            }
            for d in &h.workdays {
                if !is_weekend(*d) {
                    return Err(DomainError::invalid(format!(
                        "{at}: make-up working day {d} is a {}, not a weekend day",
                        d.weekday()
                    )));
                }
                if seen.insert(*d, ()).is_some() {
                    return Err(DomainError::invalid(format!("{at}: {d} is listed twice")));
                }
            }
        }
        Ok(())
    }
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayReason {
    /// An ordinary Monday to Friday.
    Weekday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A statutory holiday.
    Holiday {
        /// Chinese name.
        name: String,
        /// English name.
        name_en: String,
    },
    /// A weekend day worked in exchange for a holiday (调休).
    MakeUpWorkday {
        /// The holiday it makes up for (Chinese).
        name: String,
        /// The holiday it makes up for (English).
        name_en: String,
    },
}

impl DayReason {
    /// A short label in Chinese, e.g. `国庆节` or `国庆节调休上班`.
    pub fn label_zh(&self) -> String {
        match self {
            DayReason::Weekday => "工作日".into(),
            DayReason::Weekend => "周末".into(),
            DayReason::Holiday { name, .. } => name.clone(),
            DayReason::MakeUpWorkday { name, .. } => format!("{name}调休上班"),
        }
    }

    /// A short label in English.
    pub fn label_en(&self) -> String {
        match self {
            DayReason::Weekday => "weekday".into(),
            DayReason::Weekend => "weekend".into(),
            DayReason::Holiday { name_en, name } => {
                if name_en.is_empty() {
                    name.clone()
                } else {
                    name_en.clone()
                }
            }
            DayReason::MakeUpWorkday { name_en, name } => {
                let n = if name_en.is_empty() { name } else { name_en };
                format!("make-up working day ({n})")
            }
        }
    }
}

/// A day looked up in a year that has a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    /// The day.
    pub date: NaiveDate,
    /// Whether people work.
    pub workday: bool,
    /// Why.
    pub reason: DayReason,
}

/// A value computed over the calendar; `provisional` when it ran into a year without a table
/// and Monday-to-Friday was assumed, so it must be shown as such and recomputed later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reckoned<T> {
    /// The computed value.
    pub value: T,
    /// Whether a year without a table was crossed.
    pub provisional: bool,
}

/// The lookup of a year that has no table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no working-day calendar for {year}: import the State Council's table for {year} (docket calendar import FILE)"
)]
pub struct MissingYear {
    /// The year without a table.
    pub year: i32,
}

/// All the years' tables, ready for lookups.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, CalendarYear>,
    special: HashMap<NaiveDate, DayReason>,
    /// The special days in date order, for counting over ranges.
    special_days: Vec<NaiveDate>,
    /// Running sum, per entry of `special_days`, of how each special day changes the
    /// Monday-to-Friday count (+1 a make-up weekend, -1 a weekday holiday), inclusive.
    adjust_sum: Vec<i32>,
}

impl WorkCalendar {
    /// A calendar of the given tables; a later table for the same year replaces an earlier one.
    pub fn new(tables: impl IntoIterator<Item = CalendarYear>) -> Self {
        let mut cal = WorkCalendar::default();
        for t in tables {
            cal.insert(t);
        }
        cal
    }

    /// Adds or replaces one year's table.
    pub fn insert(&mut self, table: CalendarYear) {
        if let Some(old) = self.years.remove(&table.year) {
            self.special.retain(|d, _| !in_table(&old, *d));
        }
        for h in &table.holidays {
            for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                self.special.insert(
                    d,
                    DayReason::Holiday {
                        name: h.name.clone(),
                        name_en: h.name_en.clone(),
                    },
                );
            }
            for d in &h.workdays {
                self.special.insert(
                    *d,
                    DayReason::MakeUpWorkday {
                        name: h.name.clone(),
                        name_en: h.name_en.clone(),
                    },
                );
            }
        }
        self.years.insert(table.year, table);
        self.index_special_days();
    }

    fn index_special_days(&mut self) {
        let mut days: Vec<NaiveDate> = self.special.keys().copied().collect();
        days.sort_unstable();
        let mut sum = 0;
        self.adjust_sum = days
            .iter()
            .map(|d| {
                let workday = matches!(self.special[d], DayReason::MakeUpWorkday { .. });
                sum += i32::from(workday) - i32::from(!is_weekend(*d));
                sum
            })
            .collect();
        self.special_days = days;
    }

    /// How many special days fall in `(from, to]`, and their net change to the
    /// Monday-to-Friday count.
    fn special_in(&self, from: NaiveDate, to: NaiveDate) -> (usize, i32) {
        let lo = self.special_days.partition_point(|d| *d <= from);
        let hi = self.special_days.partition_point(|d| *d <= to);
        if hi <= lo {
            return (0, 0);
        }
        let before = if lo == 0 { 0 } else { self.adjust_sum[lo - 1] };
        (hi - lo, self.adjust_sum[hi - 1] - before)
    }

    /// The years that have a table.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether `year` has a table.
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Looks a day up.
    ///
    /// # Errors
    /// [`MissingYear`] if the day's year has no table.
    pub fn day(&self, date: NaiveDate) -> Result<DayInfo, MissingYear> {
        if !self.has_year(date.year()) {
            // A holiday range that runs over New Year is still known.
            if let Some(reason) = self.special.get(&date) {
                return Ok(info(date, reason.clone()));
            }
            return Err(MissingYear { year: date.year() });
        }
        let reason = self
            .special
            .get(&date)
            .cloned()
            .unwrap_or(if is_weekend(date) {
                DayReason::Weekend
            } else {
                DayReason::Weekday
            });
        Ok(info(date, reason))
    }

    /// Whether `date` is a working day; provisional (Monday to Friday) in a year without a table.
    pub fn is_workday(&self, date: NaiveDate) -> Reckoned<bool> {
        match self.special.get(&date) {
            Some(reason) => Reckoned {
                value: matches!(reason, DayReason::MakeUpWorkday { .. }),
                provisional: false,
            },
            None => Reckoned {
                value: !is_weekend(date),
                provisional: !self.has_year(date.year()),
            },
        }
    }

    /// The first working day strictly after `date`.
    pub fn next_workday(&self, date: NaiveDate) -> Reckoned<NaiveDate> {
        let mut provisional = false;
        let mut d = date;
        loop {
            d = d.succ_opt().unwrap_or(d);
            let w = self.is_workday(d);
            provisional |= w.provisional;
            if w.value {
                return Reckoned {
                    value: d,
                    provisional,
                };
            }
        }
    }

    /// `date` itself if it is a working day, else the next one: how a deadline that falls on a
    /// holiday or weekend is moved.
    pub fn on_or_next_workday(&self, date: NaiveDate) -> Reckoned<NaiveDate> {
        let w = self.is_workday(date);
        if w.value {
            Reckoned {
                value: date,
                provisional: w.provisional,
            }
        } else {
            let n = self.next_workday(date);
            Reckoned {
                value: n.value,
                provisional: n.provisional || w.provisional,
            }
        }
    }

    /// The working day `n` working days after `date` (`date` itself does not count; n = 0
    /// gives `date` moved onto a working day).
    pub fn add_workdays(&self, date: NaiveDate, n: u32) -> Reckoned<NaiveDate> {
        if n == 0 {
            return self.on_or_next_workday(date);
        }
        let mut acc = Reckoned {
            value: date,
            provisional: false,
        };
        for _ in 0..n {
            let next = self.next_workday(acc.value);
            acc = Reckoned {
                value: next.value,
                provisional: acc.provisional || next.provisional,
            };
        }
        acc
    }

    /// The number of working days after `from` up to and including `to` (0 if `to <= from`).
    ///
    /// Counted, not walked: Monday to Friday by arithmetic, corrected by the special days in
    /// the range (binary search), so a limit two years back costs as little as one tomorrow.
    pub fn workdays_between(&self, from: NaiveDate, to: NaiveDate) -> Reckoned<u32> {
        if to <= from {
            return Reckoned {
                value: 0,
                provisional: false,
            };
        }
        let (_, adjust) = self.special_in(from, to);
        let count = weekdays_through(to) - weekdays_through(from) + i64::from(adjust);
        let mut provisional = false;
        for year in from.year()..=to.year() {
            if self.has_year(year) {
                continue;
            }
            let start = NaiveDate::from_ymd_opt(year, 1, 1)
                .and_then(|d| d.pred_opt())
                .map_or(from, |d| d.max(from));
            let end = NaiveDate::from_ymd_opt(year, 12, 31).map_or(to, |d| d.min(to));
            let (special, _) = self.special_in(start, end);
            if (end - start).num_days() > special as i64 {
                provisional = true;
                break;
            }
        }
        Reckoned {
            value: u32::try_from(count.max(0)).unwrap_or(u32::MAX),
            provisional,
        }
    }
}

/// Monday-to-Friday days from 0001-01-01 (a Monday) through `d`.
fn weekdays_through(d: NaiveDate) -> i64 {
    let k = i64::from(d.num_days_from_ce());
    k.div_euclid(7) * 5 + k.rem_euclid(7).min(5)
}

fn info(date: NaiveDate, reason: DayReason) -> DayInfo {
    let workday = match &reason {
        DayReason::Weekday | DayReason::MakeUpWorkday { .. } => true,
        DayReason::Weekend | DayReason::Holiday { .. } => false,
    };
    DayInfo {
        date,
        workday,
        reason,
    }
}

fn in_table(table: &CalendarYear, d: NaiveDate) -> bool {
    table
        .holidays
        .iter()
        .any(|h| (h.from <= d && d <= h.to) || h.workdays.contains(&d))
}

/// Whether a day is a Saturday or Sunday.
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cal_2025() -> WorkCalendar {
        WorkCalendar::new([CalendarYear::from_toml_str(
            r#"
            year = 2025
            [[holiday]]
            name = "国庆节、中秋节"
            name_en = "National Day and Mid-Autumn Festival"
            from = "2025-10-01"
            to = "2025-10-08"
            workdays = ["2025-09-28", "2025-10-11"]
            "#,
        )
        .unwrap()])
    }

    #[test]
    fn make_up_days_count() {
        let cal = cal_2025();
        assert_eq!(cal.add_workdays(d("2025-09-30"), 3).value, d("2025-10-11"));
        assert_eq!(cal.add_workdays(d("2025-09-30"), 10).value, d("2025-10-21"));
        assert!(cal.is_workday(d("2025-09-28")).value);
        assert!(!cal.is_workday(d("2025-10-08")).value);
        assert_eq!(
            cal.workdays_between(d("2025-09-30"), d("2025-10-21")).value,
            10
        );
    }

    #[test]
    fn missing_year_is_refused_or_provisional() {
        let cal = cal_2025();
        assert_eq!(cal.day(d("2027-01-04")), Err(MissingYear { year: 2027 }));
        let r = cal.add_workdays(d("2025-12-30"), 3);
        assert_eq!(r.value, d("2026-01-02"));
        assert!(r.provisional);
        assert!(!cal.add_workdays(d("2025-12-01"), 3).provisional);
    }

    /// The day-by-day walk the counted version must agree with.
    fn walked(cal: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> Reckoned<u32> {
        let (mut value, mut provisional, mut d) = (0, false, from);
        while d < to {
            d = d.succ_opt().unwrap();
            let w = cal.is_workday(d);
            provisional |= w.provisional;
            value += u32::from(w.value);
        }
        Reckoned { value, provisional }
    }

    #[test]
    fn counted_workdays_agree_with_walking_every_day() {
        let mut cal = cal_2025();
        cal.insert(
            CalendarYear::from_toml_str(
                r#"
                year = 2026
                [[holiday]]
                name = "元旦"
                from = "2026-01-01"
                to = "2026-01-03"
                workdays = ["2026-01-04"]
                [[holiday]]
                name = "春节"
                from = "2026-02-15"
                to = "2026-02-23"
                workdays = ["2026-02-14", "2026-02-28"]
                "#,
            )
            .unwrap(),
        );
        let start = d("2024-12-20");
        for a in (0..800).step_by(5) {
            for len in [0, 1, 2, 3, 6, 7, 8, 13, 30, 45, 200, 400] {
                let from = start + chrono::Days::new(a);
                let to = from + chrono::Days::new(len);
                assert_eq!(
                    cal.workdays_between(from, to),
                    walked(&cal, from, to),
                    "{from} → {to}"
                );
                let back = from - chrono::Days::new(len);
                assert_eq!(cal.workdays_between(from, back).value, 0);
            }
        }
    }

    #[test]
    fn bad_tables_are_refused() {
        let bad = r#"
            year = 2025
            [[holiday]]
            name = "x"
            from = "2025-10-01"
            to = "2025-10-02"
            workdays = ["2025-10-09"]
        "#;
        let e = CalendarYear::from_toml_str(bad).unwrap_err().to_string();
        assert!(e.contains("not a weekend day"), "{e}");
    }
}
