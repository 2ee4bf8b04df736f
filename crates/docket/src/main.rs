//! The `docket` command: CLI and long-running service.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use docket::i18n::{self, Lang};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let env = |k: &str| std::env::var(k).ok();
    let lang = i18n::detect(&args, &env);
    let cli = match docket::cli::parse(&args, lang, &env) {
        Ok(cli) => cli,
        Err(out) => {
            // Help and version to stdout, a bad command line to stderr (exit 2).
            let _ = if out.stderr {
                std::io::stderr().lock().write_all(out.text.as_bytes())
            } else {
                std::io::stdout().lock().write_all(out.text.as_bytes())
            };
            return ExitCode::from(u8::try_from(out.code).unwrap_or(2));
        }
    };
    let colour = i18n::colours_allowed(std::io::stderr().is_terminal(), &env);
    docket::logging::init(
        cli.global.log_level.as_deref(),
        cli.global.log_format,
        colour,
    );
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "{}",
                match lang {
                    Lang::Zh => format!("错误：无法启动运行时：{e}"),
                    Lang::En => format!("error: cannot start the runtime: {e}"),
                }
            );
            return ExitCode::from(1);
        }
    };
    match rt.block_on(docket::cli::run(cli, lang)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.render(lang));
            ExitCode::from(e.exit_code())
        }
    }
}
