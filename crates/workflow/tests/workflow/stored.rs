//! Stored values that do not read back are errors, unique-index violations are classified
//! on both backends, and a raise that loses the race to the same open problem returns the
//! winner's id.

use docket_store::StoreError;
use docket_store::entity::issues;
use docket_testkit::{TestDb, dual_test};
use docket_workflow::{Action, Actor, ErrorKind, WorkflowError};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseBackend, IntoActiveModel, TransactionTrait,
};

use crate::common::*;

async fn set_category(t: &TestDb, id: uuid::Uuid, code: &str) {
    let row = docket_store::issues::get_issue(&t.db.conn, id)
        .await
        .unwrap()
        .unwrap();
    let mut m = row.into_active_model();
    m.category = Set(code.to_string());
    m.update(&t.db.conn).await.unwrap();
}

async fn unknown_stored_category_is_an_error(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let c = &t.db.conn;
    let office = Actor::office();
    let id = w
        .raise(c, &office, new_issue("P1", "land", "指标未落实"), sept30())
        .await
        .unwrap()
        .id;
    set_category(t, id, "roads").await;
    let corrupt = |e: WorkflowError| {
        assert!(
            matches!(&e, WorkflowError::Corrupt { field: "issues.category", value } if value == "roads"),
            "{e}"
        );
        assert_eq!(e.kind(), ErrorKind::Unexpected);
        assert!(!e.is_bad_input());
    };
    corrupt(w.show(c, id, sept30()).await.unwrap_err());
    corrupt(
        w.list(c, &Default::default(), false, sept30())
            .await
            .unwrap_err(),
    );
    corrupt(w.explain(c, id).await.unwrap_err());
    let before = counts(t).await;
    let e = w
        .act(c, &office, id, Action::Accept, sept30())
        .await
        .unwrap_err();
    corrupt(e);
    assert_eq!(counts(t).await, before, "a refused action writes nothing");
    // Put back, the issue reads as raised.
    set_category(t, id, "land").await;
    assert_eq!(w.show(c, id, sept30()).await.unwrap().category, "land");
}
dual_test!(unknown_stored_category_is_an_error);

async fn duplicate_open_issue_is_a_unique_violation(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let c = &t.db.conn;
    let id = w
        .raise(
            c,
            &Actor::office(),
            new_issue("P1", "land", "用地"),
            sept30(),
        )
        .await
        .unwrap()
        .id;
    let mut dup: issues::Model = docket_store::issues::get_issue(c, id)
        .await
        .unwrap()
        .unwrap();
    dup.id = uuid::Uuid::now_v7();
    let e = docket_store::issues::insert_issues(c, &[dup])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::UniqueViolation { .. }), "{e:?}");
    let e = WorkflowError::from(e);
    assert!(e.is_unique_violation());
    assert_eq!(e.kind(), ErrorKind::Unexpected);
}
dual_test!(duplicate_open_issue_is_a_unique_violation);

/// A caller's transaction raises the problem and holds it uncommitted while a second raise
/// of the same problem runs. On PostgreSQL the second insert waits on the unique index, fails
/// once the first commits, and the retry returns the winner's id. SQLite has one writer, so
/// the second raise simply runs after the first commits: the outcome must be the same.
async fn raise_that_loses_the_race_returns_the_winner(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let c = &t.db.conn;
    let office = Actor::office();
    let outer = c.begin().await.unwrap();
    let first = w
        .raise(
            &outer,
            &office,
            new_issue("P1", "land", "拆迁未完成"),
            sept30(),
        )
        .await
        .unwrap();
    assert!(first.created);
    let second = if c.get_database_backend() == DatabaseBackend::Postgres {
        let (w2, conn) = (w.clone(), c.clone());
        let racer = tokio::spawn(async move {
            w2.raise(
                &conn,
                &Actor::office(),
                new_issue("P1", "land", " 拆迁未完成 "),
                sept30(),
            )
            .await
        });
        // Give the racer time to read "no open issue" and block on the index.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        outer.commit().await.unwrap();
        racer.await.unwrap().unwrap()
    } else {
        outer.commit().await.unwrap();
        w.raise(
            c,
            &office,
            new_issue("P1", "land", " 拆迁未完成 "),
            sept30(),
        )
        .await
        .unwrap()
    };
    assert_eq!(second.id, first.id);
    assert!(!second.created);
    assert_eq!(counts(t).await.0, 1);
    assert_replays(t, &w, first.id).await;
}
dual_test!(raise_that_loses_the_race_returns_the_winner);
