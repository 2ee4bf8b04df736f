//! The dual-backend SQL that `docket-store` owns, tested on its own (SQLite and PostgreSQL,
//! each test on a fresh migrated database): one binary, a module per area.

mod auth;
mod breaker;
mod cycles;
mod issues;
mod leases;
mod outbox;

use docket_domain::config::CoreConfig;

/// A small office: the head, a task force with a lead, and two units' contacts.
pub const CONFIG: &str = r#"
[office]
email = "office@city.example"
head = "head"
[[officials]]
id = "head"
name = "主任"
email = "head@city.example"
[[officials]]
id = "lead"
name = "组长"
email = "lead@city.example"
[[task_forces]]
id = "land"
name = "用地保障专班"
lead = "lead"
categories = ["land"]
"#;

/// The office configuration of [`CONFIG`].
pub fn core() -> CoreConfig {
    docket_testkit::core_config(CONFIG)
}
