//! The bulletin as an official document (公文), independent of the file format: the red
//! masthead (红头) with its issue number, compiling unit and date of issue; the title; the
//! body sections as the HTML has them, tables included; and the imprint (版记) with the
//! 报/送/发 lines. The DOCX and PDF renderers lay out this one structure, so they carry the
//! same words and figures.

use chrono::{Datelike, NaiveDate};
use docket_domain::config::Language;
use serde::Serialize;

use super::{Kind, fig_headers, issue_groups, issue_headers, label, project_headers};
use crate::formula::{fmt_growth, fmt_percent, fmt_percent_opt, fmt_points, fmt_wan};
use crate::model::{Bulletin, Fig};

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Official {
    /// `zh` or `en`.
    pub lang: &'static str,
    /// The masthead printed in red (红头).
    pub masthead: String,
    /// The issue number line, e.g. "第8期".
    pub issue: String,
    /// The compiling unit (编发单位).
    pub compiled_by: String,
    /// The date of issue (印发日期), e.g. "2024年10月8日".
    pub issued: String,
    /// The title.
    pub title: String,
    /// The line under the title: the data cut-off.
    pub subtitle: String,
    /// The body.
    pub blocks: Vec<Block>,
    /// The imprint's distribution lines, e.g. ("报", "市委、市政府主要领导").
    pub imprint: Vec<ImprintLine>,
    /// The imprint's last line, right: when it was issued ("2024年10月8日印发"); the
    /// compiling unit stands on its left.
    pub imprint_date: String,
}

/// One 报/送/发 line of the imprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImprintLine {
    /// "报", "送" or "发" (English: "To", "Cc", "Distribution").
    pub label: String,
    /// The bodies, joined.
    pub text: String,
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A section heading ("一、总体情况").
    Heading {
        /// Its text.
        text: String,
    },
    /// A body paragraph (first line indented two characters).
    Para {
        /// Its text.
        text: String,
    },
    /// A table.
    Table(Table),
}

/// A table whose header row repeats on every page and whose rows are never split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The body rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Header text.
    pub header: String,
    /// Whether its cells are figures (right-aligned).
    pub numeric: bool,
    /// Relative width.
    pub width: f64,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// Background colour (`#rrggbb`): the warning light's colour, white bold text on it.
    pub fill: Option<String>,
    /// Text colour (`#rrggbb`): red for figures behind the target.
    pub colour: Option<String>,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            fill: None,
            colour: None,
        }
    }
}

/// Red for figures behind the target.
pub const BEHIND: &str = "#c00000";

fn t(b: &Bulletin, zh: &'static str, en: &'static str) -> &'static str {
    if b.meta.language == Language::Zh {
        zh
    } else {
        en
    }
}

/// A date as the document prints it: "2024年10月8日" / "2024-10-08".
pub fn date_text(lang: Language, d: NaiveDate) -> String {
    match lang {
        Language::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Language::En => d.to_string(),
    }
}

fn fig_table(b: &Bulletin, rows: &[(String, &Fig)]) -> Block {
    // Amounts in 万元 with two decimals are the widest cells ("2,961,059.20").
    let widths = [1.35, 0.5, 1.7, 1.7, 0.85, 0.8, 0.9, 0.9, 0.9];
    let columns = fig_headers(b.meta.language)
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (h, w))| Column {
            header: (*h).to_string(),
            numeric: i > 0,
            width: w,
        })
        .collect();
    let rows = rows
        .iter()
        .map(|(name, f)| {
            let behind = (f.ahead_points < 0.0).then(|| BEHIND.to_string());
            vec![
                // Stage rows under a level are indented by two ideographic spaces.
                Cell::plain(name.replace("  ", "\u{3000}\u{3000}")),
                Cell::plain(f.projects.to_string()),
                Cell::plain(fmt_wan(f.annual_plan_wan)),
                Cell::plain(fmt_wan(f.ytd_completed_wan)),
                Cell::plain(fmt_percent(f.completion_rate)),
                Cell::plain(fmt_percent(f.target)),
                Cell {
                    text: fmt_points(f.ahead_points),
                    fill: None,
                    colour: behind,
                },
                Cell::plain(fmt_percent(f.share)),
                Cell::plain(fmt_growth(f.yoy_growth)),
            ]
        })
        .collect();
    Block::Table(Table { columns, rows })
}

fn columns(spec: &[(&str, bool, f64)]) -> Vec<Column> {
    spec.iter()
        .map(|(h, numeric, width)| Column {
            header: (*h).to_string(),
            numeric: *numeric,
            width: *width,
        })
        .collect()
}

fn light_cell(light: crate::formula::Light, lang: Language) -> Cell {
    Cell {
        text: light.label(lang).to_string(),
        fill: Some(light.colour().to_string()),
        colour: None,
    }
}

/// The 公文 of `b`.
pub fn document(b: &Bulletin) -> Official {
    let lang = b.meta.language;
    let doc = &b.meta.document;
    let issued = date_text(lang, b.meta.issued);
    let compiled_by = doc
        .compiled_by
        .clone()
        .unwrap_or_else(|| b.meta.office.clone());
    let year = b.month().year();
    let ytd = super::ytd_label(b);
    let title = match lang {
        Language::Zh => format!("{year}年{ytd}全市重点项目建设进展情况"),
        Language::En => format!("Key projects: progress, {ytd} {year}"),
    };
    let issue = match lang {
        Language::Zh => format!("第{}期", b.issue_number),
        Language::En => format!("No. {}", b.issue_number),
    };
    let sep = t(b, "、", ", ");
    let imprint = [
        (t(b, "报", "To"), &doc.report_to),
        (t(b, "送", "Cc"), &doc.copy_to),
        (t(b, "发", "Distribution"), &doc.distribute_to),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(l, v)| ImprintLine {
        label: l.to_string(),
        text: v.join(sep),
    })
    .collect();
    let imprint_date = match lang {
        Language::Zh => format!("{issued}印发"),
        Language::En => format!("issued {issued}"),
    };
    Official {
        lang: if lang == Language::Zh { "zh" } else { "en" },
        masthead: doc.masthead.clone().unwrap_or_else(|| super::title(b)),
        issue,
        compiled_by,
        issued,
        title,
        subtitle: match lang {
            Language::Zh => format!(
                "（{}，序时进度{}）",
                super::cutoff_line(b),
                fmt_percent(b.schedule_target)
            ),
            Language::En => format!(
                "({}; schedule target {})",
                super::cutoff_line(b),
                fmt_percent(b.schedule_target)
            ),
        },
        blocks: body(b),
        imprint,
        imprint_date,
    }
}

fn heading(text: &str) -> Block {
    Block::Heading { text: text.into() }
}

fn para(text: String) -> Block {
    Block::Para { text }
}

/// The body sections, as the HTML has them.
fn body(b: &Bulletin) -> Vec<Block> {
    let lang = b.meta.language;
    let mut out = vec![heading(t(b, "一、总体情况", "1. Overview"))];
    out.extend(super::headlines(b).into_iter().map(para));
    out.push(fig_table(b, &super::summary_rows(b)));

    out.push(heading(t(
        b,
        "二、分类别、分区县完成情况",
        "2. By category and district",
    )));
    for (kind, groups) in [
        (Kind::Category, &b.investment.by_category),
        (Kind::District, &b.investment.by_district),
    ] {
        let rows: Vec<(String, &Fig)> =
            groups.iter().map(|(k, f)| (label(b, kind, k), f)).collect();
        out.push(fig_table(b, &rows));
    }

    out.push(heading(t(b, "三、滞后项目", "3. Lagging projects")));
    if b.lagging.is_empty() {
        out.push(para(
            t(b, "本期无滞后项目。", "No project is lagging.").into(),
        ));
    } else {
        let heads = project_headers(
            lang,
            &["责任领导", "完成率", "超/慢（百分点）"],
            &["Responsible", "Completion", "Ahead (points)"],
        );
        let widths = [0.55, 1.25, 2.2, 1.9, 0.9, 0.8, 0.9];
        let numeric = [false, false, false, false, false, true, true];
        let spec: Vec<(&str, bool, f64)> = heads
            .iter()
            .zip(numeric)
            .zip(widths)
            .map(|((h, n), w)| (*h, n, w))
            .collect();
        let rows = b
            .lagging
            .iter()
            .map(|l| {
                let name = if l.not_reported {
                    format!("{}{}", l.name, t(b, "（本月未报）", " (not reported)"))
                } else {
                    l.name.clone()
                };
                vec![
                    light_cell(l.light, lang),
                    Cell::plain(l.code.clone()),
                    Cell::plain(name),
                    Cell::plain(l.owner_unit.clone()),
                    Cell::plain(l.responsible_official_name.as_deref().unwrap_or("—")),
                    Cell::plain(fmt_percent(l.completion_rate)),
                    Cell {
                        text: fmt_points(l.ahead_points),
                        fill: None,
                        colour: (l.ahead_points < 0.0).then(|| BEHIND.to_string()),
                    },
                ]
            })
            .collect();
        out.push(Block::Table(Table {
            columns: columns(&spec),
            rows,
        }));
    }
    if !b.not_reported.is_empty() {
        out.push(para(format!(
            "{}{}",
            t(
                b,
                "本月未报送投资数据（沿用此前数据）：",
                "No figure this month (earlier figure used): "
            ),
            b.not_reported.join(t(b, "、", ", "))
        )));
    }

    out.push(heading(t(
        b,
        "四、开工和前期工作",
        "4. Starts and pre-construction",
    )));
    out.push(para(super::start_sentence(b)));
    if !b.starts.lights.is_empty() {
        let heads = project_headers(
            lang,
            &["计划开工", "未开工月数"],
            &["Planned start", "Months missed"],
        );
        let widths = [0.55, 1.25, 2.3, 2.0, 1.6, 0.9];
        let numeric = [false, false, false, false, false, true];
        let spec: Vec<(&str, bool, f64)> = heads
            .iter()
            .zip(numeric)
            .zip(widths)
            .map(|((h, n), w)| (*h, n, w))
            .collect();
        let rows = b
            .starts
            .lights
            .iter()
            .map(|s| {
                vec![
                    light_cell(s.light, lang),
                    Cell::plain(s.code.clone()),
                    Cell::plain(s.name.clone()),
                    Cell::plain(s.owner_unit.clone()),
                    Cell::plain(date_text(lang, s.planned_date)),
                    Cell::plain(s.months_missed.to_string()),
                ]
            })
            .collect();
        out.push(Block::Table(Table {
            columns: columns(&spec),
            rows,
        }));
    }
    let own = super::own_period_label(b);
    let ytd = super::ytd_label(b);
    out.push(Block::Table(Table {
        columns: columns(&[
            (t(b, "前期节点", "Milestone"), false, 2.0),
            (&own, true, 1.0),
            (&ytd, true, 1.0),
        ]),
        rows: b
            .milestones
            .iter()
            .map(|(code, m)| {
                vec![
                    Cell::plain(label(b, Kind::Milestone, code)),
                    Cell::plain(m.month.to_string()),
                    Cell::plain(m.ytd.to_string()),
                ]
            })
            .collect(),
    }));
    out.push(para(super::applications::land_sentence(b)));

    out.push(heading(t(b, "五、问题办理", "5. Issues")));
    out.push(para(super::issues_sentence(b)));
    let widths = [1.8, 0.7, 0.7, 0.7, 0.9, 0.7, 1.6];
    let spec: Vec<(&str, bool, f64)> = issue_headers(lang)
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (h, w))| (*h, i > 0, w))
        .collect();
    out.push(Block::Table(Table {
        columns: columns(&spec),
        rows: issue_groups(b, false)
            .into_iter()
            .map(|(name, f)| {
                vec![
                    Cell::plain(name),
                    Cell::plain(f.raised.to_string()),
                    Cell::plain(f.resolved.to_string()),
                    Cell::plain(f.closed.to_string()),
                    Cell::plain(fmt_percent_opt(f.close_rate)),
                    Cell::plain(f.overdue.to_string()),
                    Cell::plain(
                        f.median_days_to_resolve
                            .map_or("—".into(), |d| format!("{d:.1}")),
                    ),
                ]
            })
            .collect(),
    }));

    if !b.indicators.is_empty() {
        out.push(heading(t(b, "六、全市投资指标", "6. City indicators")));
        let heads: [&str; 4] = match lang {
            Language::Zh => ["指标", "累计（万元）", "同比", "占固定资产投资比重"],
            Language::En => [
                "Indicator",
                "YTD (10k yuan)",
                "YoY",
                "Share of fixed-asset investment",
            ],
        };
        out.push(Block::Table(Table {
            columns: columns(&[
                (heads[0], false, 1.6),
                (heads[1], true, 1.4),
                (heads[2], true, 1.0),
                (heads[3], true, 1.4),
            ]),
            rows: b
                .indicators
                .iter()
                .map(|(code, f)| {
                    vec![
                        Cell::plain(label(b, Kind::Indicator, code)),
                        Cell::plain(fmt_wan(f.ytd_wan)),
                        Cell::plain(fmt_growth(f.yoy_growth)),
                        Cell::plain(fmt_percent_opt(f.share)),
                    ]
                })
                .collect(),
        }));
    }
    out.push(heading(&super::applications::heading(b)));
    out.push(para(super::applications::sentence(b)));
    let widths = [1.6, 0.7, 1.3, 1.3, 1.3, 1.3, 0.9, 0.9];
    let spec: Vec<(&str, bool, f64)> = super::applications::headers(lang)
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (h, w))| (*h, i > 0, w))
        .collect();
    out.push(Block::Table(Table {
        columns: columns(&spec),
        rows: super::applications::rows(b)
            .into_iter()
            .map(|(name, f)| {
                std::iter::once(Cell::plain(name))
                    .chain(super::applications::cells(f).into_iter().map(Cell::plain))
                    .collect()
            })
            .collect(),
    }));
    out
}
