//! Issue rows: inserting issues and events, the open-identity look-up, the list filters and
//! the overdue query.

use chrono::NaiveDate;
use docket_store::entity::{issue_events, issues};
use docket_store::issues::{self as q, IssueFilter};
use docket_testkit::{TestDb, dual_test, project, seed_projects};
use uuid::Uuid;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn issue(project_id: Uuid, title: &str, state: &str, task_force: Option<&str>) -> issues::Model {
    issues::Model {
        id: Uuid::now_v7(),
        project_id,
        category: "land".into(),
        title: title.into(),
        title_key: title.to_lowercase(),
        detail: String::new(),
        severity: "normal".into(),
        state: state.into(),
        task_force: task_force.map(str::to_string),
        lead_handler: None,
        co_handlers: "[]".into(),
        raised_by: "office".into(),
        report_id: None,
        raised_at: 0,
        accept_due: Some(d("2024-09-13")),
        due: Some(d("2024-09-24")),
        due_provisional: false,
        escalation_rung: 0,
        resolution: None,
        version: 1,
        updated_at: 0,
        number: None,
    }
}

async fn seeded(t: &TestDb) -> Uuid {
    seed_projects(&t.db, &crate::core(), &[project("P1")]).await;
    q::projects_by_code(&t.db.conn, &["P1".to_string(), "NOPE".to_string()])
        .await
        .unwrap()
        .remove("P1")
        .expect("P1 found, NOPE simply absent")
        .id
}

fn titles(rows: &[issues::Model]) -> Vec<&str> {
    rows.iter().map(|r| r.title.as_str()).collect()
}

// The list filters by task force (or the office's own), open state and states, oldest first.
async fn list_filters(t: &TestDb) {
    let p = seeded(t).await;
    let c = &t.db.conn;
    let mut rows = vec![
        issue(p, "a", "assigned", Some("land")),
        issue(p, "b", "closed", Some("land")),
        issue(p, "c", "in_progress", None),
        issue(p, "d", "withdrawn", None),
    ];
    for (i, r) in rows.iter_mut().enumerate() {
        r.raised_at = i as i64;
    }
    assert_eq!(q::insert_issues(c, &rows).await.unwrap(), 4);
    let list = |f: IssueFilter| async move { q::list_issues(c, &f).await.unwrap() };
    assert_eq!(
        titles(&list(IssueFilter::default()).await),
        ["a", "b", "c", "d"]
    );
    let land = list(IssueFilter {
        task_force: Some(Some("land".into())),
        ..Default::default()
    })
    .await;
    assert_eq!(titles(&land), ["a", "b"]);
    let office_open = list(IssueFilter {
        task_force: Some(None),
        open_only: true,
        ..Default::default()
    })
    .await;
    assert_eq!(titles(&office_open), ["c"]);
    let states = list(IssueFilter {
        states: Some(vec!["closed".into(), "assigned".into()]),
        ..Default::default()
    })
    .await;
    assert_eq!(titles(&states), ["a", "b"]);
    assert_eq!(q::counts(c).await.unwrap(), (4, 0, 0));
}
dual_test!(list_filters);

// Only open issues hold an identity; a second open one is refused as a unique violation.
async fn open_identity(t: &TestDb) {
    let p = seeded(t).await;
    let c = &t.db.conn;
    let open = issue(p, "用地", "assigned", Some("land"));
    let closed = issue(p, "旧问题", "closed", Some("land"));
    q::insert_issues(c, &[open.clone(), closed.clone()])
        .await
        .unwrap();
    let keys = [
        (p, "land".to_string(), open.title_key.clone()),
        (p, "land".to_string(), closed.title_key.clone()),
        (p, "funding".to_string(), open.title_key.clone()),
    ];
    let found = q::open_issues_by_key(c, &keys).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[&keys[0]], open.id);
    let twin = issue(p, "用地", "accepted", None);
    let err = q::insert_issues(c, &[twin]).await.unwrap_err();
    assert!(
        matches!(err, docket_store::StoreError::UniqueViolation { .. }),
        "{err:?}"
    );
}
dual_test!(open_identity);

// Overdue is past the accept or resolve limit below the top rung; event numbers are unique.
async fn overdue_and_events(t: &TestDb) {
    let p = seeded(t).await;
    let c = &t.db.conn;
    let mut top = issue(p, "top", "accepted", None);
    top.escalation_rung = 3;
    let rows = vec![
        issue(p, "late-accept", "assigned", None),
        issue(p, "late-resolve", "in_progress", None),
        issue(p, "resolved", "resolved", None),
        top,
    ];
    q::insert_issues(c, &rows).await.unwrap();
    let on = |day: &str| {
        let day = d(day);
        async move { q::overdue_issues(c, day, 3).await.unwrap() }
    };
    assert!(
        on("2024-09-13").await.is_empty(),
        "the limit day itself is in time"
    );
    assert_eq!(titles(&on("2024-09-14").await), ["late-accept"]);
    let mut late = on("2024-09-25").await;
    late.sort_by(|a, b| a.title.cmp(&b.title));
    assert_eq!(titles(&late), ["late-accept", "late-resolve"]);

    let ev = |seq: i32| issue_events::Model {
        id: Uuid::now_v7(),
        issue_id: rows[0].id,
        seq,
        action: "raise".into(),
        actor: "office".into(),
        from_state: None,
        to_state: "assigned".into(),
        note: None,
        data: None,
        at: 0,
    };
    assert_eq!(q::insert_events(c, &[ev(1), ev(2)]).await.unwrap(), 2);
    assert!(
        q::insert_events(c, &[ev(2)]).await.is_err(),
        "(issue, seq) is unique"
    );
    let events = q::issue_events(c, rows[0].id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
}
dual_test!(overdue_and_events);

// Issue numbers count per year in blocks reserved by each raise, and are found by number.
async fn issue_numbers(t: &TestDb) {
    assert_eq!(
        q::reserve_issue_numbers(&t.db.conn, 2024, 3).await.unwrap(),
        1
    );
    assert_eq!(
        q::reserve_issue_numbers(&t.db.conn, 2024, 2).await.unwrap(),
        4
    );
    assert_eq!(
        q::reserve_issue_numbers(&t.db.conn, 2025, 1).await.unwrap(),
        1
    );
    let pid = seeded(t).await;
    let mut i = issue(pid, "numbered", "assigned", None);
    i.number = Some("2024-004".into());
    q::insert_issues(&t.db.conn, std::slice::from_ref(&i))
        .await
        .unwrap();
    assert_eq!(
        q::issue_id_by_number(&t.db.conn, "2024-004").await.unwrap(),
        Some(i.id)
    );
    assert_eq!(
        q::issue_id_by_number(&t.db.conn, "2024-005").await.unwrap(),
        None
    );
}
dual_test!(issue_numbers);
