//! Attachments in an S3-compatible bucket: the real `docket run` configured with
//! `[http.files_s3]` against a real S3 server (moto on loopback, bucket made by the test). An
//! owner's report photo and an issue's PDF land in the bucket under their SHA-256 (nothing in
//! the local folder), come back byte for byte to the owner, are not served to another unit,
//! and an upload while the store is down is refused with nothing listed. Both backends.

use docket_store::entity::attachments;
use docket_testkit::{
    S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3Server, SmtpSink, TestDb, dual_test,
};
use reqwest::header::COOKIE;
use reqwest::multipart::{Form, Part};
use sea_orm::EntityTrait;

use crate::cli::{docket, import_sample, raise_args, sample_config, stderr, stdout};
use crate::http_auth::csrf_field;
use crate::pages::{files_under, get, session};
use crate::server::{Server, edited_config};

const OWNER: &str = "huang.wei@huahai.example.com";
const OTHER_UNIT: &str = "xu.fang@chengtou.example.com";

async fn rows(t: &TestDb) -> Vec<attachments::Model> {
    attachments::Entity::find()
        .all(&t.db.conn)
        .await
        .expect("attachments")
}

async fn download(s: &Server, session: &str, id: &str) -> (u16, Vec<u8>) {
    let r = s
        .http
        .get(s.url(&format!("/files/{id}")))
        .header(COOKIE, format!("docket_session={session}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn attach(s: &Server, session: &str, number: &str, bytes: &[u8]) -> u16 {
    let (_, html) = get(s, session, &format!("/issues/{number}")).await;
    let body = Form::new().text("csrf", csrf_field(&html)).part(
        "file",
        Part::bytes(bytes.to_vec())
            .file_name("批文.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    s.http
        .post(s.url(&format!("/issues/{number}/files")))
        .header(COOKIE, format!("docket_session={session}"))
        .multipart(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn attachments_live_in_the_bucket(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let week = "2030-W10";
    let o = docket(&t.url, &sample_config(), &["cycle", "open", "--week", week]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = docket(
        &t.url,
        &sample_config(),
        &raise_args("SZ2024003", "funding", "配套资金未到位"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = docket(
        &t.url,
        &sample_config(),
        &["issue", "list", "--format", "json"],
    );
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let number = list[0]["number"].as_str().expect("number").to_string();

    let mut s3 = S3Server::start();
    let bucket = format!("docket-{}", t.backend_name());
    s3.create_bucket(&bucket);
    let config = edited_config(|text| {
        format!(
            "{text}\n[http.files_s3]\nendpoint = \"{}\"\nbucket = \"{bucket}\"\nprefix = \"city/files\"\nallow_http = true\n",
            s3.endpoint()
        )
    });
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_env(
        &t.url,
        dir.path(),
        Some(&sink.url()),
        &config.path().join("docket.toml"),
        &[
            ("DOCKET_S3_ACCESS_KEY_ID", S3_ACCESS_KEY_ID),
            ("DOCKET_S3_SECRET_ACCESS_KEY", S3_SECRET_ACCESS_KEY),
        ],
    )
    .await;

    // The owner submits the week's report with a site photo.
    let owner = session(&s, &sink, OWNER).await;
    let (status, html) = get(&s, &owner, &format!("/report/SZ2024003?week={week}")).await;
    assert_eq!(status, 200, "{html}");
    let photo = b"\x89PNG\r\n\x1a\n site photo of SZ2024003".to_vec();
    let body = Form::new()
        .text("csrf", csrf_field(&html))
        .text("week", week)
        .text("progress", "主体结构施工")
        .part(
            "photos",
            Part::bytes(photo.clone())
                .file_name("现场.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = s
        .http
        .post(s.url("/report/SZ2024003"))
        .header(COOKIE, format!("docket_session={owner}"))
        .multipart(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", s.log());
    assert!(
        s.log().contains(&format!("s3://{bucket}/city/files")),
        "the service says where files go: {}",
        s.log()
    );

    let listed = rows(t).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let row = &listed[0];
    assert_eq!(row.object_kind, "report");
    assert_eq!(row.uploaded_by, "huang_wei");
    assert_eq!(row.size, photo.len() as i64);
    let sha = row.sha256.clone();
    assert_eq!(
        s3.keys(&bucket, ""),
        vec![format!("city/files/{}/{sha}", &sha[..2])],
        "the photo is in the bucket under its hash"
    );
    assert_eq!(
        files_under(&dir.path().join("data/files")),
        0,
        "nothing in the local folder"
    );

    // Back through the HTTP route: the owner gets the bytes, another unit does not.
    let photo_id = row.id.to_string();
    let (status, bytes) = download(&s, &owner, &photo_id).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, photo, "the same bytes back");
    let other = session(&s, &sink, OTHER_UNIT).await;
    let (status, _) = download(&s, &other, &photo_id).await;
    assert_eq!(status, 404, "another unit's photo is not served");

    // An approval PDF on the unit's issue: listed on the page, in the bucket, served.
    let pdf = b"%PDF-1.7 approval of SZ2024003".to_vec();
    assert_eq!(attach(&s, &owner, &number, &pdf).await, 303, "{}", s.log());
    let (_, html) = get(&s, &owner, &format!("/issues/{number}")).await;
    assert!(html.contains("批文.pdf"), "{html}");
    let at = html.find("/files/").expect("a file link");
    let pdf_id = html[at + "/files/".len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (status, bytes) = download(&s, &owner, &pdf_id).await;
    assert_eq!((status, bytes), (200, pdf));
    let (status, _) = download(&s, &other, &pdf_id).await;
    assert_eq!(status, 404, "another unit's issue file is not served");
    assert_eq!(s3.keys(&bucket, "city/").len(), 2);

    // The store down: the upload is refused and nothing is listed (the object is put before
    // the row is committed).
    s3.stop();
    let down = b"%PDF-1.7 while the store is down";
    let status = attach(&s, &owner, &number, down).await;
    assert_eq!(status, 500, "{}", s.log());
    let sha = docket_app::file_store::sha256_hex(down);
    let key = format!("city/files/{}/{sha}", &sha[..2]);
    let log = s.log();
    assert!(
        log.contains("storing 批文.pdf") && log.contains(&key),
        "the log says what failed where: {log}"
    );
    assert_eq!(rows(t).await.len(), 2, "no row without its object");
}
dual_test!(attachments_live_in_the_bucket);
