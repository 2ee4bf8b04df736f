//! The schedules as people plan with them: the next firings and who they reach.

use docket_scheduler::preview::PreviewLine;
use docket_store::schedule_pauses as pauses;
use docket_store::scheduling::Firing;
use sea_orm::TransactionTrait;

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// The firings of the next `weeks` weeks (1 to 104) in office time, with their recipients.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn preview_schedules(app: &App, weeks: u32) -> AppResult<Vec<PreviewLine>> {
    Ok(app
        .scheduler
        .preview(app.now(), weeks.clamp(1, 104))
        .await?)
}

/// The scheduler's ledger: what fired, and what was skipped with the reason (catch-up after
/// downtime, misfire policy), oldest due first; one schedule's only with `schedule`.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn schedule_history(app: &App, schedule: Option<&str>) -> AppResult<Vec<Firing>> {
    Ok(docket_store::scheduling::list_firings(&app.db.conn, schedule).await?)
}

/// One schedule as the office manages it: whether it is paused, and its next firings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduleState {
    /// The ledger name (`open`, `remind`, …, `job:NAME`).
    pub name: String,
    /// The pause in force, if any: since when, by whom, why.
    pub paused: Option<docket_store::schedule_pauses::Pause>,
    /// Its next firings (reminder rounds included), at most [`NEXT_FIRINGS`].
    pub next: Vec<PreviewLine>,
}

/// How many coming firings [`schedule_states`] lists per schedule.
pub const NEXT_FIRINGS: usize = 3;

/// Every schedule with its pause in force and its next firings within eight weeks, for the
/// office.
///
/// # Errors
/// Not permitted (only the office); unexpected if the database fails.
pub async fn schedule_states(app: &App, actor: &Actor) -> AppResult<Vec<ScheduleState>> {
    require_office(actor, "manage the schedules")?;
    let pauses = pauses::pauses(&app.db.conn).await?;
    let preview = preview_schedules(app, 8).await?;
    Ok(app
        .scheduler
        .schedule_names()
        .into_iter()
        .map(|name| {
            let ledger = app
                .scheduler
                .schedule_name(&name)
                .unwrap_or_else(|| name.clone());
            let next = preview
                .iter()
                .filter(|l| {
                    l.schedule == ledger || (ledger == "remind" && l.schedule.starts_with("remind"))
                })
                .take(NEXT_FIRINGS)
                .cloned()
                .collect();
            let paused = pauses
                .iter()
                .find(|p| p.schedule == ledger && p.until.is_none())
                .cloned();
            ScheduleState {
                name: ledger,
                paused,
                next,
            }
        })
        .collect())
}

/// A schedule's pause or resume, as recorded and shown.
pub type PauseEvent = docket_store::schedule_pauses::PauseEvent;

/// Pauses schedule `name` (`open`, `remind`, `close`, `bulletin`, `calendar_alarm` or a
/// custom job's name) as `actor` from now on, with an optional `reason`: until it is resumed
/// every period that falls due is recorded as skipped, and the resume does not catch them up.
///
/// # Errors
/// Not permitted (only the office); bad input for an unknown schedule or an over-long
/// reason; a conflict when it is already paused; unexpected if the database fails.
pub async fn pause_schedule(
    app: &App,
    actor: &Actor,
    name: &str,
    reason: Option<&str>,
) -> AppResult<PauseEvent> {
    require_office(actor, "pause a schedule")?;
    let reason = reason
        .map(docket_domain::text::single_line)
        .filter(|r| !r.is_empty());
    if let Some(r) = &reason {
        docket_domain::text::check_length(r, app.config.workflow.note_max_chars)
            .map_err(|e| AppError::bad_input(format!("--reason: {e}")))?;
    }
    change_pause(app, actor, name, "pause", reason).await
}

/// Resumes the paused schedule `name` as `actor`: it fires again from its next period on;
/// the periods skipped while paused stay skipped.
///
/// # Errors
/// Not permitted (only the office); bad input for an unknown schedule; a conflict when it
/// is not paused; unexpected if the database fails.
pub async fn resume_schedule(app: &App, actor: &Actor, name: &str) -> AppResult<PauseEvent> {
    require_office(actor, "resume a schedule")?;
    change_pause(app, actor, name, "resume", None).await
}

async fn change_pause(
    app: &App,
    actor: &Actor,
    name: &str,
    action: &str,
    reason: Option<String>,
) -> AppResult<PauseEvent> {
    let Some(schedule) = app.scheduler.schedule_name(name) else {
        return Err(AppError::bad_input(format!(
            "{name}: no such schedule (one of: {})",
            app.scheduler.schedule_names().join(", ")
        )));
    };
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await
        .map_err(docket_store::StoreError::from)?;
    let paused = pauses::pauses(&txn)
        .await?
        .iter()
        .any(|p| p.schedule == schedule && p.until.is_none());
    match (action, paused) {
        ("pause", true) => {
            return Err(AppError::Conflict(format!(
                "schedule {schedule} is already paused"
            )));
        }
        ("resume", false) => {
            return Err(AppError::Conflict(format!(
                "schedule {schedule} is not paused"
            )));
        }
        _ => {}
    }
    let e = PauseEvent {
        schedule,
        action: action.into(),
        reason,
        actor: actor.id.clone(),
        at: docket_store::time::to_ms(app.now()),
    };
    pauses::record_pause_event(&txn, &e).await?;
    txn.commit().await.map_err(docket_store::StoreError::from)?;
    Ok(e)
}

/// One line of `schedule history`: a firing or skip of the ledger, or a pause or resume.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryLine {
    /// The ledger's schedule name.
    pub schedule: String,
    /// The period (empty for a pause or resume).
    pub period: String,
    /// Due (a firing) or done (a pause or resume), in office time.
    pub due: String,
    /// When it fired or was recorded, in office time.
    pub fired: String,
    /// Whether the period was skipped (with the reason in `outcome`).
    pub skipped: bool,
    /// What it did, why it was skipped, or the pause or resume in words.
    pub outcome: String,
    /// `pause` or `resume` for those lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Who paused or resumed (name and title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The ledger (as [`schedule_history`]) with every pause and resume, in time order, times in
/// office time; the scheduler's own anchor row left out.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn schedule_history_lines(
    app: &App,
    schedule: Option<&str>,
) -> AppResult<Vec<HistoryLine>> {
    let s = &app.scheduler;
    let wanted = schedule.map(|n| s.schedule_name(n).unwrap_or_else(|| n.to_string()));
    let mut out: Vec<(i64, HistoryLine)> = schedule_history(app, wanted.as_deref())
        .await?
        .into_iter()
        .filter(|f| f.schedule != "scheduler")
        .map(|f| {
            (
                f.due_at,
                HistoryLine {
                    schedule: f.schedule,
                    period: f.period,
                    due: s.local_time(f.due_at),
                    fired: s.local_time(f.fired_at),
                    skipped: f.outcome.starts_with("skipped"),
                    outcome: f.outcome,
                    event: None,
                    by: None,
                },
            )
        })
        .collect();
    for e in pauses::pause_events(&app.db.conn).await? {
        if wanted.as_deref().is_some_and(|w| w != e.schedule) {
            continue;
        }
        let by = s.person(&e.actor);
        let outcome = match (e.action.as_str(), e.reason.as_deref()) {
            ("pause", Some(r)) => format!("暂停（{by}，原因：{r}）"),
            ("pause", None) => format!("暂停（{by}）"),
            _ => format!("恢复（{by}）"),
        };
        out.push((
            e.at,
            HistoryLine {
                schedule: e.schedule,
                period: String::new(),
                due: s.local_time(e.at),
                fired: s.local_time(e.at),
                skipped: false,
                outcome,
                event: Some(e.action),
                by: Some(by),
            },
        ));
    }
    out.sort_by_key(|(at, _)| *at);
    Ok(out.into_iter().map(|(_, l)| l).collect())
}
