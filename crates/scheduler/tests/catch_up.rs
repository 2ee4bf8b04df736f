//! Catch-up rails on both backends: a first start never reminds for a week whose report
//! deadline has passed, and a sheet without reports is held rather than sent.

mod common;

use common::{bj, count, scheduler, seed_projects};
use docket_domain::hold::{HoldKind, HoldReason};
use docket_testkit::{TestDb, dual_test};

// A first start after the week's report deadline (Thursday 21 Nov 2024, 10:00) opens the
// week but reminds no one; on Saturday the week closes, and its sheet, without a single
// report, is held instead of sent.
async fn first_start_after_the_deadline_reminds_no_one(t: &TestDb) {
    seed_projects(&t.db, 12, 0).await;
    let s = scheduler(&t.db, "solo");
    let r = s.run_once(bj(2024, 11, 21, 10, 0)).await.unwrap();
    assert!(
        r.fired
            .iter()
            .any(|(s, p, _)| s == "open" && p == "2024-W47"),
        "{r:?}"
    );
    assert!(r.fired.iter().all(|(s, _, _)| s != "remind"), "{r:?}");
    assert!(
        r.skipped
            .iter()
            .any(|(s, p)| s == "remind" && p == "2024-W47/r3"),
        "{r:?}"
    );
    let r = s.run_once(bj(2024, 11, 23, 10, 0)).await.unwrap();
    let close = r
        .fired
        .iter()
        .find(|(s, _, _)| s == "close")
        .expect("closed");
    assert!(close.2.contains("sheet held"), "{close:?}");
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) AS n FROM outbox WHERE kind IN ('dispatch_sheet', 'reminder')"
        )
        .await,
        0
    );
    let held = docket_store::holds::list(&t.db.conn, false).await.unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(
        (held[0].kind, held[0].period.as_str(), held[0].reason_code),
        (HoldKind::DispatchSheet, "2024-W47", HoldReason::NoReports)
    );
    assert!(held[0].reason.contains("无报送"), "{}", held[0].reason);
    let skipped = count(&t.db, "SELECT COUNT(*) AS n FROM schedule_firings WHERE schedule = 'remind' AND outcome LIKE 'skipped: first start after 2024-W47%'").await;
    assert_eq!(skipped, 3);
}
dual_test!(first_start_after_the_deadline_reminds_no_one);
