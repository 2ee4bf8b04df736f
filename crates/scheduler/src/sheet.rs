//! The dispatch sheet (调度单): who reported, who is late or missing (with the responsible
//! official), this week's investment, new problems, problems resolved and overdue problems —
//! as text, HTML or XLSX.

use docket_domain::config::CoreConfig;
use docket_domain::cycle::SlotStatus;
use docket_domain::{Amount, Total};
use docket_store::cycles::{IssueLine, SheetData};

/// A sheet's headline counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SheetCounts {
    /// Slots.
    pub projects: usize,
    /// Reported in time.
    pub submitted: usize,
    /// Reported late.
    pub late: usize,
    /// Not reported.
    pub missing: usize,
    /// This week's investment: an exact sum, however large the figures.
    pub week_amount: Total,
}

/// Counts a sheet's lines.
pub fn counts(s: &SheetData) -> SheetCounts {
    let by = |st: SlotStatus| s.rows.iter().filter(|r| r.status == st).count();
    SheetCounts {
        projects: s.rows.len(),
        submitted: by(SlotStatus::Submitted),
        late: by(SlotStatus::Late),
        missing: by(SlotStatus::Missing) + by(SlotStatus::Due),
        week_amount: s.rows.iter().filter_map(|r| r.week_amount).sum(),
    }
}

fn official(core: &CoreConfig, id: &Option<String>) -> String {
    match id {
        Some(id) => core
            .official(id)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| id.clone()),
        None => "—".into(),
    }
}

fn wan(yuan: Option<i64>) -> String {
    yuan.map(|y| Amount::from_yuan(y).to_string())
        .unwrap_or_else(|| "—".into())
}

/// A one-line summary, e.g. for the demo.
pub fn summary_line(s: &SheetData) -> String {
    let c = counts(s);
    format!(
        "{}: {} 个项目，按时报送 {}，迟报 {}，未报送 {}，本周完成投资 {} 万元；新增问题 {}，办结 {}，逾期 {}{}",
        s.week,
        c.projects,
        c.submitted,
        c.late,
        c.missing,
        c.week_amount,
        s.new_issues.len(),
        s.resolved_issues.len(),
        s.overdue_issues.len(),
        if s.late_earlier.is_empty() {
            String::new()
        } else {
            format!("；补报上期 {}", s.late_earlier.len())
        }
    )
}

fn issue_text(i: &IssueLine) -> String {
    format!(
        "  {} [{}] {} ({}{}{})",
        i.project,
        i.category,
        i.title,
        i.state,
        i.task_force
            .as_ref()
            .map(|t| format!(", {t}"))
            .unwrap_or_default(),
        i.due.map(|d| format!(", 期限 {d}")).unwrap_or_default()
    )
}

/// The sheet as plain text.
pub fn render_text(core: &CoreConfig, s: &SheetData) -> String {
    let mut o = format!(
        "{} {} 周调度单\n{}\n\n",
        core.office.name,
        s.week,
        summary_line(s)
    );
    o.push_str("已报送:\n");
    for r in s.rows.iter().filter(|r| r.status.is_reported()) {
        o.push_str(&format!(
            "  {} {} [{}] 本周 {} 万元, 累计 {} 万元: {}{}\n",
            r.code,
            r.name,
            r.status.label_zh(),
            wan(r.week_amount),
            wan(r.ytd_completed),
            if r.no_change {
                "本期无变化"
            } else {
                r.progress.as_str()
            },
            if r.problems.trim().is_empty() {
                String::new()
            } else {
                format!("；问题: {}", r.problems)
            }
        ));
    }
    o.push_str("未报送:\n");
    for r in s.rows.iter().filter(|r| !r.status.is_reported()) {
        o.push_str(&format!(
            "  {} {} ({}，责任领导 {})\n",
            r.code,
            r.name,
            r.owner_unit,
            official(core, &r.responsible_official)
        ));
    }
    if !s.late_earlier.is_empty() {
        o.push_str("上期补报:\n");
        for l in &s.late_earlier {
            o.push_str(&format!(
                "  {} {} ({}{})\n",
                l.code,
                l.name,
                l.week,
                if l.late_entry { "，补报" } else { "" }
            ));
        }
    }
    for (title, list) in [
        ("新增问题", &s.new_issues),
        ("办结问题", &s.resolved_issues),
        ("逾期问题", &s.overdue_issues),
    ] {
        o.push_str(&format!("{title}: {}\n", list.len()));
        for i in list.iter() {
            o.push_str(&issue_text(i));
            o.push('\n');
        }
    }
    o
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sheet as an HTML page (every value escaped).
pub fn render_html(core: &CoreConfig, s: &SheetData) -> String {
    let mut o = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{} 周调度单</title></head><body>\n<h1>{} {} 周调度单</h1>\n<p>{}</p>\n",
        esc(&s.week),
        esc(&core.office.name),
        esc(&s.week),
        esc(&summary_line(s))
    );
    o.push_str("<table border=\"1\"><tr><th>项目编号</th><th>项目名称</th><th>建设单位</th><th>责任领导</th><th>状态</th><th>本周完成（万元）</th><th>累计完成（万元）</th><th>形象进度</th><th>存在问题</th></tr>\n");
    for r in &s.rows {
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&r.code),
            esc(&r.name),
            esc(&r.owner_unit),
            esc(&official(core, &r.responsible_official)),
            r.status.label_zh(),
            wan(r.week_amount),
            wan(r.ytd_completed),
            esc(&r.progress),
            esc(&r.problems)
        ));
    }
    o.push_str("</table>\n");
    if !s.late_earlier.is_empty() {
        o.push_str("<h2>上期补报</h2><ul>");
        for l in &s.late_earlier {
            o.push_str(&format!(
                "<li>{} {} ({}{})</li>",
                esc(&l.code),
                esc(&l.name),
                esc(&l.week),
                if l.late_entry { "，补报" } else { "" }
            ));
        }
        o.push_str("</ul>\n");
    }
    for (title, list) in [
        ("新增问题", &s.new_issues),
        ("办结问题", &s.resolved_issues),
        ("逾期问题", &s.overdue_issues),
    ] {
        o.push_str(&format!("<h2>{title}（{}）</h2><ul>", list.len()));
        for i in list.iter() {
            o.push_str(&format!("<li>{}</li>", esc(issue_text(i).trim())));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</body></html>\n");
    o
}

/// The sheet as an XLSX workbook.
///
/// # Errors
/// The writer's message if the workbook cannot be built.
pub fn render_xlsx(core: &CoreConfig, s: &SheetData) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let ws = wb.add_worksheet();
    ws.set_name("调度单").map_err(e)?;
    let head = [
        "项目编号",
        "项目名称",
        "建设单位",
        "责任领导",
        "状态",
        "本周完成（万元）",
        "累计完成（万元）",
        "形象进度",
        "存在问题",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, c as u16, *h).map_err(e)?;
    }
    for (i, r) in s.rows.iter().enumerate() {
        let row = (i + 1) as u32;
        ws.write_string(row, 0, &r.code).map_err(e)?;
        ws.write_string(row, 1, &r.name).map_err(e)?;
        ws.write_string(row, 2, &r.owner_unit).map_err(e)?;
        ws.write_string(row, 3, official(core, &r.responsible_official))
            .map_err(e)?;
        ws.write_string(row, 4, r.status.label_zh()).map_err(e)?;
        if let Some(a) = r.week_amount {
            ws.write_number(row, 5, Amount::from_yuan(a).wan_f64())
                .map_err(e)?;
        }
        if let Some(a) = r.ytd_completed {
            ws.write_number(row, 6, Amount::from_yuan(a).wan_f64())
                .map_err(e)?;
        }
        ws.write_string(row, 7, &r.progress).map_err(e)?;
        ws.write_string(row, 8, &r.problems).map_err(e)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("问题").map_err(e)?;
    let mut row = 0u32;
    for (title, list) in [
        ("新增问题", &s.new_issues),
        ("办结问题", &s.resolved_issues),
        ("逾期问题", &s.overdue_issues),
    ] {
        ws.write_string(row, 0, title).map_err(e)?;
        row += 1;
        for i in list.iter() {
            ws.write_string(row, 0, &i.project).map_err(e)?;
            ws.write_string(row, 1, &i.category).map_err(e)?;
            ws.write_string(row, 2, &i.title).map_err(e)?;
            ws.write_string(row, 3, &i.state).map_err(e)?;
            if let Some(d) = i.due {
                ws.write_string(row, 4, d.to_string()).map_err(e)?;
            }
            row += 1;
        }
    }
    wb.save_to_buffer().map_err(e)
}

/// The `dispatch_sheet` template's context (see the notifier's crate docs): `week`, `total`,
/// `reported`, `late`, `missing` `[{code, name, owner_unit}]`, `investment_week_wan`,
/// `new_issues`/`resolved_issues`/`overdue_issues` `[{title, project, category_label,
/// task_force, due}]`, `late_earlier` `[{code, name, week}]` and the one-line `summary`.
pub fn context(core: &CoreConfig, s: &SheetData) -> serde_json::Value {
    let c = counts(s);
    let zh = core.office.language == docket_domain::config::Language::Zh;
    let missing: Vec<serde_json::Value> = s
        .rows
        .iter()
        .filter(|r| !r.status.is_reported())
        .map(|r| serde_json::json!({"code": r.code, "name": r.name, "owner_unit": r.owner_unit}))
        .collect();
    let issues = |list: &[IssueLine]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|i| {
                let label = match docket_domain::issue::IssueCategory::parse(&i.category) {
                    Ok(cat) if zh => cat.label_zh().to_string(),
                    _ => i.category.clone(),
                };
                let tf = i.task_force.as_deref().map(|t| {
                    core.task_force(t)
                        .map(|f| f.name.clone())
                        .unwrap_or_else(|| t.to_string())
                });
                serde_json::json!({
                    "title": i.title,
                    "project": i.project,
                    "category_label": label,
                    "task_force": tf,
                    "due": i.due.map(|d| d.to_string()),
                })
            })
            .collect()
    };
    let late_earlier: Vec<serde_json::Value> = s
        .late_earlier
        .iter()
        .map(|l| serde_json::json!({"code": l.code, "name": l.name, "week": l.week, "late_entry": l.late_entry}))
        .collect();
    serde_json::json!({
        "week": s.week,
        "total": c.projects,
        "reported": c.submitted + c.late,
        "late": c.late,
        "missing": missing,
        "investment_week_wan": c.week_amount.wan_f64(),
        "new_issues": issues(&s.new_issues),
        "resolved_issues": issues(&s.resolved_issues),
        "overdue_issues": issues(&s.overdue_issues),
        "late_earlier": late_earlier,
        "summary": summary_line(s),
    })
}

#[cfg(test)]
mod tests {
    use docket_domain::cycle::CycleState;
    use docket_store::cycles::SheetRow;

    use super::*;

    fn row(code: &str, week_amount: i64) -> SheetRow {
        SheetRow {
            code: code.into(),
            name: format!("项目{code}"),
            owner_unit: "单位".into(),
            responsible_official: None,
            status: SlotStatus::Submitted,
            week_amount: Some(week_amount),
            ytd_completed: None,
            progress: "施工".into(),
            problems: String::new(),
            no_change: false,
        }
    }

    // Two week amounts of 922337203685477 万元 (stored before input limits existed) add up
    // exactly: the sum used to wrap round to 3.8384 万元.
    #[test]
    fn week_amounts_sum_exactly_past_i64() {
        let each = 9_223_372_036_854_770_000;
        let s = SheetData {
            week: "2024-W39".into(),
            state: CycleState::Closed,
            rows: vec![row("P1", each), row("P2", each)],
            late_earlier: Vec::new(),
            new_issues: Vec::new(),
            resolved_issues: Vec::new(),
            overdue_issues: Vec::new(),
        };
        let c = counts(&s);
        assert_eq!(c.week_amount.yuan(), 2 * i128::from(each));
        assert!(summary_line(&s).contains("本周完成投资 1844674407370954 万元"));
        let core: CoreConfig = toml::from_str(
            "[office]\nemail = \"o@example.gov.cn\"\nhead = \"h\"\n\
             [[officials]]\nid = \"h\"\nname = \"主任\"\nemail = \"h@example.gov.cn\"\n",
        )
        .unwrap();
        let ctx = context(&core, &s);
        assert_eq!(ctx["investment_week_wan"], 1_844_674_407_370_954.0);
    }
}
