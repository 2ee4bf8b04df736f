//! The leaders' dashboard (领导看板), read only: the month's figures by group with their
//! lights, the lagging projects, overdue issues by task force and escalation rung, and the
//! year's completion rate month by month against the even time-schedule line.

use std::collections::BTreeMap;

use docket_bulletin::Bulletin;
use docket_domain::period::Month;
use docket_store::issues::IssueFilter;
use serde::Serialize;

use crate::actor::Actor;
use crate::context::App;
use crate::error::AppResult;

/// Overdue open issues of one task force (`None`: the office), by escalation rung reached.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueRow {
    /// Task force id, `None` for the office.
    pub task_force: Option<String>,
    /// Counts at rung 0 (not yet escalated), then at each rung of `[workflow] ladder`.
    pub by_rung: Vec<usize>,
    /// All of them.
    pub total: usize,
}

/// One month of the trend.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TrendPoint {
    /// Month of the year (1–12).
    pub month: u32,
    /// Year-to-date completion of the annual plan, a fraction.
    pub rate: f64,
    /// The even time-schedule line (month / 12).
    pub target: f64,
}

/// The dashboard of one month.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The month shown.
    pub month: Month,
    /// That month's bulletin (figures, lights, lagging list, issue statistics).
    pub bulletin: Bulletin,
    /// Overdue issues now, by task force, most first.
    pub overdue: Vec<OverdueRow>,
    /// The year's completion month by month up to `month`.
    pub trend: Vec<TrendPoint>,
}

/// The dashboard of `month` (default: the latest month with figures) as `actor` may read
/// it (everyone configured reads it).
///
/// # Errors
/// Bad input for a month without a bulletin (e.g. nothing imported); unexpected if the
/// database fails.
pub async fn dashboard(app: &App, actor: &Actor, month: Option<Month>) -> AppResult<Dashboard> {
    let month = match month {
        Some(m) => m,
        None => crate::bulletins::latest_month(app).await?,
    };
    let bulletin = crate::bulletins::bulletin_model(app, month).await?;
    let filter = IssueFilter {
        open_only: true,
        ..IssueFilter::default()
    };
    let overdue_issues = crate::issues::list_issues(app, actor, &filter, true).await?;
    let mut by_tf: BTreeMap<Option<String>, OverdueRow> = BTreeMap::new();
    let rungs = app.config.workflow.ladder.len();
    for i in &overdue_issues {
        let row = by_tf
            .entry(i.task_force.clone())
            .or_insert_with(|| OverdueRow {
                task_force: i.task_force.clone(),
                by_rung: vec![0; rungs + 1],
                total: 0,
            });
        let rung = usize::try_from(i.escalation_rung).unwrap_or(0).min(rungs);
        row.by_rung[rung] += 1;
        row.total += 1;
    }
    let mut overdue: Vec<OverdueRow> = by_tf.into_values().collect();
    overdue.sort_by_key(|r| std::cmp::Reverse(r.total));
    let plan_wan = bulletin.investment.total.annual_plan_wan;
    let trend = docket_store::progress::monthly_totals(&app.db.conn, month.year())
        .await?
        .into_iter()
        .filter(|(k, _)| *k <= month.key())
        .map(|(k, yuan)| {
            let m = (k % 100) as u32;
            TrendPoint {
                month: m,
                rate: if plan_wan > 0.0 {
                    yuan as f64 / 10_000.0 / plan_wan
                } else {
                    0.0
                },
                target: f64::from(m) / 12.0,
            }
        })
        .collect();
    Ok(Dashboard {
        month,
        bulletin,
        overdue,
        trend,
    })
}
