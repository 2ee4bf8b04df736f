//! Password-less sign-in: an official asks for a link by email, Docket mails a single-use
//! link that works for a short time, and redeeming it (by a POST from the page the link
//! opens, never by the GET a mail scanner makes) starts a new session.
//!
//! Requests are rate-limited per address and per IP, counted in the database so that
//! replicas share the counts. Every request within the limits counts, known address or not,
//! so the limits also slow the probing of addresses; the caller shows the same page whether
//! or not the address was known. Under concurrent requests the count may overshoot by the
//! number of requests racing (each checks before it records), which a limit of this kind
//! tolerates.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use docket_store::auth as store;
use docket_store::sea_orm::ConnectionTrait;
use docket_store::time::{from_ms, to_ms};

use crate::crypto::{digest_hex, random_text};
use crate::session::{self, DEFAULT_SESSION_TTL, Session};
use crate::{AuthError, RateScope};

/// Sign-in settings; [`Default`] gives the documented values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigninConfig {
    /// How long a mailed link works (default 15 minutes).
    pub link_ttl: Duration,
    /// How long a session lasts (default 12 hours).
    pub session_ttl: Duration,
    /// Requests allowed per email address per window (default 5).
    pub per_address: u32,
    /// Requests allowed per IP address (IPv6: per /64) per window (default 20).
    pub per_ip: u32,
    /// The sliding window the limits count over (default 15 minutes).
    pub window: Duration,
}

impl Default for SigninConfig {
    fn default() -> Self {
        SigninConfig {
            link_ttl: Duration::minutes(15),
            session_ttl: DEFAULT_SESSION_TTL,
            per_address: 5,
            per_ip: 20,
            window: Duration::minutes(15),
        }
    }
}

/// A sign-in link to mail: put `token` in the URL of the page whose button redeems it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigninLink {
    /// The link's secret token (URL-safe). Only its digest is stored.
    pub token: String,
    /// The official it signs in.
    pub official: String,
    /// The address to mail it to (normalised: trimmed, lower case).
    pub email: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for SigninLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigninLink")
            .field("token", &"<redacted>")
            .field("official", &self.official)
            .field("email", &self.email)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// An email address as compared and counted: trimmed, lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The bucket an IP address is counted in: the address itself for IPv4 (and IPv4-mapped
/// IPv6), its /64 network for IPv6 (one host usually holds a whole /64); `-` when unknown.
pub fn ip_bucket(ip: Option<IpAddr>) -> String {
    match ip {
        None => "-".to_string(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Handles a sign-in request for `email` from `ip`: checks the rate limits, records the
/// request, and — when `lookup` (given the normalised address) names an official — stores a
/// new single-use link and returns it for mailing. `Ok(None)` means the address is unknown;
/// show the same page as on success. Run it in a transaction with the outbox row that mails
/// the link.
///
/// # Errors
/// [`AuthError::RateLimited`] (nothing recorded) or [`AuthError::Store`].
pub async fn request_link<C: ConnectionTrait>(
    conn: &C,
    config: &SigninConfig,
    email: &str,
    ip: Option<IpAddr>,
    lookup: impl FnOnce(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<SigninLink>, AuthError> {
    let email = normalize_email(email);
    let ip = ip_bucket(ip);
    let since = to_ms(now - config.window);
    let (by_email, by_ip) = store::count_signin_attempts(conn, &email, &ip, since).await?;
    let retry_after = now + config.window;
    if by_ip >= u64::from(config.per_ip) {
        return Err(AuthError::RateLimited {
            scope: RateScope::Ip,
            retry_after,
        });
    }
    if by_email >= u64::from(config.per_address) {
        return Err(AuthError::RateLimited {
            scope: RateScope::Address,
            retry_after,
        });
    }
    store::insert_signin_attempt(conn, &email, &ip, to_ms(now)).await?;
    let Some(official) = lookup(&email) else {
        return Ok(None);
    };
    let token = random_text(32);
    let row = store::NewSigninLink {
        token_hash: digest_hex(&token),
        official,
        email,
        created_at: to_ms(now),
        expires_at: to_ms(now + config.link_ttl),
    };
    store::insert_signin_link(conn, &row).await?;
    Ok(Some(SigninLink {
        token,
        official: row.official,
        email: row.email,
        expires_at: from_ms(row.expires_at),
    }))
}

/// Redeems a sign-in link: marks it used (once, whatever replicas race) and starts a NEW
/// session for its official. Call it from the POST of the link's page, in a transaction, so
/// that a failure to create the session leaves the link unused.
///
/// # Errors
/// [`AuthError::SigninLinkUnknown`], [`AuthError::SigninLinkUsed`],
/// [`AuthError::SigninLinkExpired`], or [`AuthError::Store`].
pub async fn redeem<C: ConnectionTrait>(
    conn: &C,
    config: &SigninConfig,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Session, AuthError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(AuthError::SigninLinkUnknown);
    }
    let hash = digest_hex(token);
    let Some(official) = store::claim_signin_link(conn, &hash, to_ms(now)).await? else {
        // Tell the person why, so they know to ask for a new link.
        return Err(match store::find_signin_link(conn, &hash).await? {
            None => AuthError::SigninLinkUnknown,
            Some(l) if l.used_at.is_some() => AuthError::SigninLinkUsed,
            Some(_) => AuthError::SigninLinkExpired,
        });
    };
    session::start(conn, &official, config.session_ttl, now).await
}

/// Deletes what no longer decides anything: attempts older than the window, expired links,
/// sessions and used one-click nonces (an expired link is refused before its nonce is read).
///
/// # Errors
/// [`AuthError::Store`] if a statement fails.
pub async fn purge<C: ConnectionTrait>(
    conn: &C,
    config: &SigninConfig,
    now: DateTime<Utc>,
) -> Result<store::Purged, AuthError> {
    Ok(store::purge_expired(conn, to_ms(now), to_ms(now - config.window)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_buckets() {
        let p = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(ip_bucket(p("10.1.2.3")), "10.1.2.3");
        assert_eq!(ip_bucket(p("::ffff:10.1.2.3")), "10.1.2.3");
        assert_eq!(
            ip_bucket(p("2001:db8:1:2:aaaa::1")),
            ip_bucket(p("2001:db8:1:2:bbbb::9"))
        );
        assert_eq!(ip_bucket(p("2001:db8:1:2::1")), "2001:db8:1:2::/64");
        assert_eq!(ip_bucket(None), "-");
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            normalize_email("  Zhang.Wei@Example.CN "),
            "zhang.wei@example.cn"
        );
    }
}
