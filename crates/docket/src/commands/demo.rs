//! `docket demo`: the whole mission on the embedded database with the sample city — no
//! services needed. Each part of Docket adds its section, so the demo always shows the
//! whole mission at work. Safe to run again: imports are upserts and emails are de-duplicated.

use std::collections::BTreeMap;

use clap::Args;
use docket_domain::Amount;

use crate::app::App;
use crate::cli::GlobalArgs;
use crate::error::{CliError, CliResult};
use crate::output;

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {}

/// Runs the demo.
pub async fn run(g: &GlobalArgs, _args: DemoArgs) -> CliResult {
    let app = App::start(&g.config, &g.database_url, g.as_official.clone()).await?;
    eprintln!("docket demo: database {}", display_url(&g.database_url));
    app.sync_reference().await?;
    import_sample(&app).await?;
    library_summary(&app).await?;
    // The sample month is September 2024: issues are raised and chased on its clock, so
    // that the weekly sheets and the bulletin count them.
    let september = App {
        clock: std::sync::Arc::new(docket_domain::clock::ManualClock::new(
            chrono::DateTime::parse_from_rfc3339("2024-09-25T10:00:00+08:00")
                .map_err(|e| CliError::Failed(e.into()))?
                .with_timezone(&chrono::Utc),
        )),
        ..app.clone()
    };
    super::issue::demo(&september).await?;
    super::cycle::demo(&app).await?;
    super::bulletin::demo(&app).await?;
    super::mail::demo(&app).await?;
    Ok(())
}

/// Imports the sample library shipped in `config/sample/`.
async fn import_sample(app: &App) -> CliResult {
    let dir = app.config.dir().join("sample");
    let file = |name: &str| dir.join(name);
    if !file("projects.csv").is_file() {
        return Err(CliError::bad_input(format!(
            "the sample library is missing: {}",
            dir.display()
        )));
    }
    let r = super::import::import_projects(app, &file("projects.xlsx"), false).await?;
    output::print(&format!(
        "项目库 projects.xlsx: {}",
        super::import::summary_line(&r)
    ))?;
    let opts = docket_library::ImportOptions {
        dry_run: false,
        actor: "office".into(),
        now_ms: docket_store::time::to_ms(app.clock.now()),
    };
    let classify = super::import::classify;
    let r = docket_library::import_progress(&app.db, &file("progress.csv"), &opts)
        .await
        .map_err(classify)?;
    output::print(&format!(
        "月度进度 progress.csv: {}",
        super::import::summary_line(&r)
    ))?;
    let r = docket_library::import_milestones(&app.db, &file("milestones.csv"), &opts)
        .await
        .map_err(classify)?;
    output::print(&format!(
        "前期节点 milestones.csv: {}",
        super::import::summary_line(&r)
    ))?;
    let r = docket_library::import_indicators(&app.db, &file("indicators.csv"), &opts)
        .await
        .map_err(classify)?;
    output::print(&format!(
        "全市指标 indicators.csv: {}",
        super::import::summary_line(&r)
    ))
}

/// Prints the library by level, stage and category.
async fn library_summary(app: &App) -> CliResult {
    let list = docket_store::library::list_projects(&app.db.conn, None).await?;
    let mut by: BTreeMap<(String, String), (usize, Amount)> = BTreeMap::new();
    for p in &list {
        let e = by.entry((p.level.clone(), p.stage.clone())).or_default();
        e.0 += 1;
        e.1 = e.1.saturating_add(p.annual_plan);
    }
    let label = |kind: &str, code: &str| -> String {
        use docket_domain::project::{Level, Stage};
        match kind {
            "level" => Level::parse(code)
                .map(|l| l.label_zh().to_string())
                .unwrap_or_else(|_| code.into()),
            _ => Stage::parse(code)
                .map(|s| s.label_zh().to_string())
                .unwrap_or_else(|_| code.into()),
        }
    };
    let mut s = String::from("\n== 项目库 Project library ==\n");
    s.push_str(&format!(
        "{:<8} {:<6} {:>6} {:>16}\n",
        "级别", "阶段", "项目数", "年度计划(万元)"
    ));
    for ((level, stage), (n, plan)) in &by {
        s.push_str(&format!(
            "{:<8} {:<6} {:>6} {:>16}\n",
            label("level", level),
            label("stage", stage),
            n,
            plan.to_string()
        ));
    }
    let total: Amount = list.iter().map(|p| p.annual_plan).sum();
    let bonds = list.iter().filter(|p| p.special_bond).count();
    s.push_str(&format!(
        "合计 {} 个项目，年度计划投资 {} 万元，其中专项债项目 {} 个",
        list.len(),
        total,
        bonds
    ));
    output::print(&s)
}

fn display_url(url: &str) -> String {
    // Never print a password that a postgres:// URL may carry.
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}
