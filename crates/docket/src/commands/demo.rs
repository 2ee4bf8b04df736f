//! `docket demo`: the whole mission on the embedded database with the sample city — no
//! services needed (the use case is `docket_app::demo`).

use clap::Args;
use docket_app::App;

use crate::error::CliResult;
use crate::i18n::{Lang, catalog};
use crate::tr;

/// `demo` takes no options.
#[derive(Debug, Args)]
pub struct DemoArgs {}

/// Runs the demo, printing each section as it is done.
///
/// # Errors
/// Bad input if the sample library is missing; failure if the database fails.
pub async fn run(app: &App, database_url: &str, lang: Lang) -> CliResult {
    eprintln!(
        "{}",
        tr!(
            lang,
            "docket demo：数据库 {}",
            "docket demo: database {}",
            display_url(database_url)
        )
    );
    // The demo writes its sections in Chinese with some English lines (the import counts):
    // those go through the catalogue in Chinese.
    docket_app::demo::run_demo(app, &mut |s| match lang {
        Lang::Zh => println!("{}", catalog::to_zh(s)),
        Lang::En => println!("{s}"),
    })
    .await?;
    Ok(())
}

fn display_url(url: &str) -> String {
    // Never print a password that a postgres:// URL may carry.
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}
