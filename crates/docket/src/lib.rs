//! The `docket` binary's library: command-line parsing, configuration loading, wiring of the
//! feature crates and the mapping of their errors to exit codes.
//!
//! It sits on top: it imports every Docket crate and none imports it.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod logging;
pub mod output;
