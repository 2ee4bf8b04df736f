//! Signed one-click links in emails ("accept this issue"): a token that says who it was sent
//! to, what it acts on, what it does, until when, and a nonce, HMAC-SHA256-signed with the
//! key from `DOCKET_SECRET`.
//!
//! The flow: the email carries `…/act/{token}`; a GET runs only [`LinkSigner::verify`] and
//! shows a confirmation page (mail scanners that fetch links change nothing); the page's button
//! POSTs, and the handler verifies again, then in ONE transaction calls [`consume`] and does
//! the action. A replayed link fails in [`consume`]; an expired or altered one in `verify`.
//! A rolled-back transaction un-records the nonce, so the link stays usable.
//!
//! Token form: `base64url(payload) "." base64url(tag)`, payload = version 1, expiry (ms,
//! big-endian i64), then recipient, object, action and nonce each as a big-endian u32 length
//! and UTF-8 bytes. The tag covers a context string and the payload, so a tag made for
//! something else with the same secret never validates here.

use chrono::{DateTime, Duration, Utc};
use docket_store::auth::{self as store, UsedLink};
use docket_store::sea_orm::ConnectionTrait;
use docket_store::time::{from_ms, to_ms};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::crypto::{b64, random_text, unb64};
use crate::{AuthError, LinkError};

/// How long a link works unless told otherwise.
pub const DEFAULT_LINK_TTL: Duration = Duration::days(7);
/// The shortest secret [`LinkSigner::new`] accepts, in bytes.
pub const MIN_SECRET_LEN: usize = 32;
/// Longer tokens are refused unread.
const MAX_TOKEN_LEN: usize = 4096;
const VERSION: u8 = 1;
/// Bytes of an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;
const CONTEXT: &[u8] = b"docket/action-link/v1\0";

/// What a signed link authorises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionClaim {
    /// Who it was sent to (an official's id); the action acts as them.
    pub recipient: String,
    /// What it acts on, e.g. `issue:0190…`.
    pub object: String,
    /// What it does, e.g. `accept`.
    pub action: String,
    /// When it stops working (millisecond precision).
    pub expires_at: DateTime<Utc>,
    /// A random value that makes the link single-use.
    pub nonce: String,
}

impl ActionClaim {
    /// A claim with a fresh nonce that expires [`DEFAULT_LINK_TTL`] after `now`.
    pub fn new(recipient: &str, object: &str, action: &str, now: DateTime<Utc>) -> Self {
        Self::expiring(recipient, object, action, now + DEFAULT_LINK_TTL)
    }

    /// A claim with a fresh nonce that expires at `expires_at`.
    pub fn expiring(
        recipient: &str,
        object: &str,
        action: &str,
        expires_at: DateTime<Utc>,
    ) -> Self {
        ActionClaim {
            recipient: recipient.to_string(),
            object: object.to_string(),
            action: action.to_string(),
            expires_at: from_ms(to_ms(expires_at)),
            nonce: random_text(16),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            16 + self.recipient.len() + self.object.len() + self.action.len() + self.nonce.len(),
        );
        out.push(VERSION);
        out.extend_from_slice(&to_ms(self.expires_at).to_be_bytes());
        for f in [&self.recipient, &self.object, &self.action, &self.nonce] {
            // A field of 4 GiB cannot occur; were it to, the link would fail to decode.
            let len = u32::try_from(f.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(f.as_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let (&version, rest) = bytes.split_first()?;
        if version != VERSION {
            return None;
        }
        let (ms, mut rest) = rest.split_first_chunk::<8>()?;
        let mut fields = Vec::with_capacity(4);
        for _ in 0..4 {
            let (len, tail) = rest.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
            if tail.len() < len {
                return None;
            }
            let (field, tail) = tail.split_at(len);
            fields.push(String::from_utf8(field.to_vec()).ok()?);
            rest = tail;
        }
        if !rest.is_empty() {
            return None;
        }
        let nonce = fields.pop()?;
        let action = fields.pop()?;
        let object = fields.pop()?;
        let recipient = fields.pop()?;
        Some(ActionClaim {
            recipient,
            object,
            action,
            expires_at: from_ms(i64::from_be_bytes(*ms)),
            nonce,
        })
    }
}

/// Signs and verifies action links with one secret.
#[derive(Clone)]
pub struct LinkSigner {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(<secret>)")
    }
}

impl LinkSigner {
    /// A signer keyed with `secret` (e.g. the bytes of `DOCKET_SECRET`).
    ///
    /// # Errors
    /// [`AuthError::WeakSecret`] when it is shorter than [`MIN_SECRET_LEN`] bytes.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, AuthError> {
        let secret = secret.as_ref();
        if secret.len() < MIN_SECRET_LEN {
            return Err(AuthError::WeakSecret { len: secret.len() });
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
            .map_err(|_| AuthError::WeakSecret { len: secret.len() })?;
        Ok(LinkSigner { mac })
    }

    fn tagger(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(CONTEXT);
        mac.update(payload);
        mac
    }

    /// The URL-safe token for `claim` (characters `A-Z a-z 0-9 - _ .`).
    pub fn sign(&self, claim: &ActionClaim) -> String {
        let payload = claim.encode();
        let tag = self.tagger(&payload).finalize().into_bytes();
        format!("{}.{}", b64(&payload), b64(&tag))
    }

    /// The claim of a token this signer made, if it has not expired at `now`. Checks the
    /// signature (in constant time) before reading anything else. Does not check use: that
    /// is [`consume`], in the action's transaction.
    ///
    /// # Errors
    /// [`LinkError::Malformed`], [`LinkError::Forged`] or [`LinkError::Expired`].
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<ActionClaim, LinkError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(LinkError::Malformed);
        }
        let (payload, tag) = token.split_once('.').ok_or(LinkError::Malformed)?;
        let payload = unb64(payload).ok_or(LinkError::Malformed)?;
        let tag = unb64(tag).ok_or(LinkError::Malformed)?;
        if payload.is_empty() || tag.len() != TAG_LEN {
            return Err(LinkError::Malformed);
        }
        self.tagger(&payload)
            .verify_slice(&tag)
            .map_err(|_| LinkError::Forged)?;
        let claim = ActionClaim::decode(&payload).ok_or(LinkError::Malformed)?;
        if now >= claim.expires_at {
            return Err(LinkError::Expired);
        }
        Ok(claim)
    }
}

/// Records the claim's nonce as used at `now`. Call it inside the transaction that performs
/// the action: if that transaction rolls back, the link remains usable; if another
/// transaction used the link first, this one gets `Replayed` and must change nothing.
///
/// # Errors
/// [`AuthError::Link`] with [`LinkError::Replayed`] when the nonce was used, or
/// [`LinkError::Expired`] when the claim has expired; [`AuthError::Store`] if the database
/// fails.
pub async fn consume<C: ConnectionTrait>(
    conn: &C,
    claim: &ActionClaim,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    if now >= claim.expires_at {
        return Err(LinkError::Expired.into());
    }
    let fresh = store::insert_used_link(
        conn,
        &UsedLink {
            nonce: claim.nonce.clone(),
            recipient: claim.recipient.clone(),
            object: claim.object.clone(),
            action: claim.action.clone(),
            used_at: to_ms(now),
            expires_at: to_ms(claim.expires_at),
        },
    )
    .await?;
    if fresh {
        Ok(())
    } else {
        Err(LinkError::Replayed.into())
    }
}

/// Whether the claim's link has been used already (for the page a link opens: a used link
/// says so instead of offering its button). The use itself is decided by [`consume`].
///
/// # Errors
/// [`AuthError::Store`] if the database fails.
pub async fn is_used<C: ConnectionTrait>(conn: &C, claim: &ActionClaim) -> Result<bool, AuthError> {
    Ok(store::link_used(conn, &claim.nonce).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 9, 9, 1, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn claims_round_trip_through_the_encoding() {
        let c = ActionClaim::new("zhang.wei", "issue:1", "accept", now());
        assert_eq!(ActionClaim::decode(&c.encode()), Some(c.clone()));
        let mut bytes = c.encode();
        bytes.push(0);
        assert_eq!(ActionClaim::decode(&bytes), None, "trailing bytes");
        assert_eq!(ActionClaim::decode(&c.encode()[..10]), None, "truncated");
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(matches!(
            LinkSigner::new([7u8; 31]),
            Err(AuthError::WeakSecret { len: 31 })
        ));
        assert!(LinkSigner::new([7u8; 32]).is_ok());
    }
}
