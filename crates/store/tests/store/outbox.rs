//! The outbox: enqueue once per dedupe key, the conditional claim, marking by the claim's
//! owner only, lease expiry, retry and digests.

use docket_store::outbox::{
    self, ClaimSpec, Delivery, NewAttachment, NewMessage, State, claim_due, claim_ids, enqueue,
};
use docket_testkit::{TestDb, dual_test};

fn message(key: &str, delivery: Delivery, official: Option<&str>) -> NewMessage {
    NewMessage {
        dedupe_key: key.into(),
        kind: "assignment".into(),
        to_email: "lead@city.example".into(),
        to_name: "组长".into(),
        official: official.map(str::to_string),
        context: serde_json::json!({ "key": key }),
        subject: None,
        text_body: None,
        html_body: None,
        delivery,
        period: None,
        attachments: vec![],
    }
}

fn spec<'a>(owner: &'a str, now_ms: i64, held: &'a [String]) -> ClaimSpec<'a> {
    ClaimSpec {
        owner,
        now_ms,
        lease_ms: 1_000,
        held_officials: held,
        channel: outbox::EMAIL,
    }
}

fn keys(rows: &[outbox::OutboxRow]) -> Vec<String> {
    let mut k: Vec<String> = rows.iter().map(|r| r.dedupe_key.clone()).collect();
    k.sort();
    k
}

// A dedupe key queues one row, with its attachments, however often it is enqueued.
async fn enqueue_is_once_per_key(t: &TestDb) {
    let c = &t.db.conn;
    let mut a = message("a", Delivery::Immediate, None);
    a.attachments = vec![NewAttachment {
        filename: "通报.pdf".into(),
        content_type: "application/pdf".into(),
        data: vec![1, 2, 3],
    }];
    let b = message("b", Delivery::Immediate, None);
    assert_eq!(
        enqueue(c, &[a.clone(), b.clone(), a.clone()], 10)
            .await
            .unwrap(),
        2
    );
    assert_eq!(enqueue(c, &[a, b], 20).await.unwrap(), 0);
    let rows = outbox::list(c, None, 100).await.unwrap();
    assert_eq!(keys(&rows), ["a", "b"]);
    assert!(rows.iter().all(|r| r.state == "pending" && r.attempts == 0));
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let att = outbox::attachments_of(c, &ids).await.unwrap();
    assert_eq!(
        att.len(),
        1,
        "the repeated enqueue wrote no second attachment"
    );
    assert_eq!(att[0].data, vec![1, 2, 3]);
}
dual_test!(enqueue_is_once_per_key);

// A claim takes only due rows, counts an attempt, and a second claimer gets none of them.
async fn claim_takes_due_rows_once(t: &TestDb) {
    let c = &t.db.conn;
    enqueue(c, &[message("now", Delivery::Immediate, None)], 100)
        .await
        .unwrap();
    enqueue(c, &[message("later", Delivery::Immediate, None)], 500)
        .await
        .unwrap();
    let got = claim_due(c, &spec("d1", 200, &[]), 10).await.unwrap();
    assert_eq!(keys(&got), ["now"]);
    assert_eq!(got[0].state, State::Sending.code());
    assert_eq!(got[0].attempts, 1);
    assert_eq!(got[0].lease_owner.as_deref(), Some("d1"));
    assert_eq!(got[0].lease_until, Some(1_200));
    assert!(
        claim_due(c, &spec("d2", 200, &[]), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let other = claim_due(c, &spec("d2", 600, &[]), 10).await.unwrap();
    assert_eq!(keys(&other), ["later"], "the leased row is not taken again");
    // The limit is respected, oldest due first.
    enqueue(
        c,
        &[
            message("x1", Delivery::Immediate, None),
            message("x2", Delivery::Immediate, None),
        ],
        700,
    )
    .await
    .unwrap();
    assert_eq!(
        claim_due(c, &spec("d3", 800, &[]), 1).await.unwrap().len(),
        1
    );
}
dual_test!(claim_takes_due_rows_once);

// Only the claim's owner marks a row; sent rows are never claimed again.
async fn only_the_owner_marks(t: &TestDb) {
    let c = &t.db.conn;
    enqueue(c, &[message("m", Delivery::Immediate, None)], 0)
        .await
        .unwrap();
    let row = claim_due(c, &spec("d1", 0, &[]), 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(outbox::mark_sent(c, "d2", &[row.id], 5).await.unwrap(), 0);
    assert!(
        !outbox::mark_retry(c, "d2", row.id, 50, "x", 50)
            .await
            .unwrap()
    );
    assert!(!outbox::mark_dead(c, "d2", row.id, "x", 50).await.unwrap());
    assert_eq!(outbox::mark_sent(c, "d1", &[row.id], 5).await.unwrap(), 1);
    let sent = outbox::find(c, row.id).await.unwrap().unwrap();
    assert_eq!(
        (sent.state.as_str(), sent.sent_at, sent.lease_owner),
        ("sent", Some(5), None)
    );
    assert!(
        claim_due(c, &spec("d3", 10_000, &[]), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !outbox::retry(c, row.id, 10).await.unwrap(),
        "a sent row stays sent"
    );
}
dual_test!(only_the_owner_marks);

// An expired lease returns the row to the queue, and its old owner can no longer mark it.
async fn expired_lease_returns_rows(t: &TestDb) {
    let c = &t.db.conn;
    enqueue(c, &[message("m", Delivery::Immediate, None)], 0)
        .await
        .unwrap();
    let first = claim_due(c, &spec("d1", 0, &[]), 10).await.unwrap();
    assert_eq!(first.len(), 1);
    // Lease until 1,000: at 999 it still holds, after 1,000 it has lapsed.
    assert!(
        claim_due(c, &spec("d2", 999, &[]), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(outbox::flushable_ids(c, 999, &[]).await.unwrap().is_empty());
    assert_eq!(
        outbox::flushable_ids(c, 1_001, &[]).await.unwrap(),
        [first[0].id]
    );
    let again = claim_ids(c, &spec("d2", 1_001, &[]), &[first[0].id])
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2, "each claim counts as an attempt");
    assert_eq!(again[0].lease_owner.as_deref(), Some("d2"));
    assert_eq!(
        outbox::mark_sent(c, "d1", &[first[0].id], 1_002)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        outbox::mark_sent(c, "d2", &[first[0].id], 1_002)
            .await
            .unwrap(),
        1
    );
}
dual_test!(expired_lease_returns_rows);

// A retried row waits for its next attempt; a dead one for an operator's retry.
async fn retry_and_dead_letters(t: &TestDb) {
    let c = &t.db.conn;
    enqueue(
        c,
        &[
            message("r", Delivery::Immediate, None),
            message("d", Delivery::Immediate, None),
        ],
        0,
    )
    .await
    .unwrap();
    let rows = claim_due(c, &spec("d1", 0, &[]), 10).await.unwrap();
    let id = |k: &str| rows.iter().find(|r| r.dedupe_key == k).unwrap().id;
    assert!(
        outbox::mark_retry(c, "d1", id("r"), 5_000, "421 busy", 1_000)
            .await
            .unwrap()
    );
    assert!(
        outbox::mark_dead(c, "d1", id("d"), "550 no such user", 1_000)
            .await
            .unwrap()
    );
    let r = outbox::find(c, id("r")).await.unwrap().unwrap();
    assert_eq!(
        (r.state.as_str(), r.next_attempt_at, r.last_error.as_deref()),
        ("pending", 5_000, Some("421 busy"))
    );
    assert!(
        claim_due(c, &spec("d1", 4_999, &[]), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        keys(&claim_due(c, &spec("d1", 5_000, &[]), 10).await.unwrap()),
        ["r"]
    );
    let counts = outbox::count_by_state(c).await.unwrap();
    assert_eq!(
        counts,
        [("dead".to_string(), 1), ("sending".to_string(), 1)]
    );
    assert_eq!(
        outbox::list(c, Some(State::Dead), 10).await.unwrap().len(),
        1
    );
    assert!(outbox::retry(c, id("d"), 9_000).await.unwrap());
    let d = outbox::find(c, id("d")).await.unwrap().unwrap();
    assert_eq!(
        (d.state.as_str(), d.attempts, d.next_attempt_at),
        ("pending", 0, 9_000)
    );
}
dual_test!(retry_and_dead_letters);

// Digestible rows of officials who take a digest are held from claims and gathered once.
async fn held_rows_wait_for_the_digest(t: &TestDb) {
    let c = &t.db.conn;
    enqueue(
        c,
        &[
            message("held", Delivery::Digestible, Some("lead")),
            message("now", Delivery::Immediate, Some("lead")),
            message("other", Delivery::Digestible, Some("head")),
        ],
        0,
    )
    .await
    .unwrap();
    let held = ["lead".to_string()];
    assert_eq!(outbox::flushable_ids(c, 0, &held).await.unwrap().len(), 2);
    let items = outbox::pending_digestible(c, &held).await.unwrap();
    assert_eq!(keys(&items), ["held"]);
    let ids: Vec<_> = items.iter().map(|r| r.id).collect();
    assert_eq!(
        outbox::mark_digested(c, &ids, "digest:lead", 7)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        outbox::mark_digested(c, &ids, "digest:lead", 8)
            .await
            .unwrap(),
        0
    );
    let claimed = claim_due(c, &spec("d1", 0, &held), 10).await.unwrap();
    assert_eq!(keys(&claimed), ["now", "other"]);
    let row = outbox::find(c, ids[0]).await.unwrap().unwrap();
    assert_eq!(row.state, "digested");
    assert_eq!(row.last_error.as_deref(), Some("gathered into digest:lead"));
}
dual_test!(held_rows_wait_for_the_digest);
