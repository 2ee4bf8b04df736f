//! Whether a bulletin is fit to reach leaders: one with no projects, no annual plans or no
//! completed investment for its month is empty (the library or the month's progress was
//! never imported), and is refused or held rather than printed and mailed.

use crate::model::Bulletin;

/// Why `b` is not fit to send, in words for the office; `None` when it has data.
pub fn emptiness(b: &Bulletin) -> Option<String> {
    let t = &b.investment.total;
    let month = &b.month;
    if t.projects == 0 {
        Some(format!(
            "{month}: the bulletin has no projects (import the project library first: docket import projects FILE)"
        ))
    } else if t.annual_plan_wan <= 0.0 {
        Some(format!(
            "{month}: no project has an annual plan for the year (import the project library with its plans)"
        ))
    } else if t.ytd_completed_wan <= 0.0 {
        Some(format!(
            "{month}: no completed investment is recorded for the month (import the month's progress: docket import progress FILE)"
        ))
    } else {
        None
    }
}
