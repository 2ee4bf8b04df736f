//! `docket schedule preview`: the next firings in office time.

use clap::{Args, Subcommand, ValueEnum};

use crate::app::App;
use crate::commands::cycle::{classify, scheduler};
use crate::error::CliResult;
use crate::output;

/// Schedule commands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// The next firings, with the calendar's reason for any shift and how many people each
    /// would email.
    Preview(PreviewArgs),
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum Format {
    /// A table.
    #[default]
    Text,
    /// JSON.
    Json,
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
    let s = scheduler(app)?.with_bulletin_hook(std::sync::Arc::new(super::run::QueueBulletin {
        app: app.clone(),
    }));
    let lines = s
        .preview(app.clock.now(), a.weeks.clamp(1, 104))
        .await
        .map_err(classify)?;
    match a.format {
        Format::Json => output::print_json(&lines),
        Format::Text => {
            let mut o = String::new();
            for l in &lines {
                o.push_str(&format!(
                    "{:<24} {:<15} {:<14} {:>4} 人  {}{}{}\n",
                    l.local,
                    l.schedule,
                    l.period,
                    l.recipients,
                    l.names.join("、"),
                    match l.reason.as_deref() {
                        Some(r) if !l.names.is_empty() => format!("  {r}"),
                        Some(r) => r.to_string(),
                        None => String::new(),
                    },
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
