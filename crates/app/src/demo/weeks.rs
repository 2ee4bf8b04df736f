//! The demo's weekly dispatch: September 2024's weeks on a manual clock — most projects
//! report on time, some late, some not at all; their problems become issues — printing
//! each week's sheet summary. Safe to run again (the ledger and the outbox de-duplicate).

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use docket_domain::Amount;
use docket_domain::clock::{Clock, ManualClock};
use docket_domain::period::IsoWeek;
use docket_scheduler::reports::ReportInput;
use docket_scheduler::sheet;

use crate::actor::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::reports::submit_reports;

const PROGRESS: [&str; 4] = ["主体结构施工", "设备安装调试", "土方开挖", "装饰装修"];

/// Runs four weeks from 2024-W36, printing each week's sheet summary.
pub(super) async fn run(app: &App, print: &mut dyn FnMut(&str)) -> AppResult {
    let tz = app.workflow.settings.tz();
    let mut week = IsoWeek::parse("2024-W36").map_err(AppError::bad_input)?;
    let clock = ManualClock::new(midnight(tz, week.monday()));
    let app = app.on_clock(Arc::new(clock.clone()));
    let s = app.new_scheduler(Some("demo"))?;
    let office = Actor::office();
    let codes: Vec<String> = docket_store::cycles::active_contacts(&app.db.conn)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    print("\n== 周调度 Weekly dispatch, September 2024 ==");
    for n in 0..4usize {
        let from = clock.now();
        let until = midnight(tz, week.next().monday());
        let Some(times) = s.plan().cycle_times(&s.calendar(), week) else {
            week = week.next();
            continue;
        };
        // Reports: on time the day after opening, a few after the deadline, some never.
        let on_time = times.open + Duration::hours(3);
        let late = times.deadline + Duration::hours(16);
        let mut events: Vec<DateTime<Utc>> = s
            .occurrences(from, until)
            .into_iter()
            .map(|o| o.due_at + Duration::seconds(1))
            .collect();
        events.extend([on_time, late]);
        events.sort();
        events.dedup();
        for at in events {
            clock.set(at);
            if at == on_time || at == late {
                let inputs: Vec<ReportInput> = codes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let k = (i + n) % 10;
                        if at == on_time { k < 7 } else { k == 7 }
                    })
                    .map(|(i, code)| sample_report(code, week, i, n))
                    .collect();
                if !inputs.is_empty() {
                    submit_reports(&app, &office, &inputs).await?;
                }
            } else {
                s.run_once(at).await?;
            }
        }
        clock.set(until);
        s.run_once(until).await?;
        if let Some(data) = s.sheet(week, clock.now()).await? {
            let shift = times
                .open_shift
                .map(|r| format!("（开启：{r}）"))
                .unwrap_or_default();
            print(&format!("{}{shift}", sheet::summary_line(&data)));
        }
        week = week.next();
    }
    let _ = s.stop(clock.now()).await;
    Ok(())
}

/// Project `i`'s report in week `n` of the demo.
fn sample_report(code: &str, week: IsoWeek, i: usize, n: usize) -> ReportInput {
    ReportInput {
        code: code.to_string(),
        week,
        week_amount: Some(Amount::from_wan(50 + ((i * 37 + n * 11) % 400) as i64)),
        ytd_completed: None,
        progress: PROGRESS[(i + n) % 4].into(),
        milestones: String::new(),
        problems: if i % 17 == 3 {
            "用地：用地指标待落实".into()
        } else {
            String::new()
        },
        next_week_plan: String::new(),
        contact: String::new(),
        no_change: i % 13 == 5,
    }
}

/// Midnight of a local day, as an instant.
fn midnight(tz: chrono_tz::Tz, date: NaiveDate) -> DateTime<Utc> {
    docket_scheduler::plan::local_to_utc(tz, date.and_time(NaiveTime::MIN))
}
