//! The S3-compatible file store against a real S3 server (moto on loopback): content-addressed
//! keys under the prefix, an idempotent put, get, and errors that say which store, operation
//! and key failed. (No database: the store is the same whichever backend lists the files.)

use docket_app::file_store::{
    FileStore, FileStoreError, FileStoreSpec, S3Credentials, S3Settings, sha256_hex,
};
use docket_testkit::{S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3Server};

fn spec(endpoint: &str, bucket: &str, prefix: Option<&str>) -> FileStoreSpec {
    let mut text = format!("endpoint = {endpoint:?}\nbucket = {bucket:?}\nallow_http = true\n");
    if let Some(p) = prefix {
        text.push_str(&format!("prefix = {p:?}\n"));
    }
    let settings: S3Settings = toml::from_str(&text).expect("settings");
    settings.validate().expect("valid settings");
    let env = |k: &str| match k {
        "DOCKET_S3_ACCESS_KEY_ID" => Some(S3_ACCESS_KEY_ID.to_string()),
        "DOCKET_S3_SECRET_ACCESS_KEY" => Some(S3_SECRET_ACCESS_KEY.to_string()),
        _ => None,
    };
    FileStoreSpec::S3 {
        settings,
        credentials: S3Credentials::from_env(&env).expect("credentials"),
    }
}

#[tokio::test]
async fn s3_store_keeps_each_content_once_under_its_hash() {
    let s3 = S3Server::start();
    s3.create_bucket("docket-files");
    let store =
        FileStore::open(&spec(&s3.endpoint(), "docket-files", Some("/city/files/"))).expect("open");
    assert_eq!(store.describe(), "s3://docket-files/city/files");

    let photo = b"\x89PNG\r\n\x1a\n site photo".to_vec();
    let sha = store.put(&photo).await.expect("put");
    assert_eq!(sha, sha256_hex(&photo));
    assert_eq!(
        s3.keys("docket-files", ""),
        vec![format!("city/files/{}/{sha}", &sha[..2])]
    );
    // Idempotent: the same content again is the same single object.
    assert_eq!(store.put(&photo).await.expect("put again"), sha);
    let pdf = b"%PDF-1.7 approval".to_vec();
    let other = store.put(&pdf).await.expect("put pdf");
    assert_eq!(s3.keys("docket-files", "city/").len(), 2);

    assert_eq!(store.get(&sha).await.expect("get"), photo);
    assert_eq!(store.get(&other).await.expect("get pdf"), pdf);

    let missing = sha256_hex(b"never stored");
    let e = store.get(&missing).await.expect_err("missing object");
    let shown = e.to_string();
    assert!(
        matches!(e, FileStoreError::Object { op: "get", .. }),
        "{shown}"
    );
    assert!(shown.contains("s3://docket-files/city/files"), "{shown}");
    assert!(shown.contains(&missing), "{shown}");
    assert!(matches!(
        store.get("../../secret").await,
        Err(FileStoreError::BadKey(_))
    ));
}

#[tokio::test]
async fn s3_store_failures_name_the_store_and_do_not_pretend_success() {
    let mut s3 = S3Server::start();
    // No such bucket: the put fails with the bucket named.
    let store = FileStore::open(&spec(&s3.endpoint(), "no-such-bucket", None)).expect("open");
    let e = store.put(b"%PDF-1.7 x").await.expect_err("no bucket");
    assert!(e.to_string().contains("s3://no-such-bucket"), "{e}");

    // The server gone: an error, not a hang (a few quick retries at most).
    s3.create_bucket("docket-files");
    let store = FileStore::open(&spec(&s3.endpoint(), "docket-files", None)).expect("open");
    s3.stop();
    let started = std::time::Instant::now();
    let e = store.put(b"%PDF-1.7 y").await.expect_err("server down");
    assert!(matches!(e, FileStoreError::Object { .. }), "{e}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "gave up after {:?}",
        started.elapsed()
    );
}
