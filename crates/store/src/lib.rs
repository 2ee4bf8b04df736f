//! Storage for Docket: the only crate that writes queries.
//!
//! It owns connecting to SQLite (the embedded default) or PostgreSQL, running the
//! migrations, the sea-orm entities of every table, and the repository functions that read
//! and write them. Repository functions take `&impl ConnectionTrait` so that the caller owns
//! the transaction (begin → state change → outbox rows → commit). It imports only
//! `docket-domain` and `docket-migrations`, never a feature crate.

pub mod applications;
pub mod attachments;
pub mod auth;
pub mod breaker;
pub mod bulletin;
pub mod calendar;
pub mod cycles;
pub mod db;
pub mod dispatch_sheet;
#[allow(missing_docs)]
pub mod entity;
pub mod error;
pub mod group_sums;
pub mod holds;
pub mod issue_lines;
pub mod issues;
pub mod library;
pub mod outbox;
pub mod progress;
pub mod project_history;
pub mod reference;
pub mod run_lock;
pub mod schedule_pauses;
pub mod scheduling;
pub mod sql;
pub mod stats;
pub mod supervision;
pub mod time;
pub mod weekly_reports;

pub use db::{Backend, Db, connect, migrate};
pub use error::StoreError;
pub use sea_orm;
