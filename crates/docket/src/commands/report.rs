//! `docket report submit`: a weekly report (周报) by options, a batch from CSV/XLSX, or a
//! quick "本期无变化".
//!
//! Problems listed in a report are raised as blocking issues in the same transaction as the
//! report (one per line, optionally led by a category such as `用地：`), routed and assigned
//! by the workflow (`docket_app::reports`).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use docket_app::reports::{read_report_file, submit_reports};
use docket_app::{Actor, App};
use docket_domain::Amount;
use docket_scheduler::reports::ReportInput;

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

/// Runs a report command: one report, or a batch with `--file`; problems become issues
/// in the same transaction.
///
/// # Errors
/// Bad input (every bad field or row; nothing written); not permitted (another unit's
/// project; nothing written); failure.
pub async fn run(app: &App, actor: &Actor, cmd: ReportCmd) -> CliResult {
    let ReportCmd::Submit(a) = cmd;
    if let Some(file) = &a.file {
        let default_week = match &a.week {
            Some(w) => Some(app.week_or_current(Some(w))?),
            None => None,
        };
        let inputs = read_report_file(file, default_week)?;
        let out = submit_reports(app, actor, &inputs).await?;
        return output::print(&format!(
            "{} reports submitted ({} late); {} issues raised from their problems",
            out.reports.len(),
            out.late(),
            out.new_issues()
        ));
    }
    let week = app.week_or_current(a.week.as_deref())?;
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
    let out = submit_reports(app, actor, std::slice::from_ref(&input)).await?;
    let s = &out.reports[0];
    match &s.slot_status {
        Some(st) => eprintln!("{}: {week} report recorded ({st})", input.code),
        None => eprintln!(
            "{}: {week} has no open cycle; the report is recorded without a slot",
            input.code
        ),
    }
    if out.new_issues() > 0 {
        eprintln!(
            "{}: {} issues raised from the report's problems",
            input.code,
            out.new_issues()
        );
    }
    output::print(&s.report_id.to_string())
}
