//! The demo's library: the sample files imported, then counted by level and stage.

use std::collections::BTreeMap;

use docket_domain::Total;
use docket_domain::project::{Level, Stage};

use crate::actor::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use crate::imports::{ImportKind, import_file, import_summary};

/// Imports `config/sample/`'s five files as the office.
pub(super) async fn import_sample(app: &App, print: &mut dyn FnMut(&str)) -> AppResult {
    let dir = app.config.dir().join("sample");
    if !dir.join("projects.csv").is_file() {
        return Err(AppError::bad_input(format!(
            "the sample library is missing: {}",
            dir.display()
        )));
    }
    let office = Actor::office();
    for (kind, file, label) in [
        (ImportKind::Projects, "projects.xlsx", "项目库"),
        (ImportKind::Progress, "progress.csv", "月度进度"),
        (ImportKind::Milestones, "milestones.csv", "前期节点"),
        (ImportKind::Indicators, "indicators.csv", "全市指标"),
        (
            ImportKind::Applications,
            "applications.xlsx",
            "争取上级资金和政策",
        ),
    ] {
        let r = import_file(app, &office, kind, &dir.join(file), false, |_, _| {}).await?;
        print(&format!("{label} {file}: {}", import_summary(&r)));
    }
    Ok(())
}

/// The library by level and stage, with annual plans.
pub(super) async fn summary(app: &App) -> AppResult<String> {
    let list = docket_store::library::list_projects(&app.db.conn, None).await?;
    let mut by: BTreeMap<(String, String), (usize, Total)> = BTreeMap::new();
    for p in &list {
        let e = by.entry((p.level.clone(), p.stage.clone())).or_default();
        e.0 += 1;
        e.1 += Total::from(p.annual_plan);
    }
    let mut s = String::from("\n== 项目库 Project library ==\n");
    s.push_str(&format!(
        "{:<8} {:<6} {:>6} {:>16}\n",
        "级别", "阶段", "项目数", "年度计划(万元)"
    ));
    for ((level, stage), (n, plan)) in &by {
        let level = Level::parse(level)
            .ok()
            .map_or(level.as_str(), |l| l.label_zh());
        let stage = Stage::parse(stage)
            .ok()
            .map_or(stage.as_str(), |l| l.label_zh());
        s.push_str(&format!(
            "{level:<8} {stage:<6} {n:>6} {:>16}\n",
            plan.to_string()
        ));
    }
    let total: Total = list.iter().map(|p| p.annual_plan).sum();
    let bonds = list.iter().filter(|p| p.special_bond).count();
    s.push_str(&format!(
        "合计 {} 个项目，年度计划投资 {} 万元，其中专项债项目 {} 个",
        list.len(),
        total,
        bonds
    ));
    Ok(s)
}
