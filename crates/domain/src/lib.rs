//! Domain types of Docket: the vocabulary of the key-project mechanism "周调度、月通报".
//!
//! This crate owns validated value types (amounts in 万元, project levels, stages and
//! categories, issue categories and states, cycle states and report slots, ISO weeks and months), the working-day calendar,
//! the office configuration with its validation, the injectable clock and the bulletin
//! formulas. It performs no I/O beyond parsing text it is handed, and imports no other
//! Docket crate.

pub mod amount;
pub mod application;
pub mod calendar;
pub mod clock;
pub mod config;
mod config_contact;
mod config_env;
pub mod cycle;
pub mod error;
pub mod hold;
pub mod issue;
pub mod period;
pub mod project;
pub mod targets;
pub mod text;

pub use amount::{Amount, Total};
pub use error::DomainError;
