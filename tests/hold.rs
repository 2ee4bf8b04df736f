//! Held products through the CLI (`docket hold list|show|release|drop`), and one
//! `docket run` per SQLite file.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docket_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, root, sample_config, stderr, stdout};
use crate::server::Server;

async fn sheets_queued(t: &TestDb) -> u64 {
    use docket_store::entity::outbox;
    outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("dispatch_sheet"))
        .count(&t.db.conn)
        .await
        .unwrap()
}

// A week closed without a single report: its sheet is held, not mailed. The office lists it
// by short number, previews it, releases it (queued then, once); a second week's held sheet
// is dropped; others may not list (exit 3); unknown numbers and decided holds exit 2.
async fn a_sheet_without_reports_is_held_then_released_or_dropped(t: &TestDb) {
    let cfg = sample_config();
    let run = |args: &[&str]| docket(&t.url, &cfg, args);
    let ok = |args: &[&str]| {
        let o = run(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    let lib = root().join("config/sample/projects.csv");
    ok(&["import", "projects", lib.to_str().unwrap()]);
    ok(&["cycle", "open", "--week", "2024-W39"]);
    let closed = run(&["cycle", "close", "--week", "2024-W39"]);
    assert!(closed.status.success());
    assert!(
        stderr(&closed).contains("held (hold 1)"),
        "{}",
        stderr(&closed)
    );
    assert_eq!(sheets_queued(t).await, 0);
    // The ledger says so too.
    let history: serde_json::Value = serde_json::from_str(&ok(&[
        "schedule",
        "history",
        "--schedule",
        "close",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(history[0]["period"], "2024-W39", "{history}");
    assert!(
        history[0]["outcome"]
            .as_str()
            .unwrap()
            .contains("sheet held"),
        "{history}"
    );

    let list: serde_json::Value =
        serde_json::from_str(&ok(&["hold", "list", "--format", "json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["number"], 1);
    assert_eq!(list[0]["kind"], "dispatch_sheet");
    assert_eq!(list[0]["period"], "2024-W39");
    assert_eq!(list[0]["reason_code"], "no_reports");
    assert_eq!(list[0]["state"], "held");
    assert!(list[0].get("id").is_none(), "no UUIDs for people: {list}");
    let text = ok(&["--lang", "zh", "hold", "list"]);
    assert!(text.contains("调度单") && text.contains("无报送"), "{text}");

    let o = run(&["--as", "huang_wei", "hold", "list"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = run(&["--as", "huang_wei", "hold", "release", "1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));

    let shown = ok(&["hold", "show", "1"]);
    assert!(
        shown.contains("调度单") && shown.contains("2024-W39"),
        "{shown}"
    );
    let html = ok(&["hold", "show", "1", "--format", "html"]);
    assert!(html.contains("<"), "{html}");

    let released = ok(&["hold", "release", "1"]);
    assert!(released.contains("hold 1 released"), "{released}");
    let queued = sheets_queued(t).await;
    assert!(queued > 0);
    let o = run(&["hold", "release", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(sheets_queued(t).await, queued);
    let o = run(&["hold", "drop", "99"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    ok(&["cycle", "open", "--week", "2024-W40"]);
    let closed = run(&["cycle", "close", "--week", "2024-W40"]);
    assert!(
        stderr(&closed).contains("held (hold 2)"),
        "{}",
        stderr(&closed)
    );
    ok(&["hold", "drop", "2"]);
    assert!(ok(&["hold", "list"]).contains("0 held product(s)"));
    let all: serde_json::Value =
        serde_json::from_str(&ok(&["hold", "list", "--all", "--format", "json"])).unwrap();
    assert_eq!(all[0]["state"], "released");
    assert_eq!(all[1]["state"], "dropped");
    assert_eq!(all[1]["decided_by"], "office");
    assert_eq!(sheets_queued(t).await, queued);
}
dual_test!(a_sheet_without_reports_is_held_then_released_or_dropped);

// A second `docket run` on the same SQLite file is refused at start with exit 1, naming the
// lock file; the first keeps serving.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_on_one_sqlite_file_is_refused() {
    let t = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let first = Server::start(&t.url, dir.path(), None).await;
    let mut second = Command::new(env!("CARGO_BIN_EXE_docket"))
        .current_dir(dir.path())
        .args(["run", "--listen", "127.0.0.1:0"])
        .env("DOCKET_DATABASE_URL", &t.url)
        .env("DOCKET_CONFIG", sample_config())
        .env("DOCKET_LOG", "warn")
        .env("DOCKET_LANG", "en")
        .env_remove("DOCKET_SMTP_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the second docket run");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = second.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            let _ = second.wait();
            panic!("the second docket run kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = second.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("already running") && err.contains(".run.lock"),
        "{err}"
    );
    let r = first.http.get(first.url("/healthz")).send().await.unwrap();
    assert!(r.status().is_success());
}
