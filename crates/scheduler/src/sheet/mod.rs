//! The dispatch sheet (调度单): who reported, who is late or missing (with the responsible
//! official), this week's investment, new problems, problems resolved and overdue problems —
//! as text, HTML or XLSX, titled with the week's dates and labelled in Chinese throughout
//! (category, state and task-force names, never their codes).
//!
//! `labels` holds what every form shares (title, numbers, labels, the per-task-force issue
//! sections); `text`, `html` and `xlsx` each render one form.

mod html;
mod labels;
mod text;
mod xlsx;

pub use html::render_html;
pub use labels::{grouped_wan, title};
pub use text::render_text;
pub use xlsx::render_xlsx;

use docket_domain::Total;
use docket_domain::config::CoreConfig;
use docket_domain::cycle::SlotStatus;
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

/// The responsible official's name, "—" when none.
fn official(core: &CoreConfig, id: &Option<String>) -> String {
    match id {
        Some(id) => core
            .official(id)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| id.clone()),
        None => "—".into(),
    }
}

/// A one-line summary, e.g. for the demo and the scheduler's outcome.
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

/// The `dispatch_sheet` template's context (see the notifier's crate docs): `week`, `total`,
/// `reported`, `late`, `missing` `[{code, name, owner_unit}]`, `investment_week_wan`,
/// `new_issues`/`resolved_issues`/`overdue_issues` `[{title, project, category_label,
/// task_force, due}]`, `late_earlier` `[{code, name, week}]`, the one-line `summary`, and
/// for Chinese mail the dated `title` (`2024年第39周（9月23日—9月29日）重点项目周调度单`),
/// `week_label` (`2024年第39周`), `investment_week` (grouped: `1,234.5`) and each issue's
/// `project_name` and `state_label`.
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
                    "project_name": i.project_name,
                    "state_label": labels::state_label(&i.state),
                    "category_label": label,
                    "task_force": tf,
                    "due": i.due.map(|d| if zh { labels::date_zh(d) } else { d.to_string() }),
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
        "title": title(&s.week),
        "week_label": labels::week_label(&s.week),
        "investment_week": grouped_wan(c.week_amount),
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
            progress_ytd: None,
            progress_month: None,
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
