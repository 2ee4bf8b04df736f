//! Blocking issues and their append-only event history: the queries the workflow needs.
//!
//! The workflow crate decides (routing, transitions, permissions); this module only reads
//! and writes rows. Every write function expects to run in the caller's transaction, beside
//! the events and outbox rows of the same change. Bulk work is set-based: multi-row inserts
//! and grouped updates, never one round trip per issue.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{issue_events, issues, projects};
use crate::sql::{batch_rows, insert_batched};

/// The states in which an issue is still open (the partial unique index's complement).
pub const CLOSED_STATES: [&str; 2] = ["closed", "withdrawn"];

/// What routing and permissions need to know about a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRef {
    /// The project's key.
    pub id: Uuid,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its level code.
    pub level: String,
    /// Its district, if known.
    pub district: Option<String>,
    /// Its owner unit (建设单位).
    pub owner_unit: String,
}

impl From<projects::Model> for ProjectRef {
    fn from(p: projects::Model) -> Self {
        ProjectRef {
            id: p.id,
            code: p.code,
            name: p.name,
            level: p.level,
            district: p.district,
            owner_unit: p.owner_unit,
        }
    }
}

/// Projects by code, for the codes given (unknown codes are simply absent).
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn projects_by_code<C: ConnectionTrait>(
    conn: &C,
    codes: &[String],
) -> Result<HashMap<String, ProjectRef>, StoreError> {
    let mut out = HashMap::new();
    let mut uniq: Vec<String> = codes.to_vec();
    uniq.sort();
    uniq.dedup();
    for chunk in uniq.chunks(batch_rows(1)) {
        for p in projects::Entity::find()
            .filter(projects::Column::Code.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(p.code.clone(), ProjectRef::from(p));
        }
    }
    Ok(out)
}

/// Projects by id.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn projects_by_id<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ProjectRef>, StoreError> {
    let mut out = HashMap::new();
    let mut uniq: Vec<Uuid> = ids.to_vec();
    uniq.sort();
    uniq.dedup();
    for chunk in uniq.chunks(batch_rows(1)) {
        for p in projects::Entity::find()
            .filter(projects::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            out.insert(p.id, ProjectRef::from(p));
        }
    }
    Ok(out)
}

/// Every project, ordered by code.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn all_projects<C: ConnectionTrait>(conn: &C) -> Result<Vec<ProjectRef>, StoreError> {
    Ok(projects::Entity::find()
        .order_by_asc(projects::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(ProjectRef::from)
        .collect())
}

/// The identity of an open problem: project, category and title key.
pub type OpenKey = (Uuid, String, String);

/// The ids of the open issues with these (project, category, title key) identities.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn open_issues_by_key<C: ConnectionTrait>(
    conn: &C,
    keys: &[OpenKey],
) -> Result<HashMap<OpenKey, Uuid>, StoreError> {
    let mut out = HashMap::new();
    let mut title_keys: Vec<String> = keys.iter().map(|k| k.2.clone()).collect();
    title_keys.sort();
    title_keys.dedup();
    let wanted: std::collections::HashSet<&OpenKey> = keys.iter().collect();
    for chunk in title_keys.chunks(batch_rows(1) - 2) {
        let rows: Vec<(Uuid, Uuid, String, String)> = issues::Entity::find()
            .select_only_cols()
            .filter(issues::Column::TitleKey.is_in(chunk.to_vec()))
            .filter(issues::Column::State.is_not_in(CLOSED_STATES))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, project, category, key) in rows {
            let k = (project, category, key);
            if wanted.contains(&k) {
                out.insert(k, id);
            }
        }
    }
    Ok(out)
}

trait SelectKey {
    fn select_only_cols(self) -> Self;
}

impl SelectKey for sea_orm::Select<issues::Entity> {
    fn select_only_cols(self) -> Self {
        use sea_orm::QuerySelect;
        self.select_only()
            .column(issues::Column::Id)
            .column(issues::Column::ProjectId)
            .column(issues::Column::Category)
            .column(issues::Column::TitleKey)
    }
}

const ISSUE_COLS: [&str; 22] = [
    "id",
    "project_id",
    "category",
    "title",
    "title_key",
    "detail",
    "severity",
    "state",
    "task_force",
    "lead_handler",
    "co_handlers",
    "raised_by",
    "report_id",
    "raised_at",
    "accept_due",
    "due",
    "due_provisional",
    "escalation_rung",
    "resolution",
    "version",
    "updated_at",
    "number",
];

fn issue_row(m: &issues::Model) -> Vec<SimpleExpr> {
    vec![
        Expr::val(m.id),
        Expr::val(m.project_id),
        Expr::val(m.category.clone()),
        Expr::val(m.title.clone()),
        Expr::val(m.title_key.clone()),
        Expr::val(m.detail.clone()),
        Expr::val(m.severity.clone()),
        Expr::val(m.state.clone()),
        Expr::val(m.task_force.clone()),
        Expr::val(m.lead_handler.clone()),
        Expr::val(m.co_handlers.clone()),
        Expr::val(m.raised_by.clone()),
        Expr::val(m.report_id),
        Expr::val(m.raised_at),
        Expr::val(m.accept_due),
        Expr::val(m.due),
        Expr::val(m.due_provisional),
        Expr::val(m.escalation_rung),
        Expr::val(m.resolution.clone()),
        Expr::val(m.version),
        Expr::val(m.updated_at),
        Expr::val(m.number.clone()),
    ]
}

/// Reserves `n` consecutive issue numbers of `year`; returns the first (1-based). Run it in
/// the transaction that inserts the issues: the counter row stays locked until it commits,
/// and a rollback gives the numbers back.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn reserve_issue_numbers<C: ConnectionTrait>(
    conn: &C,
    year: i32,
    n: i64,
) -> Result<i64, StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(crate::sql::stmt(
        backend,
        "INSERT INTO issue_counters (year, last) VALUES ($1, 0) ON CONFLICT DO NOTHING",
        vec![year.into()],
    ))
    .await?;
    let row = conn
        .query_one_raw(crate::sql::stmt(
            backend,
            "UPDATE issue_counters SET last = last + $1 WHERE year = $2 RETURNING last",
            vec![n.into(), year.into()],
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            table: "issue_counters",
            column: "last",
            reason: format!("no row for {year}"),
        })?;
    let last: i64 = row.try_get("", "last")?;
    Ok(last - n + 1)
}

/// The id of the issue with this short number (e.g. `2024-031`), if any.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn issue_id_by_number<C: ConnectionTrait>(
    conn: &C,
    number: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(issues::Entity::find()
        .filter(issues::Column::Number.eq(number))
        .one(conn)
        .await?
        .map(|i| i.id))
}

/// Inserts new issues in multi-row statements. A second open issue with the same identity
/// violates `ux_issues_open_title` and fails the statement (the caller checks first).
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn insert_issues<C: ConnectionTrait>(
    conn: &C,
    rows: &[issues::Model],
) -> Result<usize, StoreError> {
    Ok(insert_batched(
        conn,
        "issues",
        &ISSUE_COLS,
        rows.iter().map(issue_row).collect(),
        None,
        |_| {},
    )
    .await?)
}

/// Appends events in multi-row statements; `(issue_id, seq)` is unique, so two writers that
/// raced on the same issue cannot both append the same step.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn insert_events<C: ConnectionTrait>(
    conn: &C,
    rows: &[issue_events::Model],
) -> Result<usize, StoreError> {
    let cols = [
        "id",
        "issue_id",
        "seq",
        "action",
        "actor",
        "from_state",
        "to_state",
        "note",
        "data",
        "at",
    ];
    let rows = rows
        .iter()
        .map(|e| {
            vec![
                Expr::val(e.id),
                Expr::val(e.issue_id),
                Expr::val(e.seq),
                Expr::val(e.action.clone()),
                Expr::val(e.actor.clone()),
                Expr::val(e.from_state.clone()),
                Expr::val(e.to_state.clone()),
                Expr::val(e.note.clone()),
                Expr::val(e.data.clone()),
                Expr::val(e.at),
            ]
        })
        .collect();
    Ok(insert_batched(conn, "issue_events", &cols, rows, None, |_| {}).await?)
}

/// One issue.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn get_issue<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<Option<issues::Model>, StoreError> {
    Ok(issues::Entity::find_by_id(id).one(conn).await?)
}

/// An issue's events, in order.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn issue_events<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
) -> Result<Vec<issue_events::Model>, StoreError> {
    Ok(issue_events::Entity::find()
        .filter(issue_events::Column::IssueId.eq(id))
        .order_by_asc(issue_events::Column::Seq)
        .all(conn)
        .await?)
}

/// Open issues whose time limits were computed provisionally (into a year without a
/// calendar table), oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn provisional_issues<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<issues::Model>, StoreError> {
    Ok(issues::Entity::find()
        .filter(issues::Column::DueProvisional.eq(true))
        .filter(issues::Column::State.is_not_in(CLOSED_STATES))
        .order_by_asc(issues::Column::RaisedAt)
        .all(conn)
        .await?)
}

/// Writes an issue's new state if nobody changed it since `expected_version` was read;
/// returns whether it was written (false: a concurrent change won, nothing was written).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn update_issue<C: ConnectionTrait>(
    conn: &C,
    m: &issues::Model,
    expected_version: i32,
) -> Result<bool, StoreError> {
    let stmt = Query::update()
        .table("issues")
        .values([
            ("state", Expr::val(m.state.clone())),
            ("task_force", Expr::val(m.task_force.clone())),
            ("lead_handler", Expr::val(m.lead_handler.clone())),
            ("co_handlers", Expr::val(m.co_handlers.clone())),
            ("accept_due", Expr::val(m.accept_due)),
            ("due", Expr::val(m.due)),
            ("due_provisional", Expr::val(m.due_provisional)),
            ("escalation_rung", Expr::val(m.escalation_rung)),
            ("resolution", Expr::val(m.resolution.clone())),
            ("version", Expr::val(m.version)),
            ("updated_at", Expr::val(m.updated_at)),
        ])
        .and_where(Expr::col("id").eq(m.id))
        .and_where(Expr::col("version").eq(expected_version))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected() == 1)
}

/// Sets the escalation rung of many issues at once and advances their version by `steps`
/// (the number of events appended to each). One statement per (rung, steps) group.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn set_escalation_rungs<C: ConnectionTrait>(
    conn: &C,
    updates: &[(Uuid, i32, i32)],
    now_ms: i64,
) -> Result<(), StoreError> {
    let mut groups: HashMap<(i32, i32), Vec<Uuid>> = HashMap::new();
    for (id, rung, steps) in updates {
        groups.entry((*rung, *steps)).or_default().push(*id);
    }
    for ((rung, steps), ids) in groups {
        for chunk in ids.chunks(batch_rows(1) - 4) {
            let stmt = Query::update()
                .table("issues")
                .values([
                    ("escalation_rung", Expr::val(rung)),
                    ("version", Expr::col("version").add(steps)),
                    ("updated_at", Expr::val(now_ms)),
                ])
                .and_where(Expr::col("id").is_in(chunk.to_vec()))
                .to_owned();
            conn.execute(&stmt).await?;
        }
    }
    Ok(())
}

/// Filters for [`list_issues`].
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    /// Only issues routed to this task force (`Some(None)`: only the office's).
    pub task_force: Option<Option<String>>,
    /// Only open issues (not closed or withdrawn).
    pub open_only: bool,
    /// Only these states.
    pub states: Option<Vec<String>>,
    /// Only this project's issues.
    pub project_id: Option<Uuid>,
}

/// Issues matching `filter`, oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list_issues<C: ConnectionTrait>(
    conn: &C,
    filter: &IssueFilter,
) -> Result<Vec<issues::Model>, StoreError> {
    Ok(filtered(filter).all(conn).await?)
}

/// As [`list_issues`], each with its project's code, in one query (a join, not a second
/// query with thousands of ids: on PostgreSQL such a statement spans many packets and waits
/// on Nagle's algorithm, CRATES.md trap 5).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list_issues_with_codes<C: ConnectionTrait>(
    conn: &C,
    filter: &IssueFilter,
) -> Result<Vec<(issues::Model, String)>, StoreError> {
    Ok(filtered(filter)
        .find_also_related(projects::Entity)
        .all(conn)
        .await?
        .into_iter()
        .map(|(i, p)| (i, p.map(|p| p.code).unwrap_or_default()))
        .collect())
}

pub(crate) fn filtered(filter: &IssueFilter) -> sea_orm::Select<issues::Entity> {
    let mut q = issues::Entity::find();
    match &filter.task_force {
        Some(Some(tf)) => q = q.filter(issues::Column::TaskForce.eq(tf.clone())),
        Some(None) => q = q.filter(issues::Column::TaskForce.is_null()),
        None => {}
    }
    if filter.open_only {
        q = q.filter(issues::Column::State.is_not_in(CLOSED_STATES));
    }
    if let Some(states) = &filter.states {
        q = q.filter(issues::Column::State.is_in(states.clone()));
    }
    if let Some(p) = filter.project_id {
        q = q.filter(issues::Column::ProjectId.eq(p));
    }
    q.order_by_asc(issues::Column::RaisedAt)
        .order_by_asc(issues::Column::Id)
}

/// Open issues past a time limit on `today`: still `assigned` after their accept limit, or
/// accepted / in progress after their resolve limit; only those below `max_rung`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn overdue_issues<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
    max_rung: i32,
) -> Result<Vec<issues::Model>, StoreError> {
    let cond = Condition::any()
        .add(
            Condition::all()
                .add(issues::Column::State.eq("assigned"))
                .add(issues::Column::AcceptDue.lt(today)),
        )
        .add(
            Condition::all()
                .add(issues::Column::State.is_in(["accepted", "in_progress"]))
                .add(issues::Column::Due.lt(today)),
        );
    Ok(issues::Entity::find()
        .filter(cond)
        .filter(issues::Column::EscalationRung.lt(max_rung))
        .order_by_asc(issues::Column::RaisedAt)
        .all(conn)
        .await?)
}

/// Counts of rows in the workflow's tables (issues, events, outbox), to check that a refused
/// action wrote nothing.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<(u64, u64, u64), StoreError> {
    use sea_orm::PaginatorTrait;
    Ok((
        issues::Entity::find().count(conn).await?,
        issue_events::Entity::find().count(conn).await?,
        crate::entity::outbox::Entity::find().count(conn).await?,
    ))
}
