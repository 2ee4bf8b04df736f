//! The scheduler end to end on both backends: the working-day calendar, cycles and reports,
//! racing replicas, lease take-over, catch-up after downtime, daylight saving.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::{bj, calendar, core, count, scheduler, seed_projects};
use docket_domain::Amount;
use docket_domain::calendar::CalendarYear;
use docket_domain::cycle::{CycleState, SlotStatus};
use docket_domain::hold::HoldReason;
use docket_domain::period::{IsoWeek, Month};
use docket_scheduler::config::{JobConfig, Misfire};
use docket_scheduler::engine::LEASE;
use docket_scheduler::plan::Plan;
use docket_scheduler::reports::{ReportInput, submit};
use docket_scheduler::{
    BoxFuture, BulletinHook, JobHook, Scheduler, SchedulerError, SchedulesConfig,
};
use docket_store::cycles;
use docket_store::scheduling;
use docket_store::sea_orm::DatabaseTransaction;
use docket_testkit::{TestDb, dual_test};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn week(s: &str) -> IsoWeek {
    IsoWeek::parse(s).unwrap()
}

// The calendar facts, on the shipped tables.
#[test]
fn calendar_facts() {
    let cal = calendar(&[2024, 2025, 2026]);
    for day in [
        "2024-02-04",
        "2024-02-18",
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
    ] {
        assert!(cal.day(d(day)).unwrap().workday, "{day} is a working day");
    }
    for i in 1..=7 {
        assert!(!cal.day(d(&format!("2024-10-{i:02}"))).unwrap().workday);
    }
    for i in 1..=8 {
        assert!(!cal.day(d(&format!("2025-10-{i:02}"))).unwrap().workday);
    }
    let r = cal.add_workdays(d("2025-09-30"), 3);
    assert_eq!(r.value, d("2025-10-11"));
    assert!(!r.provisional);
    assert!(cal.day(d("2027-03-01")).is_err());
}

fn plan() -> Plan {
    Plan::new(SchedulesConfig::default(), "Asia/Shanghai".parse().unwrap()).unwrap()
}

// A deadline running into a year without a table is provisional, and recomputed once the
// year is imported.
#[test]
fn provisional_deadline_is_recomputed_after_import() {
    let plan = plan();
    // 2026-W01 runs Mon 29 Dec 2025 to Sun 4 Jan 2026; closing reaches into 2026.
    let w = week("2026-W01");
    let before = plan.cycle_times(&calendar(&[2024, 2025]), w).unwrap();
    assert!(
        before.provisional,
        "closing is reckoned in 2026 without a table"
    );
    let after = plan.cycle_times(&calendar(&[2024, 2025, 2026]), w).unwrap();
    assert!(!after.provisional);
    // Deadline Wed 31 Dec; + 2 working days is Fri 2 Jan provisionally, but 1-3 Jan 2026 are
    // the New Year holiday and Sun 4 Jan a make-up day.
    assert_eq!(before.close, bj(2026, 1, 2, 9, 0));
    assert_eq!(after.close, bj(2026, 1, 5, 9, 0));
}

// Opening on a holiday moves to the week's first working day, with the reason.
#[test]
fn opening_and_deadline_follow_the_calendar() {
    let plan = plan();
    let cal = calendar(&[2024, 2025, 2026]);
    let t = plan.cycle_times(&cal, week("2025-W41")).unwrap();
    assert_eq!(t.open_date, d("2025-10-09"));
    assert_eq!(
        t.open_shift.as_deref(),
        Some("国庆节、中秋节，顺延至10月9日（周四）")
    );
    // Deadline Wed 8 Oct is a holiday and before opening: at least one working day after.
    assert_eq!(t.deadline_date, d("2025-10-10"));
    assert_eq!(t.open, bj(2025, 10, 9, 9, 0));
    // 2024-W40: 30 Sep works, 1-7 Oct are off: the deadline moves to Tue 8 Oct.
    let t = plan.cycle_times(&cal, week("2024-W40")).unwrap();
    assert_eq!(t.open_date, d("2024-09-30"));
    assert_eq!(t.deadline_date, d("2024-10-08"));
    assert_eq!(
        t.deadline_shift.as_deref(),
        Some("国庆节，顺延至10月8日（周二）")
    );
}

async fn reports_and_summary(t: &TestDb) {
    seed_projects(&t.db, 6, 2).await;
    let s = scheduler(&t.db, "a");
    let w = week("2024-W37");
    let now = bj(2024, 9, 9, 10, 0);
    let r = s.open_week(w, now).await.unwrap();
    assert!(r.created);
    assert_eq!(r.slots_added, 6);
    // Opening again changes nothing.
    let r2 = s.open_week(w, now).await.unwrap();
    assert!(!r2.created);
    assert_eq!(r2.slots_added, 0);
    let input = |code: &str, amount: i64| ReportInput {
        code: code.into(),
        week: w,
        week_amount: Some(Amount::from_wan(amount)),
        ytd_completed: Some(Amount::from_wan(amount * 10)),
        progress: "主体结构施工".into(),
        milestones: String::new(),
        problems: if amount == 5 {
            "用地指标未落实".into()
        } else {
            String::new()
        },
        next_week_plan: String::new(),
        contact: "黄伟".into(),
        no_change: false,
    };
    let out = submit(
        &t.db.conn,
        &[input("P000000", 5), input("P000001", 7)],
        "office",
        bj(2024, 9, 10, 9, 0),
    )
    .await
    .unwrap();
    assert!(
        out.iter()
            .all(|s| !s.late && s.slot_status == Some(SlotStatus::Submitted))
    );
    // After the deadline (Wed 17:00): late.
    let late = submit(
        &t.db.conn,
        &[input("P000002", 1)],
        "office",
        bj(2024, 9, 12, 8, 0),
    )
    .await
    .unwrap();
    assert!(late[0].late);
    assert_eq!(late[0].slot_status, Some(SlotStatus::Late));
    // Unknown codes are all reported, nothing written.
    let e = submit(
        &t.db.conn,
        &[input("NOPE", 1), input("NADA", 1)],
        "office",
        now,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, SchedulerError::BadRows(rows) if rows.len() == 2),
        "{e}"
    );
    let sum = cycles::cycle_summary(&t.db.conn, "2024-W37")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((sum.projects, sum.reported, sum.missing.len()), (6, 3, 3));
    assert_eq!(sum.state, CycleState::Open);
    let json = serde_json::to_value(&sum).unwrap();
    assert_eq!(json["missing"][0], "P000003");
    // Close: the rest become missing; a report after closing is a late 补报 and shows on the
    // next sheet.
    s.close_week(w, bj(2024, 9, 13, 9, 0)).await.unwrap();
    let sum = cycles::cycle_summary(&t.db.conn, "2024-W37")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sum.state, CycleState::Closed);
    let sheets = count(
        &t.db,
        "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'dispatch_sheet'",
    )
    .await;
    assert_eq!(sheets, 3, "office, the land task force's leader and deputy");
    let mut nc = input("P000003", 0);
    nc.no_change = true;
    nc.progress.clear();
    nc.week_amount = None;
    nc.ytd_completed = None;
    let after = submit(&t.db.conn, &[nc], "office", bj(2024, 9, 14, 9, 0))
        .await
        .unwrap();
    // Recorded as a 补报; the closed week's counts stay as its sheet showed them.
    assert!(after[0].late && after[0].late_entry);
    assert_eq!(after[0].slot_status, None);
    let sum = cycles::cycle_summary(&t.db.conn, "2024-W37")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sum.reported, 3);
    s.open_week(week("2024-W38"), bj(2024, 9, 16, 9, 0))
        .await
        .unwrap();
    let sheet = s
        .sheet(week("2024-W38"), bj(2024, 9, 18, 9, 0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sheet.late_earlier.len(), 1);
    assert_eq!(sheet.late_earlier[0].code, "P000003");
    assert!(sheet.late_earlier[0].late_entry);
    let w37 = s.sheet(w, bj(2024, 9, 18, 9, 0)).await.unwrap().unwrap();
    let p3 = w37.rows.iter().find(|r| r.code == "P000003").unwrap();
    assert_eq!(
        p3.status,
        SlotStatus::Missing,
        "the sent sheet is not rewritten"
    );
    let p0 = w37.rows.iter().find(|r| r.code == "P000000").unwrap();
    assert_eq!(p0.problems, "用地指标未落实");
    assert_eq!(p0.week_amount, Some(50_000));
}
dual_test!(reports_and_summary);

struct CountingBulletin(Arc<AtomicUsize>);

impl BulletinHook for CountingBulletin {
    fn fire<'a>(
        &'a self,
        _txn: &'a DatabaseTransaction,
        month: Month,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(format!("bulletin {month} built (call {})", n + 1)) })
    }
}

// Four schedulers race on one database at the same due instants: one cycle, one slot per
// active project, each reminder queued once.
async fn four_schedulers_race(t: &TestDb) {
    seed_projects(&t.db, 40, 5).await;
    let scheds: Vec<Scheduler> = (0..4)
        .map(|i| scheduler(&t.db, &format!("replica{i}")))
        .collect();
    let instants = [
        bj(2024, 9, 9, 9, 0) + Duration::seconds(1),  // open W37
        bj(2024, 9, 10, 9, 0) + Duration::seconds(1), // rung 1
        bj(2024, 9, 11, 9, 0) + Duration::seconds(1), // rung 2
        bj(2024, 9, 12, 9, 0) + Duration::seconds(1), // rung 3
    ];
    for now in instants {
        let barrier = Arc::new(tokio::sync::Barrier::new(4));
        let mut handles = Vec::new();
        for s in &scheds {
            let (s, b) = (s.clone(), barrier.clone());
            handles.push(tokio::spawn(async move {
                b.wait().await;
                s.run_once(now).await.unwrap()
            }));
        }
        let mut leaders = 0;
        for h in handles {
            leaders += usize::from(h.await.unwrap().leader);
        }
        assert_eq!(leaders, 1, "one leader at {now}");
    }
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) AS n FROM dispatch_cycles").await,
        1
    );
    assert_eq!(
        count(&t.db, "SELECT COUNT(*) AS n FROM report_slots").await,
        40
    );
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(DISTINCT project_id) AS n FROM report_slots"
        )
        .await,
        40
    );
    for r in 1..=3 {
        let n = count(&t.db, &format!("SELECT COUNT(*) AS n FROM schedule_firings WHERE schedule = 'remind' AND period = '2024-W37/r{r}'")).await;
        assert_eq!(n, 1);
    }
    // Owner rungs: 10 units' contact addresses + 黄伟 of 建设单位0; the responsible rung: 王海 + the office.
    let q = |r: u32| {
        format!("SELECT COUNT(*) AS n FROM outbox WHERE dedupe_key LIKE 'reminder:2024-W37:r{r}:%'")
    };
    assert_eq!(count(&t.db, &q(1)).await, 11);
    assert_eq!(count(&t.db, &q(2)).await, 11);
    assert_eq!(count(&t.db, &q(3)).await, 2);
}
dual_test!(four_schedulers_race);

// A killed leader's lease is taken over once it lapses; nothing is lost, and the stale
// leader's token no longer passes the fence.
async fn killed_leader_is_taken_over(t: &TestDb) {
    seed_projects(&t.db, 10, 0).await;
    let a = scheduler(&t.db, "a");
    let b = scheduler(&t.db, "b");
    let t0 = bj(2024, 9, 9, 9, 0) + Duration::seconds(1);
    assert!(a.run_once(t0).await.unwrap().leader);
    let token_a = scheduling::lease(&t.db.conn, LEASE)
        .await
        .unwrap()
        .unwrap()
        .token;
    // `a` is killed. Within its lease `b` waits …
    assert!(!b.run_once(t0 + Duration::seconds(30)).await.unwrap().leader);
    // … after it, `b` takes over and fires what fell due meanwhile (rung 1 on Tuesday).
    let r = b.run_once(bj(2024, 9, 10, 9, 5)).await.unwrap();
    assert!(r.leader);
    assert!(
        r.fired
            .iter()
            .any(|(s, p, _)| s == "remind" && p == "2024-W37/r1"),
        "{r:?}"
    );
    let l = scheduling::lease(&t.db.conn, LEASE).await.unwrap().unwrap();
    assert_eq!(l.holder, "b");
    assert!(l.token > token_a);
    // The paused stale leader wakes with its old token: the fence refuses it.
    assert!(
        !scheduling::check_fence(&t.db.conn, LEASE, "a", token_a)
            .await
            .unwrap()
    );
    let ra = a
        .run_once(bj(2024, 9, 10, 9, 5) + Duration::seconds(30))
        .await
        .unwrap();
    assert!(!ra.leader && ra.fired.is_empty());
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) AS n FROM schedule_firings WHERE schedule = 'open'"
        )
        .await,
        1
    );
    // A second scheduler process on SQLite refuses to start; on PostgreSQL it follows.
    let c = scheduler(&t.db, "c");
    let started = c.start(bj(2024, 9, 10, 9, 5) + Duration::seconds(40)).await;
    if t.backend_name() == "sqlite" {
        let e = started.unwrap_err();
        assert!(e.to_string().contains("already running"), "{e}");
    } else {
        started.unwrap();
    }
}
dual_test!(killed_leader_is_taken_over);

// Downtime across three weekly ticks and a month end: every cycle opened and closed once, but
// only the latest sheet goes out — and that one, due more than the catch-up horizon (72 h)
// ago, is held; the earlier sheets are recorded as skipped; no reminder for weeks that close
// in the same catch-up; the September bulletin once (on 12 Oct 2024, a make-up Saturday).
async fn catch_up_after_downtime(t: &TestDb) {
    seed_projects(&t.db, 12, 0).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let s = scheduler(&t.db, "solo").with_bulletin_hook(Arc::new(CountingBulletin(calls.clone())));
    // 16-17 Sep 2024 are the Mid-Autumn holiday: W38 opens on Wednesday 18 Sep.
    let r = s.run_once(bj(2024, 9, 18, 9, 1)).await.unwrap();
    assert_eq!(r.fired.len(), 1, "{r:?}");
    assert_eq!(r.fired[0].1, "2024-W38");
    // Down from Wednesday 18 Sep 09:01 until Monday 14 Oct 12:00.
    let r = s.run_once(bj(2024, 10, 14, 12, 0)).await.unwrap();
    let fired = |sch: &str| {
        r.fired
            .iter()
            .filter(|(s, _, _)| s == sch)
            .map(|(_, p, _)| p.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        fired("open"),
        ["2024-W39", "2024-W40", "2024-W41", "2024-W42"]
    );
    assert_eq!(
        fired("close"),
        ["2024-W38", "2024-W39", "2024-W40", "2024-W41"]
    );
    assert!(fired("remind").is_empty(), "{:?}", fired("remind"));
    assert_eq!(fired("bulletin"), ["2024-09"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let outcome = |p: &str| {
        r.fired
            .iter()
            .find(|(s, q, _)| s == "close" && q == p)
            .map(|(_, _, o)| o.clone())
            .unwrap()
    };
    for w in ["2024-W38", "2024-W39", "2024-W40"] {
        assert!(
            outcome(w).contains("sheet skipped: superseded by 2024-W41"),
            "{}",
            outcome(w)
        );
    }
    assert!(
        outcome("2024-W41").contains("sheet held"),
        "{}",
        outcome("2024-W41")
    );
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) AS n FROM outbox WHERE kind IN ('dispatch_sheet', 'reminder')"
        )
        .await,
        0
    );
    let held = docket_store::holds::list(&t.db.conn, false).await.unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].period, "2024-W41");
    assert_eq!(held[0].reason_code, HoldReason::Stale);
    assert!(held[0].reason.contains("补发过期"), "{}", held[0].reason);
    // Every skipped reminder is in the ledger with its reason.
    let skipped_reminders = count(&t.db, "SELECT COUNT(*) AS n FROM schedule_firings WHERE schedule = 'remind' AND outcome LIKE 'skipped: % closes in the same catch-up%'").await;
    assert!(skipped_reminders >= 9, "{skipped_reminders}");
    // Another tick changes nothing; every period is in the ledger once.
    let again = s.run_once(bj(2024, 10, 14, 12, 1)).await.unwrap();
    assert!(again.fired.is_empty(), "{again:?}");
    let dup = count(
        &t.db,
        "SELECT COUNT(*) AS n FROM (SELECT schedule, period FROM schedule_firings GROUP BY schedule, period HAVING COUNT(*) > 1) x",
    )
    .await;
    assert_eq!(dup, 0);
    let fired_reminders = count(&t.db, "SELECT COUNT(*) AS n FROM schedule_firings WHERE schedule = 'remind' AND outcome NOT LIKE 'skipped%'").await;
    assert_eq!(fired_reminders, 0);
    // The calendar alarm: from 1 November 2026, 2027 is missing.
    let r = s.run_once(bj(2026, 11, 2, 10, 0)).await.unwrap();
    assert!(
        r.fired
            .iter()
            .any(|(s, p, _)| s == "calendar_alarm" && p.starts_with("2027/")),
        "{r:?}"
    );
    assert_eq!(
        count(
            &t.db,
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'calendar_alarm'"
        )
        .await,
        1
    );
}
dual_test!(catch_up_after_downtime);

struct Counter(Arc<AtomicUsize>);

impl JobHook for Counter {
    fn fire<'a>(
        &'a self,
        _txn: &'a DatabaseTransaction,
        _job: &'a str,
        period: &'a str,
        _now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<String, String>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(format!("ran {period}")) })
    }
}

// A Sunday 02:30 job in Europe/Paris fires once a week across both transitions: at 03:00
// (01:00 UTC) when 02:30 does not exist, at the first 02:30 when it repeats.
async fn paris_sunday_job_across_dst(t: &TestDb) {
    let mut core = core();
    core.office.timezone = "Europe/Paris".into();
    let cfg = SchedulesConfig {
        jobs: vec![JobConfig {
            name: "weekly".into(),
            cron: "0 30 2 * * Sun".into(),
            action: None,
            misfire: Misfire::Latest,
        }],
        ..Default::default()
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let s = Scheduler::new(t.db.clone(), core, cfg, calendar(&[2024]))
        .unwrap()
        .with_holder("paris")
        .with_job_hook("weekly", Arc::new(Counter(calls.clone())));
    for (start, weeks) in [
        (Utc.with_ymd_and_hms(2024, 3, 18, 0, 0, 0).unwrap(), 3),
        (Utc.with_ymd_and_hms(2024, 10, 14, 0, 0, 0).unwrap(), 3),
    ] {
        let mut now = start;
        let end = start + Duration::weeks(weeks);
        while now <= end {
            s.run_once(now).await.unwrap();
            now += Duration::minutes(20);
        }
    }
    let rows = scheduling::list_firings(&t.db.conn, Some("job:weekly"))
        .await
        .unwrap();
    let at: Vec<String> = rows
        .iter()
        .filter(|f| !f.outcome.starts_with("skipped"))
        .map(|f| docket_store::time::from_ms(f.due_at).to_rfc3339())
        .collect();
    // The jump from April to October catches up by `latest`: only 13 Oct of the missed weeks.
    assert_eq!(
        at,
        [
            "2024-03-24T01:30:00+00:00",
            "2024-03-31T01:00:00+00:00",
            "2024-04-07T00:30:00+00:00",
            "2024-10-13T00:30:00+00:00",
            "2024-10-20T00:30:00+00:00",
            "2024-10-27T00:30:00+00:00",
            "2024-11-03T01:30:00+00:00",
        ]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 7);
}
dual_test!(paris_sunday_job_across_dst);

// Imported calendar years round-trip through the database.
async fn calendar_years_are_stored(t: &TestDb) {
    let text = "year = 2027\nsource = \"test\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n";
    CalendarYear::from_toml_str(text).unwrap();
    let y = docket_store::calendar::StoredYear {
        year: 2027,
        source: "test".into(),
        table_toml: text.into(),
        imported_at: 1,
    };
    docket_store::calendar::save_year(&t.db.conn, &y)
        .await
        .unwrap();
    docket_store::calendar::save_year(&t.db.conn, &y)
        .await
        .unwrap();
    let all = docket_store::calendar::list_years(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(all, vec![y]);
}
dual_test!(calendar_years_are_stored);
