//! docket-workflow: blocking issues (要素制约) from raising to closure
//! (交办 → 签收 → 办结 → 销号).
//!
//! It owns routing by configured rules ([`routing`]), the lifecycle state machine and the
//! replay of events ([`lifecycle`]), time limits over the working-day calendar and the
//! escalation ladder ([`limits`], [`Workflow::sweep_overdue`]), permissions shared by the CLI
//! and the HTTP service ([`permission`]) and the emails each change queues ([`notify`]).
//! The use cases are `impl Workflow` blocks, one module per job: [`raise`], [`act`],
//! [`sweep`] and [`views`]; [`stored`] writes events and reads stored codes back.
//! It writes through `docket-store` only and imports no other feature crate: emails reach the
//! notifier through the outbox table, queued in the same transaction as the change.

pub mod act;
pub mod config;
pub mod error;
pub mod lifecycle;
pub mod limits;
pub mod notify;
pub mod permission;
pub mod queue;
pub mod raise;
pub mod report_problems;
pub mod routing;
pub mod service;
pub mod stored;
pub mod sweep;
pub mod views;

pub use config::{Settings, WorkflowConfig};
pub use error::{ErrorKind, WorkflowError};
pub use lifecycle::Action;
pub use permission::Actor;
pub use service::{NewIssue, Raised, SweepReport, Workflow};

/// One sweep of the time limits at `now` (flags and escalation rungs); for the scheduler.
///
/// # Errors
/// As [`Workflow::sweep_overdue`].
pub async fn sweep_overdue(
    workflow: &Workflow,
    db: &sea_orm::DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SweepReport, WorkflowError> {
    workflow.sweep_overdue(db, now).await
}
