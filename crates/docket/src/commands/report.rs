//! `docket report submit`: a weekly report (周报) by options, a batch from CSV/XLSX, or a
//! quick "本期无变化"; `docket report list`: a week's reports, 补报 marked.
//!
//! A closed week is locked: a report for it exits 2 naming the week and when it closed,
//! unless the office records it as a 补报 with `--late-entry`.
//!
//! Problems listed in a report are raised as blocking issues in the same transaction as the
//! report (one per line, optionally led by a category such as `用地：`), routed and assigned
//! by the workflow (`docket_app::reports`).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use docket_app::reports::{SubmitOptions, list_reports, read_report_file, submit_reports_with};
use docket_app::{Actor, App};
use docket_domain::Amount;
use docket_scheduler::reports::ReportInput;

use crate::error::{CliError, CliResult};
use crate::i18n::{Lang, catalog, words};
use crate::output;
use crate::tr;

/// Report commands.
#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Submits one project's weekly report, or a batch with --file.
    Submit(SubmitArgs),
    /// Lists a week's reports (补报 marked): `[{"code", "week", "late", "late_entry", ...}]`.
    List(ListArgs),
}

/// Output formats of `report list`.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum ListFormat {
    /// One line per report, for people.
    #[default]
    Text,
    /// JSON for scripts.
    Json,
}

/// `report list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// ISO week YYYY-Www (default: the current week).
    #[arg(long)]
    pub week: Option<String>,
    /// Only this project's reports.
    #[arg(long)]
    pub project: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
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
    /// 补报: record reports for a week whose cycle has closed (office only). The closed
    /// week's sheet stays as it was sent; the 补报 is marked in `report list` and on the
    /// next sheet.
    #[arg(long)]
    pub late_entry: bool,
}

/// Runs a report command: one report, or a batch with `--file`; problems become issues
/// in the same transaction.
///
/// # Errors
/// Bad input (every bad field or row; nothing written); not permitted (another unit's
/// project; nothing written); failure.
pub async fn run(app: &App, actor: &Actor, cmd: ReportCmd, lang: Lang) -> CliResult {
    let a = match cmd {
        ReportCmd::Submit(a) => a,
        ReportCmd::List(a) => return list(app, actor, a, lang).await,
    };
    let opts = SubmitOptions {
        late_entry: a.late_entry,
    };
    if let Some(file) = &a.file {
        let default_week = match &a.week {
            Some(w) => Some(app.week_or_current(Some(w))?),
            None => None,
        };
        let inputs = read_report_file(app, file, default_week)?;
        let out = submit_reports_with(app, actor, &inputs, opts).await?;
        let late_entries = out.reports.iter().filter(|r| r.late_entry).count();
        return output::print(&match lang {
            Lang::Zh => format!(
                "已报送 {} 份周报（迟报 {}{}）；由存在问题提出 {} 个问题",
                out.reports.len(),
                out.late(),
                if late_entries > 0 {
                    format!("，补报 {late_entries}")
                } else {
                    String::new()
                },
                out.new_issues()
            ),
            Lang::En => format!(
                "{} reports submitted ({} late{}); {} issues raised from their problems",
                out.reports.len(),
                out.late(),
                if late_entries > 0 {
                    format!(", {late_entries} 补报")
                } else {
                    String::new()
                },
                out.new_issues()
            ),
        });
    }
    let week = app.week_or_current(a.week.as_deref())?;
    let amount = |flag: &str, v: &Option<String>| -> CliResult<Option<Amount>> {
        v.as_deref()
            .map(|t| {
                Amount::parse_wan(t).map_err(|e| {
                    let e = match lang {
                        Lang::Zh => catalog::to_zh(&e.to_string()),
                        Lang::En => e.to_string(),
                    };
                    CliError::bad_input(format!("{flag}: {t}: {e}"))
                })
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
    let out = submit_reports_with(app, actor, std::slice::from_ref(&input), opts).await?;
    let s = &out.reports[0];
    let code = &input.code;
    match &s.slot_status {
        _ if s.late_entry => eprintln!(
            "{}",
            tr!(
                lang,
                "{code}：{week} 周报已记为补报；已结束周的调度单不变",
                "{code}: {week} report recorded as 补报 (late entry); the closed week's sheet is unchanged"
            )
        ),
        Some(st) => eprintln!(
            "{}",
            tr!(
                lang,
                "{code}：{week} 周报已记录（{}）",
                "{code}: {week} report recorded ({})",
                slot(lang, &st.to_string())
            )
        ),
        None => eprintln!(
            "{}",
            tr!(
                lang,
                "{code}：{week} 没有开启调度；周报已记录，但不占报送名额",
                "{code}: {week} has no open cycle; the report is recorded without a slot"
            )
        ),
    }
    if out.new_issues() > 0 {
        eprintln!(
            "{}",
            tr!(
                lang,
                "{code}：由周报的存在问题提出 {} 个问题",
                "{code}: {} issues raised from the report's problems",
                out.new_issues()
            )
        );
    }
    output::print(&s.report_id.to_string())
}

/// A report slot's status in words (已报送, 迟报 …).
fn slot(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => docket_domain::cycle::SlotStatus::parse(code)
            .map_or_else(|_| code.to_string(), |s| s.label_zh().to_string()),
        Lang::En => words::en(code),
    }
}

/// `report list`: a week's reports as text lines or JSON (amounts in 万元).
async fn list(app: &App, actor: &Actor, a: ListArgs, lang: Lang) -> CliResult {
    let week = app.week_or_current(a.week.as_deref())?;
    let lines = list_reports(app, actor, week, a.project.as_deref()).await?;
    let wan = |y: Option<i64>| y.map(|y| Amount::from_yuan(y).wan_f64());
    match a.format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = lines
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "code": r.code,
                        "name": r.name,
                        "week": r.week,
                        "week_amount_wan": wan(r.week_amount),
                        "ytd_completed_wan": wan(r.ytd_completed),
                        "progress": r.progress,
                        "no_change": r.no_change,
                        "late": r.late,
                        "late_entry": r.late_entry,
                        "submitted_by": r.submitted_by,
                        "submitted_at": docket_store::time::from_ms(r.submitted_at).to_rfc3339(),
                    })
                })
                .collect();
            output::print_json(&v)
        }
        ListFormat::Text => {
            let shown = |y: Option<i64>| {
                y.map(|y| Amount::from_yuan(y).to_string())
                    .unwrap_or_else(|| "—".into())
            };
            let text: Vec<String> = lines
                .iter()
                .map(|r| {
                    let when = if r.late_entry {
                        "补报"
                    } else if r.late {
                        lang.pick("迟报", "late")
                    } else {
                        lang.pick("按时", "on time")
                    };
                    tr!(
                        lang,
                        "{} {} {} 本周 {} 万元 累计 {} 万元 [{}] {} {}",
                        "{} {} {} week {} ytd {} (10,000 yuan) [{}] {} {}",
                        r.week,
                        r.code,
                        r.name,
                        shown(r.week_amount),
                        shown(r.ytd_completed),
                        when,
                        words::who(app, lang, &r.submitted_by),
                        words::office_ms(app, r.submitted_at)
                    )
                })
                .collect();
            output::print(&text.join("\n"))
        }
    }
}
