//! `[smtp]` and `[mail]`: how email leaves, and how the outbox is worked.
//!
//! `[smtp]` is absent in the sample config: email is then written as `.eml` files under
//! `[mail] eml_dir`. Credentials never come from the file: `DOCKET_SMTP_USER` and
//! `DOCKET_SMTP_PASSWORD` carry them, and `DOCKET_SMTP_URL` overrides `url`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use docket_domain::config::{CoreConfig, is_valid_email};
use serde::Deserialize;

use crate::NotifyError;

/// `[smtp]` as written in the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtp://host[:port]` (STARTTLS if offered), `smtp://host:port?tls=required` (STARTTLS
    /// demanded) or `smtps://host[:port]` (implicit TLS). Overridden by `DOCKET_SMTP_URL`.
    pub url: Option<String>,
    /// Sender address; default: `[office] email`.
    pub from: Option<String>,
    /// Connections kept open to the server; also how many messages are sent at once
    /// (default 8).
    pub pool_size: Option<usize>,
    /// Seconds to wait for a connection and the server's greeting (default 10).
    pub connect_timeout_secs: Option<u64>,
    /// The same in milliseconds (wins over `connect_timeout_secs`; at least 50).
    pub connect_timeout_ms: Option<u64>,
    /// Seconds one message may take, connecting included, before the server counts as
    /// stalled (default 15).
    pub send_timeout_secs: Option<u64>,
    /// The same in milliseconds (wins over `send_timeout_secs`; at least 50).
    pub send_timeout_ms: Option<u64>,
    /// The name given in EHLO (default: `docket.local`).
    pub hello_name: Option<String>,
}

/// `[mail]`: the outbox's own settings. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// Folder for `.eml` files when no `[smtp]` is configured (default `data/mail`,
    /// relative to the working directory).
    pub eml_dir: Option<PathBuf>,
    /// Template folder, relative to the config file's folder (default `templates`).
    pub templates: Option<PathBuf>,
    /// Attempts before a message is dead-lettered (default 8).
    pub max_attempts: Option<u32>,
    /// First retry delay in seconds, doubled per attempt, plus up to 25% jitter (default 60).
    pub backoff_secs: Option<u64>,
    /// Longest retry delay in seconds (default 21600, six hours).
    pub backoff_max_secs: Option<u64>,
    /// Seconds a claimed row stays claimed; after that another process may send it (default 300).
    pub lease_secs: Option<u64>,
    /// Rows claimed per statement (default 200).
    pub batch: Option<u64>,
    /// Milliseconds `docket run` waits between looks at an empty queue (default 1000).
    pub poll_ms: Option<u64>,
    /// Office-local time of day, `HH:MM`, at which digests are gathered on working days
    /// (default `08:30`).
    pub digest_time: Option<String>,
    /// Consecutive connection failures or timeouts after which delivery pauses (the circuit
    /// breaker; default 3).
    pub breaker_failures: Option<u32>,
    /// The first pause in seconds, doubled on each further trip (default 60).
    pub breaker_cooldown_secs: Option<u64>,
    /// The longest pause in seconds (default 3600).
    pub breaker_cooldown_max_secs: Option<u64>,
    /// Seconds `docket run` gives delivery to stop: sends under way are cancelled after
    /// this and their rows come back through their lease (default 10).
    pub shutdown_secs: Option<u64>,
}

/// How connections are secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// STARTTLS when the server offers it, plain otherwise.
    Opportunistic,
    /// STARTTLS demanded; a server that does not offer it is an error.
    Required,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Login for the SMTP server. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct SmtpCredentials {
    /// User name.
    pub user: String,
    pub(crate) password: String,
}

impl std::fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

/// A resolved SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpTarget {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS mode.
    pub tls: TlsMode,
    /// Login, from the environment.
    pub credentials: Option<SmtpCredentials>,
    /// Connections (and concurrent sends).
    pub pool_size: usize,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Per-message timeout.
    pub send_timeout: Duration,
    /// EHLO name.
    pub hello_name: String,
}

/// Where email goes.
#[derive(Debug, Clone)]
pub enum TransportSpec {
    /// A real SMTP server.
    Smtp(SmtpTarget),
    /// `.eml` files in this folder (the embedded default).
    Eml(PathBuf),
}

/// Everything the dispatcher needs, validated.
#[derive(Debug, Clone)]
pub struct NotifierSettings {
    /// Where email goes.
    pub transport: TransportSpec,
    /// Sender address.
    pub from_email: String,
    /// Sender display name (the office's name).
    pub from_name: String,
    /// Template folder.
    pub templates_dir: PathBuf,
    /// Attempts before dead-lettering.
    pub max_attempts: u32,
    /// First retry delay.
    pub backoff: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// Claim lease.
    pub lease: Duration,
    /// Rows per claim.
    pub batch: u64,
    /// Idle poll interval of `run_until`.
    pub poll: Duration,
    /// Digest time of day (office-local).
    pub digest_time: chrono::NaiveTime,
    /// The circuit breaker: failures that pause delivery, and for how long.
    pub breaker: docket_store::breaker::BreakerPolicy,
    /// How long stopping delivery may take.
    pub shutdown: Duration,
    /// Channels besides email (none unless [`NotifierSettings::with_channels`] adds them).
    pub channels: Vec<crate::channels::Channel>,
}

impl NotifierSettings {
    /// Validates `[smtp]` and `[mail]` against the core config and the environment (`env`
    /// looks a variable up: `DOCKET_SMTP_URL`, `DOCKET_SMTP_USER`, `DOCKET_SMTP_PASSWORD`).
    /// Relative template paths are taken from `config_dir`.
    ///
    /// # Errors
    /// [`NotifyError::Config`] naming the key.
    pub fn resolve(
        core: &CoreConfig,
        smtp: &SmtpConfig,
        mail: &MailConfig,
        config_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<NotifierSettings, NotifyError> {
        let from_email = smtp
            .from
            .clone()
            .unwrap_or_else(|| core.office.email.clone());
        if !is_valid_email(&from_email) {
            return Err(NotifyError::config(
                "smtp.from",
                format!("invalid email address {from_email:?}"),
            ));
        }
        let url = env("DOCKET_SMTP_URL")
            .filter(|u| !u.trim().is_empty())
            .map(|u| ("DOCKET_SMTP_URL", u));
        let url = url.or_else(|| smtp.url.clone().map(|u| ("smtp.url", u)));
        let transport = match url {
            None => TransportSpec::Eml(
                mail.eml_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("data/mail")),
            ),
            Some((key, url)) => {
                let (host, port, tls) =
                    parse_smtp_url(&url).map_err(|r| NotifyError::config(key, r))?;
                let user = env("DOCKET_SMTP_USER").filter(|u| !u.is_empty());
                let password = env("DOCKET_SMTP_PASSWORD");
                let credentials = match (user, password) {
                    (Some(user), Some(password)) => Some(SmtpCredentials { user, password }),
                    (None, None) => None,
                    (Some(_), None) => {
                        return Err(NotifyError::config(
                            "DOCKET_SMTP_PASSWORD",
                            "DOCKET_SMTP_USER is set but the password is not",
                        ));
                    }
                    (None, Some(_)) => {
                        return Err(NotifyError::config(
                            "DOCKET_SMTP_USER",
                            "DOCKET_SMTP_PASSWORD is set but the user is not",
                        ));
                    }
                };
                let pool_size = smtp.pool_size.unwrap_or(8);
                if !(1..=256).contains(&pool_size) {
                    return Err(NotifyError::config(
                        "smtp.pool_size",
                        "must be between 1 and 256",
                    ));
                }
                let secs = |key: &str, v: Option<u64>, d: u64| -> Result<Duration, NotifyError> {
                    match v.unwrap_or(d) {
                        0 => Err(NotifyError::config(key, "must be at least 1 second")),
                        s => Ok(Duration::from_secs(s)),
                    }
                };
                let timeout = |key: &str, ms: Option<u64>, s: Option<u64>, d: u64| match ms {
                    Some(ms) if ms < 50 => Err(NotifyError::config(
                        key.replace("_secs", "_ms"),
                        "must be at least 50 milliseconds",
                    )),
                    Some(ms) => Ok(Duration::from_millis(ms)),
                    None => secs(key, s, d),
                };
                let hello_name = smtp
                    .hello_name
                    .clone()
                    .unwrap_or_else(|| "docket.local".into());
                if hello_name.is_empty()
                    || hello_name
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control())
                {
                    return Err(NotifyError::config(
                        "smtp.hello_name",
                        "must be a host name without blanks",
                    ));
                }
                TransportSpec::Smtp(SmtpTarget {
                    host,
                    port,
                    tls,
                    credentials,
                    pool_size,
                    connect_timeout: timeout(
                        "smtp.connect_timeout_secs",
                        smtp.connect_timeout_ms,
                        smtp.connect_timeout_secs,
                        10,
                    )?,
                    send_timeout: timeout(
                        "smtp.send_timeout_secs",
                        smtp.send_timeout_ms,
                        smtp.send_timeout_secs,
                        15,
                    )?,
                    hello_name,
                })
            }
        };
        let max_attempts = mail.max_attempts.unwrap_or(8);
        if max_attempts == 0 {
            return Err(NotifyError::config(
                "mail.max_attempts",
                "must be at least 1",
            ));
        }
        let backoff = Duration::from_secs(mail.backoff_secs.unwrap_or(60));
        let backoff_max = Duration::from_secs(mail.backoff_max_secs.unwrap_or(6 * 3600));
        if backoff.is_zero() {
            return Err(NotifyError::config(
                "mail.backoff_secs",
                "must be at least 1 second",
            ));
        }
        if backoff_max < backoff {
            return Err(NotifyError::config(
                "mail.backoff_max_secs",
                "must not be below mail.backoff_secs",
            ));
        }
        let lease = Duration::from_secs(mail.lease_secs.unwrap_or(300));
        if lease < Duration::from_secs(10) {
            return Err(NotifyError::config(
                "mail.lease_secs",
                "must be at least 10 seconds",
            ));
        }
        let batch = mail.batch.unwrap_or(200);
        if !(1..=1000).contains(&batch) {
            return Err(NotifyError::config(
                "mail.batch",
                "must be between 1 and 1000",
            ));
        }
        let digest_time = match &mail.digest_time {
            None => chrono::NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default(),
            Some(t) => chrono::NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
                NotifyError::config(
                    "mail.digest_time",
                    format!("{t:?} is not a time of day HH:MM"),
                )
            })?,
        };
        let breaker = breaker_policy(mail)?;
        let shutdown = match mail.shutdown_secs.unwrap_or(10) {
            0 => {
                return Err(NotifyError::config(
                    "mail.shutdown_secs",
                    "must be at least 1 second",
                ));
            }
            s => Duration::from_secs(s),
        };
        let templates = mail
            .templates
            .clone()
            .unwrap_or_else(|| PathBuf::from("templates"));
        Ok(NotifierSettings {
            transport,
            from_email,
            from_name: core.office.name.clone(),
            templates_dir: config_dir.join(templates),
            max_attempts,
            backoff,
            backoff_max,
            lease,
            batch,
            poll: Duration::from_millis(mail.poll_ms.unwrap_or(1000).max(10)),
            digest_time,
            breaker,
            shutdown,
            channels: Vec::new(),
        })
    }

    /// Adds the `[[channels]]`, validated against the officials and task forces that name
    /// them, their secrets read through `env`.
    ///
    /// # Errors
    /// [`NotifyError::Config`] naming the key (see [`crate::channels::resolve_channels`]).
    pub fn with_channels(
        mut self,
        core: &CoreConfig,
        channels: &[crate::channels::ChannelConfig],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<NotifierSettings, NotifyError> {
        self.channels = crate::channels::resolve_channels(core, channels, env)?;
        Ok(self)
    }
}

/// `[mail] breaker_*`, checked.
fn breaker_policy(mail: &MailConfig) -> Result<docket_store::breaker::BreakerPolicy, NotifyError> {
    let threshold = mail.breaker_failures.unwrap_or(3);
    if !(1..=1000).contains(&threshold) {
        return Err(NotifyError::config(
            "mail.breaker_failures",
            "must be between 1 and 1000",
        ));
    }
    let cooldown = mail.breaker_cooldown_secs.unwrap_or(60);
    let cooldown_max = mail.breaker_cooldown_max_secs.unwrap_or(3600);
    if cooldown == 0 {
        return Err(NotifyError::config(
            "mail.breaker_cooldown_secs",
            "must be at least 1 second",
        ));
    }
    if cooldown_max < cooldown || cooldown_max > 7 * 24 * 3600 {
        return Err(NotifyError::config(
            "mail.breaker_cooldown_max_secs",
            "must be between mail.breaker_cooldown_secs and 604800 (a week)",
        ));
    }
    Ok(docket_store::breaker::BreakerPolicy {
        threshold,
        cooldown_ms: (cooldown as i64).saturating_mul(1000),
        cooldown_max_ms: (cooldown_max as i64).saturating_mul(1000),
    })
}

/// Splits an SMTP URL into host, port and TLS mode.
fn parse_smtp_url(url: &str) -> Result<(String, u16, TlsMode), String> {
    let url = url.trim();
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "expected smtp://host[:port] or smtps://host[:port]".to_string())?;
    let (hostport, query) = match rest.split_once('?') {
        Some((h, q)) => (h.trim_end_matches('/'), Some(q)),
        None => (rest.trim_end_matches('/'), None),
    };
    if hostport.contains('@') {
        return Err(
            "credentials do not belong in the URL: set DOCKET_SMTP_USER and DOCKET_SMTP_PASSWORD"
                .into(),
        );
    }
    let mut tls = match scheme {
        "smtp" => TlsMode::Opportunistic,
        "smtps" => TlsMode::Implicit,
        other => return Err(format!("unknown scheme {other:?}: use smtp:// or smtps://")),
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair {
            "tls=required" if tls == TlsMode::Opportunistic => tls = TlsMode::Required,
            "tls=required" => {}
            "tls=opportunistic" if tls == TlsMode::Opportunistic => {}
            other => return Err(format!("unknown option {other:?} (known: tls=required)")),
        }
    }
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            let port = p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?;
            (
                h.trim_start_matches('[').trim_end_matches(']').to_string(),
                port,
            )
        }
        _ => (
            hostport.to_string(),
            if tls == TlsMode::Implicit { 465 } else { 25 },
        ),
    };
    if host.is_empty() || host.contains('/') {
        return Err("no host".into());
    }
    Ok((host, port, tls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_smtp_url("smtp://mail.x.cn").unwrap(),
            ("mail.x.cn".into(), 25, TlsMode::Opportunistic)
        );
        assert_eq!(
            parse_smtp_url("smtp://127.0.0.1:2525?tls=required").unwrap(),
            ("127.0.0.1".into(), 2525, TlsMode::Required)
        );
        assert_eq!(
            parse_smtp_url("smtps://mail.x.cn").unwrap(),
            ("mail.x.cn".into(), 465, TlsMode::Implicit)
        );
        assert!(
            parse_smtp_url("smtp://u:p@mail.x.cn")
                .unwrap_err()
                .contains("DOCKET_SMTP_USER")
        );
        assert!(parse_smtp_url("http://x").is_err());
        assert!(parse_smtp_url("smtp://x:99999").is_err());
        assert!(parse_smtp_url("smtp://x?tls=maybe").is_err());
    }

    #[test]
    fn credentials_are_not_printed() {
        let c = SmtpCredentials {
            user: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn breaker_and_timeouts() {
        let m = MailConfig::default();
        let p = breaker_policy(&m).unwrap();
        assert_eq!(
            (p.threshold, p.cooldown_ms, p.cooldown_max_ms),
            (3, 60_000, 3_600_000)
        );
        let bad = |m: MailConfig| match breaker_policy(&m) {
            Err(NotifyError::Config { key, .. }) => key,
            other => panic!("{other:?}"),
        };
        let zero = MailConfig {
            breaker_failures: Some(0),
            ..Default::default()
        };
        assert_eq!(bad(zero), "mail.breaker_failures");
        let inverted = MailConfig {
            breaker_cooldown_secs: Some(600),
            breaker_cooldown_max_secs: Some(60),
            ..Default::default()
        };
        assert_eq!(bad(inverted), "mail.breaker_cooldown_max_secs");
    }
}
