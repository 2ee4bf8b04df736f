//! Applications to higher levels for funds and policies (争取上级资金和政策) as people read
//! them: the list with filters and one application with its history. Imported with the
//! other files ([`crate::imports`]).
//!
//! Who may read: the office and the city leaders (the task forces' leads and deputies, and
//! the bulletin's recipients) see every application; an owner contact sees its own unit's
//! (the 申报单位 is its unit); anyone else is refused.

use docket_domain::application::{ApplicationCategory, ApplicationState};
use docket_store::applications::{ApplicationDetail, ApplicationFilter, ApplicationListing};

use crate::actor::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};

/// Filters as a person gives them: codes or Chinese labels.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// A state (`approved` or 批复, …).
    pub state: Option<String>,
    /// A funding category (`central_budget` or 中央预算内投资, …).
    pub category: Option<String>,
}

/// What `actor` may see of applications: `None` every one, `Some(unit)` its unit's.
///
/// # Errors
/// [`AppError::NotPermitted`] for an official who is neither of the office, a city leader
/// nor an owner contact.
fn scope(app: &App, actor: &Actor) -> AppResult<Option<String>> {
    let core = &app.config.core;
    let leader = core
        .task_forces
        .iter()
        .any(|t| t.lead == actor.id || t.deputies.contains(&actor.id))
        || app.config.bulletin.recipients.contains(&actor.id);
    if actor.office || leader {
        return Ok(None);
    }
    match &actor.unit {
        Some(u) => Ok(Some(u.clone())),
        None => Err(AppError::not_permitted(format!(
            "{} may not read applications to higher levels: only the office, the city leaders and the applying units may",
            actor.name
        ))),
    }
}

/// The applications `actor` may see, filtered, by number.
///
/// # Errors
/// Not permitted (see the module); bad input for an unknown state or category; unexpected
/// if the database fails.
pub async fn list_applications(
    app: &App,
    actor: &Actor,
    opts: &ListOptions,
) -> AppResult<Vec<ApplicationListing>> {
    let unit = scope(app, actor)?;
    let state = opts
        .state
        .as_deref()
        .map(|s| {
            ApplicationState::parse(s).map_err(|e| AppError::bad_input(format!("--state {s}: {e}")))
        })
        .transpose()?;
    let category = opts
        .category
        .as_deref()
        .map(|c| {
            ApplicationCategory::parse(c)
                .map_err(|e| AppError::bad_input(format!("--category {c}: {e}")))
        })
        .transpose()?;
    let filter = ApplicationFilter {
        state: state.map(|s| s.code().to_string()),
        category: category.map(|c| c.code().to_string()),
        unit,
        ..Default::default()
    };
    Ok(docket_store::applications::list_applications(&app.db.conn, &filter).await?)
}

/// Application `id` (its number) with its history, if `actor` may see it.
///
/// # Errors
/// Not permitted (see the module); not found (also another unit's application); bad input
/// for an id that is not a number; unexpected if the database fails.
pub async fn show_application(app: &App, actor: &Actor, id: &str) -> AppResult<ApplicationDetail> {
    let unit = scope(app, actor)?;
    let number: i64 = id
        .trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| AppError::bad_input(format!("{id}: not an application number")))?;
    let missing = || AppError::NotFound(format!("application {number}: no such application"));
    let detail = docket_store::applications::application_detail(&app.db.conn, number)
        .await?
        .ok_or_else(missing)?;
    match unit {
        Some(u) if detail.application.unit != u => Err(missing()),
        _ => Ok(detail),
    }
}

/// The label of a state or category code in Chinese (the code itself if unknown).
pub fn label_zh(code: &str) -> &str {
    ApplicationState::parse(code)
        .map(ApplicationState::label_zh)
        .or_else(|_| ApplicationCategory::parse(code).map(ApplicationCategory::label_zh))
        .unwrap_or(code)
}
