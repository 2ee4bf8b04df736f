//! The lifecycle: the whole path to closure, illegal transitions named, and a property test
//! of random actions by random actors.

use chrono::{Duration, NaiveDate};
use docket_testkit::{TestDb, dual_test};
use docket_workflow::{Action, Actor, WorkflowError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::*;

async fn to_closure_and_back(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let office = Actor::office();
    let mem1 = Actor::resolve(&w.settings, "mem1").unwrap();
    let id = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "land", "征地拆迁受阻"),
            sept30(),
        )
        .await
        .unwrap()
        .id;
    let c = &t.db.conn;
    w.act(c, &mem1, id, Action::Accept, sept30()).await.unwrap();
    w.act(c, &mem1, id, Action::Start, sept30()).await.unwrap();
    w.act(
        c,
        &mem1,
        id,
        Action::Resolve {
            note: "已协调".into(),
        },
        sept30(),
    )
    .await
    .unwrap();
    w.act(
        c,
        &office,
        id,
        Action::SendBack {
            reason: "未落实".into(),
        },
        sept30(),
    )
    .await
    .unwrap();
    w.act(
        c,
        &mem1,
        id,
        Action::Resolve {
            note: "已落实".into(),
        },
        sept30(),
    )
    .await
    .unwrap();
    let closed = w
        .act(
            c,
            &office,
            id,
            Action::Close {
                note: Some("核实".into()),
            },
            sept30(),
        )
        .await
        .unwrap();
    assert_eq!(closed.state, "closed");
    let e = w
        .act(c, &mem1, id, Action::Resolve { note: "x".into() }, sept30())
        .await
        .unwrap_err();
    assert!(matches!(e, WorkflowError::IllegalTransition { .. }), "{e}");
    assert_eq!(e.to_string(), "issue is closed: cannot resolve it");
    w.act(
        c,
        &office,
        id,
        Action::Reopen {
            reason: "复发".into(),
        },
        sept30(),
    )
    .await
    .unwrap();
    let d = w.show(c, id, sept30()).await.unwrap();
    assert_eq!(d.state, "in_progress");
    let actions: Vec<&str> = d.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "raise",
            "accept",
            "start",
            "resolve",
            "send_back",
            "resolve",
            "close",
            "reopen"
        ]
    );
    // Emails: accepted/resolved to the office, closed to the raiser, sent back to the task
    // force doing the work (not to the raiser, who did nothing wrong).
    use sea_orm::{EntityTrait, QueryOrder};
    let kinds: Vec<String> = docket_store::entity::outbox::Entity::find()
        .order_by_asc(docket_store::entity::outbox::Column::CreatedAt)
        .all(c)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind != "assignment")
        .map(|m| format!("{}>{}", m.kind, m.to_email))
        .collect();
    let sent_back: Vec<&str> = kinds
        .iter()
        .filter_map(|k| k.strip_prefix("sent_back>"))
        .collect();
    assert!(
        !sent_back.is_empty() && !sent_back.contains(&"office@city.example"),
        "{kinds:?}"
    );
    assert!(sent_back.contains(&"mem1@city.example"), "{kinds:?}");
    assert_eq!(kinds.len(), 4 + sent_back.len(), "{kinds:?}");
    assert!(
        kinds.contains(&"closed>office@city.example".to_string()),
        "{kinds:?}"
    );
    // Reassign to the other task force and designate handlers there.
    let r = w
        .act(
            c,
            &office,
            id,
            Action::Reassign {
                task_force: Some("money_tf".into()),
                reason: "属资金问题".into(),
            },
            sept30(),
        )
        .await
        .unwrap();
    assert_eq!(r.state, "assigned");
    let lead2 = Actor::resolve(&w.settings, "lead2").unwrap();
    w.act(
        c,
        &lead2,
        id,
        Action::Designate {
            lead: "mem3".into(),
            co: vec!["lead2".into()],
        },
        sept30(),
    )
    .await
    .unwrap();
    w.act(
        c,
        &Actor::resolve(&w.settings, "mem3").unwrap(),
        id,
        Action::Accept,
        sept30(),
    )
    .await
    .unwrap();
    let due = NaiveDate::from_ymd_opt(2025, 11, 28).unwrap();
    w.act(
        c,
        &lead2,
        id,
        Action::RequestExtension {
            due,
            reason: "需省厅批复".into(),
        },
        sept30(),
    )
    .await
    .unwrap();
    let x = w
        .act(
            c,
            &office,
            id,
            Action::ApproveExtension { due, note: None },
            sept30(),
        )
        .await
        .unwrap();
    assert_eq!(x.due, Some(due));
    assert_replays(t, &w, id).await;
}
dual_test!(to_closure_and_back);

#[derive(Debug, Clone)]
enum Op {
    Accept,
    Start,
    Resolve,
    Close,
    SendBack,
    Withdraw,
    Reopen,
    Reassign(bool),
    Extend,
    Approve,
    Designate,
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Accept),
        Just(Op::Start),
        Just(Op::Resolve),
        Just(Op::Close),
        Just(Op::SendBack),
        Just(Op::Withdraw),
        Just(Op::Reopen),
        any::<bool>().prop_map(Op::Reassign),
        Just(Op::Extend),
        Just(Op::Approve),
        Just(Op::Designate),
        Just(Op::Sweep),
    ]
}

const ACTORS: [&str; 7] = [
    "office", "lead1", "mem1", "mem3", "lead2", "unit_a", "mayor",
];

fn action(op: &Op, day: i64) -> Action {
    let due = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + Duration::days(day);
    match op {
        Op::Accept => Action::Accept,
        Op::Start => Action::Start,
        Op::Resolve => Action::Resolve {
            note: "done".into(),
        },
        Op::Close => Action::Close { note: None },
        Op::SendBack => Action::SendBack {
            reason: "again".into(),
        },
        Op::Withdraw => Action::Withdraw {
            reason: "mistake".into(),
        },
        Op::Reopen => Action::Reopen {
            reason: "back".into(),
        },
        Op::Reassign(to_money) => Action::Reassign {
            task_force: if *to_money {
                Some("money_tf".into())
            } else {
                None
            },
            reason: "move".into(),
        },
        Op::Extend => Action::RequestExtension {
            due,
            reason: "more time".into(),
        },
        Op::Approve => Action::ApproveExtension { due, note: None },
        Op::Designate => Action::Designate {
            lead: "mem1".into(),
            co: vec![],
        },
        Op::Sweep => Action::Accept,
    }
}

async fn random_actions_keep_the_machine_sound(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec((op(), 0..ACTORS.len(), 0i64..40), 1..14);
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        runner
            .run(&strategy, |steps| {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                handle.block_on(run_case(t, &w, n, &steps));
                Ok(())
            })
            .unwrap();
    });
}
dual_test!(random_actions_keep_the_machine_sound);

async fn run_case(t: &TestDb, w: &docket_workflow::Workflow, n: usize, steps: &[(Op, usize, i64)]) {
    let c = &t.db.conn;
    let office = Actor::office();
    let id = w
        .raise(
            c,
            &office,
            new_issue("P1", "land", &format!("问题{n}")),
            sept30(),
        )
        .await
        .unwrap()
        .id;
    let mut now = sept30();
    for (op, who, day) in steps {
        now += Duration::days(1);
        let before_row = docket_store::issues::get_issue(c, id)
            .await
            .unwrap()
            .unwrap();
        let before_counts = counts(t).await;
        if let Op::Sweep = op {
            w.sweep_overdue(c, now + Duration::days(*day))
                .await
                .unwrap();
        } else {
            let actor = Actor::resolve(&w.settings, ACTORS[*who]).unwrap();
            match w.act(c, &actor, id, action(op, *day), now).await {
                Ok(after) => {
                    assert_eq!(after.version, before_row.version + 1);
                    let stored = docket_store::issues::get_issue(c, id)
                        .await
                        .unwrap()
                        .unwrap();
                    assert_eq!(stored, after);
                }
                Err(e) => {
                    assert!(e.is_bad_input(), "{e}");
                    let after_row = docket_store::issues::get_issue(c, id)
                        .await
                        .unwrap()
                        .unwrap();
                    assert_eq!(
                        after_row, before_row,
                        "a refused {op:?} changed the issue: {e}"
                    );
                    assert_eq!(
                        counts(t).await,
                        before_counts,
                        "a refused {op:?} wrote rows: {e}"
                    );
                }
            }
        }
        let stored = docket_store::issues::get_issue(c, id)
            .await
            .unwrap()
            .unwrap();
        assert!(docket_domain::issue::IssueState::parse(&stored.state).is_ok());
        let replayed = w.replay(c, id).await.unwrap();
        assert_eq!(
            replayed,
            docket_workflow::service::stored_as_replayed(&stored).unwrap()
        );
    }
}
