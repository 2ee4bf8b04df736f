//! One project's history as stored: its plan per year, monthly progress, milestones, weekly
//! reports and every field change imports made (old → new, file, time).

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{milestones, monthly_progress, project_changes, project_plans, weekly_reports};

/// A year's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    /// Plan year.
    pub year: i32,
    /// Level code.
    pub level: String,
    /// Stage code.
    pub stage: String,
    /// Annual plan (yuan).
    pub annual_plan_yuan: i64,
}

/// A month's year-to-date progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressLine {
    /// `YYYY-MM`.
    pub month: String,
    /// Year to date at month end (yuan).
    pub ytd_completed_yuan: i64,
    /// The same month a year earlier (yuan), if given.
    pub prior_ytd_completed_yuan: Option<i64>,
}

/// A milestone's dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneLine {
    /// Milestone code.
    pub milestone: String,
    /// Planned date.
    pub planned: Option<NaiveDate>,
    /// Reached on.
    pub actual: Option<NaiveDate>,
}

/// A field changed by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeLine {
    /// The field.
    pub field: String,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
    /// The file that changed it.
    pub file: String,
    /// When (UTC ms).
    pub at: i64,
}

/// One field an import changes (or would change, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// The field, e.g. `name`, `annual_plan_wan[2024]`.
    pub field: String,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

/// What an import does to one project: created, or its changed fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectDiff {
    /// The project's code.
    pub code: String,
    /// A new project.
    pub created: bool,
    /// Changed fields of an existing project (empty for a new one).
    pub changes: Vec<FieldDiff>,
}

/// A weekly report of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportEntry {
    /// The report's id (its attachments belong to it).
    pub id: Uuid,
    /// ISO week, `YYYY-Www`.
    pub week: String,
    /// This week's completed investment (yuan), if given.
    pub week_amount_yuan: Option<i64>,
    /// Year to date (yuan), if given.
    pub ytd_completed_yuan: Option<i64>,
    /// Physical progress.
    pub progress: String,
    /// Milestones reached.
    pub milestones: String,
    /// Problems needing coordination.
    pub problems: String,
    /// Next week's plan.
    pub next_week_plan: String,
    /// 本周无变化.
    pub no_change: bool,
    /// Reported after the deadline.
    pub late: bool,
    /// A 补报 recorded after the week closed.
    pub late_entry: bool,
    /// Who submitted it.
    pub submitted_by: String,
    /// When (UTC ms).
    pub submitted_at: i64,
}

/// Everything stored about one project over time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectHistory {
    /// Plans, by year.
    pub plans: Vec<PlanLine>,
    /// Monthly progress, oldest first.
    pub progress: Vec<ProgressLine>,
    /// Milestones.
    pub milestones: Vec<MilestoneLine>,
    /// Weekly reports, oldest first.
    pub reports: Vec<ReportEntry>,
    /// Field changes from imports, oldest first.
    pub changes: Vec<ChangeLine>,
}

/// The history of project `id`.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn project_history<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<ProjectHistory, StoreError> {
    let plans = project_plans::Entity::find()
        .filter(project_plans::Column::ProjectId.eq(id))
        .order_by_asc(project_plans::Column::PlanYear)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| PlanLine {
            year: p.plan_year,
            level: p.level,
            stage: p.stage,
            annual_plan_yuan: p.annual_plan_yuan,
        })
        .collect();
    let progress = monthly_progress::Entity::find()
        .filter(monthly_progress::Column::ProjectId.eq(id))
        .order_by_asc(monthly_progress::Column::Month)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| ProgressLine {
            month: format!("{}-{:02}", p.month / 100, p.month % 100),
            ytd_completed_yuan: p.ytd_completed_yuan,
            prior_ytd_completed_yuan: p.prior_ytd_completed_yuan,
        })
        .collect();
    let milestones = milestones::Entity::find()
        .filter(milestones::Column::ProjectId.eq(id))
        .order_by_asc(milestones::Column::Milestone)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| MilestoneLine {
            milestone: m.milestone,
            planned: m.planned_date,
            actual: m.actual_date,
        })
        .collect();
    let changes = project_changes::Entity::find()
        .filter(project_changes::Column::ProjectId.eq(id))
        .order_by_asc(project_changes::Column::ChangedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| ChangeLine {
            field: c.field,
            old: c.old_value,
            new: c.new_value,
            file: c.source_file,
            at: c.changed_at,
        })
        .collect();
    let reports = weekly_reports::Entity::find()
        .filter(weekly_reports::Column::ProjectId.eq(id))
        .order_by_asc(weekly_reports::Column::SubmittedAt)
        .order_by_asc(weekly_reports::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|w| ReportEntry {
            id: w.id,
            week: w.week,
            week_amount_yuan: w.week_amount_yuan,
            ytd_completed_yuan: w.ytd_completed_yuan,
            progress: w.progress,
            milestones: w.milestones,
            problems: w.problems,
            next_week_plan: w.next_week_plan,
            no_change: w.no_change,
            late: w.late,
            late_entry: w.late_entry,
            submitted_by: w.submitted_by,
            submitted_at: w.submitted_at,
        })
        .collect();
    Ok(ProjectHistory {
        plans,
        progress,
        milestones,
        reports,
        changes,
    })
}
