//! A real S3-compatible server for tests: moto's server (`pip install 'moto[server]'`) on a
//! free loopback port, stopped on drop. It accepts any credentials and keeps objects in
//! memory; each server is private to the test that started it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::python;

/// The access key id tests give Docket for the moto server (any is accepted).
pub const S3_ACCESS_KEY_ID: &str = "docket-test-key";
/// The secret access key tests give Docket for the moto server.
pub const S3_SECRET_ACCESS_KEY: &str = "docket-test-secret";

/// A moto S3 server on loopback; stopped on drop.
#[derive(Debug)]
pub struct S3Server {
    child: Option<Child>,
    addr: SocketAddr,
}

impl S3Server {
    /// Starts a server on a free port and waits until it answers.
    ///
    /// # Panics
    /// If moto's server is not installed (`pip install 'moto[server]'`) or does not start
    /// within 30 seconds.
    pub fn start() -> S3Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        // The interpreter itself, not pyenv's wrapper (CRATES.md trap 11), so that killing
        // the child stops the server.
        let child = Command::new(python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto's server (pip install 'moto[server]')");
        let server = S3Server {
            child: Some(child),
            addr,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((status, _)) = server.request("GET", "/", b"")
                && status == 200
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto's S3 server did not start on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// `http://127.0.0.1:PORT`, for `[http.files_s3] endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Creates bucket `name`.
    ///
    /// # Panics
    /// If the server refuses.
    pub fn create_bucket(&self, name: &str) {
        let (status, body) = self
            .request("PUT", &format!("/{name}"), b"")
            .expect("create bucket");
        assert_eq!(status, 200, "create bucket {name}: {body}");
    }

    /// The keys in bucket `name` under `prefix` (at most 1,000), sorted.
    ///
    /// # Panics
    /// If the server refuses.
    pub fn keys(&self, name: &str, prefix: &str) -> Vec<String> {
        let (status, body) = self
            .request("GET", &format!("/{name}?list-type=2&prefix={prefix}"), b"")
            .expect("list bucket");
        assert_eq!(status, 200, "list bucket {name}: {body}");
        let mut keys: Vec<String> = body
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_string)
            .collect();
        keys.sort();
        keys
    }

    /// Stops the server (connections are then refused).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// One unsigned HTTP/1.1 request (moto does not check signatures); the status and the
    /// body as text.
    fn request(&self, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
        let mut s = TcpStream::connect_timeout(&self.addr, Duration::from_millis(500))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {text:.200}")))?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}
