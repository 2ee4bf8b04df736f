//! One delivery session's moving parts: the workers that send (one SMTP connection each, or
//! HTTP posts on a channel's route) and the marker that writes outcomes back in batches.
//!
//! A session stops early — the producer claims no more, workers hand back what they have not
//! tried — at the first sign that the server is unreachable (so an outage costs one failed
//! connection per worker, not one per message), and at shutdown; after the shutdown grace,
//! sends under way are cancelled and their rows come back through their lease.

use std::sync::Arc;

use docket_store::outbox::{self, AttachmentRow, OutboxRow};
use tokio::sync::{Mutex, mpsc, watch};
use uuid::Uuid;

use crate::NotifyError;
use crate::dispatcher::{DeliveryReport, Inner};
use crate::routes::Route;
use crate::transport::{SendFailure, Sender};

/// A claimed row and its attachments, handed to a worker.
pub(crate) struct Job {
    pub(crate) row: OutboxRow,
    pub(crate) attachments: Vec<AttachmentRow>,
}

/// Whether the session goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stop {
    /// Keep claiming and sending.
    Run,
    /// Claim no more; hand back rows not yet tried; finish sends under way.
    Soft,
    /// Cancel sends under way too (their rows come back through their lease).
    Hard,
}

/// Who started the session: the operator's flush never counts a transient failure as an
/// attempt; the service's backoff schedule does (for refusals such as 451, not for an
/// unreachable server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Flush,
    Service,
}

pub(crate) enum Verdict {
    Sent,
    Failed(SendFailure),
    /// Claimed but not tried: the session stopped first.
    Untried,
    /// Cancelled while being sent (shutdown): left to its lease.
    Cancelled,
}

pub(crate) struct Outcome {
    id: Uuid,
    attempts: i32,
    verdict: Verdict,
}

/// What the session learnt about the server, for the circuit breaker.
#[derive(Debug, Default)]
pub(crate) struct ServerNews {
    /// Sends that failed because the server was unreachable.
    pub(crate) unreachable: u32,
    /// The last such failure.
    pub(crate) last_reason: Option<String>,
}

/// Asks the session to stop at `level` (never lowers it).
pub(crate) fn request_stop(stop: &watch::Sender<Stop>, level: Stop) {
    stop.send_if_modified(|s| {
        if *s < level {
            *s = level;
            true
        } else {
            false
        }
    });
}

pub(crate) async fn worker(
    inner: Arc<Inner>,
    route: Route,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    out: mpsc::Sender<Outcome>,
    stop: Arc<watch::Sender<Stop>>,
) {
    let mut sender = Sender::new(&inner.settings.transport);
    let mut stop_rx = stop.subscribe();
    loop {
        let job = { jobs.lock().await.recv().await };
        let Some(job) = job else { break };
        let verdict = if *stop_rx.borrow() != Stop::Run {
            Verdict::Untried
        } else {
            let sending = async {
                match &route {
                    Route::Channel(r) => crate::channels::post::send(&inner, r, &job.row).await,
                    Route::Email => match inner.prepare(&job) {
                        Ok(o) => sender.send(&job.row.id.to_string(), &o).await,
                        Err(reason) => Err(SendFailure::permanent(reason)),
                    },
                }
            };
            let result = tokio::select! {
                r = sending => Some(r),
                _ = stop_rx.wait_for(|s| *s == Stop::Hard) => None,
            };
            match result {
                Some(Ok(())) => Verdict::Sent,
                Some(Err(f)) => {
                    if f.unreachable {
                        request_stop(&stop, Stop::Soft);
                    }
                    Verdict::Failed(f)
                }
                None => {
                    sender.abandon();
                    Verdict::Cancelled
                }
            }
        };
        let outcome = Outcome {
            id: job.row.id,
            attempts: job.row.attempts,
            verdict,
        };
        if out.send(outcome).await.is_err() {
            break;
        }
    }
    if *stop_rx.borrow() != Stop::Hard {
        sender.close().await;
    }
}

/// Outcomes written back per statement, at most.
const MARK_BATCH: usize = 256;
/// How long the marker waits to fill a batch (a row stays claimed, not lost, meanwhile).
const MARK_GATHER: std::time::Duration = std::time::Duration::from_millis(20);
/// Failures listed in a report, at most.
const MAX_REPORTED_FAILURES: usize = 20;

pub(crate) async fn mark_outcomes(
    inner: Arc<Inner>,
    mode: Mode,
    mut rx: mpsc::Receiver<Outcome>,
) -> Result<(DeliveryReport, ServerNews), NotifyError> {
    let mut report = DeliveryReport::default();
    let mut news = ServerNews::default();
    let mut first_err: Option<NotifyError> = None;
    let mut buf = Vec::with_capacity(MARK_BATCH);
    let conn = &inner.db.conn;
    let owner = inner.owner.as_str();
    while rx.recv_many(&mut buf, MARK_BATCH).await > 0 {
        // Gather a few more outcomes before writing: each mark is a committed statement
        // (on PostgreSQL a WAL flush), so marking one or two rows at a time caps delivery.
        let gather_until = tokio::time::Instant::now() + MARK_GATHER;
        while buf.len() < MARK_BATCH {
            let room = MARK_BATCH - buf.len();
            match tokio::time::timeout_at(gather_until, rx.recv_many(&mut buf, room)).await {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
        let now = docket_store::time::to_ms(inner.clock.now());
        let pick = |f: fn(&Verdict) -> bool| -> Vec<Uuid> {
            buf.iter().filter(|o| f(&o.verdict)).map(|o| o.id).collect()
        };
        let sent = pick(|v| matches!(v, Verdict::Sent));
        let untried = pick(|v| matches!(v, Verdict::Untried));
        report.cancelled += pick(|v| matches!(v, Verdict::Cancelled)).len();
        report.attempted += buf.len() - untried.len();
        if !sent.is_empty() {
            match outbox::mark_sent(conn, owner, &sent, now).await {
                Ok(_) => report.sent += sent.len(),
                Err(e) => {
                    // The rows stay claimed; after the lease they are sent again, with the
                    // same Message-ID.
                    tracing::error!("cannot mark {} messages sent: {e}", sent.len());
                    first_err.get_or_insert(e.into());
                }
            }
        }
        if !untried.is_empty() {
            match outbox::release_untried(conn, owner, &untried).await {
                Ok(_) => report.untried += untried.len(),
                Err(e) => {
                    tracing::error!("cannot hand back {} untried messages: {e}", untried.len());
                    first_err.get_or_insert(e.into());
                }
            }
        }
        for o in buf.drain(..) {
            let Verdict::Failed(f) = o.verdict else {
                continue;
            };
            if f.unreachable {
                news.unreachable += 1;
                news.last_reason = Some(f.message.clone());
            }
            let r = record_failure(&inner, mode, &mut report, o.id, o.attempts, &f, now).await;
            if report.failures.len() < MAX_REPORTED_FAILURES {
                report.failures.push((o.id, f.message.clone()));
            }
            if let Err(e) = r {
                tracing::error!(id = %o.id, "cannot record a failed send: {e}");
                first_err.get_or_insert(e.into());
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok((report, news)),
    }
}

/// Writes one failed send back: dead (permanent, or the service's schedule exhausted),
/// retried later (the service, a refusal of this message), or deferred with its attempt
/// taken back (an unreachable server, or any transient failure during a flush).
async fn record_failure(
    inner: &Inner,
    mode: Mode,
    report: &mut DeliveryReport,
    id: Uuid,
    attempts: i32,
    f: &SendFailure,
    now: i64,
) -> Result<bool, docket_store::StoreError> {
    let conn = &inner.db.conn;
    let owner = inner.owner.as_str();
    if f.permanent {
        report.dead += 1;
        let why = format!("permanent: {}", f.message);
        tracing::warn!(%id, "mail dead-lettered: {why}");
        return outbox::mark_dead(conn, owner, id, &why, now).await;
    }
    if f.unreachable || mode == Mode::Flush {
        report.deferred += 1;
        tracing::info!(%id, "mail left pending, attempt not counted: {}", f.message);
        return outbox::mark_deferred(conn, owner, id, &f.message, now).await;
    }
    if attempts >= inner.settings.max_attempts as i32 {
        report.dead += 1;
        let why = format!("gave up after {attempts} attempts: {}", f.message);
        tracing::warn!(%id, "mail dead-lettered: {why}");
        return outbox::mark_dead(conn, owner, id, &why, now).await;
    }
    report.retried += 1;
    let next = now + inner.backoff_ms(attempts);
    tracing::info!(%id, attempt = attempts, "mail will be retried: {}", f.message);
    outbox::mark_retry(conn, owner, id, next, &f.message, now).await
}
