//! Bad input is refused naming the field, and writes nothing.

use docket_testkit::{TestDb, dual_test};
use docket_workflow::{Action, Actor, WorkflowError};

use crate::common::*;

async fn bad_input_writes_nothing(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let c = &t.db.conn;
    let office = Actor::office();
    let id = w
        .raise(c, &office, new_issue("P1", "land", "用地"), sept30())
        .await
        .unwrap()
        .id;
    let before = counts(t).await;
    let cases = [
        (new_issue("NOPE", "land", "x"), "NOPE"),
        (new_issue("P1", "roads", "x"), "category"),
        (new_issue("P1", "land", "   "), "title"),
        (new_issue("P1", "land", &"长".repeat(201)), "title"),
        (
            docket_workflow::NewIssue {
                detail: "x".repeat(2001),
                ..new_issue("P1", "land", "y")
            },
            "detail",
        ),
        (
            docket_workflow::NewIssue {
                severity: Some("huge".into()),
                ..new_issue("P1", "land", "y")
            },
            "severity",
        ),
    ];
    for (item, word) in cases {
        let e = w.raise(c, &office, item, sept30()).await.unwrap_err();
        assert!(e.is_bad_input(), "{e}");
        assert!(e.to_string().contains(word), "{e}");
    }
    let mem1 = Actor::resolve(&w.settings, "mem1").unwrap();
    w.act(c, &mem1, id, Action::Accept, sept30()).await.unwrap();
    let before2 = counts(t).await;
    let long = "注".repeat(2001);
    for a in [
        Action::Resolve { note: long.clone() },
        Action::Resolve { note: " ".into() },
    ] {
        let e = w.act(c, &mem1, id, a, sept30()).await.unwrap_err();
        assert!(matches!(e, WorkflowError::Invalid { .. }), "{e}");
    }
    let e = w
        .act(c, &office, uuid::Uuid::now_v7(), Action::Accept, sept30())
        .await
        .unwrap_err();
    assert!(matches!(e, WorkflowError::UnknownIssue(_)));
    assert_eq!(counts(t).await, before2);
    assert_eq!(before.0, before2.0);
}
dual_test!(bad_input_writes_nothing);
