//! The applications file (争取上级资金和政策): one row per application to a higher level,
//! upserted by a stable key — the office's own number (申报编号) when the file has one, else
//! the title together with the applying unit.

use std::collections::HashMap;

use docket_domain::Amount;
use docket_domain::application::{ApplicationCategory, ApplicationState};
use docket_domain::config::CoreConfig;
use docket_store::applications::ApplicationRecord;
use uuid::Uuid;

use crate::columns;
use crate::rows::{limited, parse_date, parse_rows};
use crate::{RowError, Table};

/// The stable key of an application: `ref:` and its number, else `title:` with the title and
/// the unit, each trimmed and case-folded (so re-typing the case changes nothing).
pub fn application_key(ref_no: Option<&str>, title: &str, unit: &str) -> String {
    match ref_no {
        Some(r) => format!("ref:{}", r.trim().to_lowercase()),
        None => format!(
            "title:{}\u{1f}{}",
            title.trim().to_lowercase(),
            unit.trim().to_lowercase()
        ),
    }
}

/// Parses every row of an applications file. A project code, when given, must be in the
/// library; each key may appear once; the amount received may not exceed the amount approved.
///
/// # Errors
/// Every bad row's errors.
pub fn application_rows(
    table: &Table,
    projects: &HashMap<String, Uuid>,
    config: &CoreConfig,
) -> Result<Vec<ApplicationRecord>, Vec<RowError>> {
    let lim = config.limits;
    let mut seen: HashMap<String, usize> = HashMap::new();
    parse_rows(table, columns::APPLICATIONS, |r| {
        let ref_no = r.parse_opt("ref", limited(lim.code_max_chars));
        let title = r.parse_req("title", limited(lim.name_max_chars));
        let project = match r.opt("code") {
            None => Some(None),
            Some(code) => match projects.get(&code) {
                Some(id) => Some(Some(*id)),
                None => {
                    r.bad(
                        "code",
                        "no project with this code (import the project library first)",
                    );
                    None
                }
            },
        };
        let category = r.parse_req("category", ApplicationCategory::parse);
        let unit = r.parse_req("unit", limited(lim.name_max_chars));
        let applied = r.parse_opt("applied_wan", Amount::parse_wan);
        let approved = r.parse_opt("approved_wan", Amount::parse_wan);
        let received = r.parse_opt("received_wan", Amount::parse_wan);
        let state = r.parse_req("state", ApplicationState::parse);
        let date = r.parse_req("date", parse_date);
        if let (Some(Some(a)), Some(Some(rc))) = (approved, received)
            && rc > a
        {
            r.bad(
                "received_wan",
                format!("more than the amount approved ({a} 万元)"),
            );
            return None;
        }
        let (Some(ref_no), Some(title), Some(unit)) = (ref_no, title, unit) else {
            return None;
        };
        let key = application_key(ref_no.as_deref(), &title, &unit);
        if let Some(first) = seen.insert(key.clone(), r.row) {
            let (col, what) = if ref_no.is_some() {
                ("ref", "申报编号")
            } else {
                ("title", "申报事项 and 申报单位")
            };
            r.bad(col, format!("duplicate of row {first} (same {what})"));
            return None;
        }
        Some(ApplicationRecord {
            key,
            ref_no,
            title,
            project_id: project?,
            category: category?,
            unit,
            applied: applied?,
            approved: approved?,
            received: received?,
            state: state?,
            date: date?,
        })
    })
}
