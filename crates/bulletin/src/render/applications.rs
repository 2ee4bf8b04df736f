//! The words and table of section 争取上级资金和政策 and the 拿地即开工 line of the milestone
//! section, shared by every output so they carry the same figures.

use docket_domain::application::{ApplicationCategory, ApplicationState};
use docket_domain::config::Language;

use super::{Kind, label, own_period_label, ytd_label};
use crate::formula::{fmt_percent_opt, fmt_wan};
use crate::model::{ApplicationFig, Bulletin};

/// The section's heading: 六 when the bulletin has no city indicators (section 六), else 七.
pub fn heading(b: &Bulletin) -> String {
    let seventh = !b.indicators.is_empty();
    match (b.meta.language, seventh) {
        (Language::Zh, true) => "七、争取上级资金和政策".into(),
        (Language::Zh, false) => "六、争取上级资金和政策".into(),
        (Language::En, true) => "7. Funds and policies from higher levels".into(),
        (Language::En, false) => "6. Funds and policies from higher levels".into(),
    }
}

/// The section's summary sentence.
pub fn sentence(b: &Bulletin) -> String {
    let a = &b.applications.all;
    let ytd = ytd_label(b);
    let target = match (b.meta.language, a.target_wan) {
        (_, None) => String::new(),
        (Language::Zh, Some(t)) => format!(
            "；年度目标{}万元，获批完成{}，到位完成{}",
            fmt_wan(t),
            fmt_percent_opt(a.approved_rate),
            fmt_percent_opt(a.received_rate)
        ),
        (Language::En, Some(t)) => format!(
            "; the year's target {} (10k yuan): {} approved, {} received",
            fmt_wan(t),
            fmt_percent_opt(a.approved_rate),
            fmt_percent_opt(a.received_rate)
        ),
    };
    match b.meta.language {
        Language::Zh => format!(
            "{ytd}，共申报争取上级资金和政策事项{}项，申报金额{}万元，获批{}万元，到位{}万元{target}。",
            a.count,
            fmt_wan(a.applied_wan),
            fmt_wan(a.approved_wan),
            fmt_wan(a.received_wan)
        ),
        Language::En => format!(
            "{ytd}: {} applications to higher levels, {} applied for, {} approved, {} received (10k yuan){target}.",
            a.count,
            fmt_wan(a.applied_wan),
            fmt_wan(a.approved_wan),
            fmt_wan(a.received_wan)
        ),
    }
}

/// Column headers of the section's table.
pub fn headers(lang: Language) -> [&'static str; 8] {
    match lang {
        Language::Zh => [
            "分组",
            "事项数",
            "申报（万元）",
            "批复（万元）",
            "到位（万元）",
            "年度目标（万元）",
            "获批完成率",
            "到位完成率",
        ],
        Language::En => [
            "Group",
            "Applications",
            "Applied (10k yuan)",
            "Approved (10k yuan)",
            "Received (10k yuan)",
            "Target (10k yuan)",
            "Approved of target",
            "Received of target",
        ],
    }
}

/// The table's rows: all, each category, then each state present (codes not known to this
/// build are left out of the table; the JSON keeps them).
pub fn rows(b: &Bulletin) -> Vec<(String, &ApplicationFig)> {
    let lang = b.meta.language;
    let all = if lang == Language::Zh {
        "全部"
    } else {
        "All"
    };
    let mut out = vec![(all.to_string(), &b.applications.all)];
    // Categories in the file's order, states in their lifecycle's (谋划 … 到位, 未获批).
    let a = &b.applications;
    let categories = ApplicationCategory::ALL
        .iter()
        .filter_map(|c| a.by_category.get_key_value(c.code()));
    for (k, f) in categories {
        out.push((label(b, Kind::ApplicationCategory, k), f));
    }
    let states = ApplicationState::ALL
        .iter()
        .filter_map(|s| a.by_state.get_key_value(s.code()));
    for (k, f) in states {
        let l = label(b, Kind::ApplicationState, k);
        out.push((
            if lang == Language::Zh {
                format!("状态：{l}")
            } else {
                format!("State: {l}")
            },
            f,
        ));
    }
    out
}

/// A row's cells as text, after its label.
pub fn cells(f: &ApplicationFig) -> [String; 7] {
    [
        f.count.to_string(),
        fmt_wan(f.applied_wan),
        fmt_wan(f.approved_wan),
        fmt_wan(f.received_wan),
        f.target_wan.map_or_else(|| "—".into(), fmt_wan),
        fmt_percent_opt(f.approved_rate),
        fmt_percent_opt(f.received_rate),
    ]
}

/// The 拿地即开工 line: "拿地即开工（用地审批后90日内开工）：9月2个，1-9月5个".
pub fn land_sentence(b: &Bulletin) -> String {
    let l = &b.land_to_start;
    let (own, ytd) = (own_period_label(b), ytd_label(b));
    match b.meta.language {
        Language::Zh => format!(
            "拿地即开工（用地审批后{}日内开工）：{own}{}个，{ytd}{}个",
            l.within_days, l.month, l.ytd
        ),
        Language::En => format!(
            "Started within {} days of the land approval: {own} {}, {ytd} {}",
            l.within_days, l.month, l.ytd
        ),
    }
}
