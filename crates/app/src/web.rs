//! `[http]`: what the HTTP service needs from the configuration — the address people reach it
//! at (for links in emails and the cookie's `Secure` flag), session length and upload limits.
//! The secret that signs links is not here: it comes from the environment (`DOCKET_SECRET`).

use docket_domain::config::ConfigError;
use serde::Deserialize;

/// `[http]` settings; every key optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// The address people reach the service at, e.g. `https://docket.example.gov.cn`; links in
    /// emails start with it. Unset: `http://` + the listen address.
    pub public_url: Option<String>,
    /// How long a browser session lasts, in hours (default 12).
    pub session_hours: u32,
    /// The largest upload (import file) accepted, in MiB (default 20).
    pub max_upload_mb: u32,
    /// How long a request may take before it is answered 503, in seconds (default 30).
    pub request_timeout_secs: u32,
    /// Where attachments (photos, PDFs) are kept, content-addressed (default `data/files`,
    /// relative to the working directory like the default database).
    pub files_dir: String,
    /// The largest attachment accepted, in MiB (default 10).
    pub max_file_mb: u32,
    /// `[http.files_s3]`: keep attachments in an S3-compatible bucket instead of
    /// `files_dir` (credentials from the environment only).
    pub files_s3: Option<crate::file_store::S3Settings>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            public_url: None,
            session_hours: 12,
            max_upload_mb: 20,
            request_timeout_secs: 30,
            files_dir: "data/files".into(),
            max_file_mb: 10,
            files_s3: None,
        }
    }
}

impl HttpSettings {
    /// Checks every key.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::new(
                "http.public_url",
                format!("{url:?}: must start with http:// or https://"),
            ));
        }
        if !(1..=24 * 30).contains(&self.session_hours) {
            return Err(ConfigError::new(
                "http.session_hours",
                "between 1 and 720 hours",
            ));
        }
        if !(1..=1024).contains(&self.max_upload_mb) {
            return Err(ConfigError::new("http.max_upload_mb", "between 1 and 1024"));
        }
        if !(1..=1024).contains(&self.max_file_mb) {
            return Err(ConfigError::new("http.max_file_mb", "between 1 and 1024"));
        }
        if self.files_dir.trim().is_empty() {
            return Err(ConfigError::new("http.files_dir", "must name a folder"));
        }
        if let Some(s3) = &self.files_s3 {
            s3.validate()?;
        }
        if !(1..=3600).contains(&self.request_timeout_secs) {
            return Err(ConfigError::new(
                "http.request_timeout_secs",
                "between 1 and 3600 seconds",
            ));
        }
        Ok(())
    }

    /// The public base URL without a trailing slash: `public_url`, or `http://LISTEN`.
    pub fn base_url(&self, listen: &str) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{listen}"),
        }
    }

    /// Whether people reach the service over https (cookies are then `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}
