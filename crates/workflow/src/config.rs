//! `[workflow]`: routing overrides, time limits, escalation and input limits.
//!
//! ```toml
//! [workflow]
//! accept_days = 1                 # working days to accept (签收) an assigned issue
//! resolve_days = 10               # working days from assignment to resolution (办结)
//! red_after_days = 5              # overdue by more than this many working days: red
//! escalate_after_days = [1, 3, 5] # working days overdue at which each rung fires
//! office_staff = ["lin_xiao"]     # officials who act as the office (the head always does)
//! title_max_chars = 200
//! note_max_chars = 2000
//! [workflow.limits.funding]       # per-category limits
//! resolve_days = 15
//! [[workflow.routes]]             # overrides, first match wins
//! district = "高新区"
//! category = "land"
//! task_force = "env_energy"        # or "office"
//! ```

use std::collections::BTreeMap;

use docket_domain::config::{ConfigError, CoreConfig};
use docket_domain::issue::IssueCategory;
use docket_domain::project::Level;
use serde::{Deserialize, Serialize};

/// The routing target meaning "the coordinating office" in `[[workflow.routes]]`.
pub const OFFICE: &str = "office";

/// `[workflow]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkflowConfig {
    /// Working days to accept an assigned issue (default 1).
    pub accept_days: u32,
    /// Working days from assignment to resolution (default 10).
    pub resolve_days: u32,
    /// Overdue by more than this many working days turns the flag red (default 5).
    pub red_after_days: u32,
    /// Working days overdue at which rung 1 (handler), 2 (group leader) and 3 (office head)
    /// fire; three non-decreasing numbers (default `[1, 3, 5]`).
    pub escalate_after_days: Vec<u32>,
    /// Officials (ids) who act with the office's rights besides `[office] head`.
    pub office_staff: Vec<String>,
    /// Longest title, in characters (default 200).
    pub title_max_chars: usize,
    /// Longest detail, note or reason, in characters (default 2000).
    pub note_max_chars: usize,
    /// Per-category limits, keyed by category code.
    pub limits: BTreeMap<String, CategoryLimits>,
    /// Routing overrides, tried in order before the task forces' categories.
    pub routes: Vec<RouteRule>,
}

impl Default for WorkflowConfig {
    fn default() -> Self {
        WorkflowConfig {
            accept_days: 1,
            resolve_days: 10,
            red_after_days: 5,
            escalate_after_days: vec![1, 3, 5],
            office_staff: Vec::new(),
            title_max_chars: 200,
            note_max_chars: 2000,
            limits: BTreeMap::new(),
            routes: Vec::new(),
        }
    }
}

/// `[workflow.limits.CATEGORY]`: time limits of one category (absent keys use the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryLimits {
    /// Working days to accept.
    pub accept_days: Option<u32>,
    /// Working days to resolve.
    pub resolve_days: Option<u32>,
}

/// `[[workflow.routes]]`: an override. Every given condition must match; at least one of
/// `project`, `district`, `level` must be given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// A project code.
    pub project: Option<String>,
    /// A district name.
    pub district: Option<String>,
    /// A level code (provincial, municipal, county).
    pub level: Option<String>,
    /// Only issues of this category (all categories when absent).
    pub category: Option<String>,
    /// The task force id, or `office`.
    pub task_force: String,
}

impl WorkflowConfig {
    /// Checks values and references against the shared config.
    ///
    /// # Errors
    /// The first [`ConfigError`], naming its `workflow.…` key.
    pub fn validate(&self, core: &CoreConfig) -> Result<(), ConfigError> {
        if self.escalate_after_days.len() != 3 {
            return Err(ConfigError::new(
                "workflow.escalate_after_days",
                "give three numbers: handler, group leader, office head",
            ));
        }
        if self.escalate_after_days.windows(2).any(|w| w[0] > w[1])
            || self.escalate_after_days[0] == 0
        {
            return Err(ConfigError::new(
                "workflow.escalate_after_days",
                "must be non-decreasing and start at 1 or more",
            ));
        }
        if self.resolve_days == 0 {
            return Err(ConfigError::new(
                "workflow.resolve_days",
                "must be at least 1",
            ));
        }
        if self.title_max_chars == 0 || self.note_max_chars == 0 {
            return Err(ConfigError::new(
                "workflow.note_max_chars",
                "limits must be at least 1",
            ));
        }
        for (i, id) in self.office_staff.iter().enumerate() {
            if core.official(id).is_none() {
                return Err(ConfigError::new(
                    format!("workflow.office_staff[{i}]"),
                    format!("unknown official id {id:?}"),
                ));
            }
        }
        for (cat, l) in &self.limits {
            let key = format!("workflow.limits.{cat}");
            IssueCategory::parse(cat).map_err(|e| ConfigError::new(&key, e.to_string()))?;
            if l.resolve_days == Some(0) {
                return Err(ConfigError::new(
                    format!("{key}.resolve_days"),
                    "must be at least 1",
                ));
            }
        }
        for (i, r) in self.routes.iter().enumerate() {
            let key = format!("workflow.routes[{i}]");
            if r.project.is_none() && r.district.is_none() && r.level.is_none() {
                return Err(ConfigError::new(
                    &key,
                    "give project, district or level (categories alone are routed by [[task_forces]])",
                ));
            }
            if let Some(l) = &r.level {
                Level::parse(l)
                    .map_err(|e| ConfigError::new(format!("{key}.level"), e.to_string()))?;
            }
            if let Some(c) = &r.category {
                IssueCategory::parse(c)
                    .map_err(|e| ConfigError::new(format!("{key}.category"), e.to_string()))?;
            }
            if r.task_force != OFFICE && core.task_force(&r.task_force).is_none() {
                return Err(ConfigError::new(
                    format!("{key}.task_force"),
                    format!("unknown task force {:?} (or \"office\")", r.task_force),
                ));
            }
        }
        Ok(())
    }

    /// The limits (accept, resolve) of a category in working days.
    pub fn limits_for(&self, category: IssueCategory) -> (u32, u32) {
        let l = self
            .limits
            .get(category.code())
            .copied()
            .unwrap_or_default();
        (
            l.accept_days.unwrap_or(self.accept_days),
            l.resolve_days.unwrap_or(self.resolve_days),
        )
    }
}

/// Everything the workflow reads from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The shared part: office, officials, task forces.
    pub core: CoreConfig,
    /// `[workflow]`.
    pub workflow: WorkflowConfig,
}

impl Settings {
    /// Bundles the two parts (validate them first).
    pub fn new(core: CoreConfig, workflow: WorkflowConfig) -> Self {
        Settings { core, workflow }
    }

    /// The office's time zone (UTC if the config was not validated).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.core.timezone().unwrap_or(chrono_tz::UTC)
    }

    /// Whether `language = "en"`.
    pub fn english(&self) -> bool {
        self.core.office.language == docket_domain::config::Language::En
    }
}
