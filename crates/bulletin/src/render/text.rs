//! The plain-text bulletin (the text part of the email).

use std::fmt::Write as _;

use docket_domain::config::Language;

use super::{Kind, issue_groups, label};
use crate::formula::{fmt_ahead, fmt_growth, fmt_percent, fmt_percent_opt, fmt_points, fmt_wan};
use crate::model::{Bulletin, Fig};

fn fig_line(o: &mut String, name: &str, f: &Fig, lang: Language) {
    let _ = match lang {
        Language::Zh => writeln!(
            o,
            "  {name}：{}个项目，计划{}万元，完成{}万元，完成率{}，序时进度{}，{}，占比{}，同比{}",
            f.projects,
            fmt_wan(f.annual_plan_wan),
            fmt_wan(f.ytd_completed_wan),
            fmt_percent(f.completion_rate),
            fmt_percent(f.target),
            fmt_ahead(f.ahead_points, lang),
            fmt_percent(f.share),
            fmt_growth(f.yoy_growth)
        ),
        Language::En => writeln!(
            o,
            "  {name}: {} projects, plan {}, completed {} (10k yuan), {} done, target {}, {} points, share {}, YoY {}",
            f.projects,
            fmt_wan(f.annual_plan_wan),
            fmt_wan(f.ytd_completed_wan),
            fmt_percent(f.completion_rate),
            fmt_percent(f.target),
            fmt_points(f.ahead_points),
            fmt_percent(f.share),
            fmt_growth(f.yoy_growth)
        ),
    };
}

/// The whole plain-text bulletin.
pub fn render(b: &Bulletin) -> String {
    let lang = b.meta.language;
    let zh = lang == Language::Zh;
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let mut o = String::new();
    let _ = writeln!(o, "{}", super::title(b));
    let _ = writeln!(o, "{}　{}", super::issue_line(b), super::ytd_label(b));
    let _ = writeln!(o, "{}　{}", b.meta.office, super::cutoff_line(b));
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t("一、总体情况", "1. Overview"));
    for h in super::headlines(b) {
        let _ = writeln!(o, "  {h}");
    }
    let _ = writeln!(
        o,
        "  {}{}",
        t("序时进度：", "Schedule target: "),
        fmt_percent(b.schedule_target)
    );
    for (name, f) in super::summary_rows(b) {
        fig_line(&mut o, name.trim(), f, lang);
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t("二、分类别完成情况", "2. By category"));
    for (k, f) in &b.investment.by_category {
        fig_line(&mut o, &label(b, Kind::Category, k), f, lang);
    }
    let _ = writeln!(o, "{}", t("　　分区县完成情况", "   By district"));
    for (k, f) in &b.investment.by_district {
        fig_line(&mut o, &label(b, Kind::District, k), f, lang);
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t("三、滞后项目", "3. Lagging projects"));
    if b.lagging.is_empty() {
        let _ = writeln!(o, "  {}", t("本期无滞后项目。", "No project is lagging."));
    }
    for (i, l) in b.lagging.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {}. [{}] {} {}{}，{}：{}，{}：{}，{}{}，{}",
            i + 1,
            l.light.label(lang),
            l.code,
            l.name,
            if l.not_reported {
                t("（本月未报）", " (not reported)")
            } else {
                ""
            },
            t("建设单位", "owner"),
            l.owner_unit,
            t("责任领导", "responsible"),
            l.responsible_official_name.as_deref().unwrap_or("—"),
            t("完成率", "completion "),
            fmt_percent(l.completion_rate),
            fmt_ahead(l.ahead_points, lang)
        );
    }
    if !b.not_reported.is_empty() {
        let _ = writeln!(
            o,
            "  {}{}",
            t(
                "本月未报送投资数据（沿用此前数据）：",
                "No figure this month (earlier figure used): "
            ),
            b.not_reported.join(t("、", ", "))
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        t("四、开工和前期工作", "4. Starts and pre-construction")
    );
    let _ = writeln!(o, "  {}", super::start_sentence(b));
    for s in &b.starts.lights {
        let _ = writeln!(
            o,
            "  [{}] {} {}，{}{}，{}{}",
            s.light.label(lang),
            s.code,
            s.name,
            t("计划开工", "planned start "),
            s.planned_date,
            t("未开工月数", "months missed "),
            s.months_missed
        );
    }
    let own = super::own_period_label(b);
    let ytd = super::ytd_label(b);
    for (code, m) in &b.milestones {
        let _ = writeln!(
            o,
            "  {}：{own} {}，{ytd} {}",
            label(b, Kind::Milestone, code),
            m.month,
            m.ytd
        );
    }
    let _ = writeln!(o, "  {}", super::applications::land_sentence(b));
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", t("五、问题办理", "5. Issues"));
    for (name, f) in issue_groups(b, true) {
        let _ = writeln!(
            o,
            "  {name}：{} {}，{} {}，{} {}，{} {}，{} {}，{} {}",
            t("收集", "raised"),
            f.raised,
            t("办结", "resolved"),
            f.resolved,
            t("销号", "closed"),
            f.closed,
            t("销号率", "close rate"),
            fmt_percent_opt(f.close_rate),
            t("逾期", "overdue"),
            f.overdue,
            t("办结用时中位数（工作日）", "median days to resolve"),
            f.median_days_to_resolve
                .map_or("—".into(), |d| format!("{d:.1}"))
        );
    }
    if !b.indicators.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", t("六、全市投资指标", "6. City indicators"));
        for (code, f) in &b.indicators {
            let _ = writeln!(
                o,
                "  {}：{}万元，{}{}，{}{}",
                label(b, Kind::Indicator, code),
                fmt_wan(f.ytd_wan),
                t("同比", "YoY "),
                fmt_growth(f.yoy_growth),
                t("占比", "share "),
                fmt_percent_opt(f.share)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", super::applications::heading(b));
    let _ = writeln!(o, "  {}", super::applications::sentence(b));
    let heads = super::applications::headers(lang);
    for (name, f) in super::applications::rows(b) {
        let cells = super::applications::cells(f);
        let parts: Vec<String> = heads[1..]
            .iter()
            .zip(cells.iter())
            .map(|(h, c)| format!("{h} {c}"))
            .collect();
        let _ = writeln!(o, "  {name}：{}", parts.join(t("，", ", ")));
    }
    o
}
