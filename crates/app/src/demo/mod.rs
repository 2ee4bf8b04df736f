//! `docket demo`: the whole mission on the sample city — the library imported, issues raised
//! and chased, September 2024's weekly cycles with their reports, the bulletin in every
//! format, the emails delivered. Safe to run again: imports are upserts, issues and emails
//! de-duplicate.

mod issues;
mod library;
mod weeks;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use docket_bulletin::Format;
use docket_domain::clock::ManualClock;
use docket_notifier::TransportSpec;
use docket_store::outbox::{self, State};

use crate::bulletins::{bulletin_model, parse_month};
use crate::context::App;
use crate::error::{AppError, AppResult};

/// Runs the demo, handing each section's text to `print` as it is done.
///
/// # Errors
/// Bad input if the sample library is missing; unexpected if the database fails.
pub async fn run_demo(app: &App, print: &mut dyn FnMut(&str)) -> AppResult {
    app.sync_reference().await?;
    library::import_sample(app, print).await?;
    print(&library::summary(app).await?);
    // The sample month is September 2024: issues are raised and chased on its clock, so
    // that the weekly sheets and the bulletin count them.
    let at = chrono::DateTime::parse_from_rfc3339("2024-09-25T10:00:00+08:00")
        .map_err(|e| AppError::unexpected("the demo's clock", e))?
        .with_timezone(&chrono::Utc);
    let september = app.on_clock(Arc::new(ManualClock::new(at)));
    print(&issues::run(&september).await?);
    weeks::run(app, print).await?;
    print(&bulletin(app).await?);
    print(&supervision(app).await?);
    print(&mail(app).await?);
    Ok(())
}

/// The 督办/考核 record of the sample month, as the office hands it to 考核 (XLSX).
async fn supervision(app: &App) -> AppResult<String> {
    let office = app.actor(None)?;
    let r = crate::supervision::supervision_record(app, &office, "2024-09", "2024-09").await?;
    let bytes = crate::supervision::export_supervision(
        app,
        &office,
        "2024-09",
        "2024-09",
        crate::supervision::ExportFormat::Xlsx,
    )
    .await?;
    let path = PathBuf::from("out").join("supervision-2024-09.xlsx");
    write_file(&path, &bytes)?;
    Ok(format!(
        "督办考核记录 2024年9月：{} 个责任单位、{} 个工作专班、{} 条办理记录 → {}",
        r.units.len(),
        r.task_forces.len(),
        r.events.len(),
        path.display()
    ))
}

async fn bulletin(app: &App) -> AppResult<String> {
    let month = parse_month("2024-09")?;
    let b = bulletin_model(app, month).await?;
    let dir = PathBuf::from("out");
    let mut files = Vec::new();
    for format in [
        Format::Json,
        Format::Html,
        Format::Text,
        Format::Xlsx,
        Format::Docx,
        Format::Pdf,
    ] {
        let path = dir.join(format!("bulletin-{month}.{}", format.extension()));
        let bytes = match format.render(&b) {
            Ok(bytes) => bytes,
            // The demo runs anywhere: without a CJK font it skips the PDF, saying why.
            Err(e @ docket_bulletin::BulletinError::NoFont { .. }) => {
                tracing::warn!("demo: no PDF bulletin: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        write_file(&path, &bytes)?;
        files.push(path.display().to_string());
    }
    let mut lines = vec![format!(
        "月通报 {} {}：{}",
        docket_bulletin::render::issue_line(&b),
        docket_bulletin::render::ytd_label(&b),
        files.join(", ")
    )];
    lines.extend(
        docket_bulletin::render::headlines(&b)
            .into_iter()
            .map(|h| format!("  {h}")),
    );
    lines.push(format!(
        "  滞后项目{}个（红灯{}个），本月未报{}个；开工率{}；问题销号率{}",
        b.lagging.len(),
        b.lagging
            .iter()
            .filter(|l| l.light == docket_bulletin::formula::Light::Red)
            .count(),
        b.not_reported.len(),
        docket_bulletin::formula::fmt_percent_opt(b.starts.rate),
        docket_bulletin::formula::fmt_percent_opt(b.issues.all.close_rate),
    ));
    lines.push(format!(
        "  {}",
        docket_bulletin::render::applications::land_sentence(&b)
    ));
    lines.push(format!(
        "  {}",
        docket_bulletin::render::applications::sentence(&b)
    ));
    Ok(lines.join("\n"))
}

async fn mail(app: &App) -> AppResult<String> {
    let d = app.dispatcher()?;
    let r = d.flush_all().await?;
    let held = outbox::list(&app.db.conn, Some(State::Pending), 100_000)
        .await?
        .len();
    let whereto = match d.transport() {
        TransportSpec::Eml(dir) => format!(".eml files in {}", dir.display()),
        TransportSpec::Smtp(t) => format!("SMTP server {}:{}", t.host, t.port),
    };
    let mut s = format!(
        "\n== 邮件 Email ==\n发送 {} 封，失败 {} 封 → {whereto}",
        r.sent,
        r.failed()
    );
    if held > 0 {
        s.push_str(&format!("\n{held} 封待发（含等待每日/每周汇总的事项）"));
    }
    Ok(s)
}

/// Writes `bytes` to `path`, creating its folder.
///
/// # Errors
/// Unexpected naming the file.
pub fn write_file(path: &Path, bytes: &[u8]) -> AppResult {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::unexpected(format!("cannot create {}", dir.display()), e))?;
    }
    std::fs::write(path, bytes)
        .map_err(|e| AppError::unexpected(format!("cannot write {}", path.display()), e))
}
