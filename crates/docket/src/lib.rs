//! The `docket` binary's library: command-line parsing and the one mapping of the use
//! cases' errors to exit codes. Every command parses, calls one use case of `docket-app`
//! and prints; no command module imports another.
//!
//! It sits on top: it imports every Docket crate and none imports it.

pub mod cli;
pub mod commands;
pub mod error;
pub mod i18n;
pub mod logging;
pub mod output;
