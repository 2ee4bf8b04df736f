//! `docket project list`, `docket project show CODE`.

use clap::{Args, Subcommand};
use docket_app::projects::field_change;
use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::i18n::Lang;
use crate::i18n::words::{self, pad, pad_left};
use crate::output::{self, Format};
use crate::tr;

/// Project commands.
#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Every project with its annual plan.
    List(ListArgs),
    /// One project: its plans per year, monthly progress, milestones, issues, weekly reports
    /// and every field change from imports (old → new, file, time).
    Show(ShowArgs),
}

/// `project show` options.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The project's code.
    pub code: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The listing of this plan year (default: the latest).
    #[arg(long)]
    pub year: Option<i32>,
}

fn wan(yuan: i64) -> String {
    docket_domain::Amount::from_yuan(yuan).to_string()
}

/// A field change in words: Chinese headers and labels, or the codes as English words.
fn change(lang: Lang, field: &str, value: Option<&str>) -> (String, String) {
    match lang {
        Lang::Zh => field_change(field, value),
        Lang::En => (
            words::en(field),
            value.map_or_else(|| "—".to_string(), words::en),
        ),
    }
}

fn show_text(app: &App, lang: Lang, v: &docket_app::projects::ProjectView) -> String {
    let p = &v.project;
    let h = &v.history;
    let at = |ms: i64| words::office_ms(app, ms);
    let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or("—".into());
    let zh = lang.is_zh();
    let mut o = tr!(
        lang,
        "{} {}\n建设单位：{}\n年度计划：\n",
        "{} {}\nowner unit: {}\nannual plans:\n",
        p.code,
        p.name,
        p.owner_unit
    );
    for l in &h.plans {
        o.push_str(&tr!(
            lang,
            "  {}年 {} {} {} 万元\n",
            "  {} {} {} {} (10,000 yuan)\n",
            l.year,
            words::level(lang, &l.level),
            words::stage(lang, &l.stage),
            wan(l.annual_plan_yuan)
        ));
    }
    o.push_str(lang.pick(
        "月度进度（累计完成）：\n",
        "monthly progress (year to date):\n",
    ));
    for l in &h.progress {
        o.push_str(&tr!(
            lang,
            "  {} {} 万元\n",
            "  {} {} (10,000 yuan)\n",
            l.month,
            wan(l.ytd_completed_yuan)
        ));
    }
    o.push_str(lang.pick("前期节点：\n", "milestones:\n"));
    for l in &h.milestones {
        let name = match lang {
            Lang::Zh => words::milestone(lang, &l.milestone),
            Lang::En => words::en(&l.milestone),
        };
        o.push_str(&tr!(
            lang,
            "  {} 计划 {} 完成 {}\n",
            "  {} planned {} done {}\n",
            name,
            d(l.planned),
            d(l.actual)
        ));
    }
    o.push_str(lang.pick("协调事项：\n", "issues:\n"));
    for i in &v.issues {
        o.push_str(&format!(
            "  {} {} {}\n",
            i.number.as_deref().unwrap_or("—"),
            words::issue_state(lang, &i.state),
            i.title
        ));
    }
    o.push_str(lang.pick("周报：\n", "weekly reports:\n"));
    for r in &h.reports {
        let late = match (r.late, zh) {
            (false, _) => "",
            (true, true) => " 迟报",
            (true, false) => " late",
        };
        o.push_str(&format!(
            "  {} {}{} {}\n",
            r.week,
            at(r.submitted_at),
            late,
            r.progress
        ));
    }
    o.push_str(lang.pick("字段变更：\n", "field changes:\n"));
    for c in &h.changes {
        let (field, old) = change(lang, &c.field, c.old.as_deref());
        let (_, new) = change(lang, &c.field, c.new.as_deref());
        o.push_str(&tr!(
            lang,
            "  {} {field}：{old} → {new}（{}）\n",
            "  {} {field}: {old} → {new} ({})\n",
            at(c.at),
            c.file
        ));
    }
    o
}

/// `project list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Only this plan year.
    #[arg(long)]
    pub year: Option<i32>,
}

/// Runs a project command.
///
/// # Errors
/// Not found for a project the actor may not see; failure if the database fails.
pub async fn run(app: &App, actor: &Actor, cmd: ProjectCmd, lang: Lang) -> CliResult {
    let args = match cmd {
        ProjectCmd::List(a) => a,
        ProjectCmd::Show(a) => {
            let v = docket_app::projects::show_project(app, actor, &a.code, a.year).await?;
            return match a.format {
                Format::Json => output::print_json(&v),
                Format::Text => output::print(&show_text(app, lang, &v)),
            };
        }
    };
    let list = docket_app::projects::list_projects(app, actor, args.year).await?;
    match args.format {
        Format::Json => output::print_json(&list),
        Format::Text => {
            let line = |c: [&str; 6]| {
                format!(
                    "{} {} {} {} {}  {}\n",
                    pad(c[0], 12),
                    pad(c[1], 10),
                    pad(c[2], 12),
                    pad(c[3], 16),
                    pad_left(c[4], 20),
                    c[5]
                )
            };
            let mut s = match lang {
                Lang::Zh => line([
                    "项目编号",
                    "项目级别",
                    "建设阶段",
                    "项目类别",
                    "年度计划（万元）",
                    "项目名称",
                ]),
                Lang::En => line([
                    "code",
                    "level",
                    "stage",
                    "category",
                    "plan (10,000 yuan)",
                    "name",
                ]),
            };
            for p in &list {
                s.push_str(&line([
                    &p.code,
                    &words::level(lang, &p.level),
                    &words::stage(lang, &p.stage),
                    &words::category(lang, &p.category),
                    &p.annual_plan.to_string(),
                    &p.name,
                ]));
            }
            s.push_str(&tr!(lang, "共 {} 个项目", "{} projects", list.len()));
            output::print(&s)
        }
    }
}
