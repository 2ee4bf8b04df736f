//! `docket application list|show`: applications to higher levels (争取上级资金和政策).

use clap::{Args, Subcommand};
use docket_app::applications::{ListOptions, label_zh, list_applications, show_application};
use docket_app::{Actor, App};
use docket_store::applications::ApplicationListing;

use crate::error::CliResult;
use crate::output::{self, Format};

/// Application commands.
#[derive(Debug, Subcommand)]
pub enum ApplicationCmd {
    /// Applications, by number (an owner contact sees its unit's).
    List(ListArgs),
    /// One application with its history (state and amount changes: who, when, old → new).
    Show(ShowArgs),
}

/// `application list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Only this state (code or label: approved / 批复, …).
    #[arg(long)]
    pub state: Option<String>,
    /// Only this funding category (code or label: central_budget / 中央预算内投资, …).
    #[arg(long)]
    pub category: Option<String>,
}

/// `application show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The application's number (as `application list` shows it).
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn amount(a: Option<docket_domain::Amount>) -> String {
    a.map_or_else(|| "—".into(), |a| a.to_string())
}

fn line(a: &ApplicationListing) -> String {
    let [applied, approved, received] = a.amounts;
    format!(
        "{:>4}  {:<8} {:<14} {:>12} {:>12} {:>12}  {}  {}（{}）{}",
        a.id,
        label_zh(&a.state),
        label_zh(&a.category),
        amount(applied),
        amount(approved),
        amount(received),
        a.date,
        a.title,
        a.unit,
        a.project
            .as_deref()
            .map_or_else(String::new, |p| format!(" 项目 {p}"))
    )
}

/// Runs an application command.
///
/// # Errors
/// Bad input (a filter or id), not permitted, not found; failure if the database fails.
pub async fn run(app: &App, actor: &Actor, cmd: ApplicationCmd) -> CliResult {
    match cmd {
        ApplicationCmd::List(args) => {
            let opts = ListOptions {
                state: args.state,
                category: args.category,
            };
            let list = list_applications(app, actor, &opts).await?;
            match args.format {
                Format::Json => output::print_json(&list),
                Format::Text => {
                    let mut s = format!(
                        "{:>4}  {:<8} {:<14} {:>12} {:>12} {:>12}  {:<10}  {}\n",
                        "编号",
                        "状态",
                        "资金类别",
                        "申报（万元）",
                        "批复（万元）",
                        "到位（万元）",
                        "日期",
                        "申报事项（申报单位）"
                    );
                    for a in &list {
                        s.push_str(&line(a));
                        s.push('\n');
                    }
                    s.push_str(&format!("共{}项", list.len()));
                    output::print(&s)
                }
            }
        }
        ApplicationCmd::Show(args) => {
            let d = show_application(app, actor, &args.id).await?;
            match args.format {
                Format::Json => output::print_json(&d),
                Format::Text => {
                    let mut s = line(&d.application);
                    s.push('\n');
                    for e in &d.history {
                        let at = chrono::DateTime::from_timestamp_millis(e.at)
                            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                            .unwrap_or_default();
                        let changes: Vec<String> = e
                            .changes
                            .iter()
                            .map(|c| {
                                let show = |v: &Option<String>| {
                                    v.as_deref()
                                        .map_or("—".to_string(), |v| label_zh(v).to_string())
                                };
                                format!("{} {} → {}", c.field, show(&c.old), show(&c.new))
                            })
                            .collect();
                        s.push_str(&format!(
                            "  {}. {at} {} {}（{}）: {}\n",
                            e.seq,
                            e.actor,
                            if e.action == "created" {
                                "新增"
                            } else {
                                "变更"
                            },
                            e.file,
                            changes.join("；")
                        ));
                    }
                    output::print(&s)
                }
            }
        }
    }
}
