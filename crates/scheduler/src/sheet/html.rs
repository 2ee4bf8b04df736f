//! The sheet as an HTML page: every value escaped, figures right-aligned (`td.num`), 迟报
//! lines `tr.late` and 未报 lines `tr.missing` coloured, A4 landscape when printed.

use docket_domain::config::CoreConfig;
use docket_store::cycles::SheetData;

use super::labels::{
    issue_line, ordinal_zh, sections, status_class, status_label, title, wan_cell, week_label, ytd,
    ytd_source,
};
use super::official;
use super::text::headline;

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "@page { size: A4 landscape; margin: 15mm; }\n\
body { font-family: \"FangSong\", \"仿宋_GB2312\", \"Noto Serif CJK SC\", serif; }\n\
h1 { text-align: center; font-size: 20pt; }\n\
.office { text-align: center; }\n\
table { border-collapse: collapse; width: 100%; }\n\
thead { display: table-header-group; }\n\
tr { break-inside: avoid; }\n\
th, td { border: 1px solid #333; padding: 2px 4px; vertical-align: top; }\n\
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n\
td.num small { display: block; color: #555; }\n\
tr.late td.status { color: #9a6700; font-weight: bold; }\n\
tr.late { background: #fff4ce; }\n\
tr.missing td.status { color: #b00020; font-weight: bold; }\n\
tr.missing { background: #fde7e9; }\n\
.legend span { padding: 0 6px; margin-right: 8px; }\n";

/// The sheet as an HTML page (every value escaped).
pub fn render_html(core: &CoreConfig, s: &SheetData) -> String {
    let t = title(&s.week);
    let mut o = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n{STYLE}</style></head><body>\n<p class=\"office\">{}</p>\n<h1>{}</h1>\n<p>{}</p>\n",
        esc(&t),
        esc(&core.office.name),
        esc(&t),
        esc(&headline(s))
    );
    let mut part = 1;
    o.push_str(&format!(
        "<h2>{}、项目报送情况</h2>\n<p class=\"legend\">金额单位：万元。<span class=\"late\" style=\"background:#fff4ce\">迟报</span><span class=\"missing\" style=\"background:#fde7e9\">未报送</span>累计完成无周报数的，取月度进度（注明截至月份）。</p>\n",
        ordinal_zh(part)
    ));
    o.push_str("<table>\n<thead><tr><th>序号</th><th>项目编号</th><th>项目名称</th><th>建设单位</th><th>责任领导</th><th>报送状态</th><th>本周完成（万元）</th><th>累计完成（万元）</th><th>形象进度</th><th>存在问题</th></tr></thead>\n<tbody>\n");
    for (n, r) in s.rows.iter().enumerate() {
        let class = status_class(r.status);
        let tr = if class.is_empty() {
            "<tr>".to_string()
        } else {
            format!("<tr class=\"{class}\">")
        };
        let cumulative = match ytd(r) {
            Some((y, None)) => wan_cell(Some(y)),
            Some((y, Some(m))) => format!(
                "{}<small>{}</small>",
                wan_cell(Some(y)),
                ytd_source(Some(m))
            ),
            None => "—".into(),
        };
        let progress = if r.no_change {
            "本期无变化".to_string()
        } else {
            esc(&r.progress)
        };
        o.push_str(&format!(
            "{tr}<td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"status\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
            n + 1,
            esc(&r.code),
            esc(&r.name),
            esc(&r.owner_unit),
            esc(&official(core, &r.responsible_official)),
            status_label(r.status),
            wan_cell(r.week_amount),
            cumulative,
            if r.status.is_reported() { progress } else { String::new() },
            esc(&r.problems)
        ));
    }
    o.push_str("</tbody></table>\n");
    if !s.late_earlier.is_empty() {
        part += 1;
        o.push_str(&format!("<h2>{}、上期补报</h2><ul>", ordinal_zh(part)));
        for l in &s.late_earlier {
            o.push_str(&format!(
                "<li>{} {}（{}{}）</li>",
                esc(&l.code),
                esc(&l.name),
                esc(&week_label(&l.week)),
                if l.late_entry { "，补报" } else { "" }
            ));
        }
        o.push_str("</ul>\n");
    }
    part += 1;
    o.push_str(&format!(
        "<h2>{}、问题办理情况（按工作专班）</h2>\n",
        ordinal_zh(part)
    ));
    let secs = sections(core, s);
    if secs.is_empty() {
        o.push_str("<p>本周无新增、办结或逾期问题。</p>\n");
    }
    for (k, sec) in secs.iter().enumerate() {
        o.push_str(&format!(
            "<h3>（{}）{}</h3>\n",
            ordinal_zh(k + 1),
            esc(&sec.name)
        ));
        for (heading, list) in &sec.lists {
            if list.is_empty() {
                continue;
            }
            let class = if *heading == "逾期问题" {
                " class=\"overdue\""
            } else {
                ""
            };
            o.push_str(&format!(
                "<h4>{heading}（{}个）</h4><ol{class}>",
                list.len()
            ));
            for i in list {
                o.push_str(&format!("<li>{}</li>", esc(&issue_line(i))));
            }
            o.push_str("</ol>\n");
        }
    }
    o.push_str("</body></html>\n");
    o
}
