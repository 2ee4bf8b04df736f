//! The demo's issues: every category across the sample projects, routed; some taken to
//! closure, some left to run late; then the queue by task force. Safe to run again: a
//! repeated problem returns the open issue and only new issues are moved on.

use std::collections::BTreeMap;

use docket_domain::issue::{IssueCategory, IssueState};
use docket_store::issues::IssueFilter;
use docket_workflow::limits::Flag;
use docket_workflow::service::IssueSummary;
use docket_workflow::{Action, NewIssue};

use crate::actor::Actor;
use crate::context::App;
use crate::error::AppResult;
use crate::issues::{act_on_issue, list_issues, sweep_limits};

const SAMPLES: [(IssueCategory, &str, &str); 6] = [
    (
        IssueCategory::Land,
        "用地指标未落实",
        "项目用地报批材料待省厅审核",
    ),
    (
        IssueCategory::Funding,
        "资本金缺口",
        "项目资本金到位率不足，需协调专项债资金",
    ),
    (
        IssueCategory::Environmental,
        "环评批复滞后",
        "环评报告书待审批",
    ),
    (
        IssueCategory::Energy,
        "能耗指标不足",
        "节能审查需调剂能耗指标",
    ),
    (
        IssueCategory::Approval,
        "施工许可办理慢",
        "施工图审查未完成",
    ),
    (
        IssueCategory::Other,
        "水电接入协调",
        "临时用电接入需供电公司配合",
    ),
];

/// Raises, moves and lists the demo's issues on `app`'s clock; returns the section's text.
pub(super) async fn run(app: &App) -> AppResult<String> {
    let office = Actor::office();
    let now = app.now();
    let projects = docket_store::issues::all_projects(&app.db.conn).await?;
    if projects.is_empty() {
        return Ok("(no projects: no issues raised)".into());
    }
    let mut items_old = Vec::new();
    let mut items_new = Vec::new();
    for (i, (cat, title, detail)) in SAMPLES.iter().enumerate() {
        for (j, p) in projects.iter().skip(i * 3).step_by(7).take(2).enumerate() {
            let item = NewIssue {
                project: p.code.clone(),
                category: cat.code().to_string(),
                title: (*title).to_string(),
                detail: (*detail).to_string(),
                severity: Some(if j == 0 { "major" } else { "normal" }.into()),
                report_id: None,
            };
            if j == 0 {
                items_old.push(item)
            } else {
                items_new.push(item)
            }
        }
    }
    // Old issues, raised four weeks ago, are overdue now; recent ones move to closure.
    let old = now - chrono::Duration::days(28);
    let w = &app.workflow;
    let raised_old = w.raise_many(&app.db.conn, &office, &items_old, old).await?;
    let raised_new = w.raise_many(&app.db.conn, &office, &items_new, now).await?;
    let created = raised_old
        .iter()
        .chain(&raised_new)
        .filter(|r| r.created)
        .count();
    // Half of the new ones go to closure, the task force's first member handling them.
    let mut closed = 0;
    for r in raised_new.iter().filter(|r| r.created).step_by(2) {
        let d = w.show(&app.db.conn, r.id, now).await?;
        let handler = match d
            .task_force
            .as_deref()
            .and_then(|t| app.config.core.task_force(t))
        {
            Some(tf) => app.actor(Some(tf.members.first().unwrap_or(&tf.lead)))?,
            None => office.clone(),
        };
        let steps = [
            (&handler, Action::Accept),
            (&handler, Action::Start),
            (
                &handler,
                Action::Resolve {
                    note: "已协调解决".into(),
                },
            ),
            (
                &office,
                Action::Close {
                    note: Some("经核实已解决，同意销号".into()),
                },
            ),
        ];
        for (who, a) in steps {
            act_on_issue(app, who, r.id, a).await?;
        }
        closed += 1;
    }
    let sweep = sweep_limits(app, &office).await?;
    let list = list_issues(app, &office, &IssueFilter::default(), false).await?;
    Ok(queue_text(
        app,
        &list,
        created,
        closed,
        sweep.escalations.len(),
    ))
}

fn queue_text(
    app: &App,
    list: &[IssueSummary],
    created: usize,
    closed: usize,
    escalations: usize,
) -> String {
    let mut by: BTreeMap<String, Vec<&IssueSummary>> = BTreeMap::new();
    for i in list {
        let key = match i
            .task_force
            .as_deref()
            .and_then(|t| app.config.core.task_force(t))
        {
            Some(tf) => tf.name.clone(),
            None => app.config.core.office.name.clone(),
        };
        by.entry(key).or_default().push(i);
    }
    let mut s = format!(
        "\n== 问题清单 Issues by task force ==\n新交办 {created} 件，办结销号 {closed} 件，逾期督办 {escalations} 次\n"
    );
    for (tf, items) in &by {
        let open = items
            .iter()
            .filter(|i| IssueState::parse(&i.state).is_ok_and(IssueState::is_open))
            .count();
        let overdue = items.iter().filter(|i| i.flag >= Flag::Yellow).count();
        s.push_str(&format!(
            "{tf}: {} 件，在办 {open}，逾期 {overdue}\n",
            items.len()
        ));
        for i in items {
            let category = IssueCategory::parse(&i.category)
                .ok()
                .map_or(i.category.as_str(), |c| c.label_zh());
            let state = IssueState::parse(&i.state)
                .ok()
                .map_or(i.state.as_str(), |s| s.label_zh());
            s.push_str(&format!(
                "  {:<12} {:<6} {:<6} {:<10} {}\n",
                i.project,
                category,
                state,
                i.limit.map(|d| d.to_string()).unwrap_or_default(),
                i.title
            ));
        }
    }
    s.trim_end().to_string()
}
