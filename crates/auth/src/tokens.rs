//! API bearer tokens: `dkt_` + an 8-character public key + 256 random bits, printable.
//!
//! Only the SHA-256 digest of the whole token is stored, with the official it acts as (it
//! carries that official's permissions), a label, and its created / expires / revoked /
//! last-used instants. The key is shown by [`list`] and names the token for [`revoke`]; it
//! is 48 random bits of its own, so showing it reveals nothing of the secret part.

use chrono::{DateTime, Utc};
use docket_store::auth::{self as store, ApiTokenRow};
use docket_store::sea_orm::ConnectionTrait;
use docket_store::time::{from_ms, to_ms};
use uuid::Uuid;

use crate::AuthError;
use crate::crypto::{digest_hex, random_text};

/// What every token starts with (so a leaked token is recognisable by secret scanners).
pub const TOKEN_PREFIX: &str = "dkt_";
/// Characters of the public key after the prefix.
pub const KEY_LEN: usize = 8;
/// The shortest key prefix [`revoke`] accepts.
pub const MIN_KEY_PREFIX: usize = 4;
/// `last_used_at` is written at most once per this many milliseconds per token.
const TOUCH_GRANULARITY_MS: i64 = 60_000;

/// A stored token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Row id.
    pub id: Uuid,
    /// The public key, e.g. `Xy3_a9Qb`: shown in lists, used to revoke.
    pub key: String,
    /// The configured official the token acts as.
    pub official: String,
    /// A free label (what or who it is for).
    pub label: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last accepted (to the minute), if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Whether the token is accepted at `now` (not revoked, not expired).
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        ApiToken {
            id: r.id,
            key: r.key,
            official: r.official,
            label: r.label,
            created_at: from_ms(r.created_at),
            expires_at: r.expires_at.map(from_ms),
            revoked_at: r.revoked_at.map(from_ms),
            last_used_at: r.last_used_at.map(from_ms),
        }
    }
}

/// A token just made: the secret, to show once, and what was stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken {
    /// The bearer token, `dkt_…`. It cannot be recovered later.
    pub secret: String,
    /// The stored record.
    pub token: ApiToken,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("secret", &"<redacted>")
            .field("token", &self.token)
            .finish()
    }
}

/// Makes a token acting as `official` (a configured official's id; the caller checks it
/// exists) and stores its digest.
///
/// # Errors
/// [`AuthError::Store`] if the insert fails.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    official: &str,
    label: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<NewToken, AuthError> {
    // 6 bytes → exactly 8 base64url characters; 32 bytes → 43. A key starting with '-'
    // would read as an option in `docket token revoke KEY`, so draw again (1 in 64).
    let key = std::iter::repeat_with(|| random_text(6))
        .find(|k| !k.starts_with('-'))
        .unwrap_or_default();
    let secret = format!("{TOKEN_PREFIX}{key}{}", random_text(32));
    let row = store::NewApiToken {
        key: key.clone(),
        token_hash: digest_hex(&secret),
        official: official.to_string(),
        label: label.to_string(),
        created_at: to_ms(now),
        expires_at: expires_at.map(to_ms),
    };
    let id = store::insert_api_token(conn, &row).await?;
    Ok(NewToken {
        secret,
        token: ApiToken {
            id,
            key,
            official: row.official,
            label: row.label,
            created_at: from_ms(row.created_at),
            expires_at: row.expires_at.map(from_ms),
            revoked_at: None,
            last_used_at: None,
        },
    })
}

/// The token's record if `token` is a live bearer token at `now`; `None` when it is unknown,
/// revoked or expired (a caller answers 401 alike). Records the use (at most once a minute).
///
/// # Errors
/// [`AuthError::Store`] if the database fails (never turned into `None`).
pub async fn verify<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<ApiToken>, AuthError> {
    let Some(t) = check(conn, token, now).await? else {
        return Ok(None);
    };
    if use_due(&t, now) {
        store::touch_api_token(conn, t.id, to_ms(now), TOUCH_GRANULARITY_MS).await?;
    }
    Ok(Some(t))
}

/// As [`verify`] without recording the use: one read. A caller that records uses later, in
/// batches ([`record_uses`]), asks [`use_due`] whether this one needs recording.
///
/// # Errors
/// [`AuthError::Store`] if the database fails (never turned into `None`).
pub async fn check<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<ApiToken>, AuthError> {
    let token = token.trim();
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 200 {
        return Ok(None);
    }
    // Looked up by digest: the comparison happens in the index on a value the caller cannot
    // steer byte by byte, so its timing reveals nothing of a stored token.
    let Some(row) = store::find_api_token(conn, &digest_hex(token)).await? else {
        return Ok(None);
    };
    let t = ApiToken::from(row);
    Ok(t.is_active(now).then_some(t))
}

/// Whether a use of `t` at `now` is to be recorded: its recorded use is older than the
/// granularity (a minute), so most requests of a busy client read and go.
pub fn use_due(t: &ApiToken, now: DateTime<Utc>) -> bool {
    t.last_used_at
        .is_none_or(|l| (now - l).num_milliseconds() >= TOUCH_GRANULARITY_MS)
}

/// Records a use at `now` of each of the tokens `ids` (those whose recorded use is older
/// than the granularity), in one statement per thousand tokens.
///
/// # Errors
/// [`AuthError::Store`] if the statement fails.
pub async fn record_uses<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    store::touch_api_tokens(conn, ids, to_ms(now), TOUCH_GRANULARITY_MS).await?;
    Ok(())
}

/// Every token, oldest first, revoked and expired ones included (see [`ApiToken::is_active`]).
/// Secrets are not stored, so none is listed.
///
/// # Errors
/// [`AuthError::Store`] if the query fails.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<ApiToken>, AuthError> {
    Ok(store::list_api_tokens(conn)
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// Revokes the token whose key starts with `key` (at least [`MIN_KEY_PREFIX`] characters; a
/// whole `dkt_…` token is accepted too) and returns it as revoked.
///
/// # Errors
/// [`AuthError::ShortTokenKey`], [`AuthError::UnknownToken`], [`AuthError::AmbiguousToken`],
/// [`AuthError::AlreadyRevoked`], or [`AuthError::Store`].
pub async fn revoke<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<ApiToken, AuthError> {
    let given = key.trim();
    let prefix: String = given
        .strip_prefix(TOKEN_PREFIX)
        .unwrap_or(given)
        .chars()
        .take(KEY_LEN)
        .collect();
    if prefix.chars().count() < MIN_KEY_PREFIX {
        return Err(AuthError::ShortTokenKey(given.to_string()));
    }
    let mut found = store::find_api_tokens_by_key_prefix(conn, &prefix).await?;
    let row = match found.len() {
        0 => return Err(AuthError::UnknownToken(prefix)),
        1 => found.remove(0),
        count => return Err(AuthError::AmbiguousToken { prefix, count }),
    };
    if !store::revoke_api_token(conn, row.id, to_ms(now)).await? {
        return Err(AuthError::AlreadyRevoked(row.key));
    }
    let mut t = ApiToken::from(row);
    t.revoked_at = Some(from_ms(to_ms(now)));
    Ok(t)
}
