//! The `docket` command: CLI and long-running service.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = docket::cli::Cli::parse();
    docket::logging::init(cli.global.log_level.as_deref(), cli.global.log_format);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(docket::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.render());
            ExitCode::from(e.exit_code())
        }
    }
}
