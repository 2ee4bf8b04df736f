//! `docket cycle open|show|close|sheet`: the weekly dispatch cycle (周调度), and the
//! scheduler's part of `docket demo`.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand, ValueEnum};
use docket_domain::Amount;
use docket_domain::clock::{Clock, ManualClock};
use docket_domain::period::IsoWeek;
use docket_scheduler::reports::ReportInput;
use docket_scheduler::{Scheduler, SchedulerError, sheet};

use crate::app::App;
use crate::error::{CliError, CliResult};
use crate::output;

/// Cycle commands.
#[derive(Debug, Subcommand)]
pub enum CycleCmd {
    /// Opens a week's cycle: one report slot per active project. Opening again changes nothing.
    Open(WeekArgs),
    /// A cycle's counts: `{"week", "state", "projects", "reported", "missing"}`.
    Show(ShowArgs),
    /// Closes a week's cycle now and queues its dispatch sheet.
    Close(WeekArgs),
    /// The dispatch sheet of a week.
    Sheet(SheetArgs),
}

/// A week option.
#[derive(Debug, Args)]
pub struct WeekArgs {
    /// ISO week YYYY-Www (default: the current week in office time).
    #[arg(long)]
    pub week: Option<String>,
}

/// Output formats of `cycle show`.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum ShowFormat {
    /// One line for people.
    #[default]
    Text,
    /// JSON for scripts.
    Json,
}

/// `cycle show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// ISO week YYYY-Www (default: the current week).
    #[arg(long)]
    pub week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ShowFormat,
}

/// Sheet formats.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum SheetFormat {
    /// Plain text.
    #[default]
    Text,
    /// An HTML page.
    Html,
    /// An XLSX workbook (binary: use --out, or redirect stdout).
    Xlsx,
}

/// `cycle sheet` options.
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// ISO week YYYY-Www (default: the current week).
    #[arg(long)]
    pub week: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: SheetFormat,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The scheduler over the app's database, configuration and calendar.
///
/// # Errors
/// Bad input for a bad `[schedules]` table.
pub fn scheduler(app: &App) -> CliResult<Scheduler> {
    Scheduler::new(
        app.db.clone(),
        app.config.core.clone(),
        app.config.schedules.clone(),
        (*app.calendar).clone(),
    )
    .map_err(classify)
}

/// Maps a scheduler error to its exit code.
pub fn classify(e: SchedulerError) -> CliError {
    if e.is_bad_input() {
        CliError::BadInput(e.into())
    } else {
        CliError::Failed(e.into())
    }
}

/// The week given, or the current week in office time.
///
/// # Errors
/// Bad input for a malformed week.
pub fn week_arg(app: &App, week: Option<&str>) -> CliResult<IsoWeek> {
    match week {
        Some(w) => IsoWeek::parse(w).map_err(|e| CliError::bad_input(format!("--week: {e}"))),
        None => {
            let tz = app.config.core.timezone().map_err(CliError::bad_input)?;
            Ok(IsoWeek::containing(
                app.clock.now().with_timezone(&tz).date_naive(),
            ))
        }
    }
}

/// Runs a cycle command.
pub async fn run(app: &App, cmd: CycleCmd) -> CliResult {
    match cmd {
        CycleCmd::Open(a) => {
            let week = week_arg(app, a.week.as_deref())?;
            let r = scheduler(app)?
                .open_week(week, app.clock.now())
                .await
                .map_err(classify)?;
            if r.created {
                eprintln!("{week}: cycle opened with {} report slots", r.slots_added);
            } else {
                eprintln!(
                    "{week}: already opened ({}; {} new slots)",
                    r.cycle.state, r.slots_added
                );
            }
            output::print(&week.to_string())
        }
        CycleCmd::Show(a) => {
            let week = week_arg(app, a.week.as_deref())?;
            let s = docket_store::cycles::cycle_summary(&app.db.conn, &week.to_string())
                .await?
                .ok_or_else(|| {
                    CliError::bad_input(format!("--week {week}: no cycle was opened for this week"))
                })?;
            match a.format {
                ShowFormat::Json => output::print_json(&s),
                ShowFormat::Text => output::print(&format!(
                    "{} {}: {} projects, {} reported, {} missing{}",
                    s.week,
                    s.state,
                    s.projects,
                    s.reported,
                    s.missing.len(),
                    if s.missing.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", s.missing.join(", "))
                    }
                )),
            }
        }
        CycleCmd::Close(a) => {
            let week = week_arg(app, a.week.as_deref())?;
            let outcome = scheduler(app)?
                .close_week(week, app.clock.now())
                .await
                .map_err(classify)?;
            eprintln!("{week}: {outcome}");
            output::print(&week.to_string())
        }
        CycleCmd::Sheet(a) => {
            let week = week_arg(app, a.week.as_deref())?;
            let s = scheduler(app)?;
            let data = s
                .sheet(week, app.clock.now())
                .await
                .map_err(classify)?
                .ok_or_else(|| {
                    CliError::bad_input(format!("--week {week}: no cycle was opened for this week"))
                })?;
            let core = &app.config.core;
            let bytes = match a.format {
                SheetFormat::Text => sheet::render_text(core, &data).into_bytes(),
                SheetFormat::Html => sheet::render_html(core, &data).into_bytes(),
                SheetFormat::Xlsx => sheet::render_xlsx(core, &data)
                    .map_err(|e| CliError::Failed(anyhow::anyhow!(e)))?,
            };
            write_out(a.out.as_ref(), &bytes)
        }
    }
}

fn write_out(out: Option<&PathBuf>, bytes: &[u8]) -> CliResult {
    use std::io::Write;
    match out {
        Some(p) => std::fs::write(p, bytes)
            .map_err(|e| CliError::bad_input(format!("--out {}: cannot write: {e}", p.display()))),
        None => {
            let mut o = std::io::stdout().lock();
            match o.write_all(bytes) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(CliError::Failed(e.into()))
                }
                _ => Ok(()),
            }
        }
    }
}

/// The scheduler's part of `docket demo`: the sample city through September 2024's weeks on a
/// manual clock — most projects report on time, some late, some not at all — printing each
/// week's sheet summary. Safe to run again (the ledger and the outbox de-duplicate).
///
/// # Errors
/// Failure if the database fails.
pub async fn demo(app: &App) -> CliResult {
    let tz = app.config.core.timezone().map_err(CliError::bad_input)?;
    let mut week = IsoWeek::parse("2024-W36").map_err(CliError::bad_input)?;
    let start: DateTime<Utc> = midnight(tz, week.monday());
    let clock = ManualClock::new(start);
    let s = scheduler(app)?.with_holder("demo");
    let codes: Vec<String> = docket_store::cycles::active_contacts(&app.db.conn)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    output::print("\n== 周调度 Weekly dispatch, September 2024 ==")?;
    for n in 0..4u32 {
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
        events.push(on_time);
        events.push(late);
        events.sort();
        events.dedup();
        for at in events {
            clock.set(at);
            if at == on_time || at == late {
                let inputs: Vec<ReportInput> = codes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let k = (i + n as usize) % 10;
                        if at == on_time { k < 7 } else { k == 7 }
                    })
                    .map(|(i, code)| ReportInput {
                        code: code.clone(),
                        week,
                        week_amount: Some(Amount::from_wan(
                            50 + (i as i64 * 37 + i64::from(n) * 11) % 400,
                        )),
                        ytd_completed: None,
                        progress: ["主体结构施工", "设备安装调试", "土方开挖", "装饰装修"]
                            [(i + n as usize) % 4]
                            .into(),
                        milestones: String::new(),
                        problems: if i % 17 == 3 {
                            "用地指标待落实".into()
                        } else {
                            String::new()
                        },
                        next_week_plan: String::new(),
                        contact: String::new(),
                        no_change: i % 13 == 5,
                    })
                    .collect();
                docket_scheduler::reports::submit(&app.db.conn, &inputs, "demo", at)
                    .await
                    .map_err(classify)?;
            } else {
                s.run_once(at).await.map_err(classify)?;
            }
        }
        clock.set(until);
        s.run_once(until).await.map_err(classify)?;
        if let Some(data) = s.sheet(week, clock.now()).await.map_err(classify)? {
            let shift = times
                .open_shift
                .map(|r| format!("（开启 {r}）"))
                .unwrap_or_default();
            output::print(&format!("{}{shift}", sheet::summary_line(&data)))?;
        }
        week = week.next();
    }
    let _ = s.stop(clock.now()).await;
    Ok(())
}

/// Midnight of a local day, as an instant.
fn midnight(tz: chrono_tz::Tz, date: chrono::NaiveDate) -> DateTime<Utc> {
    docket_scheduler::plan::local_to_utc(tz, date.and_time(chrono::NaiveTime::MIN))
}

/// Reads a batch of reports for `report submit --file`.
///
/// # Errors
/// Bad input listing every bad row.
pub fn read_batch(path: &std::path::Path, week: Option<IsoWeek>) -> CliResult<Vec<ReportInput>> {
    docket_library::reports::read_batch(path, week).map_err(super::import::classify)
}
