//! `docket issue …`: raise, show, list, act on, route and chase blocking issues (要素制约).
//! The decisions (routing, transitions, permissions, limits) live in `docket-workflow`.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use docket_app::{Actor, App, issues};
use docket_workflow::service::IssueDetail;
use docket_workflow::{Action, NewIssue};

use crate::error::{CliError, CliResult};
use crate::i18n::words::{self, pad};
use crate::i18n::{Lang, catalog};
use crate::output::{self, Format};
use crate::tr;

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

fn parse_date(field: &str, s: &str, lang: Lang) -> CliResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::bad_input(tr!(
            lang,
            "{field} {s:?}：应为日期 YYYY-MM-DD",
            "{field} {s:?}: expected a date YYYY-MM-DD"
        ))
    })
}

/// Runs an issue command.
///
/// # Errors
/// Bad input (exit 2), not permitted (exit 3), both writing nothing; a failure (exit 1).
pub async fn run(app: &App, actor: &Actor, cmd: IssueCmd, lang: Lang) -> CliResult {
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
                eprintln!(
                    "{}",
                    tr!(
                        lang,
                        "相同问题仍未办结：{}",
                        "the same problem is already open: {}",
                        r.id
                    )
                );
            }
            return output::print(&r.id.to_string());
        }
        IssueCmd::Show(a) => {
            let d =
                issues::show_issue(app, actor, issues::resolve_issue_id(app, &a.id).await?).await?;
            return match a.format {
                Format::Json => output::print_json(&d),
                Format::Text => output::print(&detail_text(app, lang, &d)),
            };
        }
        IssueCmd::List(a) => {
            let filter = issues::issue_filter(a.task_force, a.all, None);
            let list = issues::list_issues(app, actor, &filter, a.overdue).await?;
            return match a.format {
                Format::Json => output::print_json(&list),
                Format::Text => output::print(&table(app, lang, &list)),
            };
        }
        IssueCmd::Route(a) => {
            if !a.explain {
                eprintln!(
                    "{}",
                    lang.pick(
                        "（route 总会说明交办依据；--explain 仅为清楚起见）",
                        "(route always explains; --explain is accepted for clarity)"
                    )
                );
            }
            let e = issues::explain_route(app, actor, issues::resolve_issue_id(app, &a.id).await?)
                .await?;
            return match a.format {
                Format::Json => output::print_json(&e),
                Format::Text => output::print(&match lang {
                    Lang::Zh => format!(
                        "承办：{}\n交办依据：{}\n按现行规则：{}",
                        words::task_force(app, lang, e.task_force.as_deref()),
                        catalog::to_zh(&e.recorded),
                        catalog::to_zh(&e.current.rule)
                    ),
                    Lang::En => format!(
                        "task force: {}\ndecided by: {}\ntoday's rules: {}",
                        e.task_force.as_deref().unwrap_or("office"),
                        e.recorded,
                        e.current.rule
                    ),
                }),
            };
        }
        IssueCmd::Escalate => {
            let r = issues::sweep_limits(app, actor).await?;
            return output::print(&tr!(
                lang,
                "升级督办 {} 次，排队邮件 {} 封",
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
            let due = parse_date("--due", &a.due, lang)?;
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
    output::print(&match lang {
        Lang::Zh => format!(
            "{} {}",
            issue.id,
            words::issue_state(lang, &issue.state.to_string())
        ),
        Lang::En => format!("{} {}", issue.id, issue.state),
    })
}

/// `issue show` as text: the facts, then the history with times in office time.
fn detail_text(app: &App, lang: Lang, d: &IssueDetail) -> String {
    let flag = words::flag(lang, d.flag);
    let flag = if flag.is_empty() {
        String::new()
    } else if lang.is_zh() {
        format!("（{flag}）")
    } else {
        format!(" ({flag})")
    };
    let due = d.due.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
    // The same lines in both languages; English adds the id line (scripts read it).
    let (none, provisional, [project, category, task_force, limit, history]) = match lang {
        Lang::Zh => (
            "—",
            "（暂定）",
            ["项目", "类别", "承办", "时限", "办理记录："],
        ),
        Lang::En => (
            "-",
            " (provisional)",
            ["project", "category", "task force", "due", "history:"],
        ),
    };
    let id_line = match lang {
        Lang::Zh => String::new(),
        Lang::En => format!("id {}\n", d.id),
    };
    let mut s = format!(
        "{} [{}] {}{flag}\n{id_line}{project} {} {}  {category} {}  {task_force} {}  {limit} {due}{}\n{history}\n",
        d.number.as_deref().unwrap_or(none),
        words::issue_state(lang, &d.state),
        d.title,
        d.project,
        d.project_name,
        words::issue_category(lang, &d.category),
        words::task_force(app, lang, d.task_force.as_deref()),
        if d.due_provisional { provisional } else { "" },
    );
    for h in &d.history {
        let note = h.note.as_deref().unwrap_or("");
        let note = if lang.is_zh() {
            catalog::translate(note).unwrap_or_else(|| note.to_string())
        } else {
            note.to_string()
        };
        let line = format!(
            "  {:>2} {} {} {} {} → {} {}",
            h.seq,
            words::office_rfc3339(app, &h.at),
            pad(&action_words(lang, h), 16),
            pad(&words::who(app, lang, &h.actor), 12),
            h.from
                .as_deref()
                .map_or_else(|| "—".to_string(), |f| words::issue_state(lang, f)),
            words::issue_state(lang, &h.to),
            note
        );
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// `issue list` as a table: number, project, category, state, task force, limit, flag, title.
fn table(app: &App, lang: Lang, list: &[docket_workflow::service::IssueSummary]) -> String {
    let head = match lang {
        Lang::Zh => [
            "编号", "项目", "类别", "状态", "承办", "时限", "督办", "标题",
        ],
        Lang::En => [
            "number",
            "project",
            "category",
            "state",
            "task force",
            "limit",
            "flag",
            "title",
        ],
    };
    let widths = [10, 12, 8, 12, 14, 10, 10];
    let line = |cells: [String; 8]| {
        let mut l = String::new();
        for (c, w) in cells.iter().zip(widths) {
            l.push_str(&pad(c, w));
            l.push(' ');
        }
        l.push_str(&cells[7]);
        l.push('\n');
        l
    };
    let mut s = line(head.map(String::from));
    for i in list {
        s.push_str(&line([
            i.number.clone().unwrap_or_else(|| i.id.to_string()),
            i.project.clone(),
            words::issue_category(lang, &i.category),
            words::issue_state(lang, &i.state),
            words::task_force(app, lang, i.task_force.as_deref()),
            i.limit.map(|d| d.to_string()).unwrap_or_default(),
            words::flag(lang, i.flag).to_string(),
            i.title.clone(),
        ]));
    }
    s.push_str(&tr!(lang, "共 {} 个问题", "{} issue(s)", list.len()));
    s
}

/// A history step's action in words; an escalation names its rung (升级督办（第2级）).
fn action_words(lang: Lang, h: &docket_workflow::views::HistoryEntry) -> String {
    let word = words::action(lang, &h.action);
    let rung = h
        .data
        .as_ref()
        .and_then(|d| d.get("rung"))
        .and_then(serde_json::Value::as_i64);
    match (rung, lang.is_zh()) {
        (Some(r), true) => format!("{word}（第{r}级）"),
        (Some(r), false) => format!("{word} (rung {r})"),
        (None, _) => word,
    }
}
