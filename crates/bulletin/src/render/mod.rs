//! Rendering the bulletin model: HTML (email-ready), plain text, XLSX, and the official
//! document (公文, [`official`]) as DOCX and PDF. Every output is read from the same
//! [`Bulletin`](crate::model::Bulletin), so they show the same figures.

pub mod applications;
pub mod docx;
pub mod fonts;
pub mod html;
pub mod legend;
pub mod official;
pub mod pdf;
pub mod text;
pub mod xlsx;

use docket_domain::application::{ApplicationCategory, ApplicationState};
use docket_domain::config::Language;
use docket_domain::issue::IssueCategory;
use docket_domain::project::{Category, Indicator, Level, Milestone, Stage};

use crate::model::{Bulletin, NO_DISTRICT, OFFICE_KEY};

/// What a group key names, for its display label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A level code.
    Level,
    /// A stage code.
    Stage,
    /// A category code.
    Category,
    /// A district name.
    District,
    /// A milestone code.
    Milestone,
    /// An indicator code.
    Indicator,
    /// An issue category code.
    IssueCategory,
    /// A task force id.
    TaskForce,
    /// An application's funding category code.
    ApplicationCategory,
    /// An application's state code.
    ApplicationState,
}

fn title_case(code: &str) -> String {
    let s = code.replace('_', " ");
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// The label of a group key in the bulletin's language.
pub fn label(b: &Bulletin, kind: Kind, code: &str) -> String {
    let lang = b.meta.language;
    let zh = match kind {
        Kind::Level => Level::parse(code).ok().map(Level::label_zh),
        Kind::Stage => Stage::parse(code).ok().map(Stage::label_zh),
        Kind::Category => Category::parse(code).ok().map(Category::label_zh),
        Kind::Milestone => Milestone::parse(code).ok().map(Milestone::label_zh),
        Kind::Indicator => Indicator::parse(code).ok().map(Indicator::label_zh),
        Kind::IssueCategory => IssueCategory::parse(code).ok().map(IssueCategory::label_zh),
        Kind::ApplicationCategory => ApplicationCategory::parse(code)
            .ok()
            .map(ApplicationCategory::label_zh),
        Kind::ApplicationState => ApplicationState::parse(code)
            .ok()
            .map(ApplicationState::label_zh),
        Kind::District => {
            return if code == NO_DISTRICT {
                if lang == Language::Zh {
                    "未填区县".into()
                } else {
                    "No district".into()
                }
            } else {
                code.to_string()
            };
        }
        Kind::TaskForce => {
            return if code == OFFICE_KEY {
                if lang == Language::Zh {
                    "协调办".into()
                } else {
                    "Office".into()
                }
            } else {
                b.meta
                    .task_force_names
                    .get(code)
                    .cloned()
                    .unwrap_or_else(|| code.to_string())
            };
        }
    };
    match (lang, zh) {
        (Language::Zh, Some(z)) => z.to_string(),
        _ => title_case(code),
    }
}

/// The year-to-date period: "1-9月" (English "Jan-Sep").
pub fn ytd_label(b: &Bulletin) -> String {
    let m = b.month();
    period_label(b.meta.language, 1, m.month())
}

/// The bulletin's own period: "9月", or "1-2月" for the combined February.
pub fn own_period_label(b: &Bulletin) -> String {
    period_label(
        b.meta.language,
        b.meta.period_first_month,
        b.month().month(),
    )
}

fn period_label(lang: Language, from: u32, to: u32) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match lang {
        Language::Zh if from == to => format!("{to}月"),
        Language::Zh => format!("{from}-{to}月"),
        Language::En if from == to => EN[to as usize - 1].to_string(),
        Language::En => format!("{}-{}", EN[from as usize - 1], EN[to as usize - 1]),
    }
}

/// The title: "示例市重点项目建设月通报" / "Key projects monthly bulletin".
pub fn title(b: &Bulletin) -> String {
    match b.meta.language {
        Language::Zh => format!("{}重点项目建设月通报", b.meta.city),
        Language::En if b.meta.city.is_empty() => "Key projects monthly bulletin".into(),
        Language::En => format!("{} key projects monthly bulletin", b.meta.city),
    }
}

/// The issue line: "2024年第8期" / "2024 No. 8".
pub fn issue_line(b: &Bulletin) -> String {
    let y = b.month().year();
    match b.meta.language {
        Language::Zh => format!("{y}年第{}期", b.issue_number),
        Language::En => format!("{y} No. {}", b.issue_number),
    }
}

/// The cut-off line: "数据截至2024年9月30日" / "Data as of 2024-09-30".
pub fn cutoff_line(b: &Bulletin) -> String {
    use chrono::Datelike;
    let c = b.cutoff;
    match b.meta.language {
        Language::Zh => format!("数据截至{}年{}月{}日", c.year(), c.month(), c.day()),
        Language::En => format!("Data as of {c}"),
    }
}

/// The email subject.
pub fn subject(b: &Bulletin) -> String {
    match b.meta.language {
        Language::Zh => format!("{}（{}，{}）", title(b), issue_line(b), ytd_label(b)),
        Language::En => format!(
            "{} ({}, {} {})",
            title(b),
            issue_line(b),
            ytd_label(b),
            b.month().year()
        ),
    }
}

/// The headline sentences (the summary paragraph the city reads first).
pub fn headlines(b: &Bulletin) -> Vec<String> {
    use crate::formula::{fmt_ahead, fmt_percent, fmt_yi};
    let lang = b.meta.language;
    let ytd = ytd_label(b);
    let t = &b.investment.total;
    let mut out = Vec::new();
    let line = |scope: String, f: &crate::model::Fig, with_ahead: bool| match lang {
        Language::Zh => format!(
            "{scope}完成投资{}亿元，占年度计划的{}{}",
            fmt_yi(f.ytd_completed_wan),
            fmt_percent(f.completion_rate),
            if with_ahead {
                format!("，{}", fmt_ahead(f.ahead_points, lang))
            } else {
                String::new()
            }
        ),
        Language::En => format!(
            "{scope} completed {} 100m yuan, {} of the annual plan{}",
            fmt_yi(f.ytd_completed_wan),
            fmt_percent(f.completion_rate),
            if with_ahead {
                format!(", {}", fmt_ahead(f.ahead_points, lang))
            } else {
                String::new()
            }
        ),
    };
    let scope_all = match lang {
        Language::Zh => format!("{ytd}份，全市{}个重点项目", t.projects),
        Language::En => format!("{ytd}: the city's {} key projects", t.projects),
    };
    out.push(line(scope_all, t, true) + if lang == Language::Zh { "。" } else { "." });
    for (level, lf) in &b.investment.by_level {
        let name = label(b, Kind::Level, level);
        let scope = match lang {
            Language::Zh => format!("{}个{}项目", lf.fig.projects, name),
            Language::En => format!("{} {} projects", lf.fig.projects, name.to_lowercase()),
        };
        // Each group with its 序时 comparison; its stages after one 其中.
        let mut s = line(scope, &lf.fig, true);
        for (i, (stage, sf)) in lf.by_stage.iter().enumerate() {
            let sname = label(b, Kind::Stage, stage);
            let sub = match (lang, i) {
                (Language::Zh, 0) => format!("其中，{sname}项目"),
                (Language::Zh, _) => format!("{sname}项目"),
                (Language::En, 0) => format!("of which {} projects", sname.to_lowercase()),
                (Language::En, _) => format!("{} projects", sname.to_lowercase()),
            };
            s.push_str(if lang == Language::Zh { "；" } else { "; " });
            s.push_str(&line(sub, sf, true));
        }
        s.push_str(if lang == Language::Zh { "。" } else { "." });
        out.push(s);
    }
    if let Some(fai) = b.indicators.get("fixed_asset_investment") {
        use crate::formula::fmt_growth;
        let mut s = match lang {
            Language::Zh => format!(
                "全市固定资产投资完成{}亿元，{}",
                fmt_yi(fai.ytd_wan),
                growth_zh(fai.yoy_growth)
            ),
            Language::En => format!(
                "City fixed-asset investment {} 100m yuan, {} year on year",
                fmt_yi(fai.ytd_wan),
                fmt_growth(fai.yoy_growth)
            ),
        };
        for (code, f) in b
            .indicators
            .iter()
            .filter(|(c, _)| c.as_str() != "fixed_asset_investment")
        {
            let n = label(b, Kind::Indicator, code);
            s.push_str(&match lang {
                Language::Zh => format!(
                    "；{n}{}，占比{}",
                    growth_zh(f.yoy_growth),
                    crate::formula::fmt_percent_opt(f.share)
                ),
                Language::En => format!(
                    "; {n} {}, share {}",
                    fmt_growth(f.yoy_growth),
                    crate::formula::fmt_percent_opt(f.share)
                ),
            });
        }
        s.push_str(if lang == Language::Zh { "。" } else { "." });
        out.push(s);
    }
    out
}

/// The start-rate sentence, worded after the configured definition: "截至9月底，计划新开工
/// 项目27个，已开工15个，开工率55.6%。".
pub fn start_sentence(b: &Bulletin) -> String {
    use crate::config::StartRate;
    let st = &b.starts;
    let rate = crate::formula::fmt_percent_opt(st.rate);
    let month = b.month().month();
    match (b.meta.language, st.definition) {
        (Language::Zh, StartRate::PlannedByMonth) => format!(
            "截至{month}月底，计划新开工项目{}个，已开工{}个，开工率{rate}。",
            st.planned, st.started
        ),
        (Language::Zh, StartRate::PlannedForYear) => format!(
            "今年计划新开工项目{}个，截至{month}月底已开工{}个，开工率{rate}。",
            st.planned, st.started
        ),
        (Language::Zh, StartRate::UnderConstruction) => format!(
            "新开工和续建项目{}个，截至{month}月底在建{}个，开工率{rate}。",
            st.planned, st.started
        ),
        (Language::En, _) => format!(
            "Start rate: {} of {} projects started ({rate}).",
            st.started, st.planned
        ),
    }
}

/// The issue-statistics sentence of section 五.
pub fn issues_sentence(b: &Bulletin) -> String {
    use crate::formula::fmt_percent_opt;
    let lang = b.meta.language;
    let i = &b.issues.all;
    match lang {
        Language::Zh => format!(
            "今年以来共收集问题{}个，已办结{}个，已销号{}个，销号率{}；逾期未办结{}个；办结用时中位数{}个工作日。",
            i.raised,
            i.resolved,
            i.closed,
            fmt_percent_opt(i.close_rate),
            i.overdue,
            i.median_days_to_resolve
                .map_or("—".into(), |d| format!("{d:.1}"))
        ),
        Language::En => format!(
            "This year {} issues raised, {} resolved, {} closed (close rate {}), {} overdue; median {} working days to resolve.",
            i.raised,
            i.resolved,
            i.closed,
            fmt_percent_opt(i.close_rate),
            i.overdue,
            i.median_days_to_resolve
                .map_or("—".into(), |d| format!("{d:.1}"))
        ),
    }
}

/// Growth in Chinese words: "同比增长20.0%", "同比下降2.0%", "同比持平", "同比—".
pub fn growth_zh(g: Option<f64>) -> String {
    match g.map(|g| crate::formula::round_to(g * 100.0, 1)) {
        None => "同比—".into(),
        Some(v) if v > 0.0 => format!("同比增长{v:.1}%"),
        Some(v) if v < 0.0 => format!("同比下降{:.1}%", -v),
        Some(_) => "同比持平".into(),
    }
}

/// Column headers of a figures table.
pub fn fig_headers(lang: Language) -> [&'static str; 9] {
    match lang {
        Language::Zh => [
            "分组",
            "项目数",
            "年度计划（万元）",
            "累计完成（万元）",
            "完成率",
            "序时进度",
            "超/慢（百分点）",
            "占比",
            "同比",
        ],
        Language::En => [
            "Group",
            "Projects",
            "Annual plan (10k yuan)",
            "YTD completed (10k yuan)",
            "Completion",
            "Target",
            "Ahead (points)",
            "Share",
            "YoY",
        ],
    }
}

/// Column headers of a project table (the lagging list, the missed starts): light, code,
/// name and owner unit, then the table's own columns (`zh` or `en` by the language).
pub fn project_headers(
    lang: Language,
    zh: &[&'static str],
    en: &[&'static str],
) -> Vec<&'static str> {
    let (lead, rest) = match lang {
        Language::Zh => (["灯", "项目编号", "项目名称", "建设单位"], zh),
        Language::En => (["Light", "Code", "Project", "Owner unit"], en),
    };
    lead.iter().chain(rest).copied().collect()
}

/// Column headers of the issue statistics table.
pub fn issue_headers(lang: Language) -> [&'static str; 7] {
    match lang {
        Language::Zh => [
            "分组",
            "收集",
            "办结",
            "销号",
            "销号率",
            "逾期",
            "办结用时中位数（工作日）",
        ],
        Language::En => [
            "Group",
            "Raised",
            "Resolved",
            "Closed",
            "Close rate",
            "Overdue",
            "Median days to resolve",
        ],
    }
}

/// The groups of the issue statistics, labelled: all issues first when `with_all`, then each
/// category, then each task force (the office's own under its label).
pub fn issue_groups(b: &Bulletin, with_all: bool) -> Vec<(String, &crate::model::IssueFig)> {
    let all = match b.meta.language {
        Language::Zh => "全部",
        Language::En => "All",
    };
    with_all
        .then(|| (all.to_string(), &b.issues.all))
        .into_iter()
        .chain(
            b.issues
                .by_category
                .iter()
                .map(|(k, f)| (label(b, Kind::IssueCategory, k), f)),
        )
        .chain(
            b.issues
                .by_task_force
                .iter()
                .map(|(k, f)| (label(b, Kind::TaskForce, k), f)),
        )
        .collect()
}

/// The rows of the summary table: label and figures (total, levels with stages, stages).
pub fn summary_rows(b: &Bulletin) -> Vec<(String, &crate::model::Fig)> {
    let zh = b.meta.language == Language::Zh;
    let mut rows = vec![(
        if zh {
            "全部".to_string()
        } else {
            "All".to_string()
        },
        &b.investment.total,
    )];
    for (level, lf) in &b.investment.by_level {
        rows.push((label(b, Kind::Level, level), &lf.fig));
        for (stage, sf) in &lf.by_stage {
            rows.push((format!("  {}", label(b, Kind::Stage, stage)), sf));
        }
    }
    for (stage, sf) in &b.investment.by_stage {
        let l = label(b, Kind::Stage, stage);
        rows.push((
            if zh {
                format!("{l}（全部）")
            } else {
                format!("{l} (all)")
            },
            sf,
        ));
    }
    rows
}
