//! Storage of authentication: API tokens, sign-in attempts and links, sessions, and the
//! nonces of used one-click links. Queries only; hashing, randomness and the rules (expiry,
//! single use, rate limits) belong to `docket-auth`.
//!
//! Secrets never reach this module: callers pass the SHA-256 hex digest of a token, link or
//! session id. Instants are UTC milliseconds. Single use is enforced by the database, not by
//! a read-then-write: a sign-in link is claimed by a conditional `UPDATE … RETURNING`, and a
//! one-click nonce by an `INSERT … ON CONFLICT DO NOTHING` on its unique index, so two
//! replicas racing for the same link cannot both win. Both statements work inside the
//! caller's transaction, and a rolled-back transaction leaves the link usable.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{api_tokens, sessions, signin_links};
use crate::sql::stmt as raw;

pub use crate::entity::api_tokens::Model as ApiTokenRow;
pub use crate::entity::sessions::Model as SessionRow;
pub use crate::entity::signin_links::Model as SigninLinkRow;

/// A new API token's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// The short public id shown in listings and used to revoke.
    pub key: String,
    /// SHA-256 hex digest of the whole token.
    pub token_hash: String,
    /// The configured official the token acts as.
    pub official: String,
    /// A free label.
    pub label: String,
    /// When it was made.
    pub created_at: i64,
    /// When it stops working, if ever.
    pub expires_at: Option<i64>,
}

/// Inserts a token row and returns its id.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails (also when `key` or `token_hash` is taken).
pub async fn insert_api_token<C: ConnectionTrait>(
    conn: &C,
    t: &NewApiToken,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    conn.execute_raw(raw(
        conn.get_database_backend(),
        "INSERT INTO api_tokens (id, key, token_hash, official, label, created_at, expires_at, revoked_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)",
        vec![
            id.into(),
            t.key.clone().into(),
            t.token_hash.clone().into(),
            t.official.clone().into(),
            t.label.clone().into(),
            t.created_at.into(),
            t.expires_at.into(),
        ],
    ))
    .await?;
    Ok(id)
}

/// The token row with this digest, whatever its state.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn find_api_token<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
) -> Result<Option<ApiTokenRow>, StoreError> {
    Ok(api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?)
}

/// Records a use of the token at `now`, unless one was recorded less than `granularity_ms`
/// before (so that a busy client does not write on every request).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn touch_api_token<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    now: i64,
    granularity_ms: i64,
) -> Result<(), StoreError> {
    conn.execute_raw(raw(
        conn.get_database_backend(),
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at <= $3)",
        vec![now.into(), id.into(), (now - granularity_ms).into()],
    ))
    .await?;
    Ok(())
}

/// Records a use at `now` of each token in `ids` in one statement per batch, skipping those
/// whose recorded use is less than `granularity_ms` old (as [`touch_api_token`]).
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn touch_api_tokens<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    now: i64,
    granularity_ms: i64,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(crate::sql::batch_rows(1).min(1_000)) {
        let mut values: Vec<sea_orm::Value> = vec![now.into(), (now - granularity_ms).into()];
        values.extend(chunk.iter().map(|id| sea_orm::Value::from(*id)));
        conn.execute_raw(raw(
            conn.get_database_backend(),
            &format!(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id IN ({}) \
                 AND (last_used_at IS NULL OR last_used_at <= $2)",
                crate::sql::placeholders(3, chunk.len())
            ),
            values,
        ))
        .await?;
    }
    Ok(())
}

/// Every token row, oldest first.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn list_api_tokens<C: ConnectionTrait>(conn: &C) -> Result<Vec<ApiTokenRow>, StoreError> {
    Ok(api_tokens::Entity::find()
        .order_by_asc(api_tokens::Column::CreatedAt)
        .order_by_asc(api_tokens::Column::Id)
        .all(conn)
        .await?)
}

/// The token rows whose key starts with `prefix` (matched literally).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn find_api_tokens_by_key_prefix<C: ConnectionTrait>(
    conn: &C,
    prefix: &str,
) -> Result<Vec<ApiTokenRow>, StoreError> {
    // Keys are base64url, so a prefix with LIKE wildcards matches no key; compare in Rust
    // rather than escape, the table is small.
    let rows = list_api_tokens(conn).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.key.starts_with(prefix))
        .collect())
}

/// Marks the token revoked at `now`; false if it was already revoked (or does not exist).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn revoke_api_token<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    now: i64,
) -> Result<bool, StoreError> {
    let r = conn
        .execute_raw(raw(
            conn.get_database_backend(),
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            vec![now.into(), id.into()],
        ))
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Sign-in attempts after `since` (exclusive) for this address and for this IP bucket.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn count_signin_attempts<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    ip: &str,
    since: i64,
) -> Result<(u64, u64), StoreError> {
    let row = conn
        .query_one_raw(raw(
            conn.get_database_backend(),
            "SELECT \
               (SELECT COUNT(*) FROM signin_attempts WHERE email = $1 AND at > $3) AS by_email, \
               (SELECT COUNT(*) FROM signin_attempts WHERE ip = $2 AND at > $3) AS by_ip",
            vec![email.into(), ip.into(), since.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok((0, 0));
    };
    let by_email: i64 = row.try_get("", "by_email")?;
    let by_ip: i64 = row.try_get("", "by_ip")?;
    Ok((by_email.max(0) as u64, by_ip.max(0) as u64))
}

/// Records a sign-in attempt (known address or not).
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn insert_signin_attempt<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    ip: &str,
    at: i64,
) -> Result<(), StoreError> {
    conn.execute_raw(raw(
        conn.get_database_backend(),
        "INSERT INTO signin_attempts (id, email, ip, at) VALUES ($1, $2, $3, $4)",
        vec![Uuid::now_v7().into(), email.into(), ip.into(), at.into()],
    ))
    .await?;
    Ok(())
}

/// A new sign-in link's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSigninLink {
    /// SHA-256 hex digest of the link's token.
    pub token_hash: String,
    /// The official it signs in.
    pub official: String,
    /// The address it was mailed to.
    pub email: String,
    /// When it was made.
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
}

/// Inserts a sign-in link row.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn insert_signin_link<C: ConnectionTrait>(
    conn: &C,
    l: &NewSigninLink,
) -> Result<(), StoreError> {
    conn.execute_raw(raw(
        conn.get_database_backend(),
        "INSERT INTO signin_links (id, token_hash, official, email, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        vec![
            Uuid::now_v7().into(),
            l.token_hash.clone().into(),
            l.official.clone().into(),
            l.email.clone().into(),
            l.created_at.into(),
            l.expires_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Marks the unused, unexpired link with this digest used at `now` and returns the official
/// it signs in; `None` if there is no such link (unknown, used or expired). One statement,
/// so of two concurrent claims only one gets the official.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn claim_signin_link<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let rows = conn
        .query_all_raw(raw(
            conn.get_database_backend(),
            "UPDATE signin_links SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             RETURNING official",
            vec![now.into(), token_hash.into()],
        ))
        .await?;
    match rows.first() {
        Some(r) => Ok(Some(r.try_get::<String>("", "official")?)),
        None => Ok(None),
    }
}

/// The sign-in link row with this digest, whatever its state (to tell why a claim failed).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn find_signin_link<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
) -> Result<Option<SigninLinkRow>, StoreError> {
    Ok(signin_links::Entity::find()
        .filter(signin_links::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await?)
}

/// A new session's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 hex digest of the session id (the cookie value).
    pub id_hash: String,
    /// The signed-in official.
    pub official: String,
    /// The session's CSRF token, echoed in every form.
    pub csrf_token: String,
    /// When it began.
    pub created_at: i64,
    /// When it ends.
    pub expires_at: i64,
}

/// Inserts a session row and returns its row id.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn insert_session<C: ConnectionTrait>(
    conn: &C,
    s: &NewSession,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    conn.execute_raw(raw(
        conn.get_database_backend(),
        "INSERT INTO sessions (id, id_hash, official, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            id.into(),
            s.id_hash.clone().into(),
            s.official.clone().into(),
            s.csrf_token.clone().into(),
            s.created_at.into(),
            s.expires_at.into(),
        ],
    ))
    .await?;
    Ok(id)
}

/// The session with this digest that has not expired at `now`.
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn find_live_session<C: ConnectionTrait>(
    conn: &C,
    id_hash: &str,
    now: i64,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(sessions::Entity::find()
        .filter(sessions::Column::IdHash.eq(id_hash))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?)
}

/// Deletes the session with this digest; false if there was none.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn delete_session<C: ConnectionTrait>(
    conn: &C,
    id_hash: &str,
) -> Result<bool, StoreError> {
    let r = sessions::Entity::delete_many()
        .filter(sessions::Column::IdHash.eq(id_hash))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Deletes every session of an official; returns how many.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn delete_sessions_of<C: ConnectionTrait>(
    conn: &C,
    official: &str,
) -> Result<u64, StoreError> {
    let r = sessions::Entity::delete_many()
        .filter(sessions::Column::Official.eq(official))
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

/// A one-click link's nonce to record as used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedLink {
    /// The link's nonce (unique).
    pub nonce: String,
    /// Who it was sent to.
    pub recipient: String,
    /// What it acts on.
    pub object: String,
    /// What it does.
    pub action: String,
    /// When it was used.
    pub used_at: i64,
    /// When the link expires (after which the row may be purged).
    pub expires_at: i64,
}

/// Records the nonce as used; false if it already was. On PostgreSQL a concurrent
/// transaction that recorded the same nonce makes this wait for its outcome.
///
/// The `ON CONFLICT` names no columns on purpose: the only other unique column is a fresh
/// UUID, and on SQLite a pooled connection opened before the migrations ran prepares
/// `ON CONFLICT (nonce)` against its stale schema and fails once ("does not match any
/// PRIMARY KEY or UNIQUE constraint"), which the target-less form cannot.
///
/// # Errors
/// [`StoreError::Db`] if the statement fails.
pub async fn insert_used_link<C: ConnectionTrait>(
    conn: &C,
    u: &UsedLink,
) -> Result<bool, StoreError> {
    let r = conn
        .execute_raw(raw(
            conn.get_database_backend(),
            "INSERT INTO used_links (id, nonce, recipient, object, action, used_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            vec![
                Uuid::now_v7().into(),
                u.nonce.clone().into(),
                u.recipient.clone().into(),
                u.object.clone().into(),
                u.action.clone().into(),
                u.used_at.into(),
                u.expires_at.into(),
            ],
        ))
        .await?;
    Ok(r.rows_affected() > 0)
}

/// Whether the nonce of a one-click link has been used (for the page a link opens; the use
/// itself is decided by [`insert_used_link`]).
///
/// # Errors
/// [`StoreError::Db`] if the query fails.
pub async fn link_used<C: ConnectionTrait>(conn: &C, nonce: &str) -> Result<bool, StoreError> {
    let row = conn
        .query_one_raw(raw(
            conn.get_database_backend(),
            "SELECT 1 AS one FROM used_links WHERE nonce = $1",
            vec![nonce.to_string().into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// What [`purge_expired`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sign-in attempts older than the window.
    pub attempts: u64,
    /// Sign-in links expired.
    pub signin_links: u64,
    /// Sessions expired.
    pub sessions: u64,
    /// Used one-click nonces whose links have expired (a replay is refused as expired).
    pub used_links: u64,
}

/// Deletes rows that no longer decide anything: attempts at or before `attempts_before`, and
/// links, sessions and used nonces expired at `now`. Tokens are kept (they are listed).
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn purge_expired<C: ConnectionTrait>(
    conn: &C,
    now: i64,
    attempts_before: i64,
) -> Result<Purged, StoreError> {
    let b = conn.get_database_backend();
    let mut n = [0u64; 4];
    for (i, (sql, at)) in [
        (
            "DELETE FROM signin_attempts WHERE at <= $1",
            attempts_before,
        ),
        ("DELETE FROM signin_links WHERE expires_at <= $1", now),
        ("DELETE FROM sessions WHERE expires_at <= $1", now),
        ("DELETE FROM used_links WHERE expires_at <= $1", now),
    ]
    .into_iter()
    .enumerate()
    {
        n[i] = conn
            .execute_raw(raw(b, sql, vec![at.into()]))
            .await?
            .rows_affected();
    }
    Ok(Purged {
        attempts: n[0],
        signin_links: n[1],
        sessions: n[2],
        used_links: n[3],
    })
}
