//! End-to-end tests of the `docket` binary: one test binary, a module per area.

mod cli;
mod foundation;
