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

coded_enum!(
    /// An action in an issue's history (its workflow's verbs), as recorded and as read.
    IssueAction, "issue action" {
        /// 提出: raised and routed.
        Raise = "raise" / "提出",
        /// 签收
        Accept = "accept" / "签收",
        /// 开始办理
        Start = "start" / "开始办理",
        /// 办结
        Resolve = "resolve" / "办结",
        /// 销号
        Close = "close" / "销号",
        /// 退回
        SendBack = "send_back" / "退回",
        /// 撤回
        Withdraw = "withdraw" / "撤回",
        /// 重新打开
        Reopen = "reopen" / "重新打开",
        /// 改派
        Reassign = "reassign" / "改派",
        /// 申请延期
        RequestExtension = "request_extension" / "申请延期",
        /// 批准延期
        ApproveExtension = "approve_extension" / "批准延期",
        /// 指定主办
        Designate = "designate" / "指定主办",
        /// 催办
        Chase = "chase" / "催办",
        /// 升级督办
        Escalate = "escalate" / "升级督办",
        /// 重算时限
        RecomputeLimits = "recompute_limits" / "重算时限",
    }
);

/// An action code of an issue's history in words (签收, 办结 …); `处理` for a code this
/// version does not know (a row written by a newer one).
pub fn action_label_zh(code: &str) -> &'static str {
    IssueAction::parse(code).map_or("处理", IssueAction::label_zh)
}
