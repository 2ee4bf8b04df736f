//! docket-scheduler: the weekly rhythm of "周调度" on Chinese working days.
//!
//! It owns the `[schedules]` configuration ([`config`]), the computation of when each
//! cycle opens, its deadline, reminder rungs and close, the monthly bulletin's firing and the
//! missing-calendar alarm ([`plan`]), the weekly-dispatch jobs with their recipients
//! ([`jobs`]), and the engine ([`Scheduler`]) that fires each (schedule, period) exactly
//! once — ledger row and work in one transaction, behind a lease with a fencing token — by
//! each schedule's misfire policy after downtime. It also records
//! weekly reports ([`reports`]), renders the dispatch sheet ([`sheet`]) and previews the next
//! firings ([`preview`]).
//!
//! It imports `docket-domain` and `docket-store` only; the bulletin and custom jobs are reached
//! through hooks ([`BulletinHook`], [`JobHook`]) that the binary wires. Time is always passed
//! in (`run_once(now)`), never read from the system clock here.

pub mod config;
pub mod engine;
pub mod error;
pub mod hooks;
pub mod jobs;
pub mod pause;
pub mod plan;
pub mod preview;
pub mod reports;
pub mod sheet;

pub use config::{Misfire, SchedulesConfig};
pub use engine::{Scheduler, TickReport};
pub use error::SchedulerError;
pub use hooks::{BoxFuture, BulletinHook, JobHook};
pub use jobs::Recipient;
