//! `docket issue …`: raise, show, list, act on, route and chase blocking issues (要素制约).
//! The decisions (routing, transitions, permissions, limits) live in `docket-workflow`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use docket_store::issues::IssueFilter;
use docket_workflow::{Action, Actor, NewIssue, Settings, Workflow, WorkflowError};
use uuid::Uuid;

use crate::app::App;
use crate::error::{CliError, CliResult};
use crate::output;

/// Issue commands.
#[derive(Debug, Subcommand)]
pub enum IssueCmd {
    /// Record a blocking issue and route it; prints its id (the open one if it exists).
    Raise(RaiseArgs),
    /// One issue with its history.
    Show(ShowArgs),
    /// Issues, optionally only the overdue ones or one task force's.
    List(ListArgs),
    /// 签收: accept an assigned issue.
    Accept(IdArg),
    /// Start work on an accepted issue (办理中).
    Start(IdArg),
    /// 办结: resolve, with the resolution note.
    Resolve(NoteArgs),
    /// 销号: close a resolved issue after verification (the office only).
    Close(OptNoteArgs),
    /// 退回: send a resolution back to work, with the reason.
    SendBack(ReasonArgs),
    /// 撤回: withdraw, with the reason.
    Withdraw(ReasonArgs),
    /// Reopen a closed issue (the office only).
    Reopen(ReasonArgs),
    /// Move to another task force (`--to office` for the office), with the reason.
    Reassign(ReassignArgs),
    /// 延期: ask for a later due date, or approve one with `--approve` (the office).
    Extend(ExtendArgs),
    /// Designate the lead handler (主办) and co-handlers (协办) (group leader or office).
    Designate(DesignateArgs),
    /// Which routing rule decided an issue.
    Route(RouteArgs),
    /// One sweep of the time limits now: escalation rungs and their emails.
    Escalate,
}

/// `issue raise`.
#[derive(Debug, Args)]
pub struct RaiseArgs {
    /// Project code.
    #[arg(long)]
    pub project: String,
    /// Category: land, funding, environmental, energy, approval, other (or 用地 …).
    #[arg(long)]
    pub category: String,
    /// Title.
    #[arg(long)]
    pub title: String,
    /// Detail.
    #[arg(long, default_value = "")]
    pub detail: String,
    /// Severity: normal, major, critical.
    #[arg(long)]
    pub severity: Option<String>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum Format {
    /// For people.
    #[default]
    Table,
    /// For scripts.
    Json,
}

/// `issue show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Issue id.
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `issue list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only overdue issues (yellow or red).
    #[arg(long)]
    pub overdue: bool,
    /// Only this task force's issues (`office` for the office's).
    #[arg(long)]
    pub task_force: Option<String>,
    /// Include closed and withdrawn issues.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// An issue id.
#[derive(Debug, Args)]
pub struct IdArg {
    /// Issue id.
    pub id: String,
}

/// An issue id and a required note.
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// Issue id.
    pub id: String,
    /// The resolution note.
    #[arg(long)]
    pub note: String,
}

/// An issue id and an optional note.
#[derive(Debug, Args)]
pub struct OptNoteArgs {
    /// Issue id.
    pub id: String,
    /// Verification note.
    #[arg(long)]
    pub note: Option<String>,
}

/// An issue id and a required reason.
#[derive(Debug, Args)]
pub struct ReasonArgs {
    /// Issue id.
    pub id: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

/// `issue reassign`.
#[derive(Debug, Args)]
pub struct ReassignArgs {
    /// Issue id.
    pub id: String,
    /// The task force id, or `office`.
    #[arg(long)]
    pub to: String,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

/// `issue extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// Issue id.
    pub id: String,
    /// The new due date, YYYY-MM-DD.
    #[arg(long)]
    pub due: String,
    /// Why (required for a request).
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Approve (the office) instead of asking.
    #[arg(long)]
    pub approve: bool,
}

/// `issue designate`.
#[derive(Debug, Args)]
pub struct DesignateArgs {
    /// Issue id.
    pub id: String,
    /// The lead handler's official id (主办).
    #[arg(long)]
    pub lead: String,
    /// Co-handlers' official ids (协办), repeatable.
    #[arg(long)]
    pub co: Vec<String>,
}

/// `issue route`.
#[derive(Debug, Args)]
pub struct RouteArgs {
    /// Say which rule decided.
    #[arg(long)]
    pub explain: bool,
    /// Issue id.
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The workflow over the app's configuration and calendar.
pub fn workflow(app: &App) -> Workflow {
    Workflow::new(
        Settings::new(app.config.core.clone(), app.config.workflow.clone()),
        (*app.calendar).clone(),
    )
}

/// Maps a workflow error to its exit code: bad input 2, a database failure 1.
pub fn classify(e: WorkflowError) -> CliError {
    if e.is_bad_input() {
        CliError::bad_input(e)
    } else {
        CliError::Failed(e.into())
    }
}

fn parse_id(s: &str) -> CliResult<Uuid> {
    Uuid::parse_str(s.trim())
        .map_err(|_| CliError::bad_input(format!("issue id {s:?}: not an issue id (a UUID)")))
}

fn parse_date(field: &str, s: &str) -> CliResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| CliError::bad_input(format!("{field} {s:?}: expected a date YYYY-MM-DD")))
}

/// Runs an issue command.
///
/// # Errors
/// Bad input (exit 2, nothing written) or a failure (exit 1).
pub async fn run(app: &App, cmd: IssueCmd) -> CliResult {
    let w = workflow(app);
    let actor = Actor::resolve(&w.settings, &app.actor_id()).map_err(classify)?;
    let db = &app.db.conn;
    let now = app.clock.now();
    let (id, action) = match cmd {
        IssueCmd::Raise(a) => {
            let item = NewIssue {
                project: a.project,
                category: a.category,
                title: a.title,
                detail: a.detail,
                severity: a.severity,
                report_id: None,
            };
            let r = w.raise(db, &actor, item, now).await.map_err(classify)?;
            if !r.created {
                eprintln!("the same problem is already open: {}", r.id);
            }
            return output::print(&r.id.to_string());
        }
        IssueCmd::Show(a) => {
            let d = w.show(db, parse_id(&a.id)?, now).await.map_err(classify)?;
            return match a.format {
                Format::Json => output::print_json(&d),
                Format::Table => {
                    let mut s = format!(
                        "{} [{}] {} {}\n项目 {} {}  类别 {}  承办 {}  时限 {}{}\n",
                        d.id,
                        d.state,
                        d.title,
                        if d.flag.code().is_empty() {
                            String::new()
                        } else {
                            format!("({})", d.flag.code())
                        },
                        d.project,
                        d.project_name,
                        d.category,
                        d.task_force.as_deref().unwrap_or("office"),
                        d.due.map(|x| x.to_string()).unwrap_or_default(),
                        if d.due_provisional {
                            " (provisional)"
                        } else {
                            ""
                        },
                    );
                    for h in &d.history {
                        s.push_str(&format!(
                            "  {:>2} {} {:<18} {:<14} {} → {} {}\n",
                            h.seq,
                            h.at,
                            h.action,
                            h.actor,
                            h.from.as_deref().unwrap_or("-"),
                            h.to,
                            h.note.as_deref().unwrap_or("")
                        ));
                    }
                    output::print(&s)
                }
            };
        }
        IssueCmd::List(a) => {
            let filter = IssueFilter {
                task_force: a
                    .task_force
                    .map(|t| if t == "office" { None } else { Some(t) }),
                open_only: !a.all,
                states: None,
            };
            let list = w
                .list(db, &filter, a.overdue, now)
                .await
                .map_err(classify)?;
            return match a.format {
                Format::Json => output::print_json(&list),
                Format::Table => output::print(&table(&list)),
            };
        }
        IssueCmd::Route(a) => {
            if !a.explain {
                eprintln!("(route always explains; --explain is accepted for clarity)");
            }
            let e = w.explain(db, parse_id(&a.id)?).await.map_err(classify)?;
            return match a.format {
                Format::Json => output::print_json(&e),
                Format::Table => output::print(&format!(
                    "task force: {}\ndecided by: {}\ntoday's rules: {}",
                    e.task_force.as_deref().unwrap_or("office"),
                    e.recorded,
                    e.current.rule
                )),
            };
        }
        IssueCmd::Escalate => {
            let r = w.sweep_overdue(db, now).await.map_err(classify)?;
            return output::print(&format!(
                "{} escalation(s), {} email(s) queued",
                r.escalations.len(),
                r.emails
            ));
        }
        IssueCmd::Accept(a) => (a.id, Action::Accept),
        IssueCmd::Start(a) => (a.id, Action::Start),
        IssueCmd::Resolve(a) => (a.id, Action::Resolve { note: a.note }),
        IssueCmd::Close(a) => (a.id, Action::Close { note: a.note }),
        IssueCmd::SendBack(a) => (a.id, Action::SendBack { reason: a.reason }),
        IssueCmd::Withdraw(a) => (a.id, Action::Withdraw { reason: a.reason }),
        IssueCmd::Reopen(a) => (a.id, Action::Reopen { reason: a.reason }),
        IssueCmd::Reassign(a) => {
            let task_force = if a.to == "office" { None } else { Some(a.to) };
            (
                a.id,
                Action::Reassign {
                    task_force,
                    reason: a.reason,
                },
            )
        }
        IssueCmd::Extend(a) => {
            let due = parse_date("--due", &a.due)?;
            if a.approve {
                let note = (!a.reason.trim().is_empty()).then_some(a.reason);
                (a.id, Action::ApproveExtension { due, note })
            } else {
                (
                    a.id,
                    Action::RequestExtension {
                        due,
                        reason: a.reason,
                    },
                )
            }
        }
        IssueCmd::Designate(a) => (
            a.id,
            Action::Designate {
                lead: a.lead,
                co: a.co,
            },
        ),
    };
    let issue = w
        .act(db, &actor, parse_id(&id)?, action, now)
        .await
        .map_err(classify)?;
    output::print(&format!("{} {}", issue.id, issue.state))
}

fn table(list: &[docket_workflow::service::IssueSummary]) -> String {
    let mut s = format!(
        "{:<36} {:<12} {:<14} {:<12} {:<12} {:<10} {:<6} {}\n",
        "id", "project", "category", "state", "task_force", "limit", "flag", "title"
    );
    for i in list {
        s.push_str(&format!(
            "{:<36} {:<12} {:<14} {:<12} {:<12} {:<10} {:<6} {}\n",
            i.id,
            i.project,
            i.category,
            i.state,
            i.task_force.as_deref().unwrap_or("office"),
            i.limit.map(|d| d.to_string()).unwrap_or_default(),
            i.flag.code(),
            i.title
        ));
    }
    s.push_str(&format!("{} issue(s)", list.len()));
    s
}

/// The demo's part: issues of every category across the sample projects, routed; some taken
/// to closure, some left to run late; then the queue by task force. Safe to run again: a
/// repeated problem returns the open issue and only new issues are moved on.
///
/// # Errors
/// A failure if the database fails.
pub async fn demo(app: &App) -> CliResult {
    use docket_domain::issue::IssueCategory;
    let w = workflow(app);
    let db = &app.db.conn;
    let office = Actor::office();
    let now = app.clock.now();
    let projects = docket_store::issues::all_projects(db).await?;
    if projects.is_empty() {
        return output::print("(no projects: no issues raised)");
    }
    let titles = [
        (
            IssueCategory::Land,
            "用地指标未落实",
            "项目用地报批材料待省厅审核",
        ),
        (
            IssueCategory::Funding,
            "资本金缺口",
            "项目资本金到位率不足，需协调专项债资金",
        ),
        (
            IssueCategory::Environmental,
            "环评批复滞后",
            "环评报告书待审批",
        ),
        (
            IssueCategory::Energy,
            "能耗指标不足",
            "节能审查需调剂能耗指标",
        ),
        (
            IssueCategory::Approval,
            "施工许可办理慢",
            "施工图审查未完成",
        ),
        (
            IssueCategory::Other,
            "水电接入协调",
            "临时用电接入需供电公司配合",
        ),
    ];
    // Old issues, raised four weeks ago, will be overdue now; recent ones move to closure.
    let old = now - chrono::Duration::days(28);
    let mut items_old = Vec::new();
    let mut items_new = Vec::new();
    for (i, (cat, title, detail)) in titles.iter().enumerate() {
        for (j, p) in projects.iter().skip(i * 3).step_by(7).take(2).enumerate() {
            let item = NewIssue {
                project: p.code.clone(),
                category: cat.code().to_string(),
                title: (*title).to_string(),
                detail: (*detail).to_string(),
                severity: Some(if j == 0 { "major" } else { "normal" }.into()),
                report_id: None,
            };
            if j == 0 {
                items_old.push(item)
            } else {
                items_new.push(item)
            }
        }
    }
    let raised_old = w
        .raise_many(db, &office, &items_old, old)
        .await
        .map_err(classify)?;
    let raised_new = w
        .raise_many(db, &office, &items_new, now)
        .await
        .map_err(classify)?;
    let created = raised_old
        .iter()
        .chain(&raised_new)
        .filter(|r| r.created)
        .count();
    // Move half of the new ones to closure, the handler acting as the task force's first member.
    let mut closed = 0;
    for r in raised_new.iter().filter(|r| r.created).step_by(2) {
        let Ok(d) = w.show(db, r.id, now).await else {
            continue;
        };
        let handler = match d
            .task_force
            .as_deref()
            .and_then(|t| app.config.core.task_force(t))
        {
            Some(tf) => Actor::resolve(&w.settings, tf.members.first().unwrap_or(&tf.lead))
                .map_err(classify)?,
            None => office.clone(),
        };
        let steps = [
            (&handler, Action::Accept),
            (&handler, Action::Start),
            (
                &handler,
                Action::Resolve {
                    note: "已协调解决".into(),
                },
            ),
            (
                &office,
                Action::Close {
                    note: Some("经核实已解决，同意销号".into()),
                },
            ),
        ];
        for (who, a) in steps {
            w.act(db, who, r.id, a, now).await.map_err(classify)?;
        }
        closed += 1;
    }
    let sweep = w.sweep_overdue(db, now).await.map_err(classify)?;
    let list = w
        .list(db, &IssueFilter::default(), false, now)
        .await
        .map_err(classify)?;
    let mut by: BTreeMap<String, Vec<&docket_workflow::service::IssueSummary>> = BTreeMap::new();
    for i in &list {
        let key = match i
            .task_force
            .as_deref()
            .and_then(|t| app.config.core.task_force(t))
        {
            Some(tf) => format!("{} ({})", tf.name, tf.id),
            None => format!("{} (office)", app.config.core.office.name),
        };
        by.entry(key).or_default().push(i);
    }
    let mut s = format!(
        "\n== 问题清单 Issues by task force ==\n新交办 {created} 件，办结销号 {closed} 件，逾期督办 {} 次\n",
        sweep.escalations.len()
    );
    for (tf, items) in &by {
        let open = items
            .iter()
            .filter(|i| i.state != "closed" && i.state != "withdrawn")
            .count();
        let overdue = items
            .iter()
            .filter(|i| i.flag >= docket_workflow::limits::Flag::Yellow)
            .count();
        s.push_str(&format!(
            "{tf}: {} 件，在办 {open}，逾期 {overdue}\n",
            items.len()
        ));
        for i in items {
            s.push_str(&format!(
                "  {:<12} {:<14} {:<12} {:<10} {:<6} {}\n",
                i.project,
                i.category,
                i.state,
                i.limit.map(|d| d.to_string()).unwrap_or_default(),
                i.flag.code(),
                i.title
            ));
        }
    }
    output::print(s.trim_end())
}
