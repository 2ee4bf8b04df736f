//! docket-app: every use case of Docket written once — import, weekly reports with their
//! problems, issues and their actions, cycles, the bulletin, the outbox, the calendar,
//! schedules, the demo and the service's background work — each a function taking the
//! acting identity and returning a typed result or an [`AppError`]. Permissions are
//! checked here, never by the caller. The CLI and the HTTP service sit on top of it and
//! only parse, call and print.
//!
//! It imports the feature crates (scheduler, workflow, notifier, bulletin, library) and the
//! core beneath them; nothing imports it but the `docket` binary.

pub mod actor;
pub mod applications;
pub mod bulletins;
pub mod calendar;
pub mod catalog;
pub mod config;
pub mod context;
pub mod cycles;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod file_store;
pub mod files;
pub mod holds;
pub mod imports;
pub mod issues;
pub mod links;
pub mod mail;
pub mod projects;
pub mod reports;
pub mod schedules;
pub mod service;
pub mod signin;
pub mod status;
pub mod supervision;
pub mod supervision_xlsx;
pub mod token_uses;
pub mod tokens;
pub mod web;
pub mod work;

pub use actor::Actor;
pub use config::AppConfig;
pub use context::App;
pub use error::{AppError, AppResult, ErrorKind};
