//! Sending one formatted message: over SMTP on a connection this worker keeps open, or into
//! an `.eml` file. Failures are classified: permanent (a 5xx reply, or a message that cannot
//! be built), unreachable (the server refused or broke the connection, did not greet in
//! `connect_timeout`, did not accept the message within `send_timeout`, or answered 421:
//! nothing about the message, so no attempt is counted and the circuit breaker hears of it),
//! or transient (other 4xx replies such as 451).
//!
//! lettre 0.11 does not set TCP_NODELAY (CRATES.md trap 5): it writes the body and the final
//! `.` separately, and Nagle's algorithm then waits on the server's delayed ACK, ~40 ms a
//! message. So plain and STARTTLS connections are built here on a no-delay socket and handed
//! to lettre; each worker owns one connection, so the pool is sized to the concurrency.

use std::path::PathBuf;
use std::sync::Arc;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use crate::config::{SmtpTarget, TlsMode, TransportSpec};
use crate::message::Outgoing;

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// True when resending cannot help (5xx, unbuildable message).
    pub permanent: bool,
    /// True when the server could not be reached or did not answer in time (refused,
    /// broken connection, no greeting, stalled, 421): the message itself is not at fault.
    pub unreachable: bool,
    /// What happened (never contains credentials).
    pub message: String,
}

impl SendFailure {
    /// A permanent failure.
    pub fn permanent(message: impl Into<String>) -> Self {
        SendFailure {
            permanent: true,
            unreachable: false,
            message: message.into(),
        }
    }

    /// A transient failure of this message (e.g. a 451 reply).
    pub fn transient(message: impl Into<String>) -> Self {
        SendFailure {
            permanent: false,
            unreachable: false,
            message: message.into(),
        }
    }

    /// The server could not be reached or did not answer in time (transient too).
    pub fn unreachable(message: impl Into<String>) -> Self {
        SendFailure {
            permanent: false,
            unreachable: true,
            message: message.into(),
        }
    }
}

/// One worker's way out: its own SMTP connection, or the `.eml` folder.
pub(crate) enum Sender {
    Smtp {
        target: Arc<SmtpTarget>,
        conn: Option<Box<AsyncSmtpConnection>>,
    },
    Eml(PathBuf),
}

impl Sender {
    pub(crate) fn new(spec: &TransportSpec) -> Sender {
        match spec {
            TransportSpec::Smtp(t) => Sender::Smtp {
                target: Arc::new(t.clone()),
                conn: None,
            },
            TransportSpec::Eml(dir) => Sender::Eml(dir.clone()),
        }
    }

    /// Sends one message; `name` names the `.eml` file (the row id).
    pub(crate) async fn send(&mut self, name: &str, out: &Outgoing) -> Result<(), SendFailure> {
        match self {
            Sender::Eml(dir) => write_eml(dir, name, &out.bytes).await,
            Sender::Smtp { target, conn } => {
                // One bound for the whole message, connecting included: a stalled server
                // holds a message at most `send_timeout`.
                let limit = target.send_timeout;
                let sending = async {
                    if conn.as_ref().is_none_or(|c| c.has_broken()) {
                        *conn = None;
                        *conn = Some(Box::new(connect(target).await?));
                    }
                    let Some(c) = conn.as_mut() else {
                        return Err(SendFailure::unreachable("no connection"));
                    };
                    c.send(&out.envelope, &out.bytes)
                        .await
                        .map(|_| ())
                        .map_err(|e| classify(&e))
                };
                let result = tokio::time::timeout(limit, sending).await;
                match result {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => {
                        // lettre aborts the session on any error; start afresh next time.
                        *conn = None;
                        Err(e)
                    }
                    Err(_) => {
                        *conn = None;
                        Err(SendFailure::unreachable(format!(
                            "{}:{} did not accept the message within {limit:?}",
                            target.host, target.port
                        )))
                    }
                }
            }
        }
    }

    /// Drops the connection without a word (after a cancelled send, its state is unknown).
    pub(crate) fn abandon(&mut self) {
        if let Sender::Smtp { conn, .. } = self {
            *conn = None;
        }
    }

    /// Ends the session politely.
    pub(crate) async fn close(&mut self) {
        if let Sender::Smtp { conn: Some(c), .. } = self {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), c.quit()).await;
        }
    }
}

/// 421 closes the channel ("service not available"); a reply-less error is a broken or
/// timed-out connection: both are the server's state, not the message's.
fn classify(e: &lettre::transport::smtp::Error) -> SendFailure {
    let message = e.to_string();
    let code = e.status().map(u16::from);
    if e.is_permanent() {
        SendFailure::permanent(message)
    } else if code == Some(421) || code.is_none() {
        SendFailure::unreachable(message)
    } else {
        SendFailure::transient(message)
    }
}

async fn connect(t: &SmtpTarget) -> Result<AsyncSmtpConnection, SendFailure> {
    let hello = ClientId::Domain(t.hello_name.clone());
    let server = format!("{}:{}", t.host, t.port);
    let tls = || {
        TlsParameters::new(t.host.clone())
            .map_err(|e| SendFailure::unreachable(format!("TLS set-up for {server}: {e}")))
    };
    let connecting = async {
        let mut conn = if t.tls == TlsMode::Implicit {
            // Implicit TLS goes through lettre's own connect (no no-delay socket there).
            AsyncSmtpConnection::connect_tokio1(
                (t.host.as_str(), t.port),
                Some(t.connect_timeout),
                &hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(|e| SendFailure::unreachable(format!("cannot connect to {server}: {e}")))?
        } else {
            let tcp = tokio::net::TcpStream::connect((t.host.as_str(), t.port))
                .await
                .map_err(|e| {
                    SendFailure::unreachable(format!("cannot connect to {server}: {e}"))
                })?;
            tcp.set_nodelay(true)
                .map_err(|e| SendFailure::unreachable(format!("{server}: {e}")))?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
                .await
                .map_err(|e| SendFailure::unreachable(format!("{server} greeting: {e}")))?;
            if conn.can_starttls() {
                conn.starttls(tls()?, &hello)
                    .await
                    .map_err(|e| SendFailure::unreachable(format!("{server} STARTTLS: {e}")))?;
            } else if t.tls == TlsMode::Required {
                return Err(SendFailure::unreachable(format!(
                    "{server} does not offer STARTTLS, which tls=required demands"
                )));
            }
            conn
        };
        if let Some(cred) = &t.credentials {
            let lc = Credentials::new(cred.user.clone(), cred.password.clone());
            // The error text is the server's reply, never the password.
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &lc)
                .await
                .map_err(|e| {
                    let mut f = classify(&e);
                    f.message = format!("{server} login as {}: {}", cred.user, f.message);
                    f
                })?;
        }
        Ok(conn)
    };
    match tokio::time::timeout(t.connect_timeout, connecting).await {
        Ok(r) => r,
        Err(_) => Err(SendFailure::unreachable(format!(
            "cannot connect to {server}: no greeting within {:?}",
            t.connect_timeout
        ))),
    }
}

async fn write_eml(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), SendFailure> {
    let io = |e: std::io::Error| {
        SendFailure::transient(format!("cannot write to {}: {e}", dir.display()))
    };
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    // Write then rename, so a reader never sees half a message.
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, dir.join(format!("{name}.eml")))
        .await
        .map_err(io)
}
