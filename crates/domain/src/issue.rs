//! Blocking issues (要素制约): their categories and lifecycle states.

use crate::project::coded_enum;

coded_enum!(
    /// The kind of bottleneck an issue reports; routing is by category.
    IssueCategory, "issue category" {
        /// 用地
        Land = "land" / "用地",
        /// 资金
        Funding = "funding" / "资金",
        /// 环保
        Environmental = "environmental" / "环保",
        /// 能耗
        Energy = "energy" / "能耗",
        /// 审批
        Approval = "approval" / "审批",
        /// 其他
        Other = "other" / "其他",
    }
);

coded_enum!(
    /// Where an issue stands in its lifecycle (交办 → 签收 → 办理中 → 办结 → 销号).
    IssueState, "issue state" {
        /// 交办: routed to a task force or the office.
        Assigned = "assigned" / "已交办",
        /// 签收: a member accepted it.
        Accepted = "accepted" / "已签收",
        /// 办理中
        InProgress = "in_progress" / "办理中",
        /// 办结: the task force resolved it, awaiting verification.
        Resolved = "resolved" / "已办结",
        /// 销号: verified and closed by the office.
        Closed = "closed" / "已销号",
        /// 撤回
        Withdrawn = "withdrawn" / "已撤回",
    }
);

impl IssueState {
    /// Whether the issue still needs work (everything but closed and withdrawn).
    pub fn is_open(self) -> bool {
        !matches!(self, IssueState::Closed | IssueState::Withdrawn)
    }
}

coded_enum!(
    /// How heavily an issue weighs on its project; stored as its code.
    Severity, "severity" {
        /// 一般: the default.
        Normal = "normal" / "一般",
        /// 较大
        Major = "major" / "较大",
        /// 重大
        Critical = "critical" / "重大",
    }
);
