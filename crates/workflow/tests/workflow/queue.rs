//! The issue queue read from narrow rows and paged by the database: the flag filter's date
//! ranges agree with the flags computed one by one, pages follow the overdue-first order,
//! counts cover the whole queue, and an owner unit sees only its projects.

use chrono::{Duration, NaiveDate};
use docket_store::issue_lines::LineQuery;
use docket_store::issues::IssueFilter;
use docket_testkit::{TestDb, dual_test};
use docket_workflow::Actor;
use docket_workflow::limits::{self, Flag};

use crate::common::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn flag_ranges_agree_with_flags_day_by_day() {
    let w = workflow();
    for today in [
        d("2025-09-30"),
        d("2025-10-09"),
        d("2025-10-13"),
        d("2025-11-14"),
    ] {
        for off in -40..40 {
            let limit = today + Duration::days(off);
            let flag = limits::flag(&w.settings, &w.calendar, Some(limit), today);
            for f in [Flag::Blue, Flag::Yellow, Flag::Red] {
                let (from, to) = limits::flag_range(&w.settings, &w.calendar, f, today).unwrap();
                let inside = from.is_none_or(|x| x <= limit) && to.is_none_or(|x| limit <= x);
                assert_eq!(inside, flag == f, "today {today}, limit {limit}, {f:?}");
            }
        }
    }
    assert!(limits::flag_range(&w.settings, &w.calendar, Flag::None, d("2025-09-30")).is_none());
}

async fn queue_pages_overdue_first(t: &TestDb) {
    seed(t).await;
    let w = workflow();
    let office = Actor::office();
    // Raised on different days, so their accept limits (one working day) differ.
    for (i, day) in [1u32, 3, 5, 9, 10, 11, 12, 13, 14, 15, 16]
        .iter()
        .enumerate()
    {
        let project = if i % 2 == 0 { "P1" } else { "P2" };
        w.raise(
            &t.db.conn,
            &office,
            new_issue(project, "land", &format!("问题{i}")),
            at(2025, 9, *day),
        )
        .await
        .unwrap();
    }
    let now = at(2025, 9, 30);
    let all = w
        .lines(
            &t.db.conn,
            &LineQuery {
                overdue_first: true,
                ..LineQuery::default()
            },
            false,
            now,
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 11);
    let limits: Vec<_> = all.iter().map(|(s, _)| s.limit).collect();
    let mut sorted = limits.clone();
    sorted.sort_by_key(|l| (l.is_none(), *l));
    assert_eq!(limits, sorted, "overdue first, by limit");
    assert!(
        all.iter().all(|(_, name)| !name.is_empty()),
        "project names joined"
    );

    // Pages of 4 cover the same order; the counts are over the whole queue.
    let mut paged = Vec::new();
    for page in 0..3 {
        let p = w
            .queue_page(&t.db.conn, &LineQuery::default(), None, now, page * 4, 4)
            .await
            .unwrap();
        assert_eq!(p.total, 11);
        let overdue = all.iter().filter(|(s, _)| s.flag >= Flag::Yellow).count() as u64;
        assert_eq!(p.overdue, overdue);
        paged.extend(p.items.into_iter().map(|(s, _)| s.id));
    }
    assert_eq!(paged, all.iter().map(|(s, _)| s.id).collect::<Vec<_>>());

    // The flag filter in SQL keeps exactly the issues with that flag.
    for f in [Flag::Blue, Flag::Yellow, Flag::Red] {
        let p = w
            .queue_page(&t.db.conn, &LineQuery::default(), Some(f), now, 0, 100)
            .await
            .unwrap();
        let want: Vec<_> = all
            .iter()
            .filter(|(s, _)| s.flag == f)
            .map(|(s, _)| s.id)
            .collect();
        assert_eq!(
            p.items.iter().map(|(s, _)| s.id).collect::<Vec<_>>(),
            want,
            "{f:?}"
        );
        assert_eq!(p.total as usize, want.len());
    }

    // An owner unit's view: only its projects, counted as such.
    let mine = LineQuery {
        owner_unit: Some("单位甲".into()),
        filter: IssueFilter {
            open_only: true,
            ..IssueFilter::default()
        },
        ..LineQuery::default()
    };
    let p = w
        .queue_page(&t.db.conn, &mine, None, now, 0, 100)
        .await
        .unwrap();
    assert_eq!(p.total, 6);
    assert!(p.items.iter().all(|(s, _)| s.project == "P1"));
}
dual_test!(queue_pages_overdue_first);
