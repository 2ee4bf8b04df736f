//! Auth rows: tokens revoked once and touched at a coarse grain, sign-in links claimed once
//! before they expire, attempts counted in a window, nonces used once, and the purge.

use docket_store::auth::{self, NewApiToken, NewSession, NewSigninLink, UsedLink};
use docket_testkit::{TestDb, dual_test};

fn token(key: &str, hash: &str) -> NewApiToken {
    NewApiToken {
        key: key.into(),
        token_hash: hash.into(),
        official: "lead".into(),
        label: "ci".into(),
        created_at: 100,
        expires_at: None,
    }
}

// Token rows: unique key and hash, found by hash and prefix, revoked once, touched coarsely.
async fn token_rows(t: &TestDb) {
    let c = &t.db.conn;
    let id = auth::insert_api_token(c, &token("abcd1234", "h1"))
        .await
        .unwrap();
    let err = auth::insert_api_token(c, &token("abcd1234", "h2"))
        .await
        .unwrap_err();
    assert!(err.is_unique_violation(), "{err:?}");
    auth::insert_api_token(c, &token("zz999999", "h3"))
        .await
        .unwrap();
    assert_eq!(auth::find_api_token(c, "h1").await.unwrap().unwrap().id, id);
    assert!(auth::find_api_token(c, "nope").await.unwrap().is_none());
    let found = auth::find_api_tokens_by_key_prefix(c, "abcd")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(
        auth::find_api_tokens_by_key_prefix(c, "%")
            .await
            .unwrap()
            .is_empty()
    );
    auth::touch_api_token(c, id, 1_000, 500).await.unwrap();
    auth::touch_api_token(c, id, 1_200, 500).await.unwrap();
    let row = auth::find_api_token(c, "h1").await.unwrap().unwrap();
    assert_eq!(
        row.last_used_at,
        Some(1_000),
        "within the granularity: not rewritten"
    );
    auth::touch_api_token(c, id, 1_500, 500).await.unwrap();
    let row = auth::find_api_token(c, "h1").await.unwrap().unwrap();
    assert_eq!(row.last_used_at, Some(1_500));
    assert!(auth::revoke_api_token(c, id, 2_000).await.unwrap());
    assert!(!auth::revoke_api_token(c, id, 2_001).await.unwrap());
    let listed = auth::list_api_tokens(c).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].revoked_at, Some(2_000));
}
dual_test!(token_rows);

// Sign-in links are claimed once before expiry; attempts count after the window's start.
async fn signin_links_and_attempts(t: &TestDb) {
    let c = &t.db.conn;
    let link = |hash: &str| NewSigninLink {
        token_hash: hash.into(),
        official: "lead".into(),
        email: "lead@city.example".into(),
        created_at: 0,
        expires_at: 1_000,
    };
    auth::insert_signin_link(c, &link("l1")).await.unwrap();
    auth::insert_signin_link(c, &link("l2")).await.unwrap();
    assert_eq!(
        auth::claim_signin_link(c, "l1", 500)
            .await
            .unwrap()
            .as_deref(),
        Some("lead")
    );
    assert!(
        auth::claim_signin_link(c, "l1", 600)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        auth::claim_signin_link(c, "l2", 1_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert_eq!(
        auth::find_signin_link(c, "l1")
            .await
            .unwrap()
            .unwrap()
            .used_at,
        Some(500)
    );
    for (email, ip, at) in [
        ("a@x", "1.1.1.1", 10),
        ("a@x", "2.2.2.2", 20),
        ("b@x", "1.1.1.1", 30),
    ] {
        auth::insert_signin_attempt(c, email, ip, at).await.unwrap();
    }
    assert_eq!(
        auth::count_signin_attempts(c, "a@x", "1.1.1.1", 0)
            .await
            .unwrap(),
        (2, 2)
    );
    assert_eq!(
        auth::count_signin_attempts(c, "a@x", "1.1.1.1", 10)
            .await
            .unwrap(),
        (1, 1),
        "the window excludes its start"
    );
}
dual_test!(signin_links_and_attempts);

// Sessions live until expiry, nonces are used once, and the purge removes only the expired.
async fn sessions_nonces_and_purge(t: &TestDb) {
    let c = &t.db.conn;
    let session = |hash: &str, official: &str, expires_at: i64| NewSession {
        id_hash: hash.into(),
        official: official.into(),
        csrf_token: format!("csrf-{hash}"),
        created_at: 0,
        expires_at,
    };
    auth::insert_session(c, &session("s1", "lead", 1_000))
        .await
        .unwrap();
    auth::insert_session(c, &session("s2", "lead", 5_000))
        .await
        .unwrap();
    auth::insert_session(c, &session("s3", "head", 5_000))
        .await
        .unwrap();
    assert!(
        auth::find_live_session(c, "s1", 999)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        auth::find_live_session(c, "s1", 1_000)
            .await
            .unwrap()
            .is_none()
    );
    assert!(auth::delete_session(c, "s3").await.unwrap());
    assert!(!auth::delete_session(c, "s3").await.unwrap());
    let used = |nonce: &str, expires_at: i64| UsedLink {
        nonce: nonce.into(),
        recipient: "lead".into(),
        object: "issue:1".into(),
        action: "accept".into(),
        used_at: 0,
        expires_at,
    };
    assert!(auth::insert_used_link(c, &used("n1", 1_000)).await.unwrap());
    assert!(!auth::insert_used_link(c, &used("n1", 1_000)).await.unwrap());
    assert!(auth::insert_used_link(c, &used("n2", 9_000)).await.unwrap());
    auth::insert_signin_attempt(c, "a@x", "ip", 10)
        .await
        .unwrap();
    auth::insert_signin_attempt(c, "a@x", "ip", 20)
        .await
        .unwrap();
    let purged = auth::purge_expired(c, 1_000, 10).await.unwrap();
    assert_eq!(
        (
            purged.attempts,
            purged.sessions,
            purged.used_links,
            purged.signin_links
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(
        auth::delete_sessions_of(c, "lead").await.unwrap(),
        1,
        "s2 remained"
    );
}
dual_test!(sessions_nonces_and_purge);
