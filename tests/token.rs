//! `docket token create|list|revoke`: the token alone on stdout, only its hash stored,
//! list and revoke for the office only.

use docket_testkit::{TestDb, dual_test};
use sea_orm::{ConnectionTrait, Statement};

use crate::cli::{docket, sample_config, stderr, stdout};

async fn tokens_are_created_listed_and_revoked(t: &TestDb) {
    let cfg = sample_config();
    let o = docket(
        &t.url,
        &cfg,
        &["--as", "sun_li", "token", "create", "--expires", "30"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let secret = stdout(&o).trim().to_string();
    assert!(
        secret.starts_with("dkt_") && !secret.contains(char::is_whitespace),
        "{secret}"
    );
    // Only a hash is stored: the secret appears in no column of the table.
    let rows =
        t.db.conn
            .query_all_raw(Statement::from_string(
                t.db.conn.get_database_backend(),
                "SELECT * FROM api_tokens",
            ))
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        !format!("{rows:?}").contains(&secret[4..]),
        "the secret is not stored"
    );
    // The office lists it; a task-force member may not.
    let o = docket(&t.url, &cfg, &["token", "list", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["official"], "sun_li");
    assert_eq!(v[0]["active"], true);
    let key = v[0]["key"].as_str().unwrap().to_string();
    let o = docket(&t.url, &cfg, &["--as", "sun_li", "token", "list"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    // Revoked, it is inactive; revoking again is refused.
    let o = docket(&t.url, &cfg, &["token", "revoke", &key]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = docket(&t.url, &cfg, &["token", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["active"], false);
    let o = docket(&t.url, &cfg, &["token", "revoke", &key]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // A token for the office itself is refused.
    let o = docket(&t.url, &cfg, &["token", "create"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
dual_test!(tokens_are_created_listed_and_revoked);

// A request notes its token's use instead of writing it; one flush records the uses noted
// meanwhile; a revoked token is refused at the next request (every request reads its token).
async fn token_uses_are_recorded_in_batches(t: &TestDb) {
    let app = docket_app::App::start(&sample_config(), &t.url)
        .await
        .unwrap();
    let sun = app.actor(Some("sun_li")).unwrap();
    let new = docket_app::tokens::create_token(&app, &sun, None)
        .await
        .unwrap();
    let bearer = |secret: String| {
        let app = app.clone();
        async move {
            docket_app::signin::bearer_actor(&app, &secret)
                .await
                .unwrap()
        }
    };
    let actor = bearer(new.secret.clone()).await.expect("a live token");
    assert_eq!(actor.id, "sun_li");
    assert_eq!(app.token_uses.pending(), 1);
    let stored = docket_auth::tokens::list(&app.db.conn).await.unwrap();
    assert_eq!(stored[0].last_used_at, None, "the request wrote nothing");
    app.token_uses.flush(&app.db).await.unwrap();
    assert_eq!(app.token_uses.pending(), 0);
    let stored = docket_auth::tokens::list(&app.db.conn).await.unwrap();
    assert!(stored[0].last_used_at.is_some(), "recorded by the flush");
    // Used again within the minute: nothing more to record.
    assert!(bearer(new.secret.clone()).await.is_some());
    assert_eq!(app.token_uses.pending(), 0);
    let office = app.actor(None).unwrap();
    docket_app::tokens::revoke_token(&app, &office, &stored[0].key)
        .await
        .unwrap();
    assert!(
        bearer(new.secret).await.is_none(),
        "revoked: refused at once"
    );
}
dual_test!(token_uses_are_recorded_in_batches);
