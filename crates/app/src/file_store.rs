//! Where attachment bytes live: a local folder (`[http] files_dir`, the default) or an
//! S3-compatible object store (`[http.files_s3]`, through the `object_store` crate). Both are
//! content-addressed the same way: the key of a file is `ab/abcdef…`, its SHA-256 in lower-case
//! hex under a folder named by its first two characters (after `prefix/` in a bucket).
//!
//! A put is idempotent (a key that exists already holds the same bytes, so it is not written
//! again) and never leaves half a file under a real key: the folder writes a temporary name
//! and renames it, and an S3 PUT is atomic. Callers put the bytes before they commit the row
//! that lists them, so a failure leaves at most an unlisted object, never a listed file
//! without bytes.
//!
//! S3 credentials come only from the environment (`DOCKET_S3_ACCESS_KEY_ID`,
//! `DOCKET_S3_SECRET_ACCESS_KEY`), never from the file. TLS is rustls with the *ring*
//! provider (no OpenSSL, no aws-lc).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStoreExt, PutPayload, RetryConfig};
use sha2::{Digest, Sha256};
use uuid::Uuid;

mod settings;

pub use settings::{ACCESS_KEY_ENV, FileStoreSpec, S3Credentials, S3Settings, SECRET_KEY_ENV};

/// Why a file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    /// The key is not a SHA-256 hex digest (never made by Docket itself).
    #[error("attachment key {0:?} is not a SHA-256 hex digest")]
    BadKey(String),
    /// The folder could not be read or written.
    #[error("attachments folder {}", path.display())]
    Folder {
        /// The file or folder concerned.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The object store refused or could not be reached.
    #[error("attachments store {store}: {op} {key}")]
    Object {
        /// `s3://bucket/prefix`.
        store: String,
        /// `head`, `put` or `get`.
        op: &'static str,
        /// The object's key.
        key: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },
    /// The object store client could not be set up from the configuration.
    #[error("attachments store {store}: cannot be set up")]
    Setup {
        /// `s3://bucket/prefix`.
        store: String,
        /// The cause.
        #[source]
        source: Box<object_store::Error>,
    },
}

/// The store attachments are kept in, built once per process.
#[derive(Debug, Clone)]
pub enum FileStore {
    /// A local folder.
    Folder(PathBuf),
    /// An S3-compatible bucket.
    S3(Arc<S3Store>),
}

/// An S3-compatible bucket with an optional prefix.
#[derive(Debug)]
pub struct S3Store {
    store: AmazonS3,
    bucket: String,
    prefix: Option<String>,
}

/// Installs rustls' *ring* provider as the process default (once; later calls do nothing).
/// The HTTP client under the S3 store (reqwest with `rustls-no-provider`) needs one before
/// any client is built, and so does every other reqwest client in the same binary.
pub fn install_tls_provider() {
    // An error only means a provider is installed already, which is what is wanted.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The SHA-256 of `bytes` in lower-case hex: a file's key in either store.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `ab/abcdef…` for a SHA-256 hex digest.
fn relative_key(sha: &str) -> Result<String, FileStoreError> {
    let ok = sha.len() == 64
        && sha
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    if !ok {
        return Err(FileStoreError::BadKey(sha.chars().take(80).collect()));
    }
    Ok(format!("{}/{sha}", &sha[..2]))
}

impl FileStore {
    /// Builds the store `spec` names (for S3: the client, without contacting the server).
    ///
    /// # Errors
    /// [`FileStoreError::Setup`] if the client cannot be built from the settings.
    pub fn open(spec: &FileStoreSpec) -> Result<FileStore, FileStoreError> {
        match spec {
            FileStoreSpec::Folder(dir) => Ok(FileStore::Folder(dir.clone())),
            FileStoreSpec::S3 {
                settings,
                credentials,
            } => S3Store::open(settings, credentials).map(|s| FileStore::S3(Arc::new(s))),
        }
    }

    /// Where the files go, for logs: the folder, or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match self {
            FileStore::Folder(dir) => dir.display().to_string(),
            FileStore::S3(s) => s.describe(),
        }
    }

    /// Keeps `bytes` under their SHA-256 (once: an existing key holds the same bytes) and
    /// returns the hex digest.
    ///
    /// # Errors
    /// [`FileStoreError::Folder`] or [`FileStoreError::Object`] with the cause.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, FileStoreError> {
        let sha = sha256_hex(bytes);
        let key = relative_key(&sha)?;
        match self {
            FileStore::Folder(dir) => put_in_folder(dir, &key, &sha, bytes).await?,
            FileStore::S3(s) => s.put(&key, bytes).await?,
        }
        Ok(sha)
    }

    /// The bytes kept under `sha`.
    ///
    /// # Errors
    /// [`FileStoreError::BadKey`] for a malformed digest; [`FileStoreError::Folder`] or
    /// [`FileStoreError::Object`] when the bytes are missing or cannot be read.
    pub async fn get(&self, sha: &str) -> Result<Vec<u8>, FileStoreError> {
        let key = relative_key(sha)?;
        match self {
            FileStore::Folder(dir) => {
                let path = dir.join(&key);
                tokio::fs::read(&path)
                    .await
                    .map_err(|source| FileStoreError::Folder { path, source })
            }
            FileStore::S3(s) => s.get(&key).await,
        }
    }
}

/// Writes to a temporary name beside the target and renames it, unless the target exists.
async fn put_in_folder(
    dir: &std::path::Path,
    key: &str,
    sha: &str,
    bytes: &[u8],
) -> Result<(), FileStoreError> {
    let path = dir.join(key);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(());
    }
    let folder = path
        .parent()
        .map_or_else(|| dir.to_path_buf(), PathBuf::from);
    let failed = |source| FileStoreError::Folder {
        path: folder.clone(),
        source,
    };
    tokio::fs::create_dir_all(&folder).await.map_err(failed)?;
    let tmp = folder.join(format!(".{sha}.{}.tmp", Uuid::new_v4()));
    tokio::fs::write(&tmp, bytes).await.map_err(failed)?;
    if let Err(e) = tokio::fs::rename(&tmp, &path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(failed(e));
    }
    Ok(())
}

impl S3Store {
    fn open(settings: &S3Settings, credentials: &S3Credentials) -> Result<S3Store, FileStoreError> {
        install_tls_provider();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&credentials.access_key_id)
            .with_secret_access_key(&credentials.secret_access_key)
            .with_virtual_hosted_style_request(settings.virtual_hosted_style)
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(settings.allow_http)
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(60)),
            )
            // A person waits for the upload: a few quick retries, not object_store's minutes.
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: Duration::from_secs(20),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint.trim_end_matches('/'));
        }
        let bucket = settings.bucket.clone();
        let prefix = settings.clean_prefix().map(str::to_string);
        let store = builder.build().map_err(|source| FileStoreError::Setup {
            store: describe(&bucket, prefix.as_deref()),
            source: Box::new(source),
        })?;
        Ok(S3Store {
            store,
            bucket,
            prefix,
        })
    }

    fn describe(&self) -> String {
        describe(&self.bucket, self.prefix.as_deref())
    }

    fn path(&self, key: &str) -> ObjectPath {
        match &self.prefix {
            Some(p) => ObjectPath::from(format!("{p}/{key}")),
            None => ObjectPath::from(key),
        }
    }

    fn failed(
        &self,
        op: &'static str,
        key: &ObjectPath,
        source: object_store::Error,
    ) -> FileStoreError {
        FileStoreError::Object {
            store: self.describe(),
            op,
            key: key.to_string(),
            source: Box::new(source),
        }
    }

    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), FileStoreError> {
        let path = self.path(key);
        match self.store.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(self.failed("head", &path, e)),
        }
        self.store
            .put(&path, PutPayload::from(bytes.to_vec()))
            .await
            .map_err(|e| self.failed("put", &path, e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, FileStoreError> {
        let path = self.path(key);
        let got = self
            .store
            .get(&path)
            .await
            .map_err(|e| self.failed("get", &path, e))?;
        let bytes = got
            .bytes()
            .await
            .map_err(|e| self.failed("get", &path, e))?;
        Ok(bytes.to_vec())
    }
}

fn describe(bucket: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(p) => format!("s3://{bucket}/{p}"),
        None => format!("s3://{bucket}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sha256_under_a_two_character_folder() {
        let sha = sha256_hex(b"abc");
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(relative_key(&sha).unwrap(), format!("ba/{sha}"));
        assert!(relative_key("../../etc/passwd").is_err());
        assert!(relative_key(&sha.to_uppercase()).is_err());
    }

    #[tokio::test]
    async fn the_folder_keeps_each_content_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(&FileStoreSpec::Folder(dir.path().to_path_buf())).unwrap();
        let sha = store.put(b"%PDF-1.7 one").await.unwrap();
        assert_eq!(store.put(b"%PDF-1.7 one").await.unwrap(), sha);
        assert_eq!(store.get(&sha).await.unwrap(), b"%PDF-1.7 one");
        let folder = dir.path().join(&sha[..2]);
        let names: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from(&sha)],
            "no temporary left"
        );
        let missing = store.get(&sha256_hex(b"other")).await.unwrap_err();
        assert!(
            matches!(missing, FileStoreError::Folder { .. }),
            "{missing}"
        );
    }
}
