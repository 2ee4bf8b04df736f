//! `[http.files_s3]` and the credentials from the environment: what the S3-compatible file
//! store is built from, checked at load with errors naming the key or variable.

use std::fmt;
use std::path::PathBuf;

use docket_domain::config::ConfigError;
use serde::Deserialize;

/// The environment variable holding the S3 access key id.
pub const ACCESS_KEY_ENV: &str = "DOCKET_S3_ACCESS_KEY_ID";
/// The environment variable holding the S3 secret access key.
pub const SECRET_KEY_ENV: &str = "DOCKET_S3_SECRET_ACCESS_KEY";

/// `[http.files_s3]`: an S3-compatible bucket for attachments instead of the folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    /// The service's address, e.g. `https://oss-cn-hangzhou.aliyuncs.com` or
    /// `http://127.0.0.1:9000`; absent: Amazon S3 itself in `region`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The bucket (it must exist; Docket does not create it).
    pub bucket: String,
    /// The region the requests are signed for (default `us-east-1`, what most S3-compatible
    /// servers accept).
    #[serde(default = "default_region")]
    pub region: String,
    /// A folder inside the bucket for Docket's objects, e.g. `docket/files` (default none).
    #[serde(default)]
    pub prefix: Option<String>,
    /// Whether an `http://` endpoint is allowed (only for loopback or a trusted network;
    /// default false).
    #[serde(default)]
    pub allow_http: bool,
    /// Whether the bucket is addressed as `https://BUCKET.endpoint/` (virtual-hosted style,
    /// required by some services) rather than `https://endpoint/BUCKET/` (default false).
    #[serde(default)]
    pub virtual_hosted_style: bool,
    /// Never accepted: credentials belong in the environment. Present only to refuse it by
    /// name.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// Never accepted, as `access_key_id`.
    #[serde(default)]
    pub secret_access_key: Option<String>,
}

fn default_region() -> String {
    "us-east-1".into()
}

impl S3Settings {
    /// Checks every key (the credentials are checked by [`S3Credentials::from_env`]).
    ///
    /// # Errors
    /// [`ConfigError`] naming the key (`http.files_s3.…`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let key = |k: &str| format!("http.files_s3.{k}");
        for (name, value) in [
            ("access_key_id", &self.access_key_id),
            ("secret_access_key", &self.secret_access_key),
        ] {
            if value.is_some() {
                return Err(ConfigError::new(
                    key(name),
                    format!(
                        "credentials do not belong in the file: set {ACCESS_KEY_ENV} and {SECRET_KEY_ENV} in the environment"
                    ),
                ));
            }
        }
        if let Some(endpoint) = &self.endpoint {
            if endpoint.len() > 500 {
                return Err(ConfigError::new(key("endpoint"), "at most 500 characters"));
            }
            if endpoint.starts_with("http://") {
                if !self.allow_http {
                    return Err(ConfigError::new(
                        key("endpoint"),
                        format!(
                            "{endpoint:?} is plain http: use https, or set http.files_s3.allow_http = true (loopback or a trusted network only)"
                        ),
                    ));
                }
            } else if !endpoint.starts_with("https://") {
                return Err(ConfigError::new(
                    key("endpoint"),
                    format!("{endpoint:?}: must start with https:// (or http://)"),
                ));
            }
            if endpoint.contains('@') {
                return Err(ConfigError::new(
                    key("endpoint"),
                    format!(
                        "credentials do not belong in the URL: set {ACCESS_KEY_ENV} and {SECRET_KEY_ENV}"
                    ),
                ));
            }
        }
        let bucket_ok = (3..=63).contains(&self.bucket.len())
            && self
                .bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && !self.bucket.starts_with(['-', '.'])
            && !self.bucket.ends_with(['-', '.']);
        if !bucket_ok {
            return Err(ConfigError::new(
                key("bucket"),
                format!(
                    "{:?}: 3 to 63 lower-case letters, digits, '-' or '.'",
                    self.bucket
                ),
            ));
        }
        let region_ok = !self.region.is_empty()
            && self.region.len() <= 64
            && self
                .region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !region_ok {
            return Err(ConfigError::new(
                key("region"),
                format!("{:?}: a region name such as us-east-1", self.region),
            ));
        }
        if let Some(prefix) = &self.prefix {
            let trimmed = prefix.trim_matches('/');
            let bad_segment = trimmed
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".." || s.chars().any(char::is_control));
            if trimmed.is_empty() || trimmed.len() > 200 || bad_segment {
                return Err(ConfigError::new(
                    key("prefix"),
                    format!(
                        "{prefix:?}: a folder such as docket/files (at most 200 characters, no empty, '.' or '..' parts)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The prefix without leading or trailing slashes (`None` when unset).
    pub(super) fn clean_prefix(&self) -> Option<&str> {
        self.prefix.as_deref().map(|p| p.trim_matches('/'))
    }
}

/// S3 credentials, read from the environment only. Their `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credentials {
    pub(super) access_key_id: String,
    pub(super) secret_access_key: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

impl S3Credentials {
    /// Reads `DOCKET_S3_ACCESS_KEY_ID` and `DOCKET_S3_SECRET_ACCESS_KEY` through `env`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the variable that is missing or empty.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<S3Credentials, ConfigError> {
        let read = |name: &str| {
            env(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                ConfigError::new(
                    name,
                    "must be set when [http.files_s3] is configured (S3 credentials come only from the environment)",
                )
            })
        };
        Ok(S3Credentials {
            access_key_id: read(ACCESS_KEY_ENV)?,
            secret_access_key: read(SECRET_KEY_ENV)?,
        })
    }
}

/// Which store the configuration names, resolved at load (credentials included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStoreSpec {
    /// The local folder `[http] files_dir`.
    Folder(PathBuf),
    /// The bucket of `[http.files_s3]`.
    S3 {
        /// Where.
        settings: S3Settings,
        /// With which keys.
        credentials: S3Credentials,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> S3Settings {
        toml::from_str(text).expect("settings parse")
    }

    #[test]
    fn settings_are_checked_by_key() {
        let ok = settings("endpoint = \"https://s3.example.cn\"\nbucket = \"docket-files\"");
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.region, "us-east-1");
        let cases = [
            (
                "endpoint = \"http://127.0.0.1:9000\"\nbucket = \"b1b\"",
                "http.files_s3.endpoint",
                "allow_http",
            ),
            (
                "endpoint = \"ftp://x\"\nbucket = \"b1b\"",
                "http.files_s3.endpoint",
                "https://",
            ),
            ("bucket = \"Bad_Bucket\"", "http.files_s3.bucket", "3 to 63"),
            (
                "bucket = \"okay\"\nregion = \"\"",
                "http.files_s3.region",
                "region",
            ),
            (
                "bucket = \"okay\"\nprefix = \"a/../b\"",
                "http.files_s3.prefix",
                "'..'",
            ),
            (
                "bucket = \"okay\"\nsecret_access_key = \"s3cr3t\"",
                "http.files_s3.secret_access_key",
                SECRET_KEY_ENV,
            ),
        ];
        for (text, key, words) in cases {
            let e = settings(text).validate().expect_err(text);
            let shown = e.to_string();
            assert!(shown.contains(key), "{text}: {shown}");
            assert!(shown.contains(words), "{text}: {shown}");
            assert!(!shown.contains("s3cr3t"), "the secret is never echoed");
        }
        let loopback = settings(
            "endpoint = \"http://127.0.0.1:9000\"\nbucket = \"b1b\"\nallow_http = true\nprefix = \"/docket/files/\"",
        );
        assert_eq!(loopback.validate(), Ok(()));
        assert_eq!(loopback.clean_prefix(), Some("docket/files"));
    }

    #[test]
    fn credentials_come_from_the_environment_and_are_not_shown() {
        let none = |_: &str| None;
        let e = S3Credentials::from_env(&none).unwrap_err();
        assert!(e.to_string().contains(ACCESS_KEY_ENV), "{e}");
        let only_id = |k: &str| (k == ACCESS_KEY_ENV).then(|| "AKID".to_string());
        let e = S3Credentials::from_env(&only_id).unwrap_err();
        assert!(e.to_string().contains(SECRET_KEY_ENV), "{e}");
        let both = |k: &str| Some(format!("value-of-{k}"));
        let c = S3Credentials::from_env(&both).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains(SECRET_KEY_ENV), "{shown}");
        assert!(shown.contains("<hidden>"));
    }
}
