//! `docket schedule preview`: the next firings in office time; `docket schedule history`:
//! what fired and what was skipped, with the reason.

use clap::{Args, Subcommand};

use docket_app::App;

use crate::error::CliResult;
use crate::output::{self, Format};

/// Schedule commands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// The next firings, with the calendar's reason for any shift and how many people each
    /// would email.
    Preview(PreviewArgs),
    /// What fired and what was skipped (with the reason, e.g. catch-up after downtime).
    History(HistoryArgs),
}

/// `schedule history` options.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this schedule (open, remind, close, bulletin, calendar_alarm, job:NAME).
    #[arg(long)]
    pub schedule: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

async fn history(app: &App, a: HistoryArgs) -> CliResult {
    let rows = docket_app::schedules::schedule_history(app, a.schedule.as_deref()).await?;
    let tz = app.config.core.timezone().ok();
    let local = |ms: i64| {
        let t = docket_store::time::from_ms(ms);
        match tz {
            Some(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    };
    let rows: Vec<_> = rows.iter().filter(|f| f.schedule != "scheduler").collect();
    match a.format {
        Format::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "schedule": f.schedule, "period": f.period,
                        "due": local(f.due_at), "fired": local(f.fired_at),
                        "skipped": f.outcome.starts_with("skipped"),
                        "outcome": f.outcome,
                    })
                })
                .collect();
            output::print_json(&v)
        }
        Format::Text => {
            let mut o = String::new();
            for f in &rows {
                o.push_str(&format!(
                    "{:<17} {:<15} {:<14} {}\n",
                    local(f.due_at),
                    f.schedule,
                    f.period,
                    f.outcome
                ));
            }
            o.push_str(&format!("{} firings", rows.len()));
            output::print(&o)
        }
    }
}

/// `schedule preview` options.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// How many weeks ahead.
    #[arg(long, default_value_t = 8)]
    pub weeks: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs a schedule command.
pub async fn run(app: &App, cmd: ScheduleCmd) -> CliResult {
    let a = match cmd {
        ScheduleCmd::Preview(a) => a,
        ScheduleCmd::History(a) => return history(app, a).await,
    };
    let lines = docket_app::schedules::preview_schedules(app, a.weeks).await?;
    match a.format {
        Format::Json => output::print_json(&lines),
        Format::Text => {
            let mut o = String::new();
            for l in &lines {
                o.push_str(&format!(
                    "{:<24} {:<15} {:<14} {:>4} 人 {} {}{}\n",
                    l.local,
                    l.schedule,
                    l.period,
                    l.recipients,
                    l.names.join("、"),
                    l.reason.as_deref().unwrap_or(""),
                    if l.provisional {
                        " (暂定 provisional)"
                    } else {
                        ""
                    }
                ));
            }
            o.push_str(&format!(
                "{} firings in the next {} weeks",
                lines.len(),
                a.weeks
            ));
            output::print(&o)
        }
    }
}
