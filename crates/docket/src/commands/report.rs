//! `docket report submit`: a weekly report (周报) by options, a batch from CSV/XLSX, or a
//! quick "本期无变化".
//!
//! Problems listed in a report are raised as blocking issues right after it is recorded
//! (one per line, optionally led by a category such as `用地：`), routed and assigned by the
//! workflow. Raising is idempotent: the same open problem is one issue, so submitting again
//! after a failure raises what is missing and duplicates nothing.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_domain::Amount;
use docket_scheduler::reports::{ReportInput, submit};

use crate::app::App;
use crate::commands::cycle::{classify, read_batch, week_arg};
use crate::error::{CliError, CliResult};
use crate::output;

/// Report commands.
#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Submits one project's weekly report, or a batch with --file.
    Submit(SubmitArgs),
}

/// `report submit` options.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Project code (not with --file).
    #[arg(long, required_unless_present = "file")]
    pub project: Option<String>,
    /// ISO week YYYY-Www (default: the current week; for --file, the default of rows without one).
    #[arg(long)]
    pub week: Option<String>,
    /// This week's completed investment, 万元.
    #[arg(long)]
    pub week_amount: Option<String>,
    /// Year-to-date completed investment, 万元.
    #[arg(long)]
    pub ytd: Option<String>,
    /// Physical progress (形象进度).
    #[arg(long, default_value = "")]
    pub progress: String,
    /// Milestones reached.
    #[arg(long, default_value = "")]
    pub milestones: String,
    /// Problems needing coordination (存在问题).
    #[arg(long, default_value = "")]
    pub problems: String,
    /// Next week's plan.
    #[arg(long, default_value = "")]
    pub next_week: String,
    /// Contact person.
    #[arg(long, default_value = "")]
    pub contact: String,
    /// 本期无变化: carry the previous report's progress and year-to-date figure over.
    #[arg(long)]
    pub no_change: bool,
    /// A CSV or XLSX batch (columns code/项目编号, week/周次, week_amount_wan, ytd_completed_wan,
    /// progress/形象进度, milestones, problems/存在问题, next_week_plan, contact, no_change).
    #[arg(long, conflicts_with = "project")]
    pub file: Option<PathBuf>,
}

/// Runs a report command.
pub async fn run(app: &App, cmd: ReportCmd) -> CliResult {
    let ReportCmd::Submit(a) = cmd;
    let actor = app.actor_id();
    let now = app.clock.now();
    if let Some(file) = &a.file {
        let default_week = match &a.week {
            Some(w) => Some(week_arg(app, Some(w))?),
            None => None,
        };
        let inputs = read_batch(file, default_week)?;
        let out = submit(&app.db.conn, &inputs, &actor, now)
            .await
            .map_err(classify)?;
        let late = out.iter().filter(|s| s.late).count();
        let ids: Vec<_> = out.iter().map(|s| s.report_id).collect();
        let raised = raise_problems(app, &inputs, &ids).await?;
        return output::print(&format!(
            "{} reports submitted ({late} late); {raised} issues raised from their problems",
            out.len()
        ));
    }
    let week = week_arg(app, a.week.as_deref())?;
    let amount = |flag: &str, v: &Option<String>| -> CliResult<Option<Amount>> {
        v.as_deref()
            .map(|t| {
                Amount::parse_wan(t).map_err(|e| CliError::bad_input(format!("{flag}: {t}: {e}")))
            })
            .transpose()
    };
    let input = ReportInput {
        code: a.project.clone().unwrap_or_default(),
        week,
        week_amount: amount("--week-amount", &a.week_amount)?,
        ytd_completed: amount("--ytd", &a.ytd)?,
        progress: a.progress,
        milestones: a.milestones,
        problems: a.problems,
        next_week_plan: a.next_week,
        contact: a.contact,
        no_change: a.no_change,
    };
    if input.progress.trim().is_empty() && !input.no_change {
        return Err(CliError::bad_input(
            "--progress: required unless --no-change",
        ));
    }
    let out = submit(&app.db.conn, std::slice::from_ref(&input), &actor, now)
        .await
        .map_err(|e| match e {
            docket_scheduler::SchedulerError::BadRows(_) => CliError::bad_input(format!(
                "--project: {}: no project with this code",
                input.code
            )),
            other => classify(other),
        })?;
    let s = &out[0];
    match &s.slot_status {
        Some(st) => eprintln!("{}: {week} report recorded ({st})", input.code),
        None => eprintln!(
            "{}: {week} has no open cycle; the report is recorded without a slot",
            input.code
        ),
    }
    let raised = raise_problems(app, std::slice::from_ref(&input), &[s.report_id]).await?;
    if raised > 0 {
        eprintln!(
            "{}: {raised} issues raised from the report's problems",
            input.code
        );
    }
    output::print(&s.report_id.to_string())
}

/// Raises the problems of the reports just recorded (`inputs[i]` has id `ids[i]`) as
/// issues, as the submitting identity; returns how many issues are new.
async fn raise_problems(app: &App, inputs: &[ReportInput], ids: &[uuid::Uuid]) -> CliResult<usize> {
    let items: Vec<_> = inputs
        .iter()
        .zip(ids)
        .flat_map(|(r, id)| {
            docket_workflow::report_problems::issues_from_report(r.code.trim(), *id, &r.problems)
        })
        .collect();
    if items.is_empty() {
        return Ok(0);
    }
    let w = super::issue::workflow(app);
    let actor = docket_workflow::Actor::resolve(&w.settings, &app.actor_id())
        .map_err(super::issue::classify)?;
    let raised = w
        .raise_many(&app.db.conn, &actor, &items, app.clock.now())
        .await
        .map_err(super::issue::classify)?;
    Ok(raised.iter().filter(|r| r.created).count())
}
