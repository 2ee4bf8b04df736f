//! `docket schedule preview`: the next firings in office time.

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
    let ScheduleCmd::Preview(a) = cmd;
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
