//! `docket schedule preview`: the next firings in office time; `docket schedule history`:
//! what fired and what was skipped, with the reason; `docket schedule pause|resume NAME`.

use clap::{Args, Subcommand};

use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::output::{self, Format};

/// Schedule commands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// The next firings, with the calendar's reason for any shift and how many people each
    /// would email.
    Preview(PreviewArgs),
    /// What fired and what was skipped (with the reason, e.g. catch-up after downtime), and
    /// every pause and resume.
    History(HistoryArgs),
    /// Pauses a schedule (office only): periods due while paused are skipped with the reason
    /// and not caught up after the resume.
    Pause(PauseArgs),
    /// Resumes a paused schedule (office only).
    Resume(ResumeArgs),
}

/// `schedule pause` options.
#[derive(Debug, Args)]
pub struct PauseArgs {
    /// The schedule: open, remind, close, bulletin, calendar_alarm, or a custom job's name.
    pub name: String,
    /// Why (shown in the preview and the history).
    #[arg(long)]
    pub reason: Option<String>,
}

/// `schedule resume` options.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The schedule.
    pub name: String,
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
    let rows = docket_app::schedules::schedule_history_lines(app, a.schedule.as_deref()).await?;
    match a.format {
        Format::Json => output::print_json(&rows),
        Format::Text => {
            let mut o = String::new();
            for f in &rows {
                o.push_str(&format!(
                    "{:<17} {:<15} {:<14} {}\n",
                    f.due, f.schedule, f.period, f.outcome
                ));
            }
            o.push_str(&format!("{} lines", rows.len()));
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
pub async fn run(app: &App, actor: &Actor, cmd: ScheduleCmd) -> CliResult {
    let a = match cmd {
        ScheduleCmd::Preview(a) => a,
        ScheduleCmd::History(a) => return history(app, a).await,
        ScheduleCmd::Pause(p) => {
            let e = docket_app::schedules::pause_schedule(app, actor, &p.name, p.reason.as_deref())
                .await?;
            return output::print(&format!(
                "{} 已暂停：到期的周期将跳过并记录原因，恢复后不补发",
                e.schedule
            ));
        }
        ScheduleCmd::Resume(r) => {
            let e = docket_app::schedules::resume_schedule(app, actor, &r.name).await?;
            return output::print(&format!("{} 已恢复：暂停期间跳过的周期不补发", e.schedule));
        }
    };
    let lines = docket_app::schedules::preview_schedules(app, a.weeks).await?;
    match a.format {
        Format::Json => output::print_json(&lines),
        Format::Text => {
            let mut o = String::new();
            for l in &lines {
                o.push_str(&format!(
                    "{:<24} {:<15} {:<14} {:>4} 人 {}{} {}{}\n",
                    l.local,
                    l.schedule,
                    l.period,
                    l.recipients,
                    l.paused
                        .as_deref()
                        .map(|p| format!("【{p}，将跳过】"))
                        .unwrap_or_default(),
                    l.people.join("、"),
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
