//! Business periods: the ISO week of a dispatch cycle and the month of a bulletin.
//!
//! Both are dates in the office's time zone, never instants (CRATES.md trap 2).

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::DomainError;

/// An ISO week, written `YYYY-Www` (e.g. `2024-W37`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    year: i32,
    week: u32,
}

impl IsoWeek {
    /// The ISO week containing `date`.
    pub fn containing(date: NaiveDate) -> Self {
        let w = date.iso_week();
        IsoWeek {
            year: w.year(),
            week: w.week(),
        }
    }

    /// Parses `YYYY-Www` (case-insensitive `W`).
    ///
    /// # Errors
    /// [`DomainError::Invalid`] if malformed or the week does not exist in that year.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::invalid(format!("not an ISO week YYYY-Www: {text:?}"));
        let t = text.trim();
        let (y, w) = t.split_once(['-']).ok_or_else(bad)?;
        let w = w.strip_prefix(['W', 'w']).ok_or_else(bad)?;
        if y.len() != 4 || w.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .ok_or_else(|| DomainError::invalid(format!("week {week} does not exist in {year}")))?;
        Ok(IsoWeek { year, week })
    }

    /// The ISO year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The week number, 1 to 53.
    pub fn week(self) -> u32 {
        self.week
    }

    /// The Monday of the week.
    pub fn monday(self) -> NaiveDate {
        self.day(Weekday::Mon)
    }

    /// The given weekday of this week.
    pub fn day(self, weekday: Weekday) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, weekday)
            .expect("IsoWeek is validated on construction")
    }

    /// The following week.
    pub fn next(self) -> IsoWeek {
        IsoWeek::containing(self.monday() + chrono::Days::new(7))
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// A calendar month, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// A month from its parts.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] unless `month` is 1 to 12 and the year has four digits.
    pub fn new(year: i32, month: u32) -> Result<Self, DomainError> {
        if !(1..=12).contains(&month) {
            return Err(DomainError::invalid(format!(
                "month {month} is not 1 to 12"
            )));
        }
        if !(1000..=9999).contains(&year) {
            return Err(DomainError::invalid(format!(
                "year {year} is not four digits"
            )));
        }
        Ok(Month { year, month })
    }

    /// The month containing `date`.
    pub fn containing(date: NaiveDate) -> Self {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parses `YYYY-MM`.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] if malformed or out of range (e.g. `2024-13`).
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let bad = || DomainError::invalid(format!("not a month YYYY-MM: {text:?}"));
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Month::new(year, month)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("validated month")
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("a day before any month")
    }

    /// The following month.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The preceding month.
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// A sortable integer key, `year * 100 + month` (e.g. 202409), as stored.
    pub fn key(self) -> i32 {
        self.year * 100 + self.month as i32
    }

    /// The month from its stored key.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] if the key is not a valid month.
    pub fn from_key(key: i32) -> Result<Self, DomainError> {
        Month::new(key / 100, (key % 100) as u32)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks() {
        let w = IsoWeek::parse("2024-W37").unwrap();
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2024, 9, 9).unwrap());
        assert_eq!(w.to_string(), "2024-W37");
        assert_eq!(
            IsoWeek::parse("2024-W52").unwrap().next().to_string(),
            "2025-W01"
        );
        assert!(IsoWeek::parse("2024-W54").is_err());
        assert!(IsoWeek::parse("2024-37").is_err());
        assert!(IsoWeek::parse("2020-W53").is_ok());
    }

    #[test]
    fn months() {
        let m = Month::parse("2024-02").unwrap();
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(m.key(), 202402);
        assert_eq!(
            Month::from_key(202412).unwrap().next().to_string(),
            "2025-01"
        );
        assert!(Month::parse("2024-13").is_err());
        assert!(Month::parse("2024-00").is_err());
        assert!(Month::parse("24-01").is_err());
    }
}
