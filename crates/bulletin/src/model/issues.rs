//! Issue statistics of a bulletin: raised, resolved, closed, overdue and the median working
//! days to resolve, in all, per category and per task force.

use std::collections::BTreeMap;

use docket_domain::calendar::WorkCalendar;
use docket_domain::issue::IssueCategory;
use docket_store::bulletin as q;

use super::{IssueFig, Issues, OFFICE_KEY};

#[derive(Default)]
struct IssueAcc {
    raised: i64,
    resolved: i64,
    closed: i64,
    overdue: i64,
    days: Vec<u32>,
}

impl IssueAcc {
    fn add(&mut self, c: &q::IssueCounts) {
        self.raised += c.raised;
        self.resolved += c.resolved;
        self.closed += c.closed;
        self.overdue += c.overdue;
    }

    fn fig(mut self) -> IssueFig {
        IssueFig {
            raised: self.raised,
            resolved: self.resolved,
            closed: self.closed,
            close_rate: (self.raised > 0).then(|| self.closed as f64 / self.raised as f64),
            overdue: self.overdue,
            median_days_to_resolve: median(&mut self.days),
        }
    }
}

pub(super) fn issue_stats(
    counts: &[q::IssueCounts],
    resolved: &[q::ResolvedIssue],
    cal: &WorkCalendar,
    tz: chrono_tz::Tz,
) -> Issues {
    let mut all = IssueAcc::default();
    let mut by_cat: BTreeMap<String, IssueAcc> = IssueCategory::ALL
        .iter()
        .map(|c| (c.code().to_string(), IssueAcc::default()))
        .collect();
    let mut by_tf: BTreeMap<String, IssueAcc> = BTreeMap::new();
    let tf_key = |t: &Option<String>| t.clone().unwrap_or_else(|| OFFICE_KEY.into());
    for c in counts {
        all.add(c);
        by_cat.entry(c.category.clone()).or_default().add(c);
        by_tf.entry(tf_key(&c.task_force)).or_default().add(c);
    }
    let local_date = |ms: i64| {
        docket_store::time::from_ms(ms)
            .with_timezone(&tz)
            .date_naive()
    };
    for r in resolved {
        let days = cal
            .workdays_between(local_date(r.raised_at), local_date(r.resolved_at))
            .value;
        all.days.push(days);
        by_cat
            .entry(r.category.clone())
            .or_default()
            .days
            .push(days);
        by_tf
            .entry(tf_key(&r.task_force))
            .or_default()
            .days
            .push(days);
    }
    Issues {
        all: all.fig(),
        by_category: by_cat.into_iter().map(|(k, a)| (k, a.fig())).collect(),
        by_task_force: by_tf.into_iter().map(|(k, a)| (k, a.fig())).collect(),
    }
}

fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        f64::from(values[n / 2])
    } else {
        (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }
}
