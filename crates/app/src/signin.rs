//! Signing in without a password: an official known in `[[officials]]` asks for a link by
//! email; the link (15 minutes, single use) opens a page whose button starts a session. The
//! request, its rate-limit count, the stored link and the outbox row that mails it commit in
//! one transaction; the mail goes out with the rest of the outbox.
//!
//! Who is signed in is answered by [`signed_in`] from the session cookie's value, as an
//! [`Actor`] with the official's permissions.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use docket_auth::{AuthError, Session, SigninConfig};
use docket_store::outbox::{self, Delivery, NewMessage};
use docket_store::time::to_ms;
use sea_orm::TransactionTrait;

use crate::actor::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};

/// The longest email address accepted in the sign-in form.
pub const EMAIL_MAX_CHARS: usize = 254;

/// What became of a sign-in request. The page shows the same words for `Sent` and
/// `Unknown`, so the form cannot be used to probe which addresses are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigninRequest {
    /// A link was queued for mailing.
    Sent,
    /// No official has this address; nothing was sent.
    Unknown,
    /// Too many requests for this address or from this network; try again after the time.
    RateLimited {
        /// When a new request will be accepted.
        retry_after: DateTime<Utc>,
    },
}

fn signin_config(app: &App) -> SigninConfig {
    SigninConfig {
        session_ttl: Duration::hours(i64::from(app.config.http.session_hours)),
        ..SigninConfig::default()
    }
}

/// Handles the sign-in form: when `email` is an official's, stores a single-use link and
/// queues the email carrying `{base_url}/login/{token}`, in one transaction.
///
/// # Errors
/// Bad input for an empty or over-long address; unexpected if the database fails.
pub async fn request_signin(
    app: &App,
    email: &str,
    ip: Option<IpAddr>,
    base_url: &str,
) -> AppResult<SigninRequest> {
    let email = email.trim();
    if email.is_empty() || !email.contains('@') {
        return Err(AppError::bad_input("email: 请输入电子邮箱地址"));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(AppError::bad_input(format!(
            "email: at most {EMAIL_MAX_CHARS} characters"
        )));
    }
    let now = app.now();
    let core = &app.config.core;
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    let lookup = |normalised: &str| {
        core.officials
            .iter()
            .find(|o| o.email.trim().eq_ignore_ascii_case(normalised))
            .map(|o| o.id.clone())
    };
    let link =
        match docket_auth::signin::request_link(&txn, &signin_config(app), email, ip, lookup, now)
            .await
        {
            Ok(Some(link)) => link,
            Ok(None) => {
                txn.commit().await?;
                return Ok(SigninRequest::Unknown);
            }
            Err(AuthError::RateLimited { retry_after, .. }) => {
                return Ok(SigninRequest::RateLimited { retry_after });
            }
            Err(e) => return Err(e.into()),
        };
    let official = core.official(&link.official).ok_or_else(|| {
        AppError::unexpected(
            "sign-in",
            format!("official {} vanished from the config", link.official),
        )
    })?;
    let expires = link
        .expires_at
        .with_timezone(&app.workflow.settings.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let message = NewMessage {
        dedupe_key: format!("signin:{}:{}", link.official, to_ms(now)),
        kind: "signin".into(),
        to_email: official.email.clone(),
        to_name: official.name.clone(),
        official: Some(official.id.clone()),
        context: serde_json::json!({
            "url": format!("{}/login/{}", base_url.trim_end_matches('/'), link.token),
            "expires": expires,
            "minutes": SigninConfig::default().link_ttl.num_minutes(),
        }),
        subject: None,
        text_body: None,
        html_body: None,
        delivery: Delivery::Immediate,
        period: None,
        attachments: Vec::new(),
    };
    outbox::enqueue(&txn, &[message], to_ms(now)).await?;
    txn.commit().await?;
    tracing::info!(official = %official.id, "sign-in link queued");
    Ok(SigninRequest::Sent)
}

/// Redeems a sign-in link (the POST of its page): a new session for its official.
///
/// # Errors
/// Not found (unknown link), conflict (already used or expired: ask for a new one).
pub async fn redeem_signin(app: &App, token: &str) -> AppResult<Session> {
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    let session =
        match docket_auth::signin::redeem(&txn, &signin_config(app), token, app.now()).await {
            Ok(s) => s,
            Err(AuthError::SigninLinkExpired) => {
                return Err(AppError::Conflict("sign-in link expired".into()));
            }
            Err(e) => return Err(e.into()),
        };
    txn.commit().await?;
    tracing::info!(official = %session.official, "signed in");
    Ok(session)
}

/// The session behind a cookie value and who it acts as; `None` when there is none (unknown,
/// expired, signed out, or its official was removed from the configuration).
///
/// # Errors
/// Unexpected if the database fails.
pub async fn signed_in(app: &App, cookie: &str) -> AppResult<Option<(Session, Actor)>> {
    let Some(session) = docket_auth::session::session(&app.db.conn, cookie, app.now()).await?
    else {
        return Ok(None);
    };
    match app.actor(Some(&session.official)) {
        Ok(actor) => Ok(Some((session, actor))),
        Err(_) => Ok(None),
    }
}

/// Ends the session with this cookie value.
///
/// # Errors
/// Unexpected if the database fails.
pub async fn sign_out(app: &App, cookie: &str) -> AppResult<bool> {
    Ok(docket_auth::session::sign_out(&app.db.conn, cookie).await?)
}

/// The actor behind an API bearer token; `None` when the token is unknown, revoked, expired
/// or its official left the configuration. The use is noted and recorded within a second
/// ([`crate::token_uses`]).
///
/// # Errors
/// Unexpected if the database fails.
pub async fn bearer_actor(app: &App, token: &str) -> AppResult<Option<Actor>> {
    let now = app.now();
    let Some(t) = docket_auth::tokens::check(&app.db.conn, token, now).await? else {
        return Ok(None);
    };
    let actor = app.actor(Some(&t.official)).ok();
    if actor.is_some() && docket_auth::tokens::use_due(&t, now) {
        // Recorded within a second with others, not by a write of this request's own.
        app.token_uses.note(&app.db, t.id, now);
    }
    Ok(actor)
}
