//! `[workflow]`: routing overrides, time limits, escalation and input limits.
//!
//! ```toml
//! [workflow]
//! accept_days = 1                 # working days to accept (签收) an assigned issue
//! resolve_days = 10               # working days from assignment to resolution (办结)
//! red_after_days = 5              # overdue by more than this many working days: red
//! escalate_after_days = [1, 3, 5] # working days overdue at which each rung fires
//! ladder = ["handler", "lead", "office_head"] # who each rung reaches (this is the default)
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
    /// Working days overdue at which each rung of `ladder` fires: one non-decreasing number
    /// per rung (default `[1, 3, 5]`).
    pub escalate_after_days: Vec<u32>,
    /// The escalation ladder: who each rung reaches, in order, as [`Rung`] codes
    /// (default `["handler", "lead", "office_head"]`).
    pub ladder: Vec<String>,
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
            ladder: vec!["handler".into(), "lead".into(), "office_head".into()],
            office_staff: Vec::new(),
            title_max_chars: 200,
            note_max_chars: 2000,
            limits: BTreeMap::new(),
            routes: Vec::new(),
        }
    }
}

/// Who a rung of the escalation ladder reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rung {
    /// 承办人: the lead handler, else the task force's members (its lead if it has none), or
    /// the office's mailbox for the office's own issues.
    Handler,
    /// 专班组长: the task force's group leader.
    Lead,
    /// 专班副组长: the task force's deputy leaders (its lead if it has none).
    Deputy,
    /// 挂钩市领导: the city leader linked to the task force (`[[task_forces]] leader`; the
    /// office head if none is configured).
    Leader,
    /// 协调办主任: `[office] head`.
    OfficeHead,
}

impl Rung {
    /// The rung of a code (`handler`, `lead`, `deputy`, `leader`, `office_head`).
    pub fn parse(code: &str) -> Option<Rung> {
        Some(match code.trim() {
            "handler" => Rung::Handler,
            "lead" => Rung::Lead,
            "deputy" => Rung::Deputy,
            "leader" => Rung::Leader,
            "office_head" => Rung::OfficeHead,
            _ => return None,
        })
    }

    /// Who the rung reaches, in words.
    pub fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Rung::Handler, false) => "承办人",
            (Rung::Lead, false) => "专班组长",
            (Rung::Deputy, false) => "专班副组长",
            (Rung::Leader, false) => "挂钩市领导",
            (Rung::OfficeHead, false) => "协调办主任",
            (Rung::Handler, true) => "the handler",
            (Rung::Lead, true) => "the group leader",
            (Rung::Deputy, true) => "the deputy group leader",
            (Rung::Leader, true) => "the linked city leader",
            (Rung::OfficeHead, true) => "the office head",
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
        if self.ladder.is_empty() {
            return Err(ConfigError::new(
                "workflow.ladder",
                "give at least one rung (handler, lead, deputy, leader, office_head)",
            ));
        }
        for (i, r) in self.ladder.iter().enumerate() {
            let rung = Rung::parse(r).ok_or_else(|| {
                ConfigError::new(
                    format!("workflow.ladder[{i}]"),
                    format!(
                        "unknown rung {r:?} (use handler, lead, deputy, leader or office_head)"
                    ),
                )
            })?;
            if self.ladder[..i]
                .iter()
                .any(|o| Rung::parse(o) == Some(rung))
            {
                return Err(ConfigError::new(
                    format!("workflow.ladder[{i}]"),
                    format!("rung {r:?} is named twice"),
                ));
            }
        }
        if self.escalate_after_days.len() != self.ladder.len() {
            return Err(ConfigError::new(
                "workflow.escalate_after_days",
                format!(
                    "give {} numbers, one per rung of workflow.ladder ({})",
                    self.ladder.len(),
                    self.ladder.join(", ")
                ),
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

    /// The rungs of the ladder, in order (valid after [`WorkflowConfig::validate`]).
    pub fn rungs(&self) -> Vec<Rung> {
        self.ladder.iter().filter_map(|r| Rung::parse(r)).collect()
    }

    /// The rung numbered `n` (1 = the first), if the ladder has it.
    pub fn rung(&self, n: i32) -> Option<Rung> {
        usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.ladder.get(i))
            .and_then(|r| Rung::parse(r))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> CoreConfig {
        toml::from_str(
            r#"
            [office]
            email = "office@city.gov.cn"
            head = "head"
            [[officials]]
            id = "head"
            name = "王主任"
            email = "head@city.gov.cn"
            "#,
        )
        .unwrap()
    }

    // The default ladder is today's three rungs; a ladder names its rungs by code, each once,
    // with one threshold per rung; refusals name the key.
    #[test]
    fn ladder_is_validated_naming_the_key() {
        let c = WorkflowConfig::default();
        c.validate(&core()).unwrap();
        assert_eq!(c.rungs(), [Rung::Handler, Rung::Lead, Rung::OfficeHead]);
        assert_eq!(c.rung(3), Some(Rung::OfficeHead));
        assert_eq!(c.rung(4), None);
        let five = |ladder: &[&str], days: &[u32]| WorkflowConfig {
            ladder: ladder.iter().map(|s| s.to_string()).collect(),
            escalate_after_days: days.to_vec(),
            ..WorkflowConfig::default()
        };
        let ok = five(
            &["handler", "lead", "deputy", "leader", "office_head"],
            &[1, 2, 3, 4, 5],
        );
        ok.validate(&core()).unwrap();
        assert_eq!(ok.rung(3), Some(Rung::Deputy));
        assert_eq!(ok.rung(4), Some(Rung::Leader));
        for (bad, key) in [
            (five(&["handler", "boss"], &[1, 2]), "workflow.ladder[1]"),
            (five(&["lead", "lead"], &[1, 2]), "workflow.ladder[1]"),
            (five(&[], &[]), "workflow.ladder"),
            (
                five(&["handler", "deputy", "leader"], &[1, 3]),
                "workflow.escalate_after_days",
            ),
        ] {
            assert_eq!(bad.validate(&core()).unwrap_err().key, key, "{bad:?}");
        }
    }
}
