//! `docket issue …`: raise, show, list, act on, route and chase blocking issues (要素制约).
//! The decisions (routing, transitions, permissions, limits) live in `docket-workflow`.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use docket_app::{Actor, App, issues};
use docket_workflow::service::IssueDetail;
use docket_workflow::{Action, NewIssue};

use crate::error::{CliError, CliResult};
use crate::output::{self, Format};

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
    /// 催办: chase the task force of an open issue, with an optional note (the office only).
    Chase(OptNoteArgs),
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

fn parse_date(field: &str, s: &str) -> CliResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| CliError::bad_input(format!("{field} {s:?}: expected a date YYYY-MM-DD")))
}

/// Runs an issue command.
///
/// # Errors
/// Bad input (exit 2), not permitted (exit 3), both writing nothing; a failure (exit 1).
pub async fn run(app: &App, actor: &Actor, cmd: IssueCmd) -> CliResult {
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
            let r = issues::raise_issue(app, actor, item).await?;
            if !r.created {
                eprintln!("the same problem is already open: {}", r.id);
            }
            return output::print(&r.id.to_string());
        }
        IssueCmd::Show(a) => {
            let d =
                issues::show_issue(app, actor, issues::resolve_issue_id(app, &a.id).await?).await?;
            return match a.format {
                Format::Json => output::print_json(&d),
                Format::Text => output::print(&detail_text(&d)),
            };
        }
        IssueCmd::List(a) => {
            let filter = issues::issue_filter(a.task_force, a.all, None);
            let list = issues::list_issues(app, actor, &filter, a.overdue).await?;
            return match a.format {
                Format::Json => output::print_json(&list),
                Format::Text => output::print(&table(&list)),
            };
        }
        IssueCmd::Route(a) => {
            if !a.explain {
                eprintln!("(route always explains; --explain is accepted for clarity)");
            }
            let e = issues::explain_route(app, actor, issues::resolve_issue_id(app, &a.id).await?)
                .await?;
            return match a.format {
                Format::Json => output::print_json(&e),
                Format::Text => output::print(&format!(
                    "task force: {}\ndecided by: {}\ntoday's rules: {}",
                    e.task_force.as_deref().unwrap_or("office"),
                    e.recorded,
                    e.current.rule
                )),
            };
        }
        IssueCmd::Escalate => {
            let r = issues::sweep_limits(app, actor).await?;
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
        IssueCmd::Chase(a) => (a.id, Action::Chase { note: a.note }),
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
    let issue = issues::act_on_issue(
        app,
        actor,
        issues::resolve_issue_id(app, &id).await?,
        action,
    )
    .await?;
    output::print(&format!("{} {}", issue.id, issue.state))
}

fn detail_text(d: &IssueDetail) -> String {
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
    s
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
