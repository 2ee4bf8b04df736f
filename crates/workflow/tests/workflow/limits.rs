//! Time limits over the 2025 calendar (National Day: 1-8 October off, Saturday 11 October
//! worked) and the escalation ladder, each rung once.

use chrono::NaiveDate;
use docket_testkit::{TestDb, dual_test};
use docket_workflow::limits::Flag;
use docket_workflow::{Action, Actor};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::common::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn due_dates_skip_the_holiday(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let office = Actor::office();
    let id = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "land", "用地"),
            sept30(),
        )
        .await
        .unwrap()
        .id;
    let d0 = w.show(&t.db.conn, id, sept30()).await.unwrap();
    assert_eq!(d0.due, Some(d("2025-10-21")));
    assert_eq!(d0.accept_due, Some(d("2025-10-09")));
    assert!(!d0.due_provisional);
    // A limit that runs into a year without a table is provisional.
    let late = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "land", "年底"),
            at(2025, 12, 29),
        )
        .await
        .unwrap()
        .id;
    assert!(
        w.show(&t.db.conn, late, at(2025, 12, 29))
            .await
            .unwrap()
            .due_provisional
    );
}
dual_test!(due_dates_skip_the_holiday);

async fn each_rung_fires_once(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let c = &t.db.conn;
    let office = Actor::office();
    let id = w
        .raise(c, &office, new_issue("P1", "land", "用地"), sept30())
        .await
        .unwrap()
        .id;
    w.act(
        c,
        &Actor::resolve(&w.settings, "mem1").unwrap(),
        id,
        Action::Accept,
        sept30(),
    )
    .await
    .unwrap();
    w.act(
        c,
        &Actor::resolve(&w.settings, "lead1").unwrap(),
        id,
        Action::Designate {
            lead: "mem2".into(),
            co: vec![],
        },
        sept30(),
    )
    .await
    .unwrap();
    // Flags: blue the day before, none earlier, yellow after, red beyond 5 working days.
    let flag_on = |day| {
        let w = &w;
        async move { w.show(c, id, day).await.unwrap().flag }
    };
    assert_eq!(flag_on(at(2025, 10, 15)).await, Flag::None);
    assert_eq!(flag_on(at(2025, 10, 20)).await, Flag::Blue);
    assert_eq!(flag_on(at(2025, 10, 21)).await, Flag::Blue);
    assert_eq!(flag_on(at(2025, 10, 22)).await, Flag::Yellow);
    assert_eq!(flag_on(at(2025, 10, 29)).await, Flag::Red);

    // Not overdue yet: nothing.
    assert!(
        w.sweep_overdue(c, at(2025, 10, 21))
            .await
            .unwrap()
            .escalations
            .is_empty()
    );
    // One working day late: rung 1, the lead handler.
    let r = w.sweep_overdue(c, at(2025, 10, 22)).await.unwrap();
    assert_eq!(r.escalations, [(id, 1)]);
    assert!(
        w.sweep_overdue(c, at(2025, 10, 22))
            .await
            .unwrap()
            .escalations
            .is_empty()
    );
    // Three working days: rung 2, the group leader.
    assert_eq!(
        w.sweep_overdue(c, at(2025, 10, 24))
            .await
            .unwrap()
            .escalations,
        [(id, 2)]
    );
    // Five: rung 3, the office head. Then never again.
    assert_eq!(
        w.sweep_overdue(c, at(2025, 10, 28))
            .await
            .unwrap()
            .escalations,
        [(id, 3)]
    );
    assert!(
        w.sweep_overdue(c, at(2025, 11, 28))
            .await
            .unwrap()
            .escalations
            .is_empty()
    );

    let rows = docket_store::entity::outbox::Entity::find()
        .filter(docket_store::entity::outbox::Column::Kind.eq("escalation"))
        .all(c)
        .await
        .unwrap();
    let mut to: Vec<&str> = rows.iter().map(|m| m.to_email.as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "head@city.example",
            "lead1@city.example",
            "mem2@city.example"
        ]
    );
    assert!(rows.iter().all(|m| m.delivery == "immediate"));
    let d = w.show(c, id, at(2025, 11, 28)).await.unwrap();
    assert_eq!(d.escalation_rung, 3);
    assert_eq!(
        d.history.iter().filter(|h| h.action == "escalate").count(),
        3
    );
    assert_replays(t, &w, id).await;
    // A sweep that jumps straight to rung 3 records every rung once.
    let other = w
        .raise(c, &office, new_issue("P2", "approval", "审批"), sept30())
        .await
        .unwrap()
        .id;
    let r = w.sweep_overdue(c, at(2025, 11, 28)).await.unwrap();
    assert_eq!(r.escalations, [(other, 1), (other, 2), (other, 3)]);
    assert_replays(t, &w, other).await;
    let listed = w
        .list(c, &Default::default(), true, at(2025, 11, 28))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
}
dual_test!(each_rung_fires_once);

// A limit counted provisionally into 2026 (no table then) is counted again once the 2026
// table is imported: 1-3 January are holidays and Sunday 4 January is worked.
async fn provisional_limits_are_recomputed_after_import(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let id = w
        .raise(
            &t.db.conn,
            &Actor::office(),
            new_issue("P1", "land", "跨年用地"),
            at(2025, 12, 24),
        )
        .await
        .unwrap()
        .id;
    let before = w.show(&t.db.conn, id, at(2025, 12, 24)).await.unwrap();
    assert_eq!(
        before.due,
        Some(d("2026-01-07")),
        "Monday to Friday, provisionally"
    );
    assert!(before.due_provisional);
    // The 2026 table arrives.
    let calendar = docket_testkit::calendar(&[2025, 2026]);
    let w2 = docket_workflow::Workflow::new(w.settings.clone(), calendar);
    assert_eq!(
        w2.recompute_provisional(&t.db.conn, at(2026, 1, 2))
            .await
            .unwrap(),
        1
    );
    let after = w2.show(&t.db.conn, id, at(2026, 1, 2)).await.unwrap();
    assert_eq!(after.due, Some(d("2026-01-08")));
    assert!(!after.due_provisional);
    assert_eq!(
        after.history.last().map(|h| h.action.as_str()),
        Some("recompute_limits")
    );
    assert_replays(t, &w2, id).await;
    // Nothing is left to recompute.
    assert_eq!(
        w2.recompute_provisional(&t.db.conn, at(2026, 1, 2))
            .await
            .unwrap(),
        0
    );
}
dual_test!(provisional_limits_are_recomputed_after_import);
