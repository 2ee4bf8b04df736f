//! The monthly bulletin's reads: set-based aggregates over the project library, progress,
//! weekly reports, milestones, indicators and issues, and the `bulletins` record.
//!
//! Every figure comes from a handful of `GROUP BY` statements whatever the number of
//! projects: no query runs per project. The statements use only SQL both backends share
//! (CTEs, window functions, `CASE`); sums are cast to `BIGINT` because PostgreSQL sums
//! `BIGINT` into `NUMERIC`.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use uuid::Uuid;

use crate::StoreError;
use crate::sql::insert_batched;

/// The period a bulletin's figures are read for.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureQuery {
    /// The plan year.
    pub year: i32,
    /// The bulletin's month (1 to 12): figures are year to date at its end.
    pub month: u32,
    /// The first ISO week (`YYYY-Www`) counted in the period (its Thursday in the period).
    pub period_first_week: String,
    /// The last ISO week counted in the period.
    pub period_last_week: String,
    /// The year's first ISO week.
    pub year_first_week: String,
}

impl FigureQuery {
    fn month_key(&self) -> i32 {
        self.year * 100 + self.month as i32
    }
}

pub use crate::group_sums::GroupSums;
use crate::group_sums::{RawGroupSums, SPLIT, SUMMED};

/// A project that did not report for the month or is behind its target.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ProjectFigure {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owner unit.
    pub owner_unit: String,
    /// Responsible official's id, if any.
    pub responsible_official: Option<String>,
    /// Annual plan (yuan).
    pub plan_yuan: i64,
    /// Year-to-date completed (yuan), the latest earlier figure when missing.
    pub ytd_yuan: i64,
    /// Planned investment up to the month (yuan).
    pub cum_plan_yuan: i64,
    /// 1 when the project has no figure for the month.
    pub missing: i64,
    /// 1 when the project is behind its target.
    pub behind: i64,
}

use crate::sql::stmt;

/// The CTE `f`: one row per counted project with its effective figure for the month.
/// Parameters: $1 year, $2 month key, $3 the year's first month key, $4..$5 the period's
/// weeks, $6 the year's first week.
fn figures_cte(month: u32) -> String {
    let cols: Vec<String> = (1..=12).map(|m| format!("pp.plan_m{m:02}_yuan")).collect();
    let cum: Vec<String> = cols[..month as usize]
        .iter()
        .map(|c| format!("COALESCE({c}, 0)"))
        .collect();
    let all_null: Vec<String> = cols.iter().map(|c| format!("{c} IS NULL")).collect();
    format!(
        "WITH p AS (
            SELECT pp.project_id, pp.level, pp.stage, pp.category, pp.district,
                   pp.annual_plan_yuan AS plan,
                   CASE WHEN {all_null} THEN pp.annual_plan_yuan * {month} / 12 ELSE {cum} END AS cum_plan
            FROM project_plans pp
            WHERE pp.plan_year = $1 AND pp.annual_plan_yuan <> 0
        ),
        cur AS (
            SELECT project_id, ytd_completed_yuan AS ytd, prior_ytd_completed_yuan AS prior
            FROM monthly_progress WHERE month = $2
        ),
        wk AS (
            SELECT project_id, ytd FROM (
                SELECT project_id, ytd_completed_yuan AS ytd,
                       ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY week DESC, submitted_at DESC) AS rn
                FROM weekly_reports
                WHERE week >= $4 AND week <= $5 AND ytd_completed_yuan IS NOT NULL
            ) x WHERE rn = 1
        ),
        prev AS (
            SELECT project_id, ytd, prior FROM (
                SELECT project_id, ytd_completed_yuan AS ytd, prior_ytd_completed_yuan AS prior,
                       ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY month DESC) AS rn
                FROM monthly_progress WHERE month >= $3 AND month < $2
            ) x WHERE rn = 1
        ),
        need AS (
            SELECT p.project_id FROM p
            WHERE NOT EXISTS (SELECT 1 FROM monthly_progress mp
                              WHERE mp.project_id = p.project_id AND mp.month >= $3 AND mp.month <= $2)
        ),
        prevwk AS (
            SELECT project_id, ytd FROM (
                SELECT w.project_id, w.ytd_completed_yuan AS ytd,
                       ROW_NUMBER() OVER (PARTITION BY w.project_id ORDER BY w.week DESC, w.submitted_at DESC) AS rn
                FROM need JOIN weekly_reports w ON w.project_id = need.project_id
                WHERE w.week >= $6 AND w.week < $4 AND w.ytd_completed_yuan IS NOT NULL
            ) x WHERE rn = 1
        ),
        f AS (
            SELECT p.project_id, p.level, p.stage, p.category, p.district, p.plan, p.cum_plan,
                   CASE WHEN cur.project_id IS NOT NULL THEN cur.ytd
                        WHEN wk.project_id IS NOT NULL THEN wk.ytd
                        WHEN prev.project_id IS NOT NULL THEN prev.ytd
                        ELSE COALESCE(prevwk.ytd, 0) END AS ytd,
                   CASE WHEN cur.project_id IS NOT NULL THEN cur.prior
                        WHEN wk.project_id IS NOT NULL THEN NULL
                        ELSE prev.prior END AS prior,
                   CASE WHEN cur.project_id IS NULL AND wk.project_id IS NULL THEN 1 ELSE 0 END AS missing
            FROM p
            LEFT JOIN cur ON cur.project_id = p.project_id
            LEFT JOIN wk ON wk.project_id = p.project_id
            LEFT JOIN prev ON prev.project_id = p.project_id
            LEFT JOIN prevwk ON prevwk.project_id = p.project_id
        )",
        all_null = all_null.join(" AND "),
        cum = if cum.is_empty() { "0".to_string() } else { cum.join(" + ") },
    )
}

fn figure_values(q: &FigureQuery) -> Vec<Value> {
    vec![
        q.year.into(),
        q.month_key().into(),
        (q.year * 100 + 1).into(),
        q.period_first_week.clone().into(),
        q.period_last_week.clone().into(),
        q.year_first_week.clone().into(),
    ]
}

/// Sums per (level, stage, category, district) of the projects with a non-zero plan for the
/// year: one `GROUP BY` over every project's effective figure for the month (the month's
/// progress row; else the latest weekly report in the period; else the latest earlier
/// monthly figure of the year, else the latest earlier weekly one — counted as missing).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn figure_sums<C: ConnectionTrait>(
    conn: &C,
    q: &FigureQuery,
) -> Result<Vec<GroupSums>, StoreError> {
    let sql = format!(
        "{cte}
        SELECT level, stage, category, district,
               COUNT(*) AS projects,
               {sums},
               COUNT(prior) AS with_prior,
               CAST(SUM(missing) AS BIGINT) AS missing
        FROM f GROUP BY level, stage, category, district
        ORDER BY level, stage, category, district",
        cte = figures_cte(q.month),
        sums = SUMMED
            .iter()
            .map(|(name, x)| format!(
                "CAST(COALESCE(SUM(({x}) / {SPLIT}), 0) AS BIGINT) AS {name}_hi, \
                 CAST(COALESCE(SUM(({x}) % {SPLIT}), 0) AS BIGINT) AS {name}_lo"
            ))
            .collect::<Vec<_>>()
            .join(",\n               "),
    );
    let st = stmt(conn.get_database_backend(), &sql, figure_values(q));
    let raw = RawGroupSums::find_by_statement(st).all(conn).await?;
    Ok(raw.into_iter().map(GroupSums::from).collect())
}

/// The projects that have no figure for the month or are behind target, ordered by code:
/// behind means `ytd < plan × target` when `target` is given (linear or curve models),
/// else `ytd < cum_plan` (each project's own monthly plan).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn exception_projects<C: ConnectionTrait>(
    conn: &C,
    q: &FigureQuery,
    target: Option<f64>,
) -> Result<Vec<ProjectFigure>, StoreError> {
    let mut values = figure_values(q);
    let behind = match target {
        Some(t) => {
            values.push(t.into());
            "f.ytd < f.plan * $7"
        }
        None => "f.ytd < f.cum_plan",
    };
    let sql = format!(
        "{cte}
        SELECT pr.code, pr.name, pr.owner_unit, pr.responsible_official,
               f.plan AS plan_yuan, f.ytd AS ytd_yuan, f.cum_plan AS cum_plan_yuan, CAST(f.missing AS BIGINT) AS missing,
               CAST(CASE WHEN {behind} THEN 1 ELSE 0 END AS BIGINT) AS behind
        FROM f JOIN projects pr ON pr.id = f.project_id
        WHERE f.missing = 1 OR {behind}
        ORDER BY pr.code",
        cte = figures_cte(q.month)
    );
    let st = stmt(conn.get_database_backend(), &sql, values);
    Ok(ProjectFigure::find_by_statement(st).all(conn).await?)
}

/// Milestones reached: per milestone code, how many in `[from, to]` and how many in
/// `[year_start, to]`.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct MilestoneCount {
    /// Milestone code.
    pub milestone: String,
    /// Reached in the period.
    pub in_period: i64,
    /// Reached in the year to date.
    pub ytd: i64,
}

/// Counts milestones whose actual date falls in the period and in the year to date.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn milestone_counts<C: ConnectionTrait>(
    conn: &C,
    year_start: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MilestoneCount>, StoreError> {
    let sql = "SELECT milestone,
                  CAST(SUM(CASE WHEN actual_date >= $2 THEN 1 ELSE 0 END) AS BIGINT) AS in_period,
                  COUNT(*) AS ytd
               FROM milestones
               WHERE actual_date >= $1 AND actual_date <= $3
               GROUP BY milestone ORDER BY milestone";
    let st = stmt(
        conn.get_database_backend(),
        sql,
        vec![year_start.into(), from.into(), to.into()],
    );
    Ok(MilestoneCount::find_by_statement(st).all(conn).await?)
}

/// Counts for the start rate (开工率) of the year's plan, at a period's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromQueryResult)]
pub struct StartCounts {
    /// New projects.
    pub new_projects: i64,
    /// New projects planned to start by the period's end.
    pub planned_by_end: i64,
    /// Of those, started by the period's end.
    pub started_of_planned: i64,
    /// New projects started by the period's end.
    pub new_started: i64,
    /// New and continuing projects.
    pub building: i64,
    /// Continuing projects and new ones started by the period's end.
    pub under_construction: i64,
}

/// Start counts over the plan year's new and continuing projects (milestone `start`).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn start_counts<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    end: NaiveDate,
) -> Result<StartCounts, StoreError> {
    let sql = "SELECT
          CAST(COALESCE(SUM(CASE WHEN pp.stage = 'new' THEN 1 ELSE 0 END), 0) AS BIGINT) AS new_projects,
          CAST(COALESCE(SUM(CASE WHEN pp.stage = 'new' AND m.planned_date <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS planned_by_end,
          CAST(COALESCE(SUM(CASE WHEN pp.stage = 'new' AND m.planned_date <= $2 AND m.actual_date <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS started_of_planned,
          CAST(COALESCE(SUM(CASE WHEN pp.stage = 'new' AND m.actual_date <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS new_started,
          CAST(COALESCE(SUM(CASE WHEN pp.stage IN ('new', 'continuing') THEN 1 ELSE 0 END), 0) AS BIGINT) AS building,
          CAST(COALESCE(SUM(CASE WHEN pp.stage = 'continuing' OR (pp.stage = 'new' AND m.actual_date <= $2) THEN 1 ELSE 0 END), 0) AS BIGINT) AS under_construction
        FROM project_plans pp
        LEFT JOIN milestones m ON m.project_id = pp.project_id AND m.milestone = 'start'
        WHERE pp.plan_year = $1";
    let st = stmt(
        conn.get_database_backend(),
        sql,
        vec![year.into(), end.into()],
    );
    Ok(StartCounts::find_by_statement(st)
        .one(conn)
        .await?
        .unwrap_or_default())
}

/// A new project whose planned start has passed without a start.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct MissedStart {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owner unit.
    pub owner_unit: String,
    /// Responsible official's id.
    pub responsible_official: Option<String>,
    /// The planned start.
    pub planned_date: NaiveDate,
}

/// New projects of the plan year planned to start by `end` and not started by then.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn missed_starts<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    end: NaiveDate,
) -> Result<Vec<MissedStart>, StoreError> {
    let sql = "SELECT pr.code, pr.name, pr.owner_unit, pr.responsible_official, m.planned_date
        FROM project_plans pp
        JOIN projects pr ON pr.id = pp.project_id
        JOIN milestones m ON m.project_id = pp.project_id AND m.milestone = 'start'
        WHERE pp.plan_year = $1 AND pp.stage = 'new' AND m.planned_date <= $2
          AND (m.actual_date IS NULL OR m.actual_date > $2)
        ORDER BY m.planned_date, pr.code";
    let st = stmt(
        conn.get_database_backend(),
        sql,
        vec![year.into(), end.into()],
    );
    Ok(MissedStart::find_by_statement(st).all(conn).await?)
}

/// A city-wide indicator for a month.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct IndicatorFigure {
    /// Indicator code.
    pub indicator: String,
    /// Year to date (yuan).
    pub ytd_yuan: i64,
    /// Last year's figure (yuan), if known.
    pub prior_ytd_yuan: Option<i64>,
}

/// The month's indicators, ordered by code.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn indicators<C: ConnectionTrait>(
    conn: &C,
    month_key: i32,
) -> Result<Vec<IndicatorFigure>, StoreError> {
    let sql = "SELECT indicator, ytd_yuan, prior_ytd_yuan FROM indicators WHERE month = $1 ORDER BY indicator";
    let st = stmt(conn.get_database_backend(), sql, vec![month_key.into()]);
    Ok(IndicatorFigure::find_by_statement(st).all(conn).await?)
}

/// Issue counts per (category, task force) as they stood at the cut-off.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct IssueCounts {
    /// Issue category code.
    pub category: String,
    /// Task force id; `None` when the office handles the category.
    pub task_force: Option<String>,
    /// Raised in the year up to the cut-off (withdrawn ones excluded).
    pub raised: i64,
    /// Resolved or closed at the cut-off.
    pub resolved: i64,
    /// Closed (销号) at the cut-off.
    pub closed: i64,
    /// Still open at the cut-off and past their due date.
    pub overdue: i64,
}

/// An issue resolved by the cut-off: when raised and when (last) resolved, UTC ms.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct ResolvedIssue {
    /// Issue category code.
    pub category: String,
    /// Task force id, if any.
    pub task_force: Option<String>,
    /// Raised at.
    pub raised_at: i64,
    /// Resolved at (the last `resolved` event, else the first `closed` one).
    pub resolved_at: i64,
}

/// The state-at-cut-off CTE `s` over issues raised in `[$1, $2]` (UTC ms).
const ISSUE_CTE: &str = "WITH ev AS (
        SELECT issue_id, to_state,
               ROW_NUMBER() OVER (PARTITION BY issue_id ORDER BY seq DESC) AS rn
        FROM issue_events WHERE at <= $2
    ),
    s AS (
        SELECT i.id, i.category, i.task_force, i.raised_at, i.due,
               COALESCE(ev.to_state, i.state) AS state
        FROM issues i LEFT JOIN ev ON ev.issue_id = i.id AND ev.rn = 1
        WHERE i.raised_at >= $1 AND i.raised_at <= $2
    )";

/// Issue counts by category and task force for issues raised from `from_ms` to `to_ms`,
/// each in the state its event history gives at `to_ms`; overdue = open with a due date
/// before `cutoff`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn issue_counts<C: ConnectionTrait>(
    conn: &C,
    from_ms: i64,
    to_ms: i64,
    cutoff: NaiveDate,
) -> Result<Vec<IssueCounts>, StoreError> {
    let sql = format!(
        "{ISSUE_CTE}
        SELECT category, task_force,
               COUNT(*) AS raised,
               CAST(SUM(CASE WHEN state IN ('resolved', 'closed') THEN 1 ELSE 0 END) AS BIGINT) AS resolved,
               CAST(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END) AS BIGINT) AS closed,
               CAST(SUM(CASE WHEN state IN ('assigned', 'accepted', 'in_progress') AND due < $3 THEN 1 ELSE 0 END) AS BIGINT) AS overdue
        FROM s WHERE state <> 'withdrawn'
        GROUP BY category, task_force ORDER BY category, task_force"
    );
    let st = stmt(
        conn.get_database_backend(),
        &sql,
        vec![from_ms.into(), to_ms.into(), cutoff.into()],
    );
    Ok(IssueCounts::find_by_statement(st).all(conn).await?)
}

/// The issues raised from `from_ms` that stand resolved or closed at `to_ms`, with their
/// resolution time (for the median working days to resolve).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn resolved_issues<C: ConnectionTrait>(
    conn: &C,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<ResolvedIssue>, StoreError> {
    let sql = format!(
        "{ISSUE_CTE},
        r AS (
            SELECT issue_id,
                   COALESCE(MAX(CASE WHEN to_state = 'resolved' THEN at END),
                            MIN(CASE WHEN to_state = 'closed' THEN at END)) AS resolved_at
            FROM issue_events WHERE at <= $2 GROUP BY issue_id
        )
        SELECT s.category, s.task_force, s.raised_at, r.resolved_at
        FROM s JOIN r ON r.issue_id = s.id
        WHERE s.state IN ('resolved', 'closed') AND r.resolved_at IS NOT NULL
        ORDER BY s.raised_at, s.id"
    );
    let st = stmt(
        conn.get_database_backend(),
        &sql,
        vec![from_ms.into(), to_ms.into()],
    );
    Ok(ResolvedIssue::find_by_statement(st).all(conn).await?)
}

/// Records a bulletin as built (one row per month, replaced by a rebuild).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn record_bulletin<C: ConnectionTrait>(
    conn: &C,
    month_key: i32,
    issue_number: i32,
    cutoff: NaiveDate,
    model_json: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let upd = OnConflict::column("month")
        .update_columns(["issue_number", "cutoff", "model_json", "built_at"])
        .to_owned();
    insert_batched(
        conn,
        "bulletins",
        &[
            "id",
            "month",
            "issue_number",
            "cutoff",
            "model_json",
            "built_at",
        ],
        vec![vec![
            Expr::val(Uuid::now_v7()),
            Expr::val(month_key),
            Expr::val(issue_number),
            Expr::val(cutoff),
            Expr::val(model_json.to_string()),
            Expr::val(now_ms),
        ]],
        Some(upd),
        |_| {},
    )
    .await?;
    Ok(())
}

/// The dedupe keys of bulletin emails already queued whose key starts with `prefix`
/// (e.g. `bulletin:2024-09:`), for numbering a resend.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn queued_bulletin_keys<C: ConnectionTrait>(
    conn: &C,
    prefix: &str,
) -> Result<Vec<String>, StoreError> {
    #[derive(FromQueryResult)]
    struct Key {
        dedupe_key: String,
    }
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let sql = "SELECT dedupe_key FROM outbox WHERE kind = 'bulletin' AND dedupe_key LIKE $1 ESCAPE '\\' ORDER BY dedupe_key";
    let st = stmt(
        conn.get_database_backend(),
        sql,
        vec![format!("{escaped}%").into()],
    );
    Ok(Key::find_by_statement(st)
        .all(conn)
        .await?
        .into_iter()
        .map(|k| k.dedupe_key)
        .collect())
}
