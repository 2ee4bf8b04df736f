//! The engine: each tick, the leader (the holder of the `scheduler` lease) lists what fell due
//! since the last periods it fired, applies each schedule's misfire policy, and fires what is
//! left — each firing in one transaction with its ledger row and behind the lease's fencing
//! token, so several `docket run` processes on one PostgreSQL fire each period once and a
//! paused stale leader cannot write.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Duration, NaiveTime, Utc};
use docket_domain::calendar::WorkCalendar;
use docket_domain::clock::Clock;
use docket_domain::config::CoreConfig;
use docket_domain::hold::{HoldKind, HoldReason};
use docket_domain::period::{IsoWeek, Month};
use docket_store::scheduling::{self, FiringRow};
use docket_store::time::{from_ms, to_ms};
use docket_store::{Backend, Db};
use sea_orm::{DatabaseTransaction, TransactionTrait};

use crate::config::{Misfire, SchedulesConfig};
use crate::error::SchedulerError;
pub use crate::hooks::{BoxFuture, BulletinHook, JobHook};
use crate::jobs::Recipient;
use crate::plan::Plan;

mod catch_up;
mod occurrences;

pub(crate) use catch_up::CatchUp;

/// The name of the scheduler's lease.
pub const LEASE: &str = "scheduler";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Work {
    Open(IsoWeek),
    Remind(IsoWeek, usize),
    Close(IsoWeek),
    Bulletin(Month),
    Alarm(i32),
    Job(String),
}

impl Work {
    fn rank(&self) -> u8 {
        match self {
            Work::Close(_) => 0,
            Work::Open(_) => 1,
            Work::Remind(..) => 2,
            Work::Bulletin(_) => 3,
            Work::Alarm(_) => 4,
            Work::Job(_) => 5,
        }
    }
}

/// One occurrence of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// Ledger schedule name: `open`, `remind`, `close`, `bulletin`, `calendar_alarm`, `job:NAME`.
    pub schedule: String,
    /// Ledger period: `2024-W37`, `2024-W37/r2`, `2024-09`, `2027/2026-W45`, or a job's local time.
    pub period: String,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    work: Work,
    catch_up: CatchUp,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Whether this process held the lease.
    pub leader: bool,
    /// Firings done: (schedule, period, outcome).
    pub fired: Vec<(String, String, String)>,
    /// Periods passed over by the misfire policy.
    pub skipped: Vec<(String, String)>,
}

/// The scheduler of one process.
#[derive(Clone)]
pub struct Scheduler {
    db: Db,
    plan: Arc<Plan>,
    core: Arc<CoreConfig>,
    calendar: Arc<RwLock<Arc<WorkCalendar>>>,
    holder: String,
    bulletin: Option<Arc<dyn BulletinHook>>,
    jobs: HashMap<String, Arc<dyn JobHook>>,
    anchor: Arc<Mutex<Option<DateTime<Utc>>>>,
    exclusive: bool,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler over `db` with the office's configuration, `[schedules]` and the calendar.
    /// Its holder id is unique to this instance.
    ///
    /// # Errors
    /// [`SchedulerError::Config`] naming the key for a bad `[schedules]` value or time zone.
    pub fn new(
        db: Db,
        core: CoreConfig,
        config: SchedulesConfig,
        calendar: WorkCalendar,
    ) -> Result<Self, SchedulerError> {
        let tz = core.timezone()?;
        let plan = Plan::new(config, tz)?;
        Ok(Scheduler {
            db,
            plan: Arc::new(plan),
            core: Arc::new(core),
            calendar: Arc::new(RwLock::new(Arc::new(calendar))),
            holder: format!(
                "pid{}-{}",
                std::process::id(),
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            bulletin: None,
            jobs: HashMap::new(),
            anchor: Arc::new(Mutex::new(None)),
            exclusive: false,
        })
    }

    /// Declares that no other scheduler process can run on this database (the caller holds
    /// the SQLite file's run lock): a lease left unexpired by a process that died is taken
    /// over at start instead of refused. No effect on PostgreSQL, where a follower waits.
    pub fn exclusive(mut self) -> Self {
        self.exclusive = true;
        self
    }

    /// Sets the holder id (tests name their replicas).
    pub fn with_holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = holder.into();
        self
    }

    /// Wires the monthly bulletin.
    pub fn with_bulletin_hook(mut self, hook: Arc<dyn BulletinHook>) -> Self {
        self.bulletin = Some(hook);
        self
    }

    /// Wires the hook a custom job's `action` names.
    pub fn with_job_hook(mut self, action: impl Into<String>, hook: Arc<dyn JobHook>) -> Self {
        self.jobs.insert(action.into(), hook);
        self
    }

    /// Replaces the calendar (after `docket calendar import`): provisional dates are
    /// recomputed from then on.
    pub fn set_calendar(&self, calendar: WorkCalendar) {
        *self.calendar.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(calendar);
    }

    /// Who the wired bulletin hook sends to (empty without a hook).
    pub fn bulletin_recipients(&self) -> Vec<Recipient> {
        self.bulletin
            .as_ref()
            .map(|h| h.recipients())
            .unwrap_or_default()
    }

    /// The calendar in use.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The parsed schedules.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The office configuration.
    pub fn core(&self) -> &CoreConfig {
        &self.core
    }

    /// This instance's holder id.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Claims the lease at start-up. On SQLite a second scheduler is refused while another
    /// holds an unexpired lease; on PostgreSQL a process that does not get the lease runs as
    /// a follower and takes over if the leader stops renewing.
    ///
    /// # Errors
    /// [`SchedulerError::AlreadyRunning`] on SQLite when another scheduler runs;
    /// [`SchedulerError::Store`] if the database fails.
    pub async fn start(&self, now: DateTime<Utc>) -> Result<(), SchedulerError> {
        let ttl = i64::from(self.plan.config.lease_seconds) * 1000;
        let got =
            scheduling::acquire_lease(&self.db.conn, LEASE, &self.holder, to_ms(now), ttl).await?;
        if got.is_none() && self.db.backend == Backend::Sqlite {
            let l = scheduling::lease(&self.db.conn, LEASE).await?;
            let (holder, until) = l.map(|l| (l.holder, l.expires_at)).unwrap_or_default();
            if self.exclusive {
                // The caller holds the file's run lock: the holder is a process that died
                // (kill -9, power loss) before its lease ran out.
                tracing::warn!(%holder, "taking over the scheduler lease left by a process that is gone");
                scheduling::seize_lease(&self.db.conn, LEASE, &self.holder, to_ms(now), ttl)
                    .await?;
                return Ok(());
            }
            return Err(SchedulerError::AlreadyRunning {
                holder,
                until: from_ms(until)
                    .with_timezone(&self.plan.tz)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
            });
        }
        Ok(())
    }

    /// Gives the lease up (a clean shutdown).
    ///
    /// # Errors
    /// [`SchedulerError::Store`] if the database fails.
    pub async fn stop(&self, now: DateTime<Utc>) -> Result<(), SchedulerError> {
        scheduling::release_lease(&self.db.conn, LEASE, &self.holder, to_ms(now)).await?;
        Ok(())
    }

    /// Ticks until `shutdown` resolves, every `tick_seconds` of real time, reading `clock`.
    /// A failing tick is logged and retried at the next one. Releases the lease at the end.
    ///
    /// # Errors
    /// [`SchedulerError::AlreadyRunning`] from [`Scheduler::start`].
    pub async fn run_until(
        &self,
        clock: Arc<dyn Clock>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), SchedulerError> {
        self.start(clock.now()).await?;
        let period = std::time::Duration::from_secs(u64::from(self.plan.config.tick_seconds));
        tokio::pin!(shutdown);
        loop {
            match self.run_once(clock.now()).await {
                Ok(r) => {
                    for (s, p, o) in &r.fired {
                        tracing::info!(schedule = %s, period = %p, "fired: {o}");
                    }
                }
                Err(e) => tracing::error!("scheduler tick failed: {e}"),
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(period) => {}
            }
        }
        let _ = self.stop(clock.now()).await;
        Ok(())
    }

    /// The ledger's anchor (where catching up may start) and whether this call made it (the
    /// first start of any scheduler on this database).
    async fn anchor(&self, now: DateTime<Utc>) -> Result<(DateTime<Utc>, bool), SchedulerError> {
        if let Some(a) = *self.anchor.lock().unwrap_or_else(|p| p.into_inner()) {
            return Ok((a, false));
        }
        // The first tick ever catches up from the start of its week: this week's cycle opens
        // even if `docket run` starts on Monday afternoon, older periods are history.
        let local = now.with_timezone(&self.plan.tz).date_naive();
        let monday = IsoWeek::containing(local).monday();
        let start = crate::plan::local_to_utc(self.plan.tz, monday.and_time(NaiveTime::MIN));
        let made = scheduling::record_firings(
            &self.db.conn,
            &[FiringRow {
                schedule: "scheduler".into(),
                period: "anchor".into(),
                due_at: to_ms(start),
                fired_at: to_ms(now),
                owner: self.holder.clone(),
                outcome: "first start".into(),
            }],
        )
        .await?;
        let rows = scheduling::list_firings(&self.db.conn, Some("scheduler")).await?;
        let a = rows
            .iter()
            .find(|f| f.period == "anchor")
            .map(|f| from_ms(f.due_at))
            .unwrap_or(start);
        *self.anchor.lock().unwrap_or_else(|p| p.into_inner()) = Some(a);
        Ok((a, !made.is_empty()))
    }

    fn policy(&self, schedule: &str) -> Misfire {
        let m = &self.plan.config.misfire;
        match schedule {
            "open" => m.open,
            "remind" => m.remind,
            "close" => m.close,
            "bulletin" => m.bulletin,
            "calendar_alarm" => m.calendar_alarm,
            other => self
                .plan
                .config
                .jobs
                .iter()
                .find(|j| other.strip_prefix("job:") == Some(j.name.as_str()))
                .map(|j| j.misfire)
                .unwrap_or(Misfire::Latest),
        }
    }

    /// One tick at `now`: renew or take the lease; if leader, fire everything due that the
    /// ledger does not hold yet, by each schedule's misfire policy. Tests call it with a
    /// manual clock's instants.
    ///
    /// # Errors
    /// [`SchedulerError::Store`] if the database fails (what committed stays committed).
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<TickReport, SchedulerError> {
        let ttl = i64::from(self.plan.config.lease_seconds) * 1000;
        let Some(token) =
            scheduling::acquire_lease(&self.db.conn, LEASE, &self.holder, to_ms(now), ttl).await?
        else {
            return Ok(TickReport::default());
        };
        let mut report = TickReport {
            leader: true,
            ..Default::default()
        };
        let (anchor, first_start) = self.anchor(now).await?;
        let since = anchor.max(now - Duration::days(i64::from(self.plan.config.catch_up_days)));
        let occ = self.occurrences(since - Duration::milliseconds(1), now);
        if occ.is_empty() {
            return Ok(report);
        }
        let done =
            scheduling::fired_since(&self.db.conn, to_ms(since - Duration::days(14))).await?;
        // A period due while its schedule was paused is skipped, never caught up.
        let (pending, paused) = self.split_paused(occ, &done).await?;
        // Misfire policy and catch-up rules per schedule: which to fire, which to skip.
        let mut by_schedule: BTreeMap<String, Vec<Occurrence>> = BTreeMap::new();
        for o in pending {
            by_schedule.entry(o.schedule.clone()).or_default().push(o);
        }
        let (mut fire, mut skip_only) = self.decide(by_schedule, now, first_start);
        skip_only.extend(paused);
        fire.sort_by(|a, b| {
            a.0.due_at
                .cmp(&b.0.due_at)
                .then(a.0.work.rank().cmp(&b.0.work.rank()))
        });
        if !skip_only.is_empty() {
            let txn = self
                .db
                .conn
                .begin_with_options(docket_store::db::WRITE)
                .await?;
            if !scheduling::check_fence(&txn, LEASE, &self.holder, token).await? {
                txn.rollback().await?;
                report.leader = false;
                return Ok(report);
            }
            let rows: Vec<FiringRow> = skip_only
                .iter()
                .map(|(o, reason)| self.row(o, now, reason))
                .collect();
            scheduling::record_firings(&txn, &rows).await?;
            txn.commit().await?;
            report
                .skipped
                .extend(skip_only.into_iter().map(|(o, _)| (o.schedule, o.period)));
        }
        // Custom jobs go in batches (one transaction per batch of ledger rows and work).
        let (jobs, builtin): (Vec<_>, Vec<_>) = fire
            .into_iter()
            .partition(|(o, _)| matches!(o.work, Work::Job(_)));
        for (o, skipped) in builtin {
            match self.fire_one(&o, &skipped, token, now).await {
                Ok(Some(outcome)) => {
                    report
                        .skipped
                        .extend(skipped.into_iter().map(|s| (s.schedule, s.period)));
                    report.fired.push((o.schedule, o.period, outcome));
                }
                Ok(None) => {}
                Err(FireError::Fenced) => {
                    report.leader = false;
                    return Ok(report);
                }
                Err(FireError::Other(e)) => {
                    tracing::error!(schedule = %o.schedule, period = %o.period, "firing failed, retried next tick: {e}");
                }
            }
        }
        if !jobs.is_empty() {
            match self.fire_jobs(&jobs, token, now).await {
                Ok(list) => report.fired.extend(list),
                Err(FireError::Fenced) => report.leader = false,
                Err(FireError::Other(e)) => {
                    tracing::error!("job batch failed, retried next tick: {e}")
                }
            }
        }
        Ok(report)
    }

    fn row(&self, o: &Occurrence, now: DateTime<Utc>, outcome: &str) -> FiringRow {
        FiringRow {
            schedule: o.schedule.clone(),
            period: o.period.clone(),
            due_at: to_ms(o.due_at),
            fired_at: to_ms(now),
            owner: self.holder.clone(),
            outcome: outcome.into(),
        }
    }

    /// Begins a transaction in which this holder still holds the lease with `token`.
    async fn begin_fenced(&self, token: i64) -> Result<DatabaseTransaction, FireError> {
        let txn = self
            .db
            .conn
            .begin_with_options(docket_store::db::WRITE)
            .await
            .map_err(SchedulerError::from)?;
        if !scheduling::check_fence(&txn, LEASE, &self.holder, token)
            .await
            .map_err(SchedulerError::from)?
        {
            let _ = txn.rollback().await;
            return Err(FireError::Fenced);
        }
        Ok(txn)
    }

    async fn fire_one(
        &self,
        o: &Occurrence,
        skipped: &[Occurrence],
        token: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, FireError> {
        let txn = self.begin_fenced(token).await?;
        let mut rows = vec![self.row(o, now, "firing")];
        rows.extend(
            skipped
                .iter()
                .map(|s| self.row(s, now, &format!("skipped: superseded by {}", o.period))),
        );
        let inserted = scheduling::record_firings(&txn, &rows)
            .await
            .map_err(SchedulerError::from)?;
        if !inserted.contains(&(o.schedule.clone(), o.period.clone())) {
            let _ = txn.rollback().await;
            return Ok(None);
        }
        let outcome = self.work(&txn, o, now).await?;
        scheduling::set_outcome(&txn, &o.schedule, &o.period, &outcome)
            .await
            .map_err(SchedulerError::from)?;
        txn.commit().await.map_err(SchedulerError::from)?;
        Ok(Some(outcome))
    }

    async fn fire_jobs(
        &self,
        jobs: &[(Occurrence, Vec<Occurrence>)],
        token: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, String, String)>, FireError> {
        let mut fired = Vec::new();
        for chunk in jobs.chunks(1000) {
            let txn = self.begin_fenced(token).await?;
            let mut rows = Vec::new();
            for (o, skipped) in chunk {
                rows.push(self.row(o, now, "fired"));
                rows.extend(
                    skipped
                        .iter()
                        .map(|s| self.row(s, now, &format!("skipped: superseded by {}", o.period))),
                );
            }
            let inserted: HashSet<(String, String)> = scheduling::record_firings(&txn, &rows)
                .await
                .map_err(SchedulerError::from)?
                .into_iter()
                .collect();
            for (o, _) in chunk {
                if !inserted.contains(&(o.schedule.clone(), o.period.clone())) {
                    continue;
                }
                let outcome = self.work(&txn, o, now).await?;
                fired.push((o.schedule.clone(), o.period.clone(), outcome));
            }
            txn.commit().await.map_err(SchedulerError::from)?;
        }
        Ok(fired)
    }

    async fn work(
        &self,
        txn: &DatabaseTransaction,
        o: &Occurrence,
        now: DateTime<Utc>,
    ) -> Result<String, FireError> {
        let cal = self.calendar();
        let hook_err = |reason: String| {
            FireError::Other(SchedulerError::Hook {
                schedule: o.schedule.clone(),
                period: o.period.clone(),
                reason,
            })
        };
        match &o.work {
            Work::Open(week) => {
                let r = self.open_in(txn, &cal, *week, now).await?;
                Ok(match r {
                    Some(r) => format!("opened {} slots", r.slots_added),
                    None => "no working day: no cycle".into(),
                })
            }
            Work::Remind(week, rung) => Ok(self.remind_in(txn, *week, *rung, now).await?),
            Work::Close(week) => Ok(self.close_in(txn, *week, now, &o.catch_up).await?),
            Work::Bulletin(month) => match (&self.bulletin, &o.catch_up) {
                (_, CatchUp::Stale(reason)) => {
                    let h = docket_store::holds::hold(
                        txn,
                        HoldKind::Bulletin,
                        &month.to_string(),
                        HoldReason::Stale,
                        reason,
                        to_ms(now),
                    )
                    .await
                    .map_err(SchedulerError::from)?;
                    Ok(format!(
                        "bulletin {month} held (hold {}): {reason}",
                        h.number
                    ))
                }
                (Some(h), _) => h.fire(txn, *month, now).await.map_err(hook_err),
                (None, _) => Ok("no bulletin hook wired".into()),
            },
            Work::Alarm(year) => Ok(self.alarm_in(txn, *year, &o.period, now).await?),
            Work::Job(action) => match self.jobs.get(action) {
                Some(h) => h
                    .fire(txn, &o.schedule, &o.period, now)
                    .await
                    .map_err(hook_err),
                None => Ok(format!("no hook for action {action:?}")),
            },
        }
    }
}

pub(crate) enum FireError {
    /// Another process took the lease.
    Fenced,
    /// The work failed.
    Other(SchedulerError),
}

impl From<SchedulerError> for FireError {
    fn from(e: SchedulerError) -> Self {
        FireError::Other(e)
    }
}
