//! Scheduler leases: taken when absent, renewed by the holder, taken over with a new fencing
//! token only after they lapse, fenced writes refused to an old holder, released early.

use docket_store::scheduling::{acquire_lease, check_fence, lease, release_lease};
use docket_testkit::{TestDb, dual_test};

// One holder at a time: renewal, take-over after lapse with a new token, fence, release.
async fn lease_takeover_and_fence(t: &TestDb) {
    let c = &t.db.conn;
    assert!(lease(c, "tick").await.unwrap().is_none());
    assert_eq!(
        acquire_lease(c, "tick", "a", 0, 1_000).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        acquire_lease(c, "tick", "b", 500, 1_000).await.unwrap(),
        None
    );
    // Renewal keeps the token and moves the expiry.
    assert_eq!(
        acquire_lease(c, "tick", "a", 900, 1_000).await.unwrap(),
        Some(1)
    );
    assert_eq!(lease(c, "tick").await.unwrap().unwrap().expires_at, 1_900);
    assert_eq!(
        acquire_lease(c, "tick", "b", 1_899, 1_000).await.unwrap(),
        None
    );
    // Lapsed: b takes over with a new token; a's fenced writes are refused.
    assert_eq!(
        acquire_lease(c, "tick", "b", 1_900, 1_000).await.unwrap(),
        Some(2)
    );
    assert!(!check_fence(c, "tick", "a", 1).await.unwrap());
    assert!(check_fence(c, "tick", "b", 2).await.unwrap());
    // A release by someone else changes nothing; b's own release lets a in at once.
    release_lease(c, "tick", "a", 2_000).await.unwrap();
    assert_eq!(
        acquire_lease(c, "tick", "a", 2_000, 1_000).await.unwrap(),
        None
    );
    release_lease(c, "tick", "b", 2_000).await.unwrap();
    assert_eq!(
        acquire_lease(c, "tick", "a", 2_000, 1_000).await.unwrap(),
        Some(3)
    );
}
dual_test!(lease_takeover_and_fence);
