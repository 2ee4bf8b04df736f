//! Monthly progress, milestones and city indicators: upserts by their natural keys.

use docket_domain::Amount;
use docket_domain::period::Month;
use docket_domain::project::{Indicator, Milestone};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, OnConflict, SimpleExpr};
use uuid::Uuid;

use crate::StoreError;
use crate::sql::insert_batched;

/// A project's year-to-date completed investment at a month's end.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressRecord {
    /// The project's id.
    pub project_id: Uuid,
    /// The month.
    pub month: Month,
    /// Year to date at the month's end.
    pub ytd_completed: Amount,
    /// Last year's figure for the same period, if known.
    pub prior_ytd_completed: Option<Amount>,
}

/// Upserts progress by (project, month). Expects a transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn upsert_progress<C: ConnectionTrait>(
    conn: &C,
    records: &[ProgressRecord],
    now_ms: i64,
    progress: impl FnMut(usize),
) -> Result<usize, StoreError> {
    let cols = [
        "id",
        "project_id",
        "month",
        "ytd_completed_yuan",
        "prior_ytd_completed_yuan",
        "updated_at",
    ];
    let rows: Vec<Vec<SimpleExpr>> = records
        .iter()
        .map(|r| {
            vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(r.project_id),
                Expr::val(r.month.key()),
                Expr::val(r.ytd_completed.yuan()),
                Expr::val(r.prior_ytd_completed.map(Amount::yuan)),
                Expr::val(now_ms),
            ]
        })
        .collect();
    let upd = OnConflict::columns(["project_id", "month"])
        .update_columns([
            "ytd_completed_yuan",
            "prior_ytd_completed_yuan",
            "updated_at",
        ])
        .to_owned();
    Ok(insert_batched(conn, "monthly_progress", &cols, rows, Some(upd), progress).await?)
}

/// A project's pre-construction milestone.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneRecord {
    /// The project's id.
    pub project_id: Uuid,
    /// Which milestone.
    pub milestone: Milestone,
    /// When it is planned.
    pub planned_date: Option<chrono::NaiveDate>,
    /// When it was reached.
    pub actual_date: Option<chrono::NaiveDate>,
    /// Where the record came from: `import` or a weekly report.
    pub source: String,
}

/// Upserts milestones by (project, milestone). A date left empty keeps the stored one.
/// Expects a transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn upsert_milestones<C: ConnectionTrait>(
    conn: &C,
    records: &[MilestoneRecord],
    now_ms: i64,
) -> Result<usize, StoreError> {
    let cols = [
        "id",
        "project_id",
        "milestone",
        "planned_date",
        "actual_date",
        "source",
        "updated_at",
    ];
    let rows: Vec<Vec<SimpleExpr>> = records
        .iter()
        .map(|r| {
            vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(r.project_id),
                Expr::val(r.milestone.code()),
                Expr::val(r.planned_date),
                Expr::val(r.actual_date),
                Expr::val(r.source.clone()),
                Expr::val(now_ms),
            ]
        })
        .collect();
    let keep = |c: &str| Expr::cust(format!("COALESCE(excluded.{c}, milestones.{c})"));
    let upd = OnConflict::columns(["project_id", "milestone"])
        .value("planned_date", keep("planned_date"))
        .value("actual_date", keep("actual_date"))
        .update_columns(["source", "updated_at"])
        .to_owned();
    Ok(insert_batched(conn, "milestones", &cols, rows, Some(upd), |_| {}).await?)
}

/// A city-wide indicator for a month.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorRecord {
    /// The month.
    pub month: Month,
    /// Which indicator.
    pub indicator: Indicator,
    /// Year to date.
    pub ytd: Amount,
    /// Last year's figure for the same period, if known.
    pub prior_ytd: Option<Amount>,
}

/// Upserts indicators by (month, indicator). Expects a transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn upsert_indicators<C: ConnectionTrait>(
    conn: &C,
    records: &[IndicatorRecord],
    now_ms: i64,
) -> Result<usize, StoreError> {
    let cols = [
        "id",
        "month",
        "indicator",
        "ytd_yuan",
        "prior_ytd_yuan",
        "updated_at",
    ];
    let rows: Vec<Vec<SimpleExpr>> = records
        .iter()
        .map(|r| {
            vec![
                Expr::val(Uuid::now_v7()),
                Expr::val(r.month.key()),
                Expr::val(r.indicator.code()),
                Expr::val(r.ytd.yuan()),
                Expr::val(r.prior_ytd.map(Amount::yuan)),
                Expr::val(now_ms),
            ]
        })
        .collect();
    let upd = OnConflict::columns(["month", "indicator"])
        .update_columns(["ytd_yuan", "prior_ytd_yuan", "updated_at"])
        .to_owned();
    Ok(insert_batched(conn, "indicators", &cols, rows, Some(upd), |_| {}).await?)
}

/// The latest month (`YYYYMM` key) with any project's progress figure, if any.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn latest_month<C: ConnectionTrait>(conn: &C) -> Result<Option<i32>, StoreError> {
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

    use crate::entity::monthly_progress;
    Ok(monthly_progress::Entity::find()
        .select_only()
        .column(monthly_progress::Column::Month)
        .order_by_desc(monthly_progress::Column::Month)
        .limit(1)
        .into_tuple::<i32>()
        .one(conn)
        .await?)
}

/// The year-to-date completed investment of all projects summed per month of `year`, as
/// `(YYYYMM key, yuan)`, oldest first (months without figures left out).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn monthly_totals<C: ConnectionTrait>(
    conn: &C,
    year: i32,
) -> Result<Vec<(i32, i64)>, StoreError> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(crate::sql::stmt(
            backend,
            "SELECT month AS m, CAST(SUM(ytd_completed_yuan) AS BIGINT) AS s \
             FROM monthly_progress WHERE month BETWEEN $1 AND $2 GROUP BY month ORDER BY month",
            vec![(year * 100 + 1).into(), (year * 100 + 12).into()],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i32>("", "m")?, r.try_get::<i64>("", "s")?)))
        .collect()
}

/// A project's land approval and start of construction, both reached.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct LandAndStart {
    /// The day the land was approved (用地审批 reached).
    pub land_date: chrono::NaiveDate,
    /// The day construction started (开工 reached).
    pub start_date: chrono::NaiveDate,
}

/// The land and start dates of every project that started in `[from, to]` with its land
/// approval recorded (for 拿地即开工: the days between them are counted by the caller).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn land_and_starts<C: ConnectionTrait>(
    conn: &C,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<LandAndStart>, StoreError> {
    use sea_orm::FromQueryResult;
    let sql = "SELECT l.actual_date AS land_date, s.actual_date AS start_date
               FROM milestones s
               JOIN milestones l ON l.project_id = s.project_id AND l.milestone = 'land'
               WHERE s.milestone = 'start' AND l.actual_date IS NOT NULL
                 AND s.actual_date >= $1 AND s.actual_date <= $2";
    let st = crate::sql::stmt(
        conn.get_database_backend(),
        sql,
        vec![from.into(), to.into()],
    );
    Ok(LandAndStart::find_by_statement(st).all(conn).await?)
}
