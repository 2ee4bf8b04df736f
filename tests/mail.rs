//! `docket mail flush` against a real SMTP server that is down, then back.

use docket_testkit::{SmtpSink, TestDb, dual_test};

use crate::cli::{docket_cmd, import_sample, sample_config, stderr, stdout};

fn docket_smtp(t: &TestDb, smtp: &str, args: &[&str]) -> std::process::Output {
    docket_cmd(&t.url, &sample_config())
        .env("DOCKET_SMTP_URL", smtp)
        .run(args)
}

async fn flush_fails_while_down_then_delivers_once(t: &TestDb) {
    let mut sink = SmtpSink::start();
    let url = sink.url();
    import_sample(&t.url, &["projects"]);
    let o = docket_smtp(
        t,
        &url,
        &[
            "issue",
            "raise",
            "--project",
            "SZ2024001",
            "--category",
            "land",
            "--title",
            "用地指标不足",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    sink.stop();
    let o = docket_smtp(t, &url, &["mail", "flush"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a failed delivery exits 1: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("sent 0 failed 3"), "{}", stdout(&o));
    let rows = docket_store::entity::outbox::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!(r.state, "pending");
        assert!(
            r.last_error.as_deref().unwrap_or("").contains("connect"),
            "{:?}",
            r.last_error
        );
    }
    sink.restart();
    let o = docket_smtp(t, &url, &["mail", "flush"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = docket_smtp(t, &url, &["mail", "flush"]);
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("sent 0 failed 0"),
        "{}",
        stdout(&again)
    );
    let got = sink.wait_for(3, std::time::Duration::from_secs(10));
    assert_eq!(got.len(), 3, "each exactly once");
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "sun.li@example.gov.cn",
            "wang.hai@example.gov.cn",
            "zhang.jianguo@example.gov.cn"
        ]
    );
}
dual_test!(flush_fails_while_down_then_delivers_once);

use sea_orm::EntityTrait;
