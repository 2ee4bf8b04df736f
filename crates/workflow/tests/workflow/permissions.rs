//! Permissions: members act only on their task force's issues, only the office closes, an
//! owner unit raises and withdraws only for its own projects, leaders read.

use docket_testkit::{TestDb, dual_test};
use docket_workflow::{Action, Actor, WorkflowError};

use crate::common::*;

fn forbidden<T: std::fmt::Debug>(r: Result<T, WorkflowError>) -> String {
    match r {
        Err(e @ WorkflowError::Forbidden { .. }) => e.to_string(),
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

async fn who_may_do_what(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let c = &t.db.conn;
    let now = sept30();
    let office = Actor::office();
    let who = |id: &str| Actor::resolve(&w.settings, id).unwrap();
    let land = w
        .raise(c, &office, new_issue("P1", "land", "用地"), now)
        .await
        .unwrap()
        .id;
    let money = w
        .raise(c, &office, new_issue("P1", "funding", "资金"), now)
        .await
        .unwrap()
        .id;

    // A member of one task force cannot act on another's issue.
    let before = counts(t).await;
    let e = forbidden(w.act(c, &who("mem3"), land, Action::Accept, now).await);
    assert!(e.contains("not a member of task force land_tf"), "{e}");
    forbidden(w.act(c, &who("mem1"), money, Action::Accept, now).await);
    // Leaders and others read only.
    forbidden(w.act(c, &who("mayor"), land, Action::Accept, now).await);
    assert_eq!(counts(t).await, before);
    w.act(c, &who("mem1"), land, Action::Accept, now)
        .await
        .unwrap();
    w.act(
        c,
        &who("dep1"),
        land,
        Action::Resolve { note: "ok".into() },
        now,
    )
    .await
    .unwrap();

    // Only the office closes — not even the group leader.
    let e = forbidden(
        w.act(c, &who("lead1"), land, Action::Close { note: None }, now)
            .await,
    );
    assert!(e.contains("only the office"), "{e}");
    forbidden(
        w.act(c, &who("mem1"), land, Action::Close { note: None }, now)
            .await,
    );
    w.act(c, &who("head"), land, Action::Close { note: None }, now)
        .await
        .unwrap();

    // Reassign: the office or the current task force's group leader.
    forbidden(
        w.act(
            c,
            &who("lead1"),
            money,
            Action::Reassign {
                task_force: None,
                reason: "x".into(),
            },
            now,
        )
        .await,
    );
    w.act(
        c,
        &who("lead2"),
        money,
        Action::Reassign {
            task_force: None,
            reason: "转协调办".into(),
        },
        now,
    )
    .await
    .unwrap();

    // An owner unit raises for its own projects only, and withdraws them.
    let e = forbidden(
        w.raise(
            c,
            &who("unit_a"),
            new_issue("P2", "land", "别人的项目"),
            now,
        )
        .await,
    );
    assert!(e.contains("单位乙"), "{e}");
    forbidden(
        w.raise(c, &who("mayor"), new_issue("P1", "land", "市长提的"), now)
            .await,
    );
    let own = w
        .raise(
            c,
            &who("unit_a"),
            new_issue("P1", "energy", "能耗指标"),
            now,
        )
        .await
        .unwrap()
        .id;
    forbidden(
        w.act(
            c,
            &who("unit_b"),
            own,
            Action::Withdraw { reason: "x".into() },
            now,
        )
        .await,
    );
    w.act(
        c,
        &who("unit_a"),
        own,
        Action::Withdraw {
            reason: "已自行解决".into(),
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(w.show(c, own, now).await.unwrap().state, "withdrawn");
    // Unknown --as ids are bad input.
    assert!(Actor::resolve(&w.settings, "ghost").is_err());
}
dual_test!(who_may_do_what);
