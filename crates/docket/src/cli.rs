//! The command line, as the contract fixes it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::app::App;
use crate::commands;
use crate::error::CliResult;

/// Docket: weekly dispatch and monthly bulletin for a city's key projects (周调度、月通报).
#[derive(Debug, Parser)]
#[command(name = "docket", version, about, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes; each also an environment variable.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The configuration file.
    #[arg(
        long,
        global = true,
        env = "DOCKET_CONFIG",
        default_value = "config/docket.toml"
    )]
    pub config: PathBuf,
    /// The database: sqlite://PATH or postgres://… (default: the embedded data/docket.db).
    #[arg(long, global = true, env = "DOCKET_DATABASE_URL", default_value = docket_store::db::DEFAULT_DATABASE_URL, hide_default_value = true)]
    pub database_url: String,
    /// Act as this official (an id from the config) instead of the coordinating office.
    #[arg(long = "as", global = true, value_name = "OFFICIAL_ID")]
    pub as_official: Option<String>,
    /// Log filter, e.g. `debug` (default: RUST_LOG, else `info`). Logs go to stderr.
    #[arg(long, global = true, env = "DOCKET_LOG")]
    pub log_level: Option<String>,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the database schema; safe to run twice.
    Migrate,
    /// Load files: the project library, progress, milestones, indicators.
    #[command(subcommand)]
    Import(commands::import::ImportCmd),
    /// The project library.
    #[command(subcommand)]
    Project(commands::project::ProjectCmd),
    /// A complete sample run on the embedded database: the sample city's month.
    Demo(commands::demo::DemoArgs),
}

/// Runs a parsed command line.
///
/// # Errors
/// The command's error, classified for its exit code.
pub async fn run(cli: Cli) -> CliResult {
    let g = cli.global;
    match cli.command {
        Command::Demo(args) => commands::demo::run(&g, args).await,
        Command::Migrate => {
            let app = App::connect(&g.config, &g.database_url, g.as_official.clone()).await?;
            commands::migrate::run(&app).await
        }
        command => {
            let app = App::start(&g.config, &g.database_url, g.as_official.clone()).await?;
            match command {
                Command::Import(cmd) => commands::import::run(&app, cmd).await,
                Command::Project(cmd) => commands::project::run(&app, cmd).await,
                Command::Demo(_) | Command::Migrate => unreachable!("handled above"),
            }
        }
    }
}
