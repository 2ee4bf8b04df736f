//! The weekly dispatch cycle (周调度): its state, each project's report-slot status, and a
//! weekly report as entered (by command line or a batch file).

use crate::Amount;
use crate::period::IsoWeek;
use crate::project::coded_enum;

coded_enum!(
    /// Whether a week's cycle still takes reports on time.
    CycleState, "cycle state" {
        /// 进行中: opened, reports are on time until the deadline.
        Open = "open" / "进行中",
        /// 已关闭: closed, the sheet went out; later reports are late.
        Closed = "closed" / "已关闭",
    }
);

coded_enum!(
    /// A project's report slot in a cycle.
    SlotStatus, "slot status" {
        /// 待报送: not reported yet, the cycle is open.
        Due = "due" / "待报送",
        /// 已报送: reported by the deadline.
        Submitted = "submitted" / "已报送",
        /// 迟报: reported after the deadline or after the close.
        Late = "late" / "迟报",
        /// 未报送: not reported when the cycle closed.
        Missing = "missing" / "未报送",
    }
);

impl SlotStatus {
    /// Whether the project has reported (on time or late).
    pub fn is_reported(self) -> bool {
        matches!(self, SlotStatus::Submitted | SlotStatus::Late)
    }
}

/// A weekly report as entered (amounts in 万元). Both the file reader (`docket-library`)
/// and the recorder (`docket-scheduler`) use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    /// Project code.
    pub code: String,
    /// ISO week.
    pub week: IsoWeek,
    /// This week's completed investment.
    pub week_amount: Option<Amount>,
    /// Year-to-date completed investment.
    pub ytd_completed: Option<Amount>,
    /// Physical progress.
    pub progress: String,
    /// Milestones reached.
    pub milestones: String,
    /// Problems needing coordination.
    pub problems: String,
    /// Next week's plan.
    pub next_week_plan: String,
    /// Contact person.
    pub contact: String,
    /// 本期无变化.
    pub no_change: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_parse() {
        assert_eq!(SlotStatus::parse("迟报").ok(), Some(SlotStatus::Late));
        assert_eq!(CycleState::parse("closed").ok(), Some(CycleState::Closed));
        assert!(SlotStatus::parse("pending").is_err());
        assert!(SlotStatus::Late.is_reported() && !SlotStatus::Missing.is_reported());
    }
}
