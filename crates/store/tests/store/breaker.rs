//! Handing claimed rows back without counting the attempt, and the delivery breaker's
//! counting, pausing, doubling and closing.

use docket_store::breaker::{self, BreakerPolicy};
use docket_store::outbox::{self, ClaimSpec, Delivery, NewMessage, enqueue};
use docket_testkit::{TestDb, dual_test};

fn message(key: &str) -> NewMessage {
    NewMessage {
        dedupe_key: key.into(),
        kind: "assignment".into(),
        to_email: "lead@city.example".into(),
        to_name: "组长".into(),
        official: None,
        context: serde_json::json!({}),
        subject: None,
        text_body: None,
        html_body: None,
        delivery: Delivery::Immediate,
        period: None,
        attachments: vec![],
    }
}

// A deferred row is pending again with its attempts as before the claim, its due time
// unchanged and the error's time recorded; untried rows come back as they were; only the
// claim's owner can do either.
async fn deferral_takes_the_attempt_back(t: &TestDb) {
    let c = &t.db.conn;
    enqueue(c, &[message("a"), message("b")], 100)
        .await
        .unwrap();
    let spec = ClaimSpec {
        owner: "d1",
        now_ms: 200,
        lease_ms: 1_000,
        held_officials: &[],
        channel: outbox::EMAIL,
    };
    let rows = outbox::claim_due(c, &spec, 10).await.unwrap();
    assert!(rows.iter().all(|r| r.attempts == 1));
    let (a, b) = (rows[0].id, rows[1].id);
    assert!(
        !outbox::mark_deferred(c, "d2", a, "refused", 300)
            .await
            .unwrap()
    );
    assert!(
        outbox::mark_deferred(c, "d1", a, "refused", 300)
            .await
            .unwrap()
    );
    assert_eq!(outbox::release_untried(c, "d2", &[b]).await.unwrap(), 0);
    assert_eq!(outbox::release_untried(c, "d1", &[b]).await.unwrap(), 1);
    let a = outbox::find(c, a).await.unwrap().unwrap();
    assert_eq!(
        (
            a.state.as_str(),
            a.attempts,
            a.next_attempt_at,
            a.lease_owner
        ),
        ("pending", 0, 100, None)
    );
    assert_eq!(
        (a.last_error.as_deref(), a.last_error_at),
        (Some("refused"), Some(300))
    );
    let b = outbox::find(c, b).await.unwrap().unwrap();
    assert_eq!(
        (b.state.as_str(), b.attempts, b.last_error),
        ("pending", 0, None)
    );
}
dual_test!(deferral_takes_the_attempt_back);

// Failures pause at the threshold for the cool-down, a pause under way is not extended, the
// next trip doubles (up to the cap), and a success closes the breaker.
async fn breaker_pauses_doubles_and_closes(t: &TestDb) {
    let c = &t.db.conn;
    let p = BreakerPolicy {
        threshold: 3,
        cooldown_ms: 1_000,
        cooldown_max_ms: 3_000,
    };
    assert!(breaker::breaker(c, "smtp").await.unwrap().is_none());
    let b = breaker::record_failures(c, "smtp", &p, 2, 10, "refused")
        .await
        .unwrap();
    assert_eq!((b.failures, b.paused_until), (2, None));
    let b = breaker::record_failures(c, "smtp", &p, 1, 20, "timed out")
        .await
        .unwrap();
    assert_eq!(
        (b.failures, b.paused_until, b.cooldown_ms),
        (3, Some(1_020), 2_000)
    );
    let b = breaker::record_failures(c, "smtp", &p, 1, 500, "x")
        .await
        .unwrap();
    assert_eq!(b.paused_until, Some(1_020), "not extended while paused");
    let b = breaker::record_failures(c, "smtp", &p, 1, 1_100, "x")
        .await
        .unwrap();
    assert_eq!((b.paused_until, b.cooldown_ms), (Some(3_100), 3_000));
    let b = breaker::record_failures(c, "smtp", &p, 1, 3_200, "x")
        .await
        .unwrap();
    assert_eq!(
        (b.paused_until, b.cooldown_ms),
        (Some(6_200), 3_000),
        "capped"
    );
    breaker::record_success(c, "smtp", &p, 7_000).await.unwrap();
    let b = breaker::breaker(c, "smtp").await.unwrap().unwrap();
    assert_eq!(
        (b.failures, b.paused_until, b.cooldown_ms, b.reason),
        (0, None, 1_000, None)
    );
}
dual_test!(breaker_pauses_doubles_and_closes);
