//! Routing: which task force takes an issue, and which rule said so.
//!
//! Order: the `[[workflow.routes]]` overrides (by project, district or level, optionally for
//! one category), first match wins; then the task force whose `categories` include the issue's
//! category; else the coordinating office (`task_force` null).

use docket_domain::issue::IssueCategory;
use docket_store::issues::ProjectRef;
use serde::Serialize;

use crate::config::{OFFICE, Settings};

/// Where an issue goes, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The task force id; `None` for the office.
    pub task_force: Option<String>,
    /// The rule that decided, e.g. `task_forces[0] (用地保障专班).categories includes land`.
    pub rule: String,
}

/// Routes an issue of `category` on `project`.
pub fn route_issue(settings: &Settings, project: &ProjectRef, category: IssueCategory) -> Route {
    for (i, r) in settings.workflow.routes.iter().enumerate() {
        let matches = r.project.as_ref().is_none_or(|p| *p == project.code)
            && r.district
                .as_ref()
                .is_none_or(|d| Some(d) == project.district.as_ref())
            && r.level
                .as_ref()
                .is_none_or(|l| l.eq_ignore_ascii_case(&project.level))
            && r.category
                .as_ref()
                .is_none_or(|c| IssueCategory::parse(c).ok() == Some(category));
        if matches {
            let mut conds = Vec::new();
            if let Some(p) = &r.project {
                conds.push(format!("project = {p}"));
            }
            if let Some(d) = &r.district {
                conds.push(format!("district = {d}"));
            }
            if let Some(l) = &r.level {
                conds.push(format!("level = {l}"));
            }
            if let Some(c) = &r.category {
                conds.push(format!("category = {c}"));
            }
            let task_force = (r.task_force != OFFICE).then(|| r.task_force.clone());
            return Route {
                rule: format!(
                    "workflow.routes[{i}] ({}) → {}",
                    conds.join(", "),
                    r.task_force
                ),
                task_force,
            };
        }
    }
    for (i, tf) in settings.core.task_forces.iter().enumerate() {
        if tf.issue_categories().contains(&category) {
            return Route {
                task_force: Some(tf.id.clone()),
                rule: format!(
                    "task_forces[{i}] ({} {}).categories includes {}",
                    tf.id,
                    tf.name,
                    category.code()
                ),
            };
        }
    }
    Route {
        task_force: None,
        rule: format!("no task force handles {}: the office", category.code()),
    }
}
