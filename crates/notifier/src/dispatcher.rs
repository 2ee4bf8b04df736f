//! The dispatcher: claims due outbox rows, renders and sends them outside any transaction,
//! and marks each sent, retried later (transient failure) or dead (permanent failure or too
//! many attempts).
//!
//! One delivery session runs a small pipeline: this task claims rows in batches with a
//! conditional `UPDATE … RETURNING` (a lease, so a crashed process's rows come back), `N`
//! workers (one SMTP connection each, `N` = `[smtp] pool_size`) render and send, and a
//! marker task writes the outcomes back in batches (`session.rs`). A session stops at the
//! first sign of an unreachable server, and the service does not start one while the
//! circuit breaker (`breaker.rs`) pauses delivery.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use docket_domain::calendar::WorkCalendar;
use docket_domain::clock::Clock;
use docket_domain::config::{CoreConfig, DigestMode, Language, Official};
use docket_store::Db;
use docket_store::outbox::{self, AttachmentRow, ClaimSpec, OutboxRow};
use lettre::message::Mailbox;
use rand::Rng;
use tokio::sync::{Mutex, mpsc, watch};
use uuid::Uuid;

use crate::NotifyError;
use crate::breaker::DeliveryState;
use crate::channels::ChannelKind;
use crate::channels::post::ChannelRoute;
use crate::config::{NotifierSettings, TransportSpec};
use crate::message::{self, Outgoing};
use crate::routes::Route;
use crate::session::{self, Job, Mode, Stop, request_stop};
use crate::templates::Templates;

/// What one delivery session did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Rows claimed and attempted.
    pub attempted: usize,
    /// Rows accepted by the server (or written as `.eml`).
    pub sent: usize,
    /// Rows the service's backoff schedule will try again (a refusal such as 451; the
    /// attempt counts).
    pub retried: usize,
    /// Rows that failed without it counting as an attempt (the server unreachable, or any
    /// transient failure during an operator's flush): pending, due as before.
    pub deferred: usize,
    /// Rows dead-lettered.
    pub dead: usize,
    /// Rows claimed but handed back untried (the session stopped early).
    pub untried: usize,
    /// Rows whose send was cancelled at shutdown: they come back through their lease.
    pub cancelled: usize,
    /// The first few failures: row id and reason.
    pub failures: Vec<(Uuid, String)>,
    /// Where delivery stands after the session (the circuit breaker).
    pub delivery: DeliveryState,
}

impl DeliveryReport {
    /// Rows that were attempted and not sent.
    pub fn failed(&self) -> usize {
        self.retried + self.deferred + self.dead
    }
}

/// Delivers the outbox. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Dispatcher {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) db: Db,
    pub(crate) core: CoreConfig,
    /// One route per configured channel (email is always a route of its own).
    pub(crate) channel_routes: Vec<Arc<ChannelRoute>>,
    pub(crate) settings: NotifierSettings,
    pub(crate) templates: Templates,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) calendar: Arc<WorkCalendar>,
    pub(crate) owner: String,
    pub(crate) from: Mailbox,
    pub(crate) office: serde_json::Value,
    pub(crate) language: Language,
    pub(crate) officials: Vec<Official>,
    pub(crate) tz: Tz,
    pub(crate) links: std::sync::OnceLock<Arc<dyn crate::LinkMaker>>,
}

pub(crate) enum Source {
    Ids(VecDeque<Uuid>),
    Due,
}

impl Dispatcher {
    /// A dispatcher over `db`, loading and checking every template.
    ///
    /// # Errors
    /// [`NotifyError::Template`] naming a missing or broken template file and line;
    /// [`NotifyError::Config`] for an unusable office time zone or sender, or a channel whose
    /// HTTP client cannot be set up.
    pub fn new(
        db: Db,
        core: &CoreConfig,
        settings: NotifierSettings,
        clock: Arc<dyn Clock>,
        calendar: Arc<WorkCalendar>,
    ) -> Result<Dispatcher, NotifyError> {
        let templates = Templates::load(&settings.templates_dir, core.office.language)?;
        let from = message::mailbox(&settings.from_name, &settings.from_email)
            .map_err(|r| NotifyError::config("smtp.from", r))?;
        let tz = core
            .timezone()
            .map_err(|e| NotifyError::config(e.key, e.reason))?;
        let channel_routes = settings
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                ChannelRoute::new(c.clone())
                    .map(Arc::new)
                    .map_err(|r| NotifyError::config(format!("channels[{i}]"), r))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let office = serde_json::json!({
            "name": core.office.name,
            "city": core.office.city,
            "email": core.office.email,
        });
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                db,
                core: core.clone(),
                channel_routes,
                settings,
                templates,
                clock,
                calendar,
                owner: format!("dispatcher-{}", Uuid::now_v7().simple()),
                from,
                office,
                language: core.office.language,
                officials: core.officials.clone(),
                tz,
                links: std::sync::OnceLock::new(),
            }),
        })
    }

    /// Has emails to officials carry the one-click links `maker` makes (set once; later
    /// calls are ignored).
    pub fn set_links(&self, maker: Arc<dyn crate::LinkMaker>) {
        let _ = self.inner.links.set(maker);
    }

    /// This dispatcher's claim owner id (unique per instance).
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// The loaded templates.
    pub fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    /// Where email goes: an SMTP server, or the `.eml` folder.
    pub fn transport(&self) -> &TransportSpec {
        &self.inner.settings.transport
    }

    /// Officials whose `digestible` email waits for their digest.
    pub(crate) fn held_officials(&self) -> Vec<String> {
        self.inner
            .officials
            .iter()
            .filter(|o| o.digest != DigestMode::Immediate)
            .map(|o| o.id.clone())
            .collect()
    }

    /// The operator's flush (`docket mail flush`): attempts every pending row once, now,
    /// whatever its retry delay or a pause of the circuit breaker, including rows whose claim
    /// lease expired; rows held for a digest wait for it. Rows another process holds a live
    /// claim on are left alone. A flush never uses up attempts on a transient failure: such
    /// rows stay pending with their error recorded, and the flush stops at the first sign of
    /// an unreachable server (the rows not tried are untouched). A permanent refusal (5xx)
    /// still dead-letters.
    ///
    /// # Errors
    /// [`NotifyError::Store`] if the database fails; send failures are in the report.
    pub async fn flush_all(&self) -> Result<DeliveryReport, NotifyError> {
        let now = self.now_ms();
        self.fan_out().await?;
        let ids = outbox::flushable_ids(&self.inner.db.conn, now, &self.held_officials()).await?;
        let (stop, _) = watch::channel(Stop::Run);
        self.deliver_routes(Some(ids), Mode::Flush, Arc::new(stop))
            .await
    }

    /// Sends every row that is due now (honouring retry delays), until none is left, the
    /// server turns out unreachable, or — without trying anything — while the circuit
    /// breaker pauses delivery (the report's `delivery` says until when).
    ///
    /// # Errors
    /// [`NotifyError::Store`] if the database fails; send failures are in the report.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, NotifyError> {
        let (stop, _) = watch::channel(Stop::Run);
        self.deliver_routes(None, Mode::Service, Arc::new(stop))
            .await
    }

    /// The service loop for `docket run`: delivers due rows continuously (none while the
    /// circuit breaker pauses delivery), gathers digests at `[mail] digest_time` on working
    /// days, and returns once `shutdown` completes. Stopping takes at most `[mail]
    /// shutdown_secs`: a session under way claims no more and hands back what it has not
    /// tried at once; sends still under way after 60% of that time are cancelled, and their
    /// rows come back through their lease (never lost; possibly sent twice, with one
    /// Message-ID).
    ///
    /// # Errors
    /// None at present: database failures are logged and retried after the poll interval.
    pub async fn run_until(&self, shutdown: impl Future<Output = ()>) -> Result<(), NotifyError> {
        tokio::pin!(shutdown);
        let mut digests_done: Option<NaiveDate> = None;
        loop {
            let local = self.inner.clock.now().with_timezone(&self.inner.tz);
            let today = local.date_naive();
            if local.time() >= self.inner.settings.digest_time && digests_done != Some(today) {
                match self.queue_digests(today).await {
                    Ok(n) => tracing::info!(date = %today, digests = n, "digests queued"),
                    Err(e) => tracing::error!(date = %today, "digests not queued: {e}"),
                }
                digests_done = Some(today);
            }
            let (stop, _) = watch::channel(Stop::Run);
            let stop = Arc::new(stop);
            let session = self.deliver_routes(None, Mode::Service, stop.clone());
            tokio::pin!(session);
            let outcome = tokio::select! {
                r = &mut session => r,
                () = &mut shutdown => {
                    self.stop_session(session, &stop).await;
                    return Ok(());
                }
            };
            let idle = match outcome {
                Ok(r) if r.attempted > 0 => {
                    tracing::info!(
                        sent = r.sent,
                        retried = r.retried,
                        deferred = r.deferred,
                        dead = r.dead,
                        "mail delivered"
                    );
                    r.sent == 0
                }
                Ok(_) => true,
                Err(e) => {
                    tracing::error!("mail delivery: {e}");
                    true
                }
            };
            let pause = if idle {
                self.inner.settings.poll
            } else {
                Duration::ZERO
            };
            tokio::select! {
                biased;
                () = &mut shutdown => return Ok(()),
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Stops a session at shutdown within `[mail] shutdown_secs` (see [`Self::run_until`]).
    async fn stop_session<F>(&self, mut session: std::pin::Pin<&mut F>, stop: &watch::Sender<Stop>)
    where
        F: Future<Output = Result<DeliveryReport, NotifyError>>,
    {
        let bound = self.inner.settings.shutdown;
        let started = tokio::time::Instant::now();
        request_stop(stop, Stop::Soft);
        let finished = match tokio::time::timeout(bound.mul_f64(0.6), &mut session).await {
            Ok(r) => Some(r),
            Err(_) => {
                tracing::warn!("shutdown: cancelling the emails still being sent");
                request_stop(stop, Stop::Hard);
                tokio::time::timeout_at(started + bound, &mut session)
                    .await
                    .ok()
            }
        };
        match finished {
            Some(Ok(r)) => tracing::info!(
                sent = r.sent,
                untried = r.untried,
                cancelled = r.cancelled,
                "mail delivery stopped"
            ),
            Some(Err(e)) => tracing::error!("mail delivery stopped: {e}"),
            None => tracing::error!(
                "mail delivery abandoned after {bound:?}; its claimed emails return after their lease"
            ),
        }
    }

    pub(crate) fn now_ms(&self) -> i64 {
        docket_store::time::to_ms(self.inner.clock.now())
    }

    fn concurrency(&self, route: &Route) -> usize {
        match (route, &self.inner.settings.transport) {
            // A robot posts in order and is rate-limited per group; a gateway takes a few.
            (Route::Channel(r), _) if r.channel.kind == ChannelKind::Sms => 4,
            (Route::Channel(_), _) => 1,
            (Route::Email, TransportSpec::Smtp(t)) => t.pool_size,
            (Route::Email, TransportSpec::Eml(_)) => 2,
        }
    }

    /// One route's delivery session (see `session.rs`).
    pub(crate) async fn deliver(
        &self,
        mut source: Source,
        mode: Mode,
        stop: Arc<watch::Sender<Stop>>,
        route: Route,
    ) -> Result<DeliveryReport, NotifyError> {
        let before = self.route_state(&route.breaker()).await?;
        if mode == Mode::Service && before.is_paused() {
            return Ok(DeliveryReport {
                delivery: before,
                ..DeliveryReport::default()
            });
        }
        let batch = self.inner.settings.batch as usize;
        let (job_tx, job_rx) = mpsc::channel::<Job>(batch);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (out_tx, out_rx) = mpsc::channel(batch * 2);
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..self.concurrency(&route) {
            workers.spawn(session::worker(
                self.inner.clone(),
                route.clone(),
                job_rx.clone(),
                out_tx.clone(),
                stop.clone(),
            ));
        }
        drop(out_tx);
        // Aborted if this session is dropped (a shutdown that ran out of time).
        let mut marker = tokio::task::JoinSet::new();
        marker.spawn(session::mark_outcomes(self.inner.clone(), mode, out_rx));
        let produced = self
            .produce(&mut source, &job_tx, &stop, route.code())
            .await;
        drop(job_tx);
        while let Some(r) = workers.join_next().await {
            r.map_err(|e| NotifyError::Worker(e.to_string()))?;
        }
        let (mut report, news) = marker
            .join_next()
            .await
            .ok_or_else(|| NotifyError::Worker("the marker did not run".into()))?
            .map_err(|e| NotifyError::Worker(e.to_string()))??;
        produced?;
        report.delivery = self
            .record_news(&route.breaker(), &before, report.sent, &news)
            .await?;
        Ok(report)
    }

    /// Claims batches and hands them to the workers; returns when the source is exhausted.
    async fn produce(
        &self,
        source: &mut Source,
        jobs: &mpsc::Sender<Job>,
        stop: &watch::Sender<Stop>,
        channel: &str,
    ) -> Result<(), NotifyError> {
        let inner = &self.inner;
        let held = self.held_officials();
        let batch = inner.settings.batch as usize;
        loop {
            if *stop.borrow() != Stop::Run {
                return Ok(());
            }
            let spec = ClaimSpec {
                owner: &inner.owner,
                now_ms: self.now_ms(),
                lease_ms: inner.settings.lease.as_millis() as i64,
                held_officials: &held,
                channel,
            };
            let rows = match source {
                Source::Ids(q) => {
                    if q.is_empty() {
                        return Ok(());
                    }
                    let chunk: Vec<Uuid> = q.drain(..batch.min(q.len())).collect();
                    outbox::claim_ids(&inner.db.conn, &spec, &chunk).await?
                }
                Source::Due => {
                    let rows = outbox::claim_due(&inner.db.conn, &spec, batch as u64).await?;
                    if rows.is_empty() {
                        return Ok(());
                    }
                    rows
                }
            };
            if rows.is_empty() {
                continue;
            }
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let mut atts: HashMap<Uuid, Vec<AttachmentRow>> = HashMap::new();
            for a in outbox::attachments_of(&inner.db.conn, &ids).await? {
                atts.entry(a.message_id).or_default().push(a);
            }
            for row in rows {
                let attachments = atts.remove(&row.id).unwrap_or_default();
                if jobs.send(Job { row, attachments }).await.is_err() {
                    return Err(NotifyError::Worker("every delivery worker stopped".into()));
                }
            }
        }
    }
}

impl Inner {
    /// The template context of a row: its own context plus `office`, `recipient` (`name`,
    /// `email`, `official`, `salutation`), `lang` (the row's own keys win) and the one-click
    /// `links` of an email to an official.
    pub(crate) fn context_for(&self, row: &OutboxRow) -> Result<serde_json::Value, String> {
        let mut ctx = self.base_context(row)?;
        if let (Some(maker), Some(official), Some(map)) = (
            self.links.get(),
            row.official.as_deref(),
            ctx.as_object_mut(),
        ) {
            maker.add_links(&row.kind, official, map);
        }
        Ok(ctx)
    }

    /// [`Self::context_for`] without links.
    pub(crate) fn base_context(&self, row: &OutboxRow) -> Result<serde_json::Value, String> {
        let mut ctx: serde_json::Value = serde_json::from_str(&row.context)
            .map_err(|e| format!("stored context is not JSON: {e}"))?;
        if ctx.is_null() {
            ctx = serde_json::json!({});
        }
        let Some(map) = ctx.as_object_mut() else {
            return Err("stored context is not a JSON object".into());
        };
        map.entry("office").or_insert_with(|| self.office.clone());
        map.entry("recipient").or_insert_with(|| {
            // How the email greets them: the official's salutation (李明华书记), else the name.
            let salutation = row
                .official
                .as_deref()
                .and_then(|id| self.officials.iter().find(|o| o.id == id))
                .map(|o| o.salutation())
                .unwrap_or_else(|| row.to_name.clone());
            serde_json::json!({
                "name": row.to_name,
                "email": row.to_email,
                "official": row.official,
                "salutation": salutation,
            })
        });
        map.entry("lang").or_insert_with(|| {
            serde_json::json!(match self.language {
                Language::Zh => "zh",
                Language::En => "en",
            })
        });
        Ok(ctx)
    }

    /// Renders (unless pre-rendered) and formats a row's message. Errors are permanent.
    pub(crate) fn prepare(&self, job: &Job) -> Result<Outgoing, String> {
        let row = &job.row;
        let rendered;
        let (subject, text, html) = match (&row.subject, &row.text_body) {
            (Some(s), Some(t)) => (s.as_str(), t.as_str(), row.html_body.as_deref()),
            _ => {
                rendered = self.templates.render(&row.kind, &self.context_for(row)?)?;
                (
                    row.subject.as_deref().unwrap_or(&rendered.subject),
                    row.text_body.as_deref().unwrap_or(&rendered.text),
                    Some(row.html_body.as_deref().unwrap_or(&rendered.html)),
                )
            }
        };
        let atts: Vec<&AttachmentRow> = job.attachments.iter().collect();
        message::build(
            row,
            &atts,
            subject,
            text,
            html,
            &self.from,
            self.clock.now().into(),
        )
    }

    /// The delay before attempt `attempts + 1`: the base doubled per attempt, capped, plus
    /// up to 25% jitter (so retries grow and do not arrive in lockstep).
    pub(crate) fn backoff_ms(&self, attempts: i32) -> i64 {
        let base = self.settings.backoff.as_millis() as f64;
        let max = self.settings.backoff_max.as_millis() as f64;
        let exp = (attempts.max(1) - 1).min(40);
        let delay = (base * 2f64.powi(exp)).min(max);
        let jitter = rand::rng().random_range(0.0..0.25);
        (delay * (1.0 + jitter)) as i64
    }
}
