//! The email-ready HTML bulletin: inline CSS only, lights as coloured cells, and an inline
//! SVG bar chart of completion against target by category and by district.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use docket_domain::config::Language;

use super::{Kind, fig_headers, issue_groups, issue_headers, label, project_headers};
use crate::formula::{fmt_ahead, fmt_growth, fmt_percent, fmt_percent_opt, fmt_points, fmt_wan};
use crate::model::{Bulletin, Fig};

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A table's frame: on a phone a wide table scrolls sideways instead of being cut off.
const WRAP: &str = "overflow-x:auto;max-width:100%;";
const TABLE: &str = "border-collapse:collapse;margin:8px 0 16px 0;font-size:13px;";
const TH: &str = "border:1px solid #c8ccd2;padding:4px 8px;background:#eef1f5;text-align:center;";
const TD: &str = "border:1px solid #c8ccd2;padding:4px 8px;";
const NUM: &str = "border:1px solid #c8ccd2;padding:4px 8px;text-align:right;";
const H2: &str = "font-size:16px;color:#1a3d6d;border-left:4px solid #1a3d6d;padding-left:8px;margin:20px 0 6px 0;";

fn t(b: &Bulletin, zh: &'static str, en: &'static str) -> &'static str {
    if b.meta.language == Language::Zh {
        zh
    } else {
        en
    }
}

/// The header row in a `thead` (repeated on every printed page) and the opening `tbody`.
fn header_row(out: &mut String, cells: &[&str]) {
    out.push_str("<thead><tr>");
    for c in cells {
        let _ = write!(out, "<th style=\"{TH}\">{}</th>", esc(c));
    }
    out.push_str("</tr></thead><tbody>");
}

/// Print rules only: A4 pages, header rows repeated, rows and charts never split, headings
/// kept with what follows. The look itself is inline (mail clients drop `<style>`).
const PRINT_CSS: &str = "@page{size:A4;margin:20mm 15mm 20mm 15mm}\
@media print{body{padding:0!important}.page{max-width:none!important}\
thead{display:table-header-group}tr,svg,p,li{break-inside:avoid;page-break-inside:avoid}\
h1,h2{break-after:avoid;page-break-after:avoid}}";

/// The legend: every colour the bulletin uses and what it means.
fn legend(o: &mut String, b: &Bulletin) {
    let _ = write!(
        o,
        "<div style=\"margin:20px 0 0 0;padding:8px 12px;border:1px solid #c8ccd2;font-size:12px;color:#333;\">\
         <p style=\"margin:2px 0;font-weight:bold;\">{}</p>",
        t(b, "图例说明", "Legend")
    );
    for l in super::legend::lines(b) {
        let swatch = l.colour.map_or(String::new(), |c| {
            format!(
                "<span style=\"display:inline-block;width:10px;height:10px;background:{c};margin-right:6px;\"></span>"
            )
        });
        let _ = write!(o, "<p style=\"margin:2px 0;\">{swatch}{}</p>", esc(&l.text));
    }
    o.push_str("</div>");
}

fn fig_table(out: &mut String, b: &Bulletin, rows: &[(String, &Fig)]) {
    let _ = write!(out, "<div style=\"{WRAP}\"><table style=\"{TABLE}\">");
    header_row(out, &fig_headers(b.meta.language));
    for (name, f) in rows {
        let colour = if f.ahead_points >= 0.0 {
            "#2e7d32"
        } else {
            "#c62828"
        };
        let _ = write!(
            out,
            "<tr><td style=\"{TD}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td>\
             <td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}color:{colour};\">{}</td>\
             <td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td></tr>",
            esc(name).replace("  ", "&nbsp;&nbsp;&nbsp;&nbsp;"),
            f.projects,
            fmt_wan(f.annual_plan_wan),
            fmt_wan(f.ytd_completed_wan),
            fmt_percent(f.completion_rate),
            fmt_percent(f.target),
            fmt_points(f.ahead_points),
            fmt_percent(f.share),
            fmt_growth(f.yoy_growth),
        );
    }
    out.push_str("</tbody></table></div>");
}

/// An inline SVG of horizontal bars: completion rate per group, with each group's target
/// as a dark tick.
pub fn bar_chart(b: &Bulletin, kind: Kind, groups: &BTreeMap<String, Fig>) -> String {
    let row_h = 22.0;
    let label_w = 120.0;
    let bar_w = 360.0;
    let right = 70.0;
    let top = 20.0;
    let height = top + row_h * groups.len() as f64 + 24.0;
    let width = label_w + bar_w + right;
    // The scale runs to 100%, or further if a group is beyond it.
    let max = groups
        .values()
        .map(|f| f.completion_rate.max(f.target))
        .fold(1.0_f64, f64::max);
    let x = |v: f64| label_w + bar_w * (v.max(0.0) / max);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         font-family=\"sans-serif\" font-size=\"12\" role=\"img\">"
    );
    let legend = t(
        b,
        "蓝条：完成率；黑线：序时进度",
        "bar: completion; line: target",
    );
    let _ = write!(
        s,
        "<text x=\"{label_w}\" y=\"13\" fill=\"#555\">{}</text>",
        esc(legend)
    );
    for (i, (code, f)) in groups.iter().enumerate() {
        let y = top + row_h * i as f64;
        let colour = if f.ahead_points >= 0.0 {
            "#3b73b9"
        } else {
            "#d9822b"
        };
        let _ = write!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>\
             <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#222\" stroke-width=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            esc(&label(b, kind, code)),
            y + 4.0,
            x(f.completion_rate) - label_w,
            row_h - 8.0,
            x(f.target),
            y + 1.0,
            x(f.target),
            y + row_h - 1.0,
            label_w + bar_w + 6.0,
            y + 15.0,
            esc(&fmt_percent(f.completion_rate)),
        );
    }
    let base = top + row_h * groups.len() as f64;
    let _ = write!(
        s,
        "<line x1=\"{label_w}\" y1=\"{base:.1}\" x2=\"{:.1}\" y2=\"{base:.1}\" stroke=\"#999\"/>\
         <text x=\"{label_w}\" y=\"{:.1}\" fill=\"#555\">0%</text><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\" text-anchor=\"end\">{}</text></svg>",
        label_w + bar_w,
        base + 16.0,
        label_w + bar_w,
        base + 16.0,
        esc(&fmt_percent(max)),
    );
    s
}

/// The whole HTML document.
pub fn render(b: &Bulletin) -> String {
    let lang = b.meta.language;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{PRINT_CSS}</style></head>\
         <body style=\"margin:0;padding:16px;background:#ffffff;color:#222;font-family:'Microsoft YaHei','PingFang SC',sans-serif;\">\
         <div class=\"page\" style=\"max-width:860px;margin:0 auto;\">",
        if lang == Language::Zh { "zh-CN" } else { "en" },
        esc(&super::title(b)),
    );
    let _ = write!(
        o,
        "<h1 style=\"font-size:22px;text-align:center;color:#b71c1c;margin:8px 0;\">{}</h1>\
         <p style=\"text-align:center;margin:4px 0;\">{}</p>\
         <p style=\"text-align:center;margin:4px 0;color:#555;\">{}　{}</p>\
         <hr style=\"border:none;border-top:2px solid #b71c1c;\">",
        esc(&super::title(b)),
        esc(&super::issue_line(b)),
        esc(&b.meta.office),
        esc(&super::cutoff_line(b)),
    );
    let _ = write!(
        o,
        "<h2 style=\"{H2}\">{}</h2>",
        t(b, "一、总体情况", "1. Overview")
    );
    for h in super::headlines(b) {
        let _ = write!(
            o,
            "<p style=\"margin:6px 0;line-height:1.6;text-indent:2em;\">{}</p>",
            esc(&h)
        );
    }
    let _ = write!(
        o,
        "<p style=\"margin:6px 0;color:#555;\">{}{}</p>",
        t(b, "序时进度：", "Schedule target: "),
        esc(&fmt_percent(b.schedule_target))
    );
    fig_table(&mut o, b, &super::summary_rows(b));

    let _ = write!(
        o,
        "<h2 style=\"{H2}\">{}</h2>",
        t(
            b,
            "二、分类别、分区县完成情况",
            "2. By category and district"
        )
    );
    o.push_str(&bar_chart(b, Kind::Category, &b.investment.by_category));
    let rows: Vec<(String, &Fig)> = b
        .investment
        .by_category
        .iter()
        .map(|(k, f)| (label(b, Kind::Category, k), f))
        .collect();
    fig_table(&mut o, b, &rows);
    o.push_str(&bar_chart(b, Kind::District, &b.investment.by_district));
    let rows: Vec<(String, &Fig)> = b
        .investment
        .by_district
        .iter()
        .map(|(k, f)| (label(b, Kind::District, k), f))
        .collect();
    fig_table(&mut o, b, &rows);

    let _ = write!(
        o,
        "<h2 style=\"{H2}\">{}</h2>",
        t(b, "三、滞后项目", "3. Lagging projects")
    );
    if b.lagging.is_empty() {
        let _ = write!(
            o,
            "<p>{}</p>",
            t(b, "本期无滞后项目。", "No project is lagging.")
        );
    } else {
        let _ = write!(o, "<div style=\"{WRAP}\"><table style=\"{TABLE}\">");
        header_row(
            &mut o,
            &project_headers(
                lang,
                &["责任领导", "完成率", "超/慢序时进度"],
                &["Responsible", "Completion", "Against target"],
            ),
        );
        for l in &b.lagging {
            let _ = write!(
                o,
                "<tr><td style=\"{TD}background:{};color:#fff;text-align:center;font-weight:bold;\">{}</td><td style=\"{TD}\">{}</td>\
                 <td style=\"{TD}\">{}{}</td><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{TD}\">{}</td></tr>",
                l.light.colour(),
                l.light.label(lang),
                esc(&l.code),
                esc(&l.name),
                if l.not_reported {
                    t(b, "（本月未报）", " (not reported)")
                } else {
                    ""
                },
                esc(&l.owner_unit),
                esc(l.responsible_official_name.as_deref().unwrap_or("—")),
                fmt_percent(l.completion_rate),
                esc(&fmt_ahead(l.ahead_points, lang)),
            );
        }
        o.push_str("</tbody></table></div>");
    }
    if !b.not_reported.is_empty() {
        let _ = write!(
            o,
            "<p style=\"color:#c62828;\">{}{}</p>",
            t(
                b,
                "本月未报送投资数据（沿用此前数据）：",
                "No figure this month (earlier figure used): "
            ),
            esc(&b.not_reported.join(t(b, "、", ", ")))
        );
    }

    let _ = write!(
        o,
        "<h2 style=\"{H2}\">{}</h2>",
        t(b, "四、开工和前期工作", "4. Starts and pre-construction")
    );
    let _ = write!(o, "<p>{}</p>", esc(&super::start_sentence(b)));
    if !b.starts.lights.is_empty() {
        let _ = write!(o, "<div style=\"{WRAP}\"><table style=\"{TABLE}\">");
        header_row(
            &mut o,
            &project_headers(
                lang,
                &["计划开工", "未开工月数"],
                &["Planned start", "Months missed"],
            ),
        );
        for s in &b.starts.lights {
            let _ = write!(
                o,
                "<tr><td style=\"{TD}background:{};color:#fff;text-align:center;font-weight:bold;\">{}</td><td style=\"{TD}\">{}</td>\
                 <td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td><td style=\"{TD}\">{}</td><td style=\"{NUM}\">{}</td></tr>",
                s.light.colour(),
                s.light.label(lang),
                esc(&s.code),
                esc(&s.name),
                esc(&s.owner_unit),
                s.planned_date,
                s.months_missed
            );
        }
        o.push_str("</tbody></table></div>");
    }
    let _ = write!(o, "<div style=\"{WRAP}\"><table style=\"{TABLE}\">");
    let own = super::own_period_label(b);
    let ytd = super::ytd_label(b);
    header_row(&mut o, &[t(b, "前期节点", "Milestone"), &own, &ytd]);
    for (code, m) in &b.milestones {
        let _ = write!(
            o,
            "<tr><td style=\"{TD}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td></tr>",
            esc(&label(b, Kind::Milestone, code)),
            m.month,
            m.ytd
        );
    }
    o.push_str("</tbody></table></div>");
    let _ = write!(o, "<p>{}</p>", esc(&super::applications::land_sentence(b)));

    let _ = write!(
        o,
        "<h2 style=\"{H2}\">{}</h2>",
        t(b, "五、问题办理", "5. Issues")
    );
    let _ = write!(o, "<p>{}</p>", esc(&super::issues_sentence(b)));
    let _ = write!(o, "<div style=\"{WRAP}\"><table style=\"{TABLE}\">");
    header_row(&mut o, &issue_headers(lang));
    for (name, f) in issue_groups(b, false) {
        let _ = write!(
            o,
            "<tr><td style=\"{TD}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td>\
             <td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td></tr>",
            esc(&name),
            f.raised,
            f.resolved,
            f.closed,
            fmt_percent_opt(f.close_rate),
            f.overdue,
            f.median_days_to_resolve
                .map_or("—".into(), |d| format!("{d:.1}"))
        );
    }
    o.push_str("</tbody></table></div>");

    if !b.indicators.is_empty() {
        let _ = write!(
            o,
            "<h2 style=\"{H2}\">{}</h2>",
            t(b, "六、全市投资指标", "6. City indicators")
        );
        let _ = write!(o, "<div style=\"{WRAP}\"><table style=\"{TABLE}\">");
        header_row(
            &mut o,
            &match lang {
                Language::Zh => ["指标", "累计（万元）", "同比", "占固定资产投资比重"],
                Language::En => [
                    "Indicator",
                    "YTD (10k yuan)",
                    "YoY",
                    "Share of fixed-asset investment",
                ],
            },
        );
        for (code, f) in &b.indicators {
            let _ = write!(
                o,
                "<tr><td style=\"{TD}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td><td style=\"{NUM}\">{}</td></tr>",
                esc(&label(b, Kind::Indicator, code)),
                fmt_wan(f.ytd_wan),
                fmt_growth(f.yoy_growth),
                fmt_percent_opt(f.share)
            );
        }
        o.push_str("</tbody></table></div>");
    }
    let _ = write!(
        o,
        "<h2 style=\"{H2}\">{}</h2><p>{}</p><div style=\"{WRAP}\"><table style=\"{TABLE}\">",
        esc(&super::applications::heading(b)),
        esc(&super::applications::sentence(b))
    );
    header_row(&mut o, &super::applications::headers(lang));
    for (name, f) in super::applications::rows(b) {
        let _ = write!(o, "<tr><td style=\"{TD}\">{}</td>", esc(&name));
        for c in super::applications::cells(f) {
            let _ = write!(o, "<td style=\"{NUM}\">{}</td>", esc(&c));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>");
    legend(&mut o, b);
    o.push_str("</div></body></html>\n");
    o
}
