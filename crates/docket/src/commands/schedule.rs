//! `docket schedule preview`: the next firings in office time; `docket schedule history`:
//! what fired and what was skipped, with the reason; `docket schedule pause|resume NAME`.

use clap::{Args, Subcommand};

use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::i18n::words::{self, pad};
use crate::i18n::{Lang, catalog};
use crate::output::{self, Format};
use crate::tr;

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

async fn history(app: &App, a: HistoryArgs, lang: Lang) -> CliResult {
    let rows = docket_app::schedules::schedule_history_lines(app, a.schedule.as_deref()).await?;
    match a.format {
        Format::Json => output::print_json(&rows),
        Format::Text => {
            let mut o = String::new();
            for f in &rows {
                let outcome = match lang {
                    Lang::Zh => catalog::to_zh(&f.outcome),
                    Lang::En => f.outcome.clone(),
                };
                o.push_str(&format!(
                    "{} {} {} {}\n",
                    pad(&f.due, 17),
                    pad(&schedule_name(lang, &f.schedule), 15),
                    pad(&f.period, 14),
                    outcome
                ));
            }
            o.push_str(&tr!(lang, "共 {} 条", "{} lines", rows.len()));
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

/// A schedule's name in words (开启调度, 催报 …); a custom job by its own name.
fn schedule_name(lang: Lang, name: &str) -> String {
    let built_in = docket_scheduler::pause::BUILT_IN
        .iter()
        .any(|b| name.starts_with(b));
    match lang {
        Lang::Zh => docket_scheduler::pause::schedule_label_zh(name),
        Lang::En if built_in => words::en(name),
        Lang::En => name.to_string(),
    }
}

/// Runs a schedule command.
///
/// # Errors
/// Bad input (an unknown schedule); not permitted (pause and resume are the office's);
/// failure.
pub async fn run(app: &App, actor: &Actor, cmd: ScheduleCmd, lang: Lang) -> CliResult {
    let a = match cmd {
        ScheduleCmd::Preview(a) => a,
        ScheduleCmd::History(a) => return history(app, a, lang).await,
        ScheduleCmd::Pause(p) => {
            let e = docket_app::schedules::pause_schedule(app, actor, &p.name, p.reason.as_deref())
                .await?;
            return output::print(&tr!(
                lang,
                "{} 已暂停：到期的周期将跳过并记录原因，恢复后不补发",
                "{} paused: periods falling due are skipped with the reason and not caught up after the resume",
                e.schedule
            ));
        }
        ScheduleCmd::Resume(r) => {
            let e = docket_app::schedules::resume_schedule(app, actor, &r.name).await?;
            return output::print(&tr!(
                lang,
                "{} 已恢复：暂停期间跳过的周期不补发",
                "{} resumed: periods skipped while paused are not caught up",
                e.schedule
            ));
        }
    };
    let lines = docket_app::schedules::preview_schedules(app, a.weeks).await?;
    match a.format {
        Format::Json => output::print_json(&lines),
        Format::Text => {
            let mut o = String::new();
            for l in &lines {
                o.push_str(&format!(
                    "{} {} {} {:>4} {} {}{} {}{}\n",
                    pad(&words::weekdays(lang, &l.local), 24),
                    pad(&schedule_name(lang, &l.schedule), 15),
                    pad(&l.period, 14),
                    l.recipients,
                    lang.pick("人", "people"),
                    l.paused
                        .as_deref()
                        .map(|p| tr!(lang, "【{p}，将跳过】", "[{p}, will be skipped]"))
                        .unwrap_or_default(),
                    l.people.join("、"),
                    l.reason
                        .as_deref()
                        .map_or_else(String::new, |r| match lang {
                            Lang::Zh => catalog::to_zh(r),
                            Lang::En => r.to_string(),
                        }),
                    if l.provisional {
                        lang.pick("（暂定）", " (provisional)")
                    } else {
                        ""
                    }
                ));
            }
            o.push_str(&tr!(
                lang,
                "今后 {} 周共触发 {} 次",
                "{1} firings in the next {0} weeks",
                a.weeks,
                lines.len()
            ));
            output::print(&o)
        }
    }
}
