//! What the 督办/考核 record reads: the report slots of the cycles whose deadline falls in a
//! window, with their projects' owner units, and the issues and their events.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::StoreError;
use crate::entity::{issue_events, issues};
use crate::sql::stmt;

/// One project's slot in one weekly cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotLine {
    /// ISO week, `YYYY-Www`.
    pub week: String,
    /// The cycle's report deadline (UTC ms).
    pub deadline_at: i64,
    /// The cycle's state code (`open`, `closed`).
    pub cycle_state: String,
    /// Project code.
    pub code: String,
    /// Project name.
    pub name: String,
    /// The project's owner unit (责任单位).
    pub owner_unit: String,
    /// Slot status code: `due`, `submitted`, `late`, `missing`.
    pub status: String,
    /// When the slot's report was submitted (UTC ms), if any.
    pub submitted_at: Option<i64>,
}

/// The slots of every cycle whose deadline is in `[from_ms, to_ms)`, by week and code.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn slots_between<C: ConnectionTrait>(
    conn: &C,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<SlotLine>, StoreError> {
    let rows = conn
        .query_all_raw(stmt(
            conn.get_database_backend(),
            "SELECT c.week, c.deadline_at, c.state, p.code, p.name, p.owner_unit, s.status, \
                    w.submitted_at \
             FROM report_slots s \
             JOIN dispatch_cycles c ON c.id = s.cycle_id \
             JOIN projects p ON p.id = s.project_id \
             LEFT JOIN weekly_reports w ON w.id = s.report_id \
             WHERE c.deadline_at >= $1 AND c.deadline_at < $2 \
             ORDER BY c.week, p.code",
            vec![from_ms.into(), to_ms.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SlotLine {
                week: r.try_get("", "week")?,
                deadline_at: r.try_get("", "deadline_at")?,
                cycle_state: r.try_get("", "state")?,
                code: r.try_get("", "code")?,
                name: r.try_get("", "name")?,
                owner_unit: r.try_get("", "owner_unit")?,
                status: r.try_get("", "status")?,
                submitted_at: r.try_get("", "submitted_at")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// Issues raised before `to_ms`, oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn issues_before<C: ConnectionTrait>(
    conn: &C,
    to_ms: i64,
) -> Result<Vec<issues::Model>, StoreError> {
    Ok(issues::Entity::find()
        .filter(issues::Column::RaisedAt.lt(to_ms))
        .order_by_asc(issues::Column::RaisedAt)
        .order_by_asc(issues::Column::Id)
        .all(conn)
        .await?)
}

/// Issue events in `[from_ms, to_ms)`, in time order.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn events_between<C: ConnectionTrait>(
    conn: &C,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<issue_events::Model>, StoreError> {
    Ok(issue_events::Entity::find()
        .filter(issue_events::Column::At.gte(from_ms))
        .filter(issue_events::Column::At.lt(to_ms))
        .order_by_asc(issue_events::Column::At)
        .order_by_asc(issue_events::Column::Seq)
        .all(conn)
        .await?)
}
