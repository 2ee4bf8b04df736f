//! Held bulletins through the service's scheduler on both backends: `[bulletin] approve`
//! and an empty month hold the scheduled bulletin instead of mailing leaders; the office
//! previews, releases (queued through the outbox) or drops it; others may not.

use std::sync::Arc;

use docket_app::holds::{drop_hold, list_holds, preview_hold, release_hold};
use docket_app::imports::{ImportKind, import_file};
use docket_app::{Actor, App, ErrorKind};
use docket_domain::clock::ManualClock;
use docket_domain::hold::{HoldKind, HoldReason, HoldState};
use docket_store::holds::Hold;
use docket_testkit::{TestDb, beijing, dual_test};

/// The sample configuration on `t`, at the September 2024 bulletin's due time (Saturday
/// 12 Oct 2024 09:00, a make-up working day), with the sample library (and progress).
async fn app(t: &TestDb, approve: bool, progress: bool) -> App {
    let mut config =
        docket_app::config::load(&docket_testkit::config_dir().join("docket.toml")).unwrap();
    config.bulletin.approve = approve;
    let clock = Arc::new(ManualClock::new(beijing(2024, 10, 12, 9, 1)));
    let app = App::assemble(config, t.db.clone(), clock).await.unwrap();
    let sample = docket_testkit::repo_root().join("config/sample");
    let mut kinds = vec![(ImportKind::Projects, "projects.csv")];
    if progress {
        kinds.push((ImportKind::Progress, "progress.csv"));
    }
    for (kind, file) in kinds {
        import_file(
            &app,
            &Actor::office(),
            kind,
            &sample.join(file),
            false,
            |_, _| {},
        )
        .await
        .unwrap();
    }
    app
}

async fn bulletin_hold(app: &App) -> Option<Hold> {
    list_holds(app, &Actor::office(), true)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.kind == HoldKind::Bulletin)
}

async fn bulletins_queued(app: &App) -> usize {
    docket_store::outbox::list(&app.db.conn, None, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.kind == "bulletin")
        .count()
}

// With `approve = true` the scheduled bulletin is held (待审核), not queued; only the office
// may see or release it; releasing queues it to every recipient, once.
async fn approval_holds_the_bulletin_until_released(t: &TestDb) {
    let app = app(t, true, true).await;
    let s = app.new_scheduler(Some("test")).unwrap();
    let r = s.run_once(app.now()).await.unwrap();
    let fired = r
        .fired
        .iter()
        .find(|(s, _, _)| s == "bulletin")
        .expect("bulletin fired");
    assert!(fired.2.contains("held"), "{fired:?}");
    assert_eq!(bulletins_queued(&app).await, 0);
    let h = bulletin_hold(&app).await.expect("held");
    assert_eq!(
        (h.period.as_str(), h.reason_code, h.state),
        ("2024-09", HoldReason::Approval, HoldState::Held)
    );
    assert!(h.reason.contains("待审核"), "{}", h.reason);

    let leader = app.actor(Some("li_minghua")).unwrap();
    let e = release_hold(&app, &leader, h.number).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotPermitted);
    assert_eq!(bulletins_queued(&app).await, 0);

    let p = preview_hold(&app, &Actor::office(), h.number)
        .await
        .unwrap();
    assert!(
        p.subject.contains("2024") && !p.text.is_empty() && p.html.contains("<"),
        "{p:?}"
    );
    let n = release_hold(&app, &Actor::office(), h.number)
        .await
        .unwrap();
    assert_eq!(n, app.config.bulletin.recipients.len());
    assert_eq!(bulletins_queued(&app).await, n);
    let e = release_hold(&app, &Actor::office(), h.number)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let h = bulletin_hold(&app).await.unwrap();
    assert_eq!(
        (h.state, h.decided_by.as_deref()),
        (HoldState::Released, Some("office"))
    );
}
dual_test!(approval_holds_the_bulletin_until_released);

// A month without progress holds the bulletin (无数据); releasing it while still empty is
// refused as bad input; dropping it ends the hold and nothing is ever queued.
async fn an_empty_bulletin_is_held_and_can_be_dropped(t: &TestDb) {
    let app = app(t, false, false).await;
    let s = app.new_scheduler(Some("test")).unwrap();
    s.run_once(app.now()).await.unwrap();
    let h = bulletin_hold(&app).await.expect("held");
    assert_eq!(h.reason_code, HoldReason::Empty);
    assert!(h.reason.contains("无数据"), "{}", h.reason);
    let e = release_hold(&app, &Actor::office(), h.number)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput);
    drop_hold(&app, &Actor::office(), h.number).await.unwrap();
    assert!(
        list_holds(&app, &Actor::office(), false)
            .await
            .unwrap()
            .iter()
            .all(|x| x.kind != HoldKind::Bulletin)
    );
    assert_eq!(bulletin_hold(&app).await.unwrap().state, HoldState::Dropped);
    assert_eq!(bulletins_queued(&app).await, 0);
}
dual_test!(an_empty_bulletin_is_held_and_can_be_dropped);
