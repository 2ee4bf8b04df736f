//! The sheet as plain text: columns aligned by display width (a Chinese character is two
//! columns), figures right-aligned, 迟报 marked ▲ and 未报 marked ■.

use docket_domain::config::CoreConfig;
use docket_domain::cycle::SlotStatus;
use docket_store::cycles::SheetData;

use super::labels::{
    flagged, grouped_wan, issue_line, ordinal_zh, sections, status_label, title, wan_cell,
    week_label, ytd, ytd_source,
};
use super::{counts, official};

/// Columns a character takes in a terminal or a fixed-width font.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The marker before a line's status: ▲ 迟报, ■ 未报送 or 待报送, blank otherwise.
fn marker(st: SlotStatus) -> &'static str {
    match st {
        SlotStatus::Late => "▲",
        SlotStatus::Missing | SlotStatus::Due => "■",
        SlotStatus::Submitted => " ",
    }
}

/// The headline: counts and this week's investment.
pub(super) fn headline(s: &SheetData) -> String {
    let c = counts(s);
    format!(
        "本周应报送项目 {} 个，按时报送 {} 个，迟报 {} 个，未报送 {} 个；本周完成投资 {} 万元。新增问题 {} 个，办结 {} 个，逾期 {} 个。",
        c.projects,
        c.submitted,
        c.late,
        c.missing,
        grouped_wan(c.week_amount),
        s.new_issues.len(),
        s.resolved_issues.len(),
        s.overdue_issues.len(),
    )
}

/// The sheet as plain text.
pub fn render_text(core: &CoreConfig, s: &SheetData) -> String {
    let mut o = format!(
        "{}\n{}\n\n{}\n\n",
        core.office.name,
        title(&s.week),
        headline(s)
    );
    let mut part = 1;
    o.push_str(&format!(
        "{}、项目报送情况（金额单位：万元；▲迟报  ■未报送）\n",
        ordinal_zh(part)
    ));
    let cells: Vec<[String; 5]> = s
        .rows
        .iter()
        .map(|r| {
            let (cumulative, source) = match ytd(r) {
                Some((y, None)) => (wan_cell(Some(y)), "周报".to_string()),
                Some((y, Some(m))) => (wan_cell(Some(y)), ytd_source(Some(m))),
                None => ("—".into(), String::new()),
            };
            [
                format!("{}{}", marker(r.status), status_label(r.status)),
                wan_cell(r.week_amount),
                cumulative,
                source,
                r.code.clone(),
            ]
        })
        .collect();
    let head = ["状态", "本周完成", "累计完成", "累计口径", "项目编号"];
    let w: Vec<usize> = (0..head.len())
        .map(|i| {
            cells
                .iter()
                .map(|c| width(&c[i]))
                .chain([width(head[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let seq_w = s.rows.len().to_string().len().max(width("序号"));
    o.push_str(&format!(
        "{}  {}  {}  {}  {}  {}  项目名称\n",
        pad_left("序号", seq_w),
        pad_right(head[0], w[0]),
        pad_left(head[1], w[1]),
        pad_left(head[2], w[2]),
        pad_right(head[3], w[3]),
        pad_right(head[4], w[4]),
    ));
    for (n, (r, c)) in s.rows.iter().zip(&cells).enumerate() {
        o.push_str(&format!(
            "{}  {}  {}  {}  {}  {}  {}\n",
            pad_left(&(n + 1).to_string(), seq_w),
            pad_right(&c[0], w[0]),
            pad_left(&c[1], w[1]),
            pad_left(&c[2], w[2]),
            pad_right(&c[3], w[3]),
            pad_right(&c[4], w[4]),
            r.name
        ));
        let indent = " ".repeat(seq_w + 2);
        if r.status.is_reported() {
            let progress = if r.no_change {
                "本期无变化"
            } else {
                r.progress.as_str()
            };
            if !progress.trim().is_empty() {
                o.push_str(&format!("{indent}形象进度：{progress}\n"));
            }
            if !r.problems.trim().is_empty() {
                o.push_str(&format!("{indent}存在问题：{}\n", r.problems));
            }
        }
        if flagged(r.status) {
            o.push_str(&format!(
                "{indent}建设单位：{}；责任领导：{}\n",
                r.owner_unit,
                official(core, &r.responsible_official)
            ));
        }
    }
    if !s.late_earlier.is_empty() {
        part += 1;
        o.push_str(&format!("\n{}、上期补报\n", ordinal_zh(part)));
        for l in &s.late_earlier {
            o.push_str(&format!(
                "  {} {}（{}{}）\n",
                l.code,
                l.name,
                week_label(&l.week),
                if l.late_entry { "，补报" } else { "" }
            ));
        }
    }
    part += 1;
    o.push_str(&format!(
        "\n{}、问题办理情况（按工作专班）\n",
        ordinal_zh(part)
    ));
    let secs = sections(core, s);
    if secs.is_empty() {
        o.push_str("  本周无新增、办结或逾期问题。\n");
    }
    for (k, sec) in secs.iter().enumerate() {
        o.push_str(&format!("（{}）{}\n", ordinal_zh(k + 1), sec.name));
        for (heading, list) in &sec.lists {
            if list.is_empty() {
                continue;
            }
            o.push_str(&format!("  {heading} {} 个：\n", list.len()));
            for (n, i) in list.iter().enumerate() {
                o.push_str(&format!("    {}. {}\n", n + 1, issue_line(i)));
            }
        }
    }
    o
}
