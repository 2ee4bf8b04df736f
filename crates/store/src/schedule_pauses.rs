//! Paused schedules: the record of every `schedule pause` and `schedule resume` (who, when,
//! why), and the pauses it gives — from a pause until the next resume of the same schedule.
//! The engine records the periods due while paused as skipped, so a resume never catches
//! them up.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::StoreError;
use crate::sql::stmt;

/// A pause or a resume, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PauseEvent {
    /// The ledger's schedule name, e.g. `remind`, `bulletin`, `job:NAME`.
    pub schedule: String,
    /// `pause` or `resume`.
    pub action: String,
    /// Why, if given.
    pub reason: Option<String>,
    /// Who (an official id, or `office`).
    pub actor: String,
    /// When (UTC ms).
    pub at: i64,
}

/// A schedule's pause: from `from` until `until` (still paused when `None`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pause {
    /// The ledger's schedule name.
    pub schedule: String,
    /// Paused at (UTC ms).
    pub from: i64,
    /// Resumed at (UTC ms), if it was.
    pub until: Option<i64>,
    /// Who paused it.
    pub by: String,
    /// Why, if given.
    pub reason: Option<String>,
}

impl Pause {
    /// Whether an occurrence of the pause's schedule due at `due_ms` falls in it: due while
    /// paused, or due earlier and still pending while the schedule is paused now.
    pub fn covers(&self, schedule: &str, due_ms: i64) -> bool {
        self.schedule == schedule
            && match self.until {
                None => true,
                Some(until) => self.from <= due_ms && due_ms < until,
            }
    }
}

/// Records a pause or a resume. Expects the caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn record_pause_event<C: ConnectionTrait>(
    conn: &C,
    e: &PauseEvent,
) -> Result<(), StoreError> {
    let backend = conn.get_database_backend();
    conn.execute_raw(stmt(
        backend,
        "INSERT INTO schedule_pauses (id, schedule, action, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            Uuid::now_v7().into(),
            e.schedule.clone().into(),
            e.action.clone().into(),
            e.reason.clone().into(),
            e.actor.clone().into(),
            e.at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Every pause and resume, oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn pause_events<C: ConnectionTrait>(conn: &C) -> Result<Vec<PauseEvent>, StoreError> {
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(stmt(
            backend,
            "SELECT schedule, action, reason, actor, at FROM schedule_pauses ORDER BY at, id",
            vec![],
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PauseEvent {
                schedule: r.try_get("", "schedule")?,
                action: r.try_get("", "action")?,
                reason: r.try_get("", "reason")?,
                actor: r.try_get("", "actor")?,
                at: r.try_get("", "at")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StoreError::from)
}

/// The pauses `events` (oldest first) give: each pause until the next resume of its schedule.
pub fn pauses_of(events: &[PauseEvent]) -> Vec<Pause> {
    let mut out: Vec<Pause> = Vec::new();
    for e in events {
        let open = out
            .iter_mut()
            .find(|p| p.schedule == e.schedule && p.until.is_none());
        match (e.action.as_str(), open) {
            ("pause", None) => out.push(Pause {
                schedule: e.schedule.clone(),
                from: e.at,
                until: None,
                by: e.actor.clone(),
                reason: e.reason.clone(),
            }),
            ("resume", Some(p)) => p.until = Some(e.at),
            _ => {}
        }
    }
    out
}

/// Every pause, past and current.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn pauses<C: ConnectionTrait>(conn: &C) -> Result<Vec<Pause>, StoreError> {
    Ok(pauses_of(&pause_events(conn).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(schedule: &str, action: &str, at: i64) -> PauseEvent {
        PauseEvent {
            schedule: schedule.into(),
            action: action.into(),
            reason: None,
            actor: "office".into(),
            at,
        }
    }

    // A pause lasts until its schedule's next resume; the other schedule is untouched.
    #[test]
    fn pauses_run_from_pause_to_resume() {
        let p = pauses_of(&[
            ev("remind", "pause", 10),
            ev("close", "pause", 15),
            ev("remind", "resume", 20),
            ev("remind", "resume", 25),
        ]);
        assert_eq!(p.len(), 2);
        assert!(p[0].covers("remind", 10) && p[0].covers("remind", 19));
        assert!(!p[0].covers("remind", 20) && !p[0].covers("remind", 9));
        assert!(!p[0].covers("close", 12));
        assert!(p[1].covers("close", 1), "still paused: everything pending");
    }
}
