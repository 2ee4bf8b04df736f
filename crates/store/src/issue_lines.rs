//! Issue lists as people read them: only the columns a list shows, the project's code and
//! name joined in, filtered, ordered (overdue first) and paged by the database.
//!
//! A queue of 10,000 issues is answered by reading the page it shows and two counts, not by
//! loading every issue and sorting it in memory.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Order, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{issues, projects};
use crate::issues::{IssueFilter, filtered};

/// The limit that applies to an issue now, as SQL: the accept limit while `assigned` (its
/// resolve limit when it has none), the resolve limit while accepted or in progress, none
/// once resolved (the workflow's `current_limit`).
const CURRENT_LIMIT: &str = "(CASE WHEN issues.state = 'assigned' THEN COALESCE(issues.accept_due, issues.due) \
     WHEN issues.state IN ('accepted', 'in_progress') THEN issues.due END)";

/// One line of an issue list.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct IssueLine {
    /// Id.
    pub id: Uuid,
    /// Short number (`2024-031`), if it has one.
    pub number: Option<String>,
    /// The project's code.
    pub project_code: String,
    /// The project's name.
    pub project_name: String,
    /// Category code.
    pub category: String,
    /// Title.
    pub title: String,
    /// State code.
    pub state: String,
    /// Task force id (null: the office).
    pub task_force: Option<String>,
    /// Accept limit.
    pub accept_due: Option<NaiveDate>,
    /// Resolve limit.
    pub due: Option<NaiveDate>,
    /// Escalation rung reached.
    pub escalation_rung: i32,
}

/// What to list beyond an [`IssueFilter`].
#[derive(Debug, Clone, Default)]
pub struct LineQuery {
    /// The stored filter (task force, open only, states, project).
    pub filter: IssueFilter,
    /// Only this category code.
    pub category: Option<String>,
    /// Only issues of this owner unit's projects (what an owner contact may see).
    pub owner_unit: Option<String>,
    /// Only issues whose current limit lies in this range (inclusive; an open end is
    /// unbounded; issues without a limit never match): how a flag filter reaches SQL.
    pub limit_between: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// Overdue first (no limit last, then by limit, then by number) rather than oldest first.
    pub overdue_first: bool,
}

/// One page of a list and the counts over the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinePage {
    /// The page's lines, overdue first.
    pub lines: Vec<IssueLine>,
    /// Lines in the whole list.
    pub total: u64,
    /// Lines whose current limit is before the day given.
    pub overdue: u64,
}

#[derive(Debug, FromQueryResult)]
struct Counts {
    total: i64,
    overdue: Option<i64>,
}

fn select(q: &LineQuery) -> sea_orm::Select<issues::Entity> {
    let mut s = filtered(&q.filter).join(JoinType::InnerJoin, issues::Relation::Projects.def());
    if let Some(c) = &q.category {
        s = s.filter(issues::Column::Category.eq(c.clone()));
    }
    if let Some(unit) = &q.owner_unit {
        s = s.filter(projects::Column::OwnerUnit.eq(unit.clone()));
    }
    if let Some((from, to)) = q.limit_between {
        s = s.filter(Expr::cust(CURRENT_LIMIT).is_not_null());
        if let Some(from) = from {
            s = s.filter(Expr::cust(CURRENT_LIMIT).gte(from));
        }
        if let Some(to) = to {
            s = s.filter(Expr::cust(CURRENT_LIMIT).lte(to));
        }
    }
    s
}

fn lines_of(q: &LineQuery) -> sea_orm::Select<issues::Entity> {
    let mut s = select(q);
    if q.overdue_first {
        QueryOrder::query(&mut s).clear_order_by();
        s = s
            .order_by(Expr::cust(format!("({CURRENT_LIMIT} IS NULL)")), Order::Asc)
            .order_by(Expr::cust(CURRENT_LIMIT), Order::Asc)
            .order_by(
                SimpleExpr::from(Expr::cust("COALESCE(issues.number, '')")),
                Order::Asc,
            )
            .order_by(issues::Column::Id, Order::Asc);
    }
    s.select_only()
        .columns([
            issues::Column::Id,
            issues::Column::Number,
            issues::Column::Category,
            issues::Column::Title,
            issues::Column::State,
            issues::Column::TaskForce,
            issues::Column::AcceptDue,
            issues::Column::Due,
            issues::Column::EscalationRung,
        ])
        .column_as(projects::Column::Code, "project_code")
        .column_as(projects::Column::Name, "project_name")
}

/// Every line of `q`, in the order it asks for.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn issue_lines<C: ConnectionTrait>(
    conn: &C,
    q: &LineQuery,
) -> Result<Vec<IssueLine>, StoreError> {
    Ok(lines_of(q).into_model::<IssueLine>().all(conn).await?)
}

/// Lines `offset..offset + limit` of `q` and the counts over all of it (`overdue`: current
/// limit before `today`).
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn issue_page<C: ConnectionTrait>(
    conn: &C,
    q: &LineQuery,
    today: NaiveDate,
    offset: u64,
    limit: u64,
) -> Result<LinePage, StoreError> {
    let mut counting = select(q);
    QueryOrder::query(&mut counting).clear_order_by();
    let counts = counting
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "total")
        .column_as(
            // The day as a literal (a date we formatted, never user text): a bound value
            // inside a custom expression is not renumbered for PostgreSQL.
            Expr::cust(format!(
                "CAST(SUM(CASE WHEN {CURRENT_LIMIT} < '{}' THEN 1 ELSE 0 END) AS BIGINT)",
                today.format("%Y-%m-%d")
            )),
            "overdue",
        )
        .into_model::<Counts>()
        .one(conn)
        .await?;
    let (total, overdue) = counts.map_or((0, 0), |c| (c.total, c.overdue.unwrap_or(0)));
    let lines = lines_of(q)
        .offset(offset)
        .limit(limit)
        .into_model::<IssueLine>()
        .all(conn)
        .await?;
    Ok(LinePage {
        lines,
        total: u64::try_from(total).unwrap_or(0),
        overdue: u64::try_from(overdue).unwrap_or(0),
    })
}
