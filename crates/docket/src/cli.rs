//! The command line, as the contract fixes it, with its help and errors in the office's
//! language ([`crate::i18n`]).

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, FromArgMatches, Parser, Subcommand};

use crate::commands;
use crate::error::CliResult;
use crate::i18n::{self, Lang, clap_error::Outcome};
use docket_app::App;

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
    /// Log format: `text` (default) or `json` (one JSON object per line, for collectors).
    #[arg(
        long,
        global = true,
        env = "DOCKET_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    pub log_format: crate::logging::LogFormat,
    /// The language of the command line's text: `zh` (default) or `en` (default: the
    /// config's `[office] language`).
    #[arg(long, global = true, env = "DOCKET_LANG", value_enum)]
    pub lang: Option<Lang>,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the database schema; safe to run twice.
    Migrate,
    /// Load files: the project library, progress, milestones, indicators, applications.
    #[command(subcommand)]
    Import(commands::import::ImportCmd),
    /// The project library.
    #[command(subcommand)]
    Project(commands::project::ProjectCmd),
    /// Applications to higher levels for funds and policies (争取上级资金和政策).
    #[command(subcommand)]
    Application(commands::application::ApplicationCmd),
    /// The monthly bulletin (月通报): build it, or send it by email.
    #[command(subcommand)]
    Bulletin(commands::bulletin::BulletinCmd),
    /// Blocking issues: raise, show, list, act on, route and chase them.
    #[command(subcommand)]
    Issue(commands::issue::IssueCmd),
    /// The email outbox: flush, list, retry.
    #[command(subcommand)]
    Mail(commands::mail::MailCmd),
    /// The working-day calendar: show a day, import a year.
    #[command(subcommand)]
    Calendar(commands::calendar::CalendarCmd),
    /// The weekly dispatch cycle (周调度): open, show, close, sheet.
    #[command(subcommand)]
    Cycle(commands::cycle::CycleCmd),
    /// Weekly reports (周报): submit one, a batch, or "no change".
    #[command(subcommand)]
    Report(commands::report::ReportCmd),
    /// Held products (扣发): list, show, release or drop what was kept back.
    #[command(subcommand)]
    Hold(commands::hold::HoldCmd),
    /// Schedules: preview the next firings, the history of what fired or was skipped, pause
    /// and resume.
    #[command(subcommand)]
    Schedule(commands::schedule::ScheduleCmd),
    /// Exports for other offices: the 督办/考核 record.
    #[command(subcommand)]
    Export(commands::export::ExportCmd),
    /// API bearer tokens for the HTTP service: create (acting as `--as`), list, revoke.
    #[command(subcommand)]
    Token(commands::token::TokenCmd),
    /// A complete sample run on the embedded database: the sample city's month.
    Demo(commands::demo::DemoArgs),
    /// The long-running service: scheduler, email delivery, escalation sweep (until Ctrl-C).
    Run(commands::run::RunArgs),
}

/// Parses `args` (the program's name first) with the help and clap's errors in `lang`.
///
/// # Errors
/// What to print instead of running: the help or version (exit 0), or a bad command line
/// (exit 2), already in `lang`.
pub fn parse(
    args: &[OsString],
    lang: Lang,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Cli, Outcome> {
    let mut cmd = i18n::help::command(lang);
    let out = |e: clap::Error| {
        let tty = if e.use_stderr() {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        i18n::clap_error::outcome(&e, lang, i18n::colours_allowed(tty, env))
    };
    let matches = cmd.try_get_matches_from_mut(args).map_err(&out)?;
    Cli::from_arg_matches(&matches).map_err(|e| out(e.format(&mut cmd)))
}

/// Runs a parsed command line: loads the app, resolves who acts, calls the command; its
/// text for people in `lang`.
///
/// # Errors
/// The command's error, classified for its exit code.
pub async fn run(cli: Cli, lang: Lang) -> CliResult {
    let g = cli.global;
    if let Command::Migrate = cli.command {
        return commands::migrate::run(&g.config, &g.database_url, lang).await;
    }
    let app = App::start(&g.config, &g.database_url).await?;
    let actor = app.actor(g.as_official.as_deref())?;
    let l = lang;
    match cli.command {
        Command::Import(cmd) => commands::import::run(&app, &actor, cmd, l).await,
        Command::Project(cmd) => commands::project::run(&app, &actor, cmd, l).await,
        Command::Application(cmd) => commands::application::run(&app, &actor, cmd, l).await,
        Command::Issue(cmd) => commands::issue::run(&app, &actor, cmd, l).await,
        Command::Run(args) => commands::run::run(&app, args, &g.database_url, l).await,
        Command::Bulletin(cmd) => commands::bulletin::run(&app, &actor, cmd, l).await,
        Command::Mail(cmd) => commands::mail::run(&app, &actor, cmd, l).await,
        Command::Calendar(cmd) => commands::calendar::run(&app, &actor, cmd, l).await,
        Command::Cycle(cmd) => commands::cycle::run(&app, &actor, cmd, l).await,
        Command::Report(cmd) => commands::report::run(&app, &actor, cmd, l).await,
        Command::Hold(cmd) => commands::hold::run(&app, &actor, cmd, l).await,
        Command::Schedule(cmd) => commands::schedule::run(&app, &actor, cmd, l).await,
        Command::Token(cmd) => commands::token::run(&app, &actor, cmd, l).await,
        Command::Export(cmd) => commands::export::run(&app, &actor, cmd, l).await,
        Command::Demo(_) => commands::demo::run(&app, &g.database_url, l).await,
        Command::Migrate => Ok(()),
    }
}
