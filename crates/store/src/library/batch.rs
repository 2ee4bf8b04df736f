//! Writing an import's project and plan rows in batches as they are built, so that a
//! 200,000-row library is never held as statement values all at once.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{OnConflict, SimpleExpr};

use crate::StoreError;
use crate::sql::insert_batched;

/// Rows held before they are written.
const FLUSH_ROWS: usize = 5_000;

/// The project columns, in the order of a project row.
pub(super) const PROJECT_COLS: [&str; 16] = [
    "id",
    "code",
    "name",
    "level",
    "stage",
    "category",
    "owner_unit",
    "district",
    "responsible_official",
    "contact_email",
    "special_bond",
    "total_investment_yuan",
    "national_code",
    "tags",
    "created_at",
    "updated_at",
];

/// Project and plan rows waiting to be upserted.
#[derive(Default)]
pub(super) struct Batch {
    /// Project rows in [`PROJECT_COLS`] order.
    pub(super) projects: Vec<Vec<SimpleExpr>>,
    /// Plan rows: id, project, year, level, stage, category, district, annual plan, the
    /// twelve months, updated at.
    pub(super) plans: Vec<Vec<SimpleExpr>>,
}

impl Batch {
    /// Whether enough rows wait to be written.
    pub(super) fn full(&self) -> bool {
        self.projects.len() >= FLUSH_ROWS || self.plans.len() >= FLUSH_ROWS
    }

    /// Upserts the waiting rows: projects first (plans refer to them), by code; plans by
    /// project and year.
    pub(super) async fn flush<C: ConnectionTrait>(&mut self, conn: &C) -> Result<(), StoreError> {
        if !self.projects.is_empty() {
            let update = OnConflict::column("code")
                .update_columns(
                    PROJECT_COLS
                        .iter()
                        .copied()
                        .filter(|c| !matches!(*c, "id" | "code" | "created_at")),
                )
                .to_owned();
            let rows = std::mem::take(&mut self.projects);
            insert_batched(conn, "projects", &PROJECT_COLS, rows, Some(update), |_| {}).await?;
        }
        if !self.plans.is_empty() {
            let month_cols: Vec<String> = (1..=12).map(|m| format!("plan_m{m:02}_yuan")).collect();
            let mut cols: Vec<&str> = vec![
                "id",
                "project_id",
                "plan_year",
                "level",
                "stage",
                "category",
                "district",
                "annual_plan_yuan",
            ];
            cols.extend(month_cols.iter().map(String::as_str));
            cols.push("updated_at");
            let update = OnConflict::columns(["project_id", "plan_year"])
                .update_columns(
                    cols.iter()
                        .filter(|c| !matches!(**c, "id" | "project_id" | "plan_year"))
                        .map(|c| c.to_string()),
                )
                .to_owned();
            let rows = std::mem::take(&mut self.plans);
            insert_batched(conn, "project_plans", &cols, rows, Some(update), |_| {}).await?;
        }
        Ok(())
    }
}
