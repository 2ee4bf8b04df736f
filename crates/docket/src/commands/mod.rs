//! One module per command group.

pub mod demo;
pub mod import;
pub mod migrate;
pub mod project;
