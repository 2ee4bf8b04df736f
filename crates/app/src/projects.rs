//! The project library as people read it.

use docket_store::library::ProjectListing;

use crate::actor::Actor;
use crate::context::App;
use crate::error::AppResult;

/// Projects (of `year`'s plan, or the latest) that `actor` may see: an owner contact its
/// unit's, everyone else all.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn list_projects(
    app: &App,
    actor: &Actor,
    year: Option<i32>,
) -> AppResult<Vec<ProjectListing>> {
    let mut list = docket_store::library::list_projects(&app.db.conn, year).await?;
    if let (false, Some(unit)) = (actor.office, actor.unit.as_deref()) {
        list.retain(|p| p.owner_unit == unit);
    }
    Ok(list)
}

/// One project as people read it: its listing (plan, level, stage, owner) and its issues.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectView {
    /// The library's line for the project.
    #[serde(flatten)]
    pub project: ProjectListing,
    /// Its issues, open and closed, oldest first.
    pub issues: Vec<docket_workflow::service::IssueSummary>,
    /// Plans per year, monthly progress, milestones and field changes from imports.
    pub history: docket_store::project_history::ProjectHistory,
    /// The files (site photos) of its weekly reports, by report id.
    pub report_files: std::collections::BTreeMap<uuid::Uuid, Vec<crate::files::StoredFile>>,
}

/// Project `code` (of `year`'s plan, or the latest) if `actor` may see it, with its issues.
///
/// # Errors
/// Not found (also when the actor may not see it); unexpected if the database fails.
pub async fn show_project(
    app: &App,
    actor: &Actor,
    code: &str,
    year: Option<i32>,
) -> AppResult<ProjectView> {
    let code = code.trim();
    let project = list_projects(app, actor, year)
        .await?
        .into_iter()
        .rev()
        .find(|p| p.code == code)
        .ok_or_else(|| crate::AppError::NotFound(format!("project {code}: no such project")))?;
    let id = docket_store::issues::projects_by_code(&app.db.conn, &[code.to_string()])
        .await?
        .get(code)
        .map(|p| p.id);
    let filter = docket_store::issues::IssueFilter {
        project_id: id,
        ..Default::default()
    };
    let issues = match id {
        Some(_) => crate::issues::list_issues(app, actor, &filter, false).await?,
        None => Vec::new(),
    };
    let history = match id {
        Some(id) => docket_store::project_history::project_history(&app.db.conn, id).await?,
        None => Default::default(),
    };
    // Whoever may see the project may see its reports' files (both are the office's and
    // the owner unit's).
    let report_ids: Vec<uuid::Uuid> = history.reports.iter().map(|r| r.id).collect();
    let report_files = crate::files::of_reports(app, &report_ids).await?;
    Ok(ProjectView {
        project,
        issues,
        history,
        report_files,
    })
}

/// A recorded field change as people read it: the field's Chinese header (`2024年度年度计划
///投资（万元）`, `3月计划（万元）`) and the value in words (levels, stages, categories,
/// 是/否; `—` for none).
pub fn field_change(field: &str, value: Option<&str>) -> (String, String) {
    use docket_domain::project::{Category, Level, Stage};
    let (base, year) = match field.split_once('[') {
        Some((b, rest)) => (b, rest.trim_end_matches(']')),
        None => (field, ""),
    };
    let month = base
        .strip_prefix("plan_m")
        .and_then(|m| m.strip_suffix("_wan"))
        .and_then(|m| m.parse::<u32>().ok());
    let label = match (base, month) {
        (_, Some(m)) => format!("{m}月计划（万元）"),
        ("name", _) => "项目名称".into(),
        ("level", _) => "项目级别".into(),
        ("stage", _) => "建设阶段".into(),
        ("category", _) => "项目类别".into(),
        ("owner_unit", _) => "建设单位".into(),
        ("district", _) => "所属区县".into(),
        ("responsible_official", _) => "责任领导".into(),
        ("contact_email", _) => "联系人邮箱".into(),
        ("special_bond", _) => "专项债".into(),
        ("total_investment_wan", _) => "总投资（万元）".into(),
        ("annual_plan_wan", _) => "年度计划投资（万元）".into(),
        _ => "其他".into(),
    };
    let label = if year.is_empty() {
        label
    } else {
        format!("{year}年度{label}")
    };
    let v = value.unwrap_or("");
    let shown = match base {
        "level" => Level::parse(v).map_or_else(|_| v.to_string(), |x| x.label_zh().into()),
        "stage" => Stage::parse(v).map_or_else(|_| v.to_string(), |x| x.label_zh().into()),
        "category" => Category::parse(v).map_or_else(|_| v.to_string(), |x| x.label_zh().into()),
        "special_bond" => match v {
            "true" => "是".into(),
            "false" => "否".into(),
            other => other.to_string(),
        },
        _ => v.to_string(),
    };
    (
        label,
        if shown.is_empty() {
            "—".into()
        } else {
            shown
        },
    )
}
