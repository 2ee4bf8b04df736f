//! API bearer tokens for the HTTP service: made for an official (who then acts with that
//! official's permissions), listed and revoked by the office. Only a hash is stored.

use chrono::Duration;
use docket_auth::{ApiToken, AuthError, NewToken};

use crate::actor::{Actor, require_office};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// The longest lifetime a token may be given, in days.
pub const MAX_DAYS: u32 = 3650;

/// Makes a token that acts as `official` (a configured official, not the office itself),
/// expiring after `days` if given.
///
/// # Errors
/// Bad input for the office identity or an out-of-range lifetime.
pub async fn create_token(app: &App, official: &Actor, days: Option<u32>) -> AppResult<NewToken> {
    if official.id == docket_workflow::permission::OFFICE_ACTOR {
        return Err(AppError::bad_input(
            "--as: name the official the token acts as (e.g. --as lin_xiao)",
        ));
    }
    if days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
        return Err(AppError::bad_input(format!(
            "--expires: between 1 and {MAX_DAYS} days"
        )));
    }
    let now = app.now();
    let expires = days.map(|d| now + Duration::days(i64::from(d)));
    Ok(docket_auth::tokens::create(&app.db.conn, &official.id, "cli", expires, now).await?)
}

/// Every token (never its secret), for the office.
///
/// # Errors
/// Not permitted; unexpected if the database fails.
pub async fn list_tokens(app: &App, actor: &Actor) -> AppResult<Vec<ApiToken>> {
    require_office(actor, "list API tokens")?;
    Ok(docket_auth::tokens::list(&app.db.conn).await?)
}

/// Revokes the token whose key starts with `key` (the office).
///
/// # Errors
/// Not permitted; bad input for a short or ambiguous key; not found; conflict if revoked.
pub async fn revoke_token(app: &App, actor: &Actor, key: &str) -> AppResult<ApiToken> {
    require_office(actor, "revoke API tokens")?;
    Ok(docket_auth::tokens::revoke(&app.db.conn, key, app.now()).await?)
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Store(s) => AppError::from(s),
            AuthError::UnknownToken(_) | AuthError::SigninLinkUnknown => {
                AppError::NotFound(e.to_string())
            }
            AuthError::AlreadyRevoked(_)
            | AuthError::SigninLinkUsed
            | AuthError::Link(docket_auth::LinkError::Replayed) => {
                AppError::Conflict(e.to_string())
            }
            AuthError::CsrfMismatch => AppError::NotPermitted(e.to_string()),
            AuthError::WeakSecret { .. } => AppError::bad_input(e),
            other => AppError::bad_input(other),
        }
    }
}
