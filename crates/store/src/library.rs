//! The project library: upserting projects and their yearly plans from an import, recording
//! every change with its old and new value, time and source file.

use std::collections::HashMap;

use docket_domain::Amount;
use docket_domain::project::{Category, Level, Stage};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{project_plans, projects};
use crate::project_history::{FieldDiff, ProjectDiff};
use crate::sql::insert_batched;

mod batch;
mod listing;

pub use listing::{ProjectListing, list_projects, project_ids};

/// One validated row of a project file: a project and its plan for one year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRecord {
    /// Unique project code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level in the plan year.
    pub level: Level,
    /// Stage in the plan year.
    pub stage: Stage,
    /// Category in the plan year.
    pub category: Category,
    /// The plan's year.
    pub plan_year: i32,
    /// Total investment.
    pub total_investment: Amount,
    /// The year's planned investment.
    pub annual_plan: Amount,
    /// The owner unit (建设单位).
    pub owner_unit: String,
    /// District, if known.
    pub district: Option<String>,
    /// Responsible official's id, if known.
    pub responsible_official: Option<String>,
    /// Contact email, if known.
    pub contact_email: Option<String>,
    /// Whether a special-purpose bond funds it.
    pub special_bond: bool,
    /// Planned investment per month, where given (for the `project_plan` target model).
    pub monthly_plans: [Option<Amount>; 12],
    /// The national 24-character project code (项目代码), if given.
    pub national_code: Option<String>,
    /// Tags such as 重大工程 or 十四五, in file order.
    pub tags: Vec<String>,
}

/// Tags as stored: joined by commas, `None` when there are none.
fn joined_tags(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| tags.join(","))
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpsertSummary {
    /// Projects created.
    pub created: usize,
    /// Projects or plans that changed.
    pub updated: usize,
    /// Rows that changed nothing.
    pub unchanged: usize,
    /// Field changes recorded.
    pub changes: usize,
    /// Per project created or changed, in file order: the field-level diff.
    pub diff: Vec<ProjectDiff>,
}

/// Who imported what, for the record.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    /// The file's name as given.
    pub source_file: String,
    /// Who ran the import.
    pub actor: String,
    /// When (UTC ms).
    pub now_ms: i64,
}

struct Change {
    project_id: Uuid,
    field: String,
    old: Option<String>,
    new: Option<String>,
}

fn diff(
    changes: &mut Vec<Change>,
    project_id: Uuid,
    field: &str,
    old: Option<String>,
    new: Option<String>,
) {
    if old != new {
        changes.push(Change {
            project_id,
            field: field.to_string(),
            old,
            new,
        });
    }
}

/// Upserts `records` by code (and plan by code and year). Unchanged rows write nothing, so
/// importing the same file twice is a no-op. Expects to run in a transaction: the caller
/// commits all or nothing. Rows are written in batches as they are built. `progress`
/// receives the records handled so far.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn upsert_projects<C: ConnectionTrait>(
    conn: &C,
    records: &[ProjectRecord],
    meta: &ImportMeta,
    mut progress: impl FnMut(usize),
) -> Result<UpsertSummary, StoreError> {
    let existing: HashMap<String, projects::Model> = projects::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let plans: Vec<project_plans::Model> = project_plans::Entity::find()
        .order_by_asc(project_plans::Column::PlanYear)
        .all(conn)
        .await?;
    let mut latest_year: HashMap<Uuid, i32> = HashMap::new();
    let mut plan_by_key: HashMap<(Uuid, i32), project_plans::Model> = HashMap::new();
    for p in plans {
        latest_year.insert(p.project_id, p.plan_year);
        plan_by_key.insert((p.project_id, p.plan_year), p);
    }

    let import_id = Uuid::now_v7();
    let now = meta.now_ms;
    let mut summary = UpsertSummary::default();
    let mut batch = batch::Batch::default();
    let mut changes: Vec<Change> = Vec::new();
    let mut ids: HashMap<&str, Uuid> = HashMap::new();

    for (done, r) in records.iter().enumerate() {
        if batch.full() {
            batch.flush(conn).await?;
            progress(done);
        }
        let mark = changes.len();
        let (id, created_at, project_changed) = match existing.get(&r.code) {
            None => {
                let id = *ids.entry(r.code.as_str()).or_insert_with(Uuid::now_v7);
                summary.created += 1;
                (id, now, true)
            }
            Some(p) => {
                let before = changes.len();
                // The project row reflects its latest plan year; an older year's file
                // changes only that year's plan.
                if latest_year.get(&p.id).is_none_or(|y| r.plan_year >= *y) {
                    diff(
                        &mut changes,
                        p.id,
                        "name",
                        Some(p.name.clone()),
                        Some(r.name.clone()),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "level",
                        Some(p.level.clone()),
                        Some(r.level.code().into()),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "stage",
                        Some(p.stage.clone()),
                        Some(r.stage.code().into()),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "category",
                        Some(p.category.clone()),
                        Some(r.category.code().into()),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "owner_unit",
                        Some(p.owner_unit.clone()),
                        Some(r.owner_unit.clone()),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "district",
                        p.district.clone(),
                        r.district.clone(),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "responsible_official",
                        p.responsible_official.clone(),
                        r.responsible_official.clone(),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "contact_email",
                        p.contact_email.clone(),
                        r.contact_email.clone(),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "special_bond",
                        Some(p.special_bond.to_string()),
                        Some(r.special_bond.to_string()),
                    );
                    diff(
                        &mut changes,
                        p.id,
                        "total_investment_wan",
                        Some(Amount::from_yuan(p.total_investment_yuan).to_string()),
                        Some(r.total_investment.to_string()),
                    );
                    let (code, tags) = (r.national_code.clone(), joined_tags(&r.tags));
                    diff(
                        &mut changes,
                        p.id,
                        "national_code",
                        p.national_code.clone(),
                        code,
                    );
                    diff(&mut changes, p.id, "tags", p.tags.clone(), tags);
                }
                (p.id, p.created_at, changes.len() > before)
            }
        };
        if project_changed {
            latest_year
                .entry(id)
                .and_modify(|y| *y = (*y).max(r.plan_year))
                .or_insert(r.plan_year);
            batch.projects.push(vec![
                Expr::val(id),
                Expr::val(r.code.clone()),
                Expr::val(r.name.clone()),
                Expr::val(r.level.code()),
                Expr::val(r.stage.code()),
                Expr::val(r.category.code()),
                Expr::val(r.owner_unit.clone()),
                Expr::val(r.district.clone()),
                Expr::val(r.responsible_official.clone()),
                Expr::val(r.contact_email.clone()),
                Expr::val(r.special_bond),
                Expr::val(r.total_investment.yuan()),
                Expr::val(r.national_code.clone()),
                Expr::val(joined_tags(&r.tags)),
                Expr::val(created_at),
                Expr::val(now),
            ]);
        }

        let before = changes.len();
        let plan_changed = match plan_by_key.get(&(id, r.plan_year)) {
            None => true,
            Some(old) => {
                let y = r.plan_year;
                diff(
                    &mut changes,
                    id,
                    &format!("annual_plan_wan[{y}]"),
                    Some(Amount::from_yuan(old.annual_plan_yuan).to_string()),
                    Some(r.annual_plan.to_string()),
                );
                diff(
                    &mut changes,
                    id,
                    &format!("level[{y}]"),
                    Some(old.level.clone()),
                    Some(r.level.code().into()),
                );
                diff(
                    &mut changes,
                    id,
                    &format!("stage[{y}]"),
                    Some(old.stage.clone()),
                    Some(r.stage.code().into()),
                );
                diff(
                    &mut changes,
                    id,
                    &format!("category[{y}]"),
                    Some(old.category.clone()),
                    Some(r.category.code().into()),
                );
                diff(
                    &mut changes,
                    id,
                    &format!("district[{y}]"),
                    old.district.clone(),
                    r.district.clone(),
                );
                for (m, (o, n)) in old_months(old)
                    .iter()
                    .zip(r.monthly_plans.iter())
                    .enumerate()
                {
                    diff(
                        &mut changes,
                        id,
                        &format!("plan_m{:02}_wan[{y}]", m + 1),
                        o.map(|a| a.to_string()),
                        n.map(|a| a.to_string()),
                    );
                }
                changes.len() > before
            }
        };
        if plan_changed {
            let mut row: Vec<SimpleExpr> = vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(id),
                Expr::val(r.plan_year),
                Expr::val(r.level.code()),
                Expr::val(r.stage.code()),
                Expr::val(r.category.code()),
                Expr::val(r.district.clone()),
                Expr::val(r.annual_plan.yuan()),
            ];
            row.extend(
                r.monthly_plans
                    .iter()
                    .map(|m| Expr::val(m.map(Amount::yuan))),
            );
            row.push(Expr::val(now));
            batch.plans.push(row);
        }
        let fields: Vec<FieldDiff> = changes[mark..]
            .iter()
            .map(|c| FieldDiff {
                field: c.field.clone(),
                old: c.old.clone(),
                new: c.new.clone(),
            })
            .collect();
        let created = !existing.contains_key(&r.code);
        match summary.diff.last_mut() {
            Some(d) if d.code == r.code => d.changes.extend(fields),
            _ if created || !fields.is_empty() => summary.diff.push(ProjectDiff {
                code: r.code.clone(),
                created,
                changes: fields,
            }),
            _ => {}
        }
        if existing.contains_key(&r.code) {
            if project_changed || plan_changed {
                summary.updated += 1;
            } else {
                summary.unchanged += 1;
            }
        }
    }
    summary.changes = changes.len();

    batch.flush(conn).await?;
    progress(records.len());

    insert_batched(
        conn,
        "imports",
        &["id", "kind", "source_file", "rows", "actor", "imported_at"],
        vec![vec![
            Expr::val(import_id),
            Expr::val("projects"),
            Expr::val(meta.source_file.clone()),
            Expr::val(records.len() as i32),
            Expr::val(meta.actor.clone()),
            Expr::val(now),
        ]],
        None,
        |_| {},
    )
    .await?;
    let change_rows = changes
        .into_iter()
        .map(|c| {
            vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(c.project_id),
                Expr::val(Some(import_id)),
                Expr::val(c.field),
                Expr::val(c.old),
                Expr::val(c.new),
                Expr::val(meta.source_file.clone()),
                Expr::val(now),
            ]
        })
        .collect();
    insert_batched(
        conn,
        "project_changes",
        &[
            "id",
            "project_id",
            "import_id",
            "field",
            "old_value",
            "new_value",
            "source_file",
            "changed_at",
        ],
        change_rows,
        None,
        |_| {},
    )
    .await?;
    Ok(summary)
}

fn old_months(p: &project_plans::Model) -> [Option<Amount>; 12] {
    [
        p.plan_m01_yuan,
        p.plan_m02_yuan,
        p.plan_m03_yuan,
        p.plan_m04_yuan,
        p.plan_m05_yuan,
        p.plan_m06_yuan,
        p.plan_m07_yuan,
        p.plan_m08_yuan,
        p.plan_m09_yuan,
        p.plan_m10_yuan,
        p.plan_m11_yuan,
        p.plan_m12_yuan,
    ]
    .map(|v| v.map(Amount::from_yuan))
}
