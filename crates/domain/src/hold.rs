//! Held products (扣发): a bulletin or dispatch sheet kept back instead of sent because it
//! looks wrong or awaits approval, until the office releases (sends) or drops it.

use crate::project::coded_enum;

coded_enum!(
    /// What was held.
    HoldKind, "held product" {
        /// 月通报: the monthly bulletin of a month (`2026-11`).
        Bulletin = "bulletin" / "月通报",
        /// 调度单: the dispatch sheet of an ISO week (`2026-W49`).
        DispatchSheet = "dispatch_sheet" / "调度单",
    }
);

coded_enum!(
    /// Where a hold stands.
    HoldState, "hold state" {
        /// 待处理: held, waiting for the office.
        Held = "held" / "待处理",
        /// 已发送: released by the office and queued to its recipients.
        Released = "released" / "已发送",
        /// 已作废: dropped by the office; never sent.
        Dropped = "dropped" / "已作废",
    }
);

coded_enum!(
    /// Why a product was held (the code; the stored reason adds the details in words).
    HoldReason, "hold reason" {
        /// 无数据: a bulletin with no projects, plans or progress for its month.
        Empty = "empty" / "无数据",
        /// 无报送: a dispatch sheet for a week in which no project reported.
        NoReports = "no_reports" / "无报送",
        /// 已过期: due longer ago than the catch-up horizon (sent late after downtime).
        Stale = "stale" / "已过期",
        /// 待审核: the bulletin to leaders needs the office's approval (`[bulletin] approve`).
        Approval = "approval" / "待审核",
    }
);
