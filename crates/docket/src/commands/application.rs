//! `docket application list|show`: applications to higher levels (争取上级资金和政策).

use clap::{Args, Subcommand};
use docket_app::applications::{ListOptions, label_zh, list_applications, show_application};
use docket_app::{Actor, App};
use docket_store::applications::ApplicationListing;

use crate::error::CliResult;
use crate::i18n::Lang;
use crate::i18n::words::{self, pad, pad_left};
use crate::output::{self, Format};
use crate::tr;

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

fn label(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => label_zh(code).to_string(),
        Lang::En => words::en(code),
    }
}

/// A changed field's name as the file's Chinese header says it.
fn field(lang: Lang, f: &str) -> String {
    let zh = match f {
        "state" => "状态",
        "category" => "资金类别",
        "applied_wan" => "申报金额（万元）",
        "approved_wan" => "批复金额（万元）",
        "received_wan" => "到位金额（万元）",
        "date" => "日期",
        "title" => "申报事项",
        "unit" => "申报单位",
        "project" | "code" => "项目",
        "ref" => "申报编号",
        "note" => "备注",
        _ => return words::en(f),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => words::en(f),
    }
}

fn line(lang: Lang, a: &ApplicationListing) -> String {
    let [applied, approved, received] = a.amounts;
    format!(
        "{:>4}  {} {} {} {} {}  {}  {}（{}）{}",
        a.id,
        pad(&label(lang, &a.state), 8),
        pad(&label(lang, &a.category), 14),
        pad_left(&amount(applied), 12),
        pad_left(&amount(approved), 12),
        pad_left(&amount(received), 12),
        a.date,
        a.title,
        a.unit,
        a.project
            .as_deref()
            .map_or_else(String::new, |p| tr!(lang, " 项目 {p}", " project {p}"))
    )
}

/// Runs an application command.
///
/// # Errors
/// Bad input (a filter or id), not permitted, not found; failure if the database fails.
pub async fn run(app: &App, actor: &Actor, cmd: ApplicationCmd, lang: Lang) -> CliResult {
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
                    let h = match lang {
                        Lang::Zh => [
                            "编号",
                            "状态",
                            "资金类别",
                            "申报（万元）",
                            "批复（万元）",
                            "到位（万元）",
                            "日期",
                            "申报事项（申报单位）",
                        ],
                        Lang::En => [
                            "no.",
                            "state",
                            "category",
                            "applied",
                            "approved",
                            "received",
                            "date",
                            "title (unit)",
                        ],
                    };
                    let mut s = format!(
                        "{}  {} {} {} {} {}  {}  {}\n",
                        pad_left(h[0], 4),
                        pad(h[1], 8),
                        pad(h[2], 14),
                        pad_left(h[3], 12),
                        pad_left(h[4], 12),
                        pad_left(h[5], 12),
                        pad(h[6], 10),
                        h[7]
                    );
                    for a in &list {
                        s.push_str(&line(lang, a));
                        s.push('\n');
                    }
                    s.push_str(&tr!(lang, "共{}项", "{} application(s)", list.len()));
                    output::print(&s)
                }
            }
        }
        ApplicationCmd::Show(args) => {
            let d = show_application(app, actor, &args.id).await?;
            match args.format {
                Format::Json => output::print_json(&d),
                Format::Text => {
                    let mut s = line(lang, &d.application);
                    s.push('\n');
                    for e in &d.history {
                        let at = words::office_ms(app, e.at);
                        let changes: Vec<String> = e
                            .changes
                            .iter()
                            .map(|c| {
                                let show = |v: &Option<String>| {
                                    v.as_deref().map_or("—".to_string(), |v| label(lang, v))
                                };
                                format!(
                                    "{} {} → {}",
                                    field(lang, &c.field),
                                    show(&c.old),
                                    show(&c.new)
                                )
                            })
                            .collect();
                        s.push_str(&format!(
                            "  {}. {at} {} {}（{}）: {}\n",
                            e.seq,
                            words::who(app, lang, &e.actor),
                            if e.action == "created" {
                                lang.pick("新增", "created")
                            } else {
                                lang.pick("变更", "changed")
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
