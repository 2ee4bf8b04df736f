//! docket-auth end to end on SQLite and PostgreSQL: tokens, signed one-click links, sign-in
//! links with their rate limits, sessions and CSRF.

use chrono::{DateTime, Duration, TimeZone, Utc};
use docket_auth::links::{self, consume};
use docket_auth::session::{self, check_csrf, session_cookie};
use docket_auth::signin::{redeem, request_link};
use docket_auth::{ActionClaim, AuthError, LinkError, LinkSigner, RateScope, SigninConfig, tokens};
use docket_store::entity::{api_tokens, sessions, signin_links};
use docket_store::sea_orm::{EntityTrait, TransactionTrait};
use docket_testkit::{TestDb, dual_test};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 9, 9, 1, 0, 0).unwrap()
}

fn ip(s: &str) -> Option<std::net::IpAddr> {
    Some(s.parse().unwrap())
}

/// The officials of the tests' configuration, looked up by (normalised) email.
fn lookup(email: &str) -> Option<String> {
    match email {
        "zhang.wei@example.cn" => Some("zhang.wei".to_string()),
        "li.na@example.cn" => Some("li.na".to_string()),
        _ => None,
    }
}

// A token verifies as its official until revoked or expired; only its digest is stored.
async fn token_lifecycle(t: &TestDb) {
    let c = &t.db.conn;
    let new = tokens::create(c, "zhang.wei", "ci", None, t0())
        .await
        .unwrap();
    assert!(new.secret.starts_with("dkt_") && new.secret.len() >= 4 + 8 + 43);
    assert_eq!(&new.secret[4..12], new.token.key);
    assert!(!format!("{new:?}").contains(&new.secret));

    let got = tokens::verify(c, &new.secret, t0()).await.unwrap().unwrap();
    assert_eq!(got.official, "zhang.wei");
    assert_eq!(got.id, new.token.id);
    // Last use is recorded.
    let later = t0() + Duration::hours(1);
    tokens::verify(c, &new.secret, later)
        .await
        .unwrap()
        .unwrap();
    let listed = tokens::list(c).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(later));

    // Wrong, altered and foreign strings are refused.
    let mut altered = new.secret.clone();
    altered.pop();
    altered.push(if new.secret.ends_with('A') { 'B' } else { 'A' });
    for bad in [altered.as_str(), "dkt_", "", "Bearer x", &new.secret[4..]] {
        assert!(
            tokens::verify(c, bad, t0()).await.unwrap().is_none(),
            "{bad:?}"
        );
    }

    // The stored row holds the digest, never the secret or its random part.
    let rows = api_tokens::Entity::find().all(c).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = format!("{:?}", rows[0]);
    assert!(!row.contains(&new.secret[12..]), "secret stored: {row}");
    assert_eq!(rows[0].token_hash.len(), 64);

    // Revoke by a short prefix of the key.
    let other = tokens::create(c, "li.na", "", None, t0()).await.unwrap();
    assert!(matches!(
        tokens::revoke(c, "abc", t0()).await,
        Err(AuthError::ShortTokenKey(_))
    ));
    let unknown = if new.token.key.starts_with('-') {
        "____"
    } else {
        "----"
    };
    assert!(matches!(
        tokens::revoke(c, unknown, t0()).await,
        Err(AuthError::UnknownToken(_))
    ));
    let revoked = tokens::revoke(c, &new.token.key[..6], later).await.unwrap();
    assert_eq!(revoked.id, new.token.id);
    assert_eq!(revoked.revoked_at, Some(later));
    assert!(
        tokens::verify(c, &new.secret, later)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        tokens::revoke(c, &new.token.key, later).await,
        Err(AuthError::AlreadyRevoked(_))
    ));
    // The other token is untouched; revoking by the whole token works too.
    assert!(
        tokens::verify(c, &other.secret, later)
            .await
            .unwrap()
            .is_some()
    );
    tokens::revoke(c, &other.secret, later).await.unwrap();
    assert!(
        tokens::verify(c, &other.secret, later)
            .await
            .unwrap()
            .is_none()
    );
    let listed = tokens::list(c).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|t| !t.is_active(later)));

    // Expiry.
    let exp = t0() + Duration::days(30);
    let short = tokens::create(c, "li.na", "30 days", Some(exp), t0())
        .await
        .unwrap();
    let before = exp - Duration::milliseconds(1);
    assert!(
        tokens::verify(c, &short.secret, before)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        tokens::verify(c, &short.secret, exp)
            .await
            .unwrap()
            .is_none()
    );
}
dual_test!(token_lifecycle);

// A signed link verifies only untouched, under its own key, and before it expires.
#[test]
fn links_refuse_forged_malformed_and_expired() {
    let signer = LinkSigner::new(SECRET).unwrap();
    let claim = ActionClaim::new("zhang.wei", "issue:42", "accept", t0());
    assert_eq!(claim.expires_at, t0() + Duration::days(7));
    let token = signer.sign(&claim);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    );
    assert_eq!(signer.verify(&token, t0()), Ok(claim.clone()));

    // Every single changed character of the payload or tag (kept valid base64) is refused.
    let dot = token.find('.').unwrap();
    for i in [1, 5, dot / 2, dot - 2, dot + 2, token.len() - 3] {
        let mut b = token.clone().into_bytes();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(b).unwrap();
        assert_eq!(
            signer.verify(&tampered, t0()),
            Err(LinkError::Forged),
            "at {i}"
        );
    }
    // Another key.
    let other = LinkSigner::new(b"another secret that is long enough!!").unwrap();
    assert_eq!(other.verify(&token, t0()), Err(LinkError::Forged));
    assert_eq!(
        signer.verify(&other.sign(&claim), t0()),
        Err(LinkError::Forged)
    );
    // A changed claim under a valid-looking but reused tag.
    let mut changed = claim.clone();
    changed.action = "close".into();
    let forged = format!(
        "{}{}",
        &signer.sign(&changed)[..signer.sign(&changed).find('.').unwrap()],
        &token[dot..]
    );
    assert_eq!(signer.verify(&forged, t0()), Err(LinkError::Forged));
    // Not a link at all.
    for bad in ["", ".", "abc", "!!!.???", &token[..dot], &"A".repeat(5000)] {
        assert_eq!(
            signer.verify(bad, t0()),
            Err(LinkError::Malformed),
            "{bad:?}"
        );
    }
    // Expiry: valid one millisecond before, refused from the instant on.
    let exp = claim.expires_at;
    assert!(
        signer
            .verify(&token, exp - Duration::milliseconds(1))
            .is_ok()
    );
    assert_eq!(signer.verify(&token, exp), Err(LinkError::Expired));
    // An expired link that was also altered is reported as forged: the signature comes first.
    let mut b = token.clone().into_bytes();
    b[3] = if b[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(b).unwrap();
    assert_eq!(signer.verify(&tampered, exp), Err(LinkError::Forged));
    assert!(matches!(
        LinkSigner::new(b"short"),
        Err(AuthError::WeakSecret { len: 5 })
    ));
}

// A link works once; a rolled-back use leaves it usable; an expired claim is refused.
async fn link_single_use(t: &TestDb) {
    let c = &t.db.conn;
    let signer = LinkSigner::new(SECRET).unwrap();
    let token = signer.sign(&ActionClaim::new("zhang.wei", "issue:7", "accept", t0()));
    let now = t0() + Duration::hours(1);

    // The action's transaction fails after consuming: nothing is kept.
    let claim = signer.verify(&token, now).unwrap();
    let tx = c.begin().await.unwrap();
    consume(&tx, &claim, now).await.unwrap();
    tx.rollback().await.unwrap();

    // Now it is used for real, once.
    let claim = signer.verify(&token, now).unwrap();
    let tx = c.begin().await.unwrap();
    consume(&tx, &claim, now).await.unwrap();
    tx.commit().await.unwrap();
    let again = signer.verify(&token, now).unwrap();
    let tx = c.begin().await.unwrap();
    assert!(matches!(
        consume(&tx, &again, now).await,
        Err(AuthError::Link(LinkError::Replayed))
    ));
    tx.rollback().await.unwrap();
    // Outside a transaction too.
    assert!(matches!(
        consume(c, &again, now + Duration::days(1)).await,
        Err(AuthError::Link(LinkError::Replayed))
    ));

    // Another link to the same object and action is a different link.
    let second = signer.verify(
        &signer.sign(&ActionClaim::new("zhang.wei", "issue:7", "accept", t0())),
        now,
    );
    consume(c, &second.unwrap(), now).await.unwrap();

    // consume re-checks expiry.
    let claim = ActionClaim::expiring("li.na", "issue:8", "close", now);
    assert!(matches!(
        consume(c, &claim, now).await,
        Err(AuthError::Link(LinkError::Expired))
    ));
    links::consume(c, &claim, now - Duration::seconds(1))
        .await
        .unwrap();
}
dual_test!(link_single_use);

// A sign-in link signs in once, before it expires; unknown addresses get no link.
async fn signin_single_use_and_expiry(t: &TestDb) {
    let c = &t.db.conn;
    let cfg = SigninConfig::default();
    let link = request_link(
        c,
        &cfg,
        " Zhang.Wei@Example.cn ",
        ip("10.0.0.1"),
        lookup,
        t0(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(link.official, "zhang.wei");
    assert_eq!(link.email, "zhang.wei@example.cn");
    assert_eq!(link.expires_at, t0() + Duration::minutes(15));
    // Only the digest is stored.
    let rows = signin_links::Entity::find().all(c).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].token_hash, link.token);
    assert!(!format!("{:?}", rows[0]).contains(&link.token));

    assert!(
        request_link(c, &cfg, "nobody@example.cn", ip("10.0.0.1"), lookup, t0())
            .await
            .unwrap()
            .is_none()
    );

    let at = t0() + Duration::minutes(14);
    let s = redeem(c, &cfg, &link.token, at).await.unwrap();
    assert_eq!(s.official, "zhang.wei");
    assert_eq!(s.expires_at, at + Duration::hours(12));
    assert!(matches!(
        redeem(c, &cfg, &link.token, at).await,
        Err(AuthError::SigninLinkUsed)
    ));
    assert!(matches!(
        redeem(c, &cfg, "not-a-link", at).await,
        Err(AuthError::SigninLinkUnknown)
    ));

    // Expired at 15 minutes.
    let late = request_link(c, &cfg, "li.na@example.cn", ip("10.0.0.1"), lookup, t0())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        redeem(c, &cfg, &late.token, t0() + Duration::minutes(15)).await,
        Err(AuthError::SigninLinkExpired)
    ));

    // A redeem whose transaction rolls back leaves the link usable.
    let link = request_link(c, &cfg, "li.na@example.cn", ip("10.0.0.1"), lookup, t0())
        .await
        .unwrap()
        .unwrap();
    let tx = c.begin().await.unwrap();
    redeem(&tx, &cfg, &link.token, at).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        redeem(c, &cfg, &link.token, at).await.unwrap().official,
        "li.na"
    );
}
dual_test!(signin_single_use_and_expiry);

// Five requests per address and twenty per IP in fifteen minutes, counted in the database.
async fn signin_rate_limits(t: &TestDb) {
    let c = &t.db.conn;
    let cfg = SigninConfig::default();
    let mut at = t0();
    for _ in 0..5 {
        request_link(c, &cfg, "zhang.wei@example.cn", ip("10.0.0.1"), lookup, at)
            .await
            .unwrap()
            .unwrap();
        at += Duration::minutes(1);
    }
    // The sixth, even from another IP and spelled differently, is refused and mails nothing.
    let err = request_link(c, &cfg, "ZHANG.WEI@example.cn", ip("10.9.9.9"), lookup, at)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::RateLimited { scope: RateScope::Address, retry_after } if retry_after > at),
        "{err:?}"
    );
    assert_eq!(signin_links::Entity::find().all(c).await.unwrap().len(), 5);
    // Other addresses are not affected.
    request_link(c, &cfg, "li.na@example.cn", ip("10.9.9.9"), lookup, at)
        .await
        .unwrap()
        .unwrap();
    // Fifteen minutes after the first request, the address may ask again.
    request_link(
        c,
        &cfg,
        "zhang.wei@example.cn",
        ip("10.0.0.1"),
        lookup,
        t0() + Duration::minutes(15),
    )
    .await
    .unwrap()
    .unwrap();

    // Per IP: unknown addresses count too; the 21st request from one IPv6 /64 is refused.
    let at = t0() + Duration::hours(1);
    for i in 0..20 {
        let from = ip(&format!("2001:db8:1:2::{:x}", i + 1));
        let got = request_link(c, &cfg, &format!("probe{i}@example.cn"), from, lookup, at)
            .await
            .unwrap();
        assert!(got.is_none());
    }
    let err = request_link(
        c,
        &cfg,
        "li.na@example.cn",
        ip("2001:db8:1:2::ffff"),
        lookup,
        at,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::RateLimited {
                scope: RateScope::Ip,
                ..
            }
        ),
        "{err:?}"
    );
    // Another network is not affected; a tighter configuration applies at once.
    request_link(
        c,
        &cfg,
        "li.na@example.cn",
        ip("2001:db8:1:3::1"),
        lookup,
        at,
    )
    .await
    .unwrap()
    .unwrap();
    let strict = SigninConfig {
        per_address: 1,
        ..SigninConfig::default()
    };
    assert!(matches!(
        request_link(c, &strict, "li.na@example.cn", ip("192.0.2.1"), lookup, at).await,
        Err(AuthError::RateLimited {
            scope: RateScope::Address,
            ..
        })
    ));
}
dual_test!(signin_rate_limits);

// Every sign-in gets a new session id; sessions expire and end at sign-out; CSRF is checked.
async fn sessions_and_csrf(t: &TestDb) {
    let c = &t.db.conn;
    let cfg = SigninConfig {
        session_ttl: Duration::hours(2),
        ..SigninConfig::default()
    };
    let mut got = Vec::new();
    for _ in 0..2 {
        let link = request_link(
            c,
            &cfg,
            "zhang.wei@example.cn",
            ip("10.0.0.1"),
            lookup,
            t0(),
        )
        .await
        .unwrap()
        .unwrap();
        got.push(redeem(c, &cfg, &link.token, t0()).await.unwrap());
    }
    let (a, b) = (&got[0], &got[1]);
    assert_ne!(a.id, b.id);
    assert_ne!(a.csrf_token, b.csrf_token);
    assert!(!format!("{a:?}").contains(a.id.as_str()));
    // Only digests of the ids are stored.
    for row in sessions::Entity::find().all(c).await.unwrap() {
        assert_ne!(row.id_hash, a.id.as_str());
        assert_ne!(row.id_hash, b.id.as_str());
    }

    let now = t0() + Duration::hours(1);
    let found = session::session(c, a.id.as_str(), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, *a);
    assert!(session::session(c, "forged", now).await.unwrap().is_none());
    assert!(session::session(c, "", now).await.unwrap().is_none());
    assert!(
        session::session(c, a.id.as_str(), t0() + Duration::hours(2))
            .await
            .unwrap()
            .is_none()
    );

    // CSRF.
    check_csrf(&found, &a.csrf_token).unwrap();
    for bad in [b.csrf_token.as_str(), "", &a.csrf_token[1..]] {
        assert!(matches!(
            check_csrf(&found, bad),
            Err(AuthError::CsrfMismatch)
        ));
    }

    // Cookie attributes.
    let cookie = session_cookie(&found, true, now);
    assert!(cookie.starts_with(&format!("docket_session={};", a.id.as_str())));
    for attr in [
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
        "Max-Age=3600",
    ] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!session_cookie(&found, false, now).contains("Secure"));

    // Sign-out ends this session only.
    assert!(session::sign_out(c, a.id.as_str()).await.unwrap());
    assert!(!session::sign_out(c, a.id.as_str()).await.unwrap());
    assert!(
        session::session(c, a.id.as_str(), now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        session::session(c, b.id.as_str(), now)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        session::sign_out_everywhere(c, "zhang.wei").await.unwrap(),
        1
    );
    assert!(
        session::session(c, b.id.as_str(), now)
            .await
            .unwrap()
            .is_none()
    );
}
dual_test!(sessions_and_csrf);

// Purging removes expired rows only.
async fn purge_expired(t: &TestDb) {
    let c = &t.db.conn;
    let cfg = SigninConfig::default();
    let link = request_link(c, &cfg, "li.na@example.cn", ip("10.0.0.1"), lookup, t0())
        .await
        .unwrap()
        .unwrap();
    let s = redeem(c, &cfg, &link.token, t0()).await.unwrap();
    let p = docket_auth::signin::purge(c, &cfg, t0() + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!((p.attempts, p.signin_links, p.sessions), (1, 1, 0));
    assert!(
        session::session(c, s.id.as_str(), t0() + Duration::hours(1))
            .await
            .unwrap()
            .is_some()
    );
    let p = docket_auth::signin::purge(c, &cfg, t0() + Duration::hours(13))
        .await
        .unwrap();
    assert_eq!(p.sessions, 1);
}
dual_test!(purge_expired);
