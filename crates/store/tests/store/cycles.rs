//! Weekly cycles, their report slots and weekly reports: opening adds a slot per active
//! project once, reports mark slots in time or late, closing marks the rest missing, and a
//! no-change report carries the previous figures over.

use docket_domain::Amount;
use docket_domain::cycle::{CycleState, ReportInput, SlotStatus};
use docket_domain::period::IsoWeek;
use docket_domain::project::Stage;
use docket_store::cycles::{self, NewCycle, NewReport};
use docket_store::library::{ProjectRecord, project_ids};
use docket_testkit::{TestDb, dual_test, project, seed_projects};

/// P1 and P2 active, P3 in reserve.
async fn seed(t: &TestDb) {
    let reserve = ProjectRecord {
        stage: Stage::Reserve,
        ..project("P3")
    };
    seed_projects(
        &t.db,
        &crate::core(),
        &[project("P1"), project("P2"), reserve],
    )
    .await;
}

fn new_cycle(week: &str) -> NewCycle {
    NewCycle {
        week: week.into(),
        opened_at: 1_000,
        deadline_at: 2_000,
        deadline_provisional: false,
        closes_at: 3_000,
    }
}

fn report(t: &[(&str, uuid::Uuid)], code: &str, week: &str) -> NewReport {
    let project_id = t.iter().find(|(c, _)| *c == code).unwrap().1;
    NewReport {
        project_id,
        input: ReportInput {
            code: code.into(),
            week: IsoWeek::parse(week).unwrap(),
            week_amount: Some(Amount::from_wan(10)),
            ytd_completed: Some(Amount::from_wan(300)),
            progress: "主体施工".into(),
            milestones: String::new(),
            problems: String::new(),
            next_week_plan: String::new(),
            contact: "联系人".into(),
            no_change: false,
        },
        submitted_by: "office".into(),
    }
}

async fn ids(t: &TestDb) -> Vec<(&'static str, uuid::Uuid)> {
    let ids = project_ids(&t.db.conn).await.unwrap();
    ["P1", "P2", "P3"].map(|c| (c, ids[c])).to_vec()
}

// Opening makes one slot per active project; opening again adds only newly active ones.
async fn open_adds_slots_once(t: &TestDb) {
    seed(t).await;
    let c = &t.db.conn;
    let first = cycles::open_cycle(c, &new_cycle("2024-W37"), 1_000)
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.slots_added, 2, "the reserve project gets no slot");
    assert_eq!(first.cycle.state, CycleState::Open);
    let again = cycles::open_cycle(c, &new_cycle("2024-W37"), 1_100)
        .await
        .unwrap();
    assert_eq!((again.created, again.slots_added), (false, 0));
    assert_eq!(again.cycle.id, first.cycle.id);
    seed_projects(&t.db, &crate::core(), &[project("P4")]).await;
    let third = cycles::open_cycle(c, &new_cycle("2024-W37"), 1_200)
        .await
        .unwrap();
    assert_eq!(third.slots_added, 1, "P4 became active since");
    assert_eq!(cycles::active_project_count(c).await.unwrap(), 3);
    let latest = cycles::latest_cycle(c).await.unwrap().unwrap();
    assert_eq!(latest.week, "2024-W37");
    assert!(cycles::cycle(c, "2024-W38").await.unwrap().is_none());
}
dual_test!(open_adds_slots_once);

// Reports mark slots submitted or late, closing marks the rest missing, the summary counts.
async fn reports_mark_slots_and_close_marks_missing(t: &TestDb) {
    seed(t).await;
    let c = &t.db.conn;
    let p = ids(t).await;
    let open = cycles::open_cycle(c, &new_cycle("2024-W37"), 1_000)
        .await
        .unwrap();
    let on_time = cycles::submit_reports(c, &[report(&p, "P1", "2024-W37")], 1_500)
        .await
        .unwrap();
    assert!(!on_time[0].late);
    let pending = cycles::pending_slots(c, open.cycle.id).await.unwrap();
    assert_eq!(
        pending.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(),
        ["P2"]
    );
    assert!(cycles::close_cycle(c, open.cycle.id, 3_000).await.unwrap());
    assert!(
        !cycles::close_cycle(c, open.cycle.id, 3_001).await.unwrap(),
        "closes once"
    );
    let s = cycles::cycle_summary(c, "2024-W37").await.unwrap().unwrap();
    assert_eq!(
        (s.state, s.projects, s.reported, s.missing.clone()),
        (CycleState::Closed, 2, 1, vec!["P2".to_string()])
    );
    // A report after closing is a late entry (补报): recorded, but the closed week's slots
    // stay as the sheet showed them.
    let late = cycles::submit_reports(c, &[report(&p, "P2", "2024-W37")], 4_000)
        .await
        .unwrap();
    assert!(late[0].late && late[0].late_entry);
    let s = cycles::cycle_summary(c, "2024-W37").await.unwrap().unwrap();
    assert_eq!((s.reported, s.missing.len()), (1, 1));
    use docket_store::entity::report_slots;
    use sea_orm::EntityTrait;
    let mut statuses: Vec<(uuid::Uuid, String)> = report_slots::Entity::find()
        .all(c)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.project_id, r.status))
        .collect();
    statuses.sort();
    let mut want = vec![
        (p[0].1, SlotStatus::Submitted.code().to_string()),
        (p[1].1, SlotStatus::Missing.code().to_string()),
    ];
    want.sort();
    assert_eq!(statuses, want);
}
dual_test!(reports_mark_slots_and_close_marks_missing);

// A no-change report carries the previous progress and year-to-date figure over.
async fn no_change_carries_the_previous_report(t: &TestDb) {
    seed(t).await;
    let c = &t.db.conn;
    let p = ids(t).await;
    cycles::submit_reports(c, &[report(&p, "P1", "2024-W36")], 10)
        .await
        .unwrap();
    let mut nc = report(&p, "P1", "2024-W37");
    nc.input.no_change = true;
    nc.input.progress = String::new();
    nc.input.ytd_completed = None;
    nc.input.week_amount = None;
    let out = cycles::submit_reports(c, &[nc], 20).await.unwrap();
    assert!(!out[0].late && out[0].slot_status.is_none());
    use docket_store::entity::weekly_reports;
    use sea_orm::EntityTrait;
    let row = weekly_reports::Entity::find_by_id(out[0].report_id)
        .one(c)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.progress, "主体施工");
    assert_eq!(row.ytd_completed_yuan, Some(Amount::from_wan(300).yuan()));
    assert_eq!(row.week_amount_yuan, Some(0));
    assert!(row.no_change);
    // Without any earlier report, the progress says so.
    let mut first = report(&p, "P2", "2024-W37");
    first.input.no_change = true;
    first.input.progress = String::new();
    let out = cycles::submit_reports(c, &[first], 30).await.unwrap();
    let row = weekly_reports::Entity::find_by_id(out[0].report_id)
        .one(c)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.progress, "本期无变化");
}
dual_test!(no_change_carries_the_previous_report);

// A slot points at its project's newest report (the last of a batch naming it twice), an
// in-time slot stays submitted when a late report follows, and the status is returned.
async fn slots_point_at_the_newest_report(t: &TestDb) {
    seed(t).await;
    let c = &t.db.conn;
    let p = ids(t).await;
    let open = cycles::open_cycle(c, &new_cycle("2024-W37"), 1_000)
        .await
        .unwrap();
    let first = cycles::submit_reports(c, &[report(&p, "P1", "2024-W37")], 1_500)
        .await
        .unwrap();
    assert_eq!(first[0].slot_status, Some(SlotStatus::Submitted));
    // After the deadline: P1 twice in one batch, P2 for the first time.
    let read = cycles::cycles_of_weeks(c, &["2024-W37", "2024-W38"])
        .await
        .unwrap();
    assert_eq!(read.len(), 1, "W38 has no cycle");
    let batch = [
        report(&p, "P1", "2024-W37"),
        report(&p, "P2", "2024-W37"),
        report(&p, "P1", "2024-W37"),
    ];
    let out = cycles::submit_reports_in(c, &batch, &read, 2_500)
        .await
        .unwrap();
    let statuses: Vec<_> = out.iter().map(|s| (s.late, s.slot_status)).collect();
    assert_eq!(
        statuses,
        [
            (true, Some(SlotStatus::Submitted)),
            (true, Some(SlotStatus::Late)),
            (true, Some(SlotStatus::Submitted)),
        ],
        "an in-time submission is never downgraded"
    );
    use docket_store::entity::report_slots;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let slot = |project: uuid::Uuid| {
        report_slots::Entity::find()
            .filter(report_slots::Column::CycleId.eq(open.cycle.id))
            .filter(report_slots::Column::ProjectId.eq(project))
            .one(c)
    };
    let p1 = slot(p[0].1).await.unwrap().unwrap();
    assert_eq!(
        p1.report_id,
        Some(out[2].report_id),
        "the batch's last for P1"
    );
    let p2 = slot(p[1].1).await.unwrap().unwrap();
    assert_eq!(p2.report_id, Some(out[1].report_id));
    assert_eq!(p2.status, SlotStatus::Late.code());
}
dual_test!(slots_point_at_the_newest_report);
