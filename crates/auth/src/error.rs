//! What can go wrong authenticating; variants are what a caller acts on.

use chrono::{DateTime, Utc};
use docket_store::StoreError;

/// Why a signed one-click link was refused. A caller shows one page for all of them and
/// changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a link this program makes (truncated, bad encoding, unknown version).
    #[error("the link is malformed")]
    Malformed,
    /// The signature does not match: the link was altered or signed with another key.
    #[error("the link's signature is not valid")]
    Forged,
    /// The link's time is up.
    #[error("the link has expired")]
    Expired,
    /// The link was already used.
    #[error("the link has already been used")]
    Replayed,
}

/// What a sign-in rate limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateScope {
    /// Requests for one email address.
    Address,
    /// Requests from one IP address (IPv6: one /64).
    Ip,
}

impl std::fmt::Display for RateScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RateScope::Address => "email address",
            RateScope::Ip => "IP address",
        })
    }
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The signing secret (`DOCKET_SECRET`) is too short to sign links safely.
    #[error(
        "the signing secret is {len} bytes long; at least 32 are required (set DOCKET_SECRET to 32 or more random bytes)"
    )]
    WeakSecret {
        /// Its length in bytes.
        len: usize,
    },
    /// No API token's key starts with what was given.
    #[error("no API token has the key {0:?}")]
    UnknownToken(String),
    /// Several API tokens' keys start with what was given.
    #[error("{count} API tokens have keys starting with {prefix:?}; give more of the key")]
    AmbiguousToken {
        /// What was given.
        prefix: String,
        /// How many keys match.
        count: usize,
    },
    /// A key prefix too short to name a token.
    #[error("{0:?} is too short to name an API token (give at least 4 characters of its key)")]
    ShortTokenKey(String),
    /// The API token was already revoked.
    #[error("the API token {0} is already revoked")]
    AlreadyRevoked(String),
    /// Too many sign-in requests; nothing was sent or recorded.
    #[error("too many sign-in requests for this {scope}; try again after {retry_after}")]
    RateLimited {
        /// Which limit was reached.
        scope: RateScope,
        /// When a request is allowed again at the latest.
        retry_after: DateTime<Utc>,
    },
    /// The sign-in link is not one Docket issued.
    #[error("this sign-in link is not valid")]
    SigninLinkUnknown,
    /// The sign-in link was already used.
    #[error("this sign-in link has already been used")]
    SigninLinkUsed,
    /// The sign-in link's time is up.
    #[error("this sign-in link has expired")]
    SigninLinkExpired,
    /// A form's CSRF token does not match its session's.
    #[error("the form's CSRF token does not match the session")]
    CsrfMismatch,
    /// A signed one-click link was refused.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<docket_store::sea_orm::DbErr> for AuthError {
    fn from(e: docket_store::sea_orm::DbErr) -> Self {
        AuthError::Store(StoreError::Db(e))
    }
}
