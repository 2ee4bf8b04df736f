//! A real SMTP server for tests: `aiosmtpd` with its Mailbox handler on a free loopback port.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A message as it arrived at the server, decoded.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The raw message as received.
    pub raw: Vec<u8>,
    /// The decoded Subject.
    pub subject: String,
    /// The To addresses.
    pub to: Vec<String>,
    /// The decoded text/plain body, if any.
    pub text: Option<String>,
    /// The decoded text/html body, if any.
    pub html: Option<String>,
    /// The Message-ID.
    pub message_id: Option<String>,
    /// Attachments: file name and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// An `aiosmtpd` process storing every message in a maildir (or, for benchmarks, discarding
/// them); stopped on drop.
#[derive(Debug)]
pub struct SmtpSink {
    child: Option<Child>,
    addr: SocketAddr,
    dir: tempfile::TempDir,
    keep: bool,
}

impl SmtpSink {
    /// Starts a server on a free port and waits until it accepts connections.
    ///
    /// # Panics
    /// If `aiosmtpd` is not installed (`pip install aiosmtpd`) or does not start.
    pub fn start() -> SmtpSink {
        SmtpSink::start_with(true)
    }

    /// Starts a server that accepts and discards every message (aiosmtpd's `Sink` handler),
    /// for measuring delivery without the cost of storing it; [`messages`](Self::messages)
    /// stays empty.
    ///
    /// # Panics
    /// As [`start`](Self::start).
    pub fn start_discarding() -> SmtpSink {
        SmtpSink::start_with(false)
    }

    fn start_with(keep: bool) -> SmtpSink {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let mut sink = SmtpSink {
            child: None,
            addr,
            dir,
            keep,
        };
        sink.spawn();
        sink
    }

    fn spawn(&mut self) {
        let mailbox = self.dir.path().join("maildir");
        // pyenv's python3 is a wrapper script (CRATES.md trap 11): run the interpreter itself
        // so that killing the child stops the server.
        let mut cmd = Command::new(python());
        cmd.args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(self.addr.to_string());
        if self.keep {
            cmd.args(["-c", "aiosmtpd.handlers.Mailbox"]).arg(&mailbox);
        } else {
            cmd.args(["-c", "aiosmtpd.handlers.Sink"]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (pip install aiosmtpd)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start on {}",
                self.addr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// An `smtp://` URL for Docket's `[smtp] url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Stops the server (connections are then refused).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port, keeping what arrived.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        let mut files: Vec<PathBuf> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.dir.path().join("maildir").join(sub)) {
                files.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        }
        let mut mails: Vec<(std::time::SystemTime, ReceivedMail)> = files
            .iter()
            .filter_map(|p| {
                let t = std::fs::metadata(p).and_then(|m| m.modified()).ok()?;
                Some((t, parse_mail(&std::fs::read(p).ok()?)))
            })
            .collect();
        mails.sort_by_key(|(t, _)| *t);
        mails.into_iter().map(|(_, m)| m).collect()
    }

    /// Waits up to `timeout` for at least `n` messages, then returns all received.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() >= deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The folder the server writes to.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Decodes a raw message.
pub fn parse_mail(raw: &[u8]) -> ReceivedMail {
    use mail_parser::MimeHeaders;
    let parsed = mail_parser::MessageParser::default().parse(raw);
    let Some(m) = parsed else {
        return ReceivedMail {
            raw: raw.to_vec(),
            subject: String::new(),
            to: vec![],
            text: None,
            html: None,
            message_id: None,
            attachments: vec![],
        };
    };
    let to = m
        .to()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.address().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let attachments = m
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or("").to_string(),
                a.contents().to_vec(),
            )
        })
        .collect();
    ReceivedMail {
        raw: raw.to_vec(),
        subject: m.subject().unwrap_or("").to_string(),
        to,
        text: m.body_text(0).map(|s| s.into_owned()),
        html: m.body_html(0).map(|s| s.into_owned()),
        message_id: m.message_id().map(str::to_string),
        attachments,
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The Python interpreter itself (not pyenv's wrapper script), for starting Python helpers
/// whose process id must be the interpreter's.
pub fn python() -> String {
    static PY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PY.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "python3".to_string())
    })
    .clone()
}
