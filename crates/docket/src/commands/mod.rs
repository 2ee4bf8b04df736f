//! One module per command group.

pub mod application;
pub mod bulletin;
pub mod calendar;
pub mod cycle;
pub mod demo;
pub mod export;
pub mod hold;
pub mod import;
pub mod issue;
pub mod mail;
pub mod migrate;
pub mod project;
pub mod report;
pub mod run;
pub mod schedule;
pub mod token;
