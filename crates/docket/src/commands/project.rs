//! `docket project list`.

use clap::{Args, Subcommand};
use docket_app::{Actor, App};

use crate::error::CliResult;
use crate::output::{self, Format};

/// Project commands.
#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Every project with its annual plan.
    List(ListArgs),
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
/// Failure if the database fails.
pub async fn run(app: &App, actor: &Actor, cmd: ProjectCmd) -> CliResult {
    let ProjectCmd::List(args) = cmd;
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
