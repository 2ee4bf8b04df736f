//! End-to-end tests of the `docket` binary: one test binary, a module per area.

mod applications;
mod browser;
mod bulletin;
mod channels;
mod cli;
mod cli_lang;
mod clock;
mod db_faults;
mod files_s3;
mod foundation;
mod harness;
mod hold;
mod http_api;
mod http_auth;
mod issue;
mod limits;
mod mail;
mod pages;
mod reliability;
mod report;
mod scheduler;
mod server;
mod sheet;
mod supervision;
mod token;
