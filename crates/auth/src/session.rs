//! Browser sessions, stored in the database (both backends) so any replica serves them.
//!
//! A session id is 256 random bits, sent only in the cookie and stored only as its digest;
//! each sign-in makes a new one (no fixation: nothing a visitor held before signing in
//! becomes a session). Each session carries its own CSRF token, which every form echoes and
//! [`check_csrf`] compares in constant time.

use chrono::{DateTime, Duration, Utc};
use docket_store::auth::{self as store, SessionRow};
use docket_store::sea_orm::ConnectionTrait;
use docket_store::time::{from_ms, to_ms};

use crate::AuthError;
use crate::crypto::{digest_hex, random_text, same};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "docket_session";
/// How long a session lasts unless configured otherwise.
pub const DEFAULT_SESSION_TTL: Duration = Duration::hours(12);

/// A session id: the cookie's value. Secret; its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    /// The id as received in a cookie.
    pub fn new(value: impl Into<String>) -> Self {
        SessionId(value.into())
    }

    /// The value to put in the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(<secret>)")
    }
}

/// A signed-in official's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The id (the cookie value).
    pub id: SessionId,
    /// The configured official signed in.
    pub official: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Session {
    fn from_row(id: SessionId, r: SessionRow) -> Self {
        Session {
            id,
            official: r.official,
            csrf_token: r.csrf_token,
            created_at: from_ms(r.created_at),
            expires_at: from_ms(r.expires_at),
        }
    }
}

/// Starts a new session for `official` lasting `ttl` (only through a redeemed sign-in link).
pub(crate) async fn start<C: ConnectionTrait>(
    conn: &C,
    official: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Session, AuthError> {
    let id = SessionId(random_text(32));
    let row = store::NewSession {
        id_hash: digest_hex(id.as_str()),
        official: official.to_string(),
        csrf_token: random_text(32),
        created_at: to_ms(now),
        expires_at: to_ms(now + ttl),
    };
    store::insert_session(conn, &row).await?;
    Ok(Session {
        id,
        official: row.official,
        csrf_token: row.csrf_token,
        created_at: from_ms(row.created_at),
        expires_at: from_ms(row.expires_at),
    })
}

/// The live session with this id (a cookie's value) at `now`; `None` when unknown, signed
/// out or expired.
///
/// # Errors
/// [`AuthError::Store`] if the query fails.
pub async fn session<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Session>, AuthError> {
    if id.is_empty() || id.len() > 200 {
        return Ok(None);
    }
    let row = store::find_live_session(conn, &digest_hex(id), to_ms(now)).await?;
    Ok(row.map(|r| Session::from_row(SessionId::new(id), r)))
}

/// Ends the session with this id; false if there was none.
///
/// # Errors
/// [`AuthError::Store`] if the statement fails.
pub async fn sign_out<C: ConnectionTrait>(conn: &C, id: &str) -> Result<bool, AuthError> {
    Ok(store::delete_session(conn, &digest_hex(id)).await?)
}

/// Ends every session of `official` (e.g. when removed from the configuration); returns
/// how many.
///
/// # Errors
/// [`AuthError::Store`] if the statement fails.
pub async fn sign_out_everywhere<C: ConnectionTrait>(
    conn: &C,
    official: &str,
) -> Result<u64, AuthError> {
    Ok(store::delete_sessions_of(conn, official).await?)
}

/// Accepts a form only if its CSRF token is the session's (compared in constant time).
///
/// # Errors
/// [`AuthError::CsrfMismatch`] when it is not (or is empty).
pub fn check_csrf(session: &Session, submitted: &str) -> Result<(), AuthError> {
    if !submitted.is_empty() && same(&session.csrf_token, submitted) {
        Ok(())
    } else {
        Err(AuthError::CsrfMismatch)
    }
}

/// A fresh token for the double-submit CSRF cookie of forms shown before sign-in (sent in a
/// cookie and in the form; [`check_double_submit`] compares them).
pub fn new_form_token() -> String {
    random_text(24)
}

/// Accepts a form shown before sign-in only if its CSRF field equals its cookie (compared in
/// constant time).
///
/// # Errors
/// [`AuthError::CsrfMismatch`] when they differ or either is empty.
pub fn check_double_submit(cookie: &str, submitted: &str) -> Result<(), AuthError> {
    if !cookie.is_empty() && same(cookie, submitted) {
        Ok(())
    } else {
        Err(AuthError::CsrfMismatch)
    }
}

/// The `Set-Cookie` value that stores the session: HttpOnly, SameSite=Lax, Path=/, expiring
/// with the session, and Secure when served over https (`secure`).
pub fn session_cookie(session: &Session, secure: bool, now: DateTime<Utc>) -> String {
    let max_age = (session.expires_at - now).num_seconds().max(0);
    format!(
        "{SESSION_COOKIE}={}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        session.id.as_str(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie (for sign-out).
pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}
