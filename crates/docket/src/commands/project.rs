//! `docket project list`, `docket project show CODE`.

use clap::{Args, Subcommand};
use docket_app::projects::field_change;
use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::output::{self, Format};

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

fn show_text(app: &App, v: &docket_app::projects::ProjectView) -> String {
    let p = &v.project;
    let h = &v.history;
    let tz = app.config.core.timezone().unwrap_or(chrono_tz::UTC);
    let at = |ms: i64| {
        docket_store::time::from_ms(ms)
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let mut o = format!("{} {}\n建设单位：{}\n", p.code, p.name, p.owner_unit);
    o.push_str("年度计划：\n");
    let label = |field: &str, v: &str| field_change(field, Some(v)).1;
    for l in &h.plans {
        o.push_str(&format!(
            "  {}年 {} {} {} 万元\n",
            l.year,
            label("level", &l.level),
            label("stage", &l.stage),
            wan(l.annual_plan_yuan)
        ));
    }
    o.push_str("月度进度（累计完成）：\n");
    for l in &h.progress {
        o.push_str(&format!(
            "  {} {} 万元\n",
            l.month,
            wan(l.ytd_completed_yuan)
        ));
    }
    o.push_str("前期节点：\n");
    for l in &h.milestones {
        let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or("—".into());
        let name = docket_domain::project::Milestone::parse(&l.milestone)
            .map_or("其他节点", docket_domain::project::Milestone::label_zh);
        o.push_str(&format!(
            "  {} 计划 {} 完成 {}\n",
            name,
            d(l.planned),
            d(l.actual)
        ));
    }
    o.push_str("协调事项：\n");
    for i in &v.issues {
        let state = docket_domain::issue::IssueState::parse(&i.state)
            .map_or("—", docket_domain::issue::IssueState::label_zh);
        o.push_str(&format!(
            "  {} {} {}\n",
            i.number.as_deref().unwrap_or("—"),
            state,
            i.title
        ));
    }
    o.push_str("周报：\n");
    for r in &h.reports {
        o.push_str(&format!(
            "  {} {}{} {}\n",
            r.week,
            at(r.submitted_at),
            if r.late { " 迟报" } else { "" },
            r.progress
        ));
    }
    o.push_str("字段变更：\n");
    for c in &h.changes {
        let (field, old) = field_change(&c.field, c.old.as_deref());
        let (_, new) = field_change(&c.field, c.new.as_deref());
        o.push_str(&format!(
            "  {} {field}：{old} → {new}（{}）\n",
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
pub async fn run(app: &App, actor: &Actor, cmd: ProjectCmd) -> CliResult {
    let args = match cmd {
        ProjectCmd::List(a) => a,
        ProjectCmd::Show(a) => {
            let v = docket_app::projects::show_project(app, actor, &a.code, a.year).await?;
            return match a.format {
                Format::Json => output::print_json(&v),
                Format::Text => output::print(&show_text(app, &v)),
            };
        }
    };
    let list = docket_app::projects::list_projects(app, actor, args.year).await?;
    match args.format {
        Format::Json => output::print_json(&list),
        Format::Text => {
            let mut s = format!(
                "{:<12} {:<10} {:<12} {:<16} {:>14}  {}\n",
                "code", "level", "stage", "category", "plan (万元)", "name"
            );
            for p in &list {
                s.push_str(&format!(
                    "{:<12} {:<10} {:<12} {:<16} {:>14}  {}\n",
                    p.code,
                    p.level,
                    p.stage,
                    p.category,
                    p.annual_plan.to_string(),
                    p.name
                ));
            }
            s.push_str(&format!("{} projects", list.len()));
            output::print(&s)
        }
    }
}
