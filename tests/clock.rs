//! The reliability harness's clock: `DOCKET_CLOCK` starts a real `docket run` at a chosen
//! instant and `DOCKET_CLOCK_SPEED` lets a dispatch week pass in seconds — the scheduler opens
//! the cycle, reminds, closes it on Friday and mails the sheet, with no real waiting for a week;
//! and a spring-forward night fires a schedule in the missing hour exactly once.

use std::time::{Duration, Instant};

use docket_store::entity::{dispatch_cycles, outbox};
use docket_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, import_sample, stderr};
use crate::server::{Server, edited_config};

async fn cycle_state(t: &TestDb, week: &str) -> Option<String> {
    dispatch_cycles::Entity::find()
        .filter(dispatch_cycles::Column::Week.eq(week))
        .one(&t.db.conn)
        .await
        .unwrap()
        .map(|c| c.state)
}

async fn wait_for_state(t: &TestDb, week: &str, state: &str, server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while cycle_state(t, week).await.as_deref() != Some(state) {
        assert!(
            Instant::now() < deadline,
            "{week} never {state}: {}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_week_passes_in_seconds(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let cfg = edited_config(|c| c.replace("tick_seconds = 15", "tick_seconds = 1"));
    let config = cfg.path().join("docket.toml");
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // Monday 2024-09-23, a minute before the cycle opens; an hour passes every 0.2 s.
    let mut server = Server::start_env(
        &t.url,
        dir.path(),
        None,
        &config,
        &[
            ("DOCKET_CLOCK", "2024-09-23T08:59:00+08:00"),
            ("DOCKET_CLOCK_SPEED", "18000"),
        ],
    )
    .await;
    wait_for_state(t, "2024-W39", "open", &server).await;
    // An owner reports while the week is open (so the sheet has something to say).
    let o = docket(
        &t.url,
        &config,
        &[
            "report",
            "submit",
            "--project",
            "SZ2024001",
            "--week",
            "2024-W39",
            "--progress",
            "主体结构施工",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    wait_for_state(t, "2024-W39", "closed", &server).await;
    // The sheet goes out through the outbox: wait until it is written.
    let deadline = Instant::now() + Duration::from_secs(60);
    let sheets = loop {
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("dispatch_sheet"))
            .filter(outbox::Column::Period.eq("2024-W39"))
            .all(&t.db.conn)
            .await
            .unwrap();
        if !rows.is_empty() && rows.iter().all(|r| r.state == "sent") {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "sheet not sent: {:?} {}",
            rows.iter().map(|r| &r.state).collect::<Vec<_>>(),
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let reminders = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq("reminder"))
        .all(&t.db.conn)
        .await
        .unwrap()
        .len();
    let emls = std::fs::read_dir(dir.path().join("data/mail"))
        .map(|d| d.count())
        .unwrap_or(0);
    println!(
        "reliability[{}] clock: Monday 08:59 → Friday close in {:.1?} real time: sheets sent {}, reminders {}, .eml files {}",
        t.backend_name(),
        started.elapsed(),
        sheets.len(),
        reminders,
        emls
    );
    assert!(emls >= sheets.len(), "every sent sheet was written");
    assert!(server.stop(), "stops cleanly: {}", server.log());
}
dual_test!(a_week_passes_in_seconds);

/// A spring-forward night through a real `docket run`: the office's cycle opens at 02:30 on
/// the Friday when Israel's clocks jump from 02:00 to 03:00 (2024-03-29), a time that does
/// not exist that day. It fires exactly once, at the jump, and the history says so.
async fn the_missing_hour_fires_once(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let cfg = edited_config(|c| {
        c.replace("tick_seconds = 15", "tick_seconds = 1")
            .replace(
                "timezone = \"Asia/Shanghai\"",
                "timezone = \"Asia/Jerusalem\"",
            )
            .replace("open = \"0 0 9 * * Mon\"", "open = \"0 30 2 * * Fri\"")
    });
    let config = cfg.path().join("docket.toml");
    let dir = tempfile::tempdir().unwrap();
    // 01:50 local (UTC+2), ten minutes before the jump; ten minutes pass every second.
    let mut server = Server::start_env(
        &t.url,
        dir.path(),
        None,
        &config,
        &[
            ("DOCKET_CLOCK", "2024-03-28T23:50:00Z"),
            ("DOCKET_CLOCK_SPEED", "600"),
        ],
    )
    .await;
    wait_for_state(t, "2024-W13", "open", &server).await;
    // Let two more virtual hours pass (the repeated-hour trap would fire again here).
    tokio::time::sleep(Duration::from_secs(12)).await;
    let o = docket(
        &t.url,
        &config,
        &[
            "schedule",
            "history",
            "--schedule",
            "open",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let history: serde_json::Value = serde_json::from_str(&crate::cli::stdout(&o)).unwrap();
    let fired: Vec<&serde_json::Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["period"] == "2024-W13" && h["skipped"] == false)
        .collect();
    println!(
        "reliability[{}] DST: open at 02:30 on the spring-forward Friday (Asia/Jerusalem): fired {} time(s), due {}",
        t.backend_name(),
        fired.len(),
        fired
            .first()
            .map(|h| h["due"].to_string())
            .unwrap_or_default()
    );
    assert_eq!(fired.len(), 1, "{history}");
    // 02:30 does not exist that night: the firing is due at the jump, 03:00 local.
    assert_eq!(fired[0]["due"], "2024-03-29 03:00", "{history}");
    let cycles = dispatch_cycles::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(cycles.len(), 1, "one cycle");
    assert!(server.stop(), "stops cleanly: {}", server.log());
}
dual_test!(the_missing_hour_fires_once);
