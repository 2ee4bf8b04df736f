//! The bulletin's periods: its running issue number, its data cut-off, and the ISO weeks
//! whose reports count for a month.

use chrono::{Datelike, NaiveDate, Weekday};
use docket_domain::period::{IsoWeek, Month};

use crate::config::{BulletinConfig, Numbering};
use crate::error::BulletinError;

/// The running issue number of `month`'s bulletin.
///
/// # Errors
/// [`BulletinError::BeforeFirstIssue`] for a month before the configured first one.
pub fn issue_number(
    cfg: &BulletinConfig,
    january_bulletin: bool,
    month: Month,
) -> Result<i64, BulletinError> {
    // Bulletins per year: 12, or 11 when January goes with February.
    let index_in_year = |m: Month| -> i64 {
        if january_bulletin {
            i64::from(m.month())
        } else {
            i64::from(m.month()).max(2) - 1
        }
    };
    let per_year = if january_bulletin { 12 } else { 11 };
    let first = i64::from(cfg.first_number);
    match cfg.numbering {
        Numbering::Yearly => Ok(first + index_in_year(month) - 1),
        Numbering::Continuous => {
            let start = cfg
                .first_month
                .as_deref()
                .and_then(|m| Month::parse(m).ok())
                .unwrap_or(month);
            let ord = |m: Month| i64::from(m.year()) * per_year + index_in_year(m);
            if ord(month) < ord(start) {
                return Err(BulletinError::BeforeFirstIssue {
                    month: month.to_string(),
                    first: start.to_string(),
                });
            }
            Ok(first + ord(month) - ord(start))
        }
    }
}

/// The data cut-off date: the month's last day, or day `cutoff_day` of the next month.
pub fn cutoff_date(cfg: &BulletinConfig, month: Month) -> NaiveDate {
    if cfg.cutoff_day == 0 {
        month.last_day()
    } else {
        let n = month.next();
        NaiveDate::from_ymd_opt(n.year(), n.month(), cfg.cutoff_day).unwrap_or_else(|| n.last_day())
    }
}

/// The ISO week whose Thursday is the first Thursday on or after `d`.
pub(super) fn first_week_from(d: NaiveDate) -> IsoWeek {
    let mut x = d;
    while x.weekday() != Weekday::Thu {
        x = x.succ_opt().unwrap_or(x);
    }
    IsoWeek::containing(x)
}

/// The ISO week whose Thursday is the last Thursday on or before `d`.
pub(super) fn last_week_to(d: NaiveDate) -> IsoWeek {
    let mut x = d;
    while x.weekday() != Weekday::Thu {
        x = x.pred_opt().unwrap_or(x);
    }
    IsoWeek::containing(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers() {
        let cfg = BulletinConfig::default();
        let m = |s: &str| Month::parse(s).unwrap();
        assert_eq!(issue_number(&cfg, false, m("2024-02")).unwrap(), 1);
        assert_eq!(issue_number(&cfg, false, m("2024-09")).unwrap(), 8);
        assert_eq!(issue_number(&cfg, true, m("2024-09")).unwrap(), 9);
        let cont = BulletinConfig {
            numbering: Numbering::Continuous,
            first_month: Some("2023-11".into()),
            first_number: 5,
            ..BulletinConfig::default()
        };
        // 2023-11 = 5, 2023-12 = 6, 2024-02 (1-2月) = 7, 2024-03 = 8.
        assert_eq!(issue_number(&cont, false, m("2024-03")).unwrap(), 8);
        assert!(issue_number(&cont, false, m("2023-10")).is_err());
    }

    #[test]
    fn cutoffs_and_weeks() {
        let mut cfg = BulletinConfig::default();
        let m = Month::parse("2024-09").unwrap();
        assert_eq!(cutoff_date(&cfg, m).to_string(), "2024-09-30");
        cfg.cutoff_day = 5;
        assert_eq!(cutoff_date(&cfg, m).to_string(), "2024-10-05");
        // September 2024: Thursdays 5th … 26th → W36 … W39.
        assert_eq!(first_week_from(m.first_day()).to_string(), "2024-W36");
        assert_eq!(last_week_to(m.last_day()).to_string(), "2024-W39");
    }
}
