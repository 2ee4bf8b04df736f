//! The service's own state, for `/healthz` and `/metrics`: whether the database answers, the
//! outbox by state, issues by state and by flag, cycles, and who holds the scheduler's lease.

use std::collections::BTreeMap;

use docket_store::issues::IssueFilter;

use crate::context::App;
use crate::error::AppResult;

/// A snapshot of what the service holds.
#[derive(Debug, Clone, Default)]
pub struct ServiceStatus {
    /// Outbox rows by state code (pending, sending, sent, dead), every channel together.
    pub outbox: Vec<(String, i64)>,
    /// Outbox rows by channel (`email` or a `[[channels]]` id) and state code.
    pub outbox_by_channel: Vec<(String, String, i64)>,
    /// Issues by state code.
    pub issues_by_state: Vec<(String, i64)>,
    /// Open issues by flag code (none, yellow, red).
    pub issues_by_flag: BTreeMap<String, i64>,
    /// Dispatch cycles by state code.
    pub cycles: Vec<(String, i64)>,
    /// Who holds the scheduler's lease, if anyone does now.
    pub scheduler_leader: Option<String>,
    /// Where mail delivery stands (paused by the circuit breaker, or not).
    pub delivery: docket_notifier::DeliveryState,
}

/// Whether the database answers.
///
/// # Errors
/// Unexpected when it does not.
pub async fn check_database(app: &App) -> AppResult {
    Ok(docket_store::stats::ping(&app.db.conn).await?)
}

/// Reads the counts the metrics show (a handful of grouped queries).
///
/// # Errors
/// Unexpected if the database fails.
pub async fn service_status(app: &App) -> AppResult<ServiceStatus> {
    let conn = &app.db.conn;
    let now = app.now();
    let open = IssueFilter {
        open_only: true,
        ..IssueFilter::default()
    };
    let mut issues_by_flag = BTreeMap::new();
    for i in app.workflow.list(conn, &open, false, now).await? {
        *issues_by_flag.entry(i.flag.code().to_string()).or_insert(0) += 1;
    }
    let lease = docket_store::scheduling::lease(conn, docket_scheduler::engine::LEASE).await?;
    let now_ms = docket_store::time::to_ms(now);
    Ok(ServiceStatus {
        outbox: docket_store::outbox::count_by_state(conn).await?,
        outbox_by_channel: docket_store::outbox::count_by_channel(conn).await?,
        issues_by_state: docket_store::stats::issues_by_state(conn).await?,
        issues_by_flag,
        cycles: docket_store::stats::cycles_by_state(conn).await?,
        scheduler_leader: lease.filter(|l| l.expires_at > now_ms).map(|l| l.holder),
        delivery: docket_notifier::delivery_state(conn, now).await?,
    })
}
