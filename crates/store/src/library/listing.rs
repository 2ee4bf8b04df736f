//! Reading the library back: projects with their plan for a year, and codes to ids.

use std::collections::HashMap;

use docket_domain::Amount;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{project_plans, projects};

/// A project as listed by `docket project list`: the project and its plan for `plan_year`
/// (its latest plan year when `None`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectListing {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level (of the plan year).
    pub level: String,
    /// Stage (of the plan year).
    pub stage: String,
    /// Category (of the plan year).
    pub category: String,
    /// The plan year shown.
    pub plan_year: i32,
    /// The annual plan in 万元.
    pub annual_plan_wan: f64,
    /// The annual plan, exact.
    #[serde(skip)]
    pub annual_plan: Amount,
    /// Total investment in 万元.
    pub total_investment_wan: f64,
    /// Owner unit.
    pub owner_unit: String,
    /// District.
    pub district: Option<String>,
    /// Responsible official's id.
    pub responsible_official: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// Special-purpose bond.
    pub special_bond: bool,
    /// The national 24-character project code (项目代码), if known.
    pub national_code: Option<String>,
    /// Tags such as 重大工程 or 十四五.
    pub tags: Vec<String>,
}

/// Every project with its plan for `plan_year` (or its latest plan), ordered by code.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn list_projects<C: ConnectionTrait>(
    conn: &C,
    plan_year: Option<i32>,
) -> Result<Vec<ProjectListing>, StoreError> {
    let mut q = project_plans::Entity::find().order_by_asc(project_plans::Column::PlanYear);
    if let Some(y) = plan_year {
        q = q.filter(project_plans::Column::PlanYear.eq(y));
    }
    let mut plans: HashMap<Uuid, project_plans::Model> = HashMap::new();
    for p in q.all(conn).await? {
        plans.insert(p.project_id, p);
    }
    let projects = projects::Entity::find()
        .order_by_asc(projects::Column::Code)
        .all(conn)
        .await?;
    Ok(projects
        .into_iter()
        .filter_map(|p| {
            let plan = plans.remove(&p.id)?;
            Some(ProjectListing {
                code: p.code,
                name: p.name,
                level: plan.level,
                stage: plan.stage,
                category: plan.category,
                plan_year: plan.plan_year,
                annual_plan_wan: Amount::from_yuan(plan.annual_plan_yuan).wan_f64(),
                annual_plan: Amount::from_yuan(plan.annual_plan_yuan),
                total_investment_wan: Amount::from_yuan(p.total_investment_yuan).wan_f64(),
                owner_unit: p.owner_unit,
                district: plan.district,
                responsible_official: p.responsible_official,
                contact_email: p.contact_email,
                special_bond: p.special_bond,
                national_code: p.national_code,
                tags: p
                    .tags
                    .map_or_else(Vec::new, |t| t.split(',').map(str::to_string).collect()),
            })
        })
        .collect())
}

/// Project ids by code, for validating files that refer to projects.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn project_ids<C: ConnectionTrait>(
    conn: &C,
) -> Result<HashMap<String, Uuid>, StoreError> {
    Ok(projects::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect())
}
