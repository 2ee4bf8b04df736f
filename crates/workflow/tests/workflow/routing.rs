//! Routing: land goes to the land task force with every member notified through a real SMTP
//! server; approval stays with the office; the same open problem is one issue; overrides.

use docket_domain::calendar::WorkCalendar;
use docket_domain::clock::ManualClock;
use docket_notifier::{Dispatcher, MailConfig, NotifierSettings, SmtpConfig};
use docket_store::entity::outbox;
use docket_testkit::{SmtpSink, TestDb, dual_test};
use docket_workflow::config::RouteRule;
use docket_workflow::{Actor, WorkflowConfig};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::path::Path;
use std::sync::Arc;

use crate::common::*;

/// Delivers every queued email through the notifier's dispatcher, rendered from the
/// office's templates, to the sink (as `docket mail flush` does); returns how many rows of
/// `kind` there were.
async fn deliver(t: &TestDb, sink: &SmtpSink, kind: &str) -> usize {
    let n = outbox::Entity::find()
        .filter(outbox::Column::Kind.eq(kind))
        .all(&t.db.conn)
        .await
        .unwrap()
        .len();
    let url = sink.url();
    let env = move |k: &str| (k == "DOCKET_SMTP_URL").then(|| url.clone());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let settings = NotifierSettings::resolve(
        &core(),
        &SmtpConfig::default(),
        &MailConfig::default(),
        &dir,
        &env,
    )
    .unwrap();
    let d = Dispatcher::new(
        t.db.clone(),
        &core(),
        settings,
        Arc::new(ManualClock::new(sept30())),
        Arc::new(WorkCalendar::default()),
    )
    .unwrap();
    let r = d.flush_all().await.unwrap();
    assert_eq!(r.failed(), 0, "{r:?}");
    n
}

async fn land_goes_to_its_task_force(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let r = w
        .raise(
            &t.db.conn,
            &Actor::office(),
            new_issue("P1", "land", "用地指标不足"),
            sept30(),
        )
        .await
        .unwrap();
    assert!(r.created);
    let d = w.show(&t.db.conn, r.id, sept30()).await.unwrap();
    assert_eq!(d.state, "assigned");
    assert_eq!(d.task_force.as_deref(), Some("land_tf"));
    assert_eq!(
        d.assignees,
        [
            "lead1@city.example",
            "dep1@city.example",
            "mem1@city.example",
            "mem2@city.example"
        ]
    );
    assert_eq!(d.history.len(), 1);
    let json = serde_json::to_value(&d).unwrap();
    for key in [
        "id",
        "project",
        "category",
        "state",
        "task_force",
        "assignees",
        "due",
        "history",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["project"], "P1");
    assert_eq!(json["due"], "2025-10-21");

    let sink = SmtpSink::start();
    assert_eq!(deliver(t, &sink, "assignment").await, 4);
    let mails = sink.wait_for(4, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 4);
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "dep1@city.example",
            "lead1@city.example",
            "mem1@city.example",
            "mem2@city.example"
        ]
    );
    for m in &mails {
        assert_eq!(m.to.len(), 1, "one recipient per message");
        assert!(m.subject.contains("用地指标不足"), "{}", m.subject);
        assert!(
            m.html.as_deref().unwrap_or("").contains("用地指标不足"),
            "HTML body from the template"
        );
    }
    assert_replays(t, &w, r.id).await;
}
dual_test!(land_goes_to_its_task_force);

async fn approval_stays_with_the_office(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let r = w
        .raise(
            &t.db.conn,
            &Actor::office(),
            new_issue("P1", "approval", "环评批复慢"),
            sept30(),
        )
        .await
        .unwrap();
    let d = w.show(&t.db.conn, r.id, sept30()).await.unwrap();
    assert_eq!(d.state, "assigned");
    assert_eq!(d.task_force, None);
    assert_eq!(d.assignees, ["office@city.example"]);
    let json = serde_json::to_value(&d).unwrap();
    assert!(json["task_force"].is_null());
    let rule = d.history[0].data.as_ref().unwrap()["rule"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(rule.contains("no task force handles approval"), "{rule}");
}
dual_test!(approval_stays_with_the_office);

async fn the_same_open_problem_is_one_issue(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let office = Actor::office();
    let a = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "funding", "Funding Gap"),
            sept30(),
        )
        .await
        .unwrap();
    let before = counts(t).await;
    let b = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "资金", "  funding gap "),
            sept30(),
        )
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    assert!(!b.created);
    assert_eq!(counts(t).await, before, "a duplicate writes nothing");
    // Another project or category is another problem.
    let c = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P2", "funding", "Funding Gap"),
            sept30(),
        )
        .await
        .unwrap();
    assert_ne!(c.id, a.id);
    // Once withdrawn, raising it again opens a new issue.
    w.act(
        &t.db.conn,
        &office,
        a.id,
        docket_workflow::Action::Withdraw {
            reason: "误报".into(),
        },
        sept30(),
    )
    .await
    .unwrap();
    let d = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "funding", "funding gap"),
            sept30(),
        )
        .await
        .unwrap();
    assert!(d.created);
    assert_ne!(d.id, a.id);
    // In one batch, the repeat gets the first one's id.
    let many = w
        .raise_many(
            &t.db.conn,
            &office,
            &[
                new_issue("P2", "energy", "能耗指标"),
                new_issue("P2", "energy", "能耗指标 "),
            ],
            sept30(),
        )
        .await
        .unwrap();
    assert_eq!(many[0].id, many[1].id);
}
dual_test!(the_same_open_problem_is_one_issue);

async fn overrides_route_by_district_and_explain(t: &TestDb) {
    seed(t).await;
    let wf = WorkflowConfig {
        routes: vec![
            RouteRule {
                district: Some("西城区".into()),
                category: Some("land".into()),
                task_force: "money_tf".into(),
                ..Default::default()
            },
            RouteRule {
                project: Some("P1".into()),
                category: Some("energy".into()),
                task_force: "office".into(),
                ..Default::default()
            },
        ],
        ..WorkflowConfig::default()
    };
    let w = workflow_with(wf);
    let office = Actor::office();
    let p2 = docket_store::issues::projects_by_code(&t.db.conn, &["P1".into(), "P2".into()])
        .await
        .unwrap();
    let r = docket_workflow::routing::route_issue(
        &w.settings,
        &p2["P2"],
        docket_domain::issue::IssueCategory::Land,
    );
    assert_eq!(r.task_force.as_deref(), Some("money_tf"));
    assert!(r.rule.starts_with("workflow.routes[0]"), "{}", r.rule);
    let r = docket_workflow::routing::route_issue(
        &w.settings,
        &p2["P1"],
        docket_domain::issue::IssueCategory::Land,
    );
    assert_eq!(r.task_force.as_deref(), Some("land_tf"));
    assert!(r.rule.contains("categories includes land"), "{}", r.rule);
    let id = w
        .raise(
            &t.db.conn,
            &office,
            new_issue("P1", "energy", "能耗"),
            sept30(),
        )
        .await
        .unwrap()
        .id;
    assert_eq!(
        w.show(&t.db.conn, id, sept30()).await.unwrap().task_force,
        None
    );
}
dual_test!(overrides_route_by_district_and_explain);
