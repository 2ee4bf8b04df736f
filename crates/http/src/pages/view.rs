//! Words and dates for people: every code a page shows goes through here, so no state,
//! category, flag or id reaches a page as stored.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use docket_domain::issue::{IssueCategory, IssueState, Severity};
use docket_domain::period::{IsoWeek, Month};
use docket_workflow::limits::Flag;

use crate::state::HttpState;

/// 已交办, 已签收, …
pub(crate) fn state(code: &str) -> &'static str {
    IssueState::parse(code).map_or("—", IssueState::label_zh)
}

/// 用地, 资金, …
pub(crate) fn category(code: &str) -> &'static str {
    IssueCategory::parse(code).map_or("其他", IssueCategory::label_zh)
}

/// 一般, 较大, 重大.
pub(crate) fn severity(code: &str) -> &'static str {
    Severity::parse(code).map_or("一般", Severity::label_zh)
}

/// The supervision flag as a coloured order (督办): blue near the limit, yellow behind,
/// red long overdue; empty for none.
pub(crate) fn flag(f: Flag) -> &'static str {
    match f {
        Flag::None => "",
        Flag::Blue => "蓝色督办（临期）",
        Flag::Yellow => "黄色督办（逾期）",
        Flag::Red => "红色督办（严重逾期）",
    }
}

/// The CSS class of a flag.
pub(crate) fn flag_class(f: Flag) -> &'static str {
    match f {
        Flag::None => "",
        Flag::Blue => "flag-blue",
        Flag::Yellow => "flag-yellow",
        Flag::Red => "flag-red",
    }
}

/// The button word of an action code (签收, 办结, …).
pub(crate) fn action(code: &str) -> &'static str {
    docket_domain::issue::action_label_zh(code)
}

/// A person's name from an official id (`office`, `system` and unknown ids in words).
pub(crate) fn who(s: &HttpState, id: &str) -> String {
    match id {
        "office" => "协调办".into(),
        "system" => "系统".into(),
        _ => s
            .app
            .config
            .core
            .official(id)
            .map(|o| {
                if o.title.is_empty() {
                    o.name.clone()
                } else {
                    format!("{}（{}）", o.name, o.title)
                }
            })
            .unwrap_or_else(|| "其他人员".into()),
    }
}

/// A task force's name; none is the office.
pub(crate) fn task_force(s: &HttpState, id: Option<&str>) -> String {
    match id {
        None => "协调办".into(),
        Some(id) => s
            .app
            .config
            .core
            .task_force(id)
            .map_or_else(|| "其他专班".into(), |t| t.name.clone()),
    }
}

/// A project field an import changed, in words (`annual_plan_wan[2024]` → `2024年度计划投资`),
/// and its value in words where it is a code.
pub(crate) fn change(field: &str, value: Option<&str>) -> (String, String) {
    docket_app::projects::field_change(field, value)
}

/// A period as people say it: a week `2026年第52周（12月21日—12月27日）`, a month
/// `2026年11月` (the text itself when it is neither).
pub(crate) fn period(code: &str) -> String {
    if let Ok(w) = IsoWeek::parse(code) {
        return week_span_label(w);
    }
    match Month::parse(code) {
        Ok(m) => format!("{}年{}月", m.year(), m.month()),
        Err(_) => code.to_string(),
    }
}

/// `2026年12月9日`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// "2024年第39周".
pub(crate) fn week_label(week: IsoWeek) -> String {
    format!("{}年第{}周", week.year(), week.week())
}

/// "2024年第39周（9月23日—9月29日）"; a week across the new year gives both dates' years.
pub(crate) fn week_span_label(w: IsoWeek) -> String {
    let (mon, sun) = (w.monday(), w.day(Weekday::Sun));
    let (from, to) = if mon.year() == sun.year() {
        (
            mon.format("%-m月%-d日").to_string(),
            sun.format("%-m月%-d日").to_string(),
        )
    } else {
        (date(mon), date(sun))
    };
    format!("{}（{from}—{to}）", week_label(w))
}

/// A UTC instant as `2026-12-09 17:00` in the office's time zone.
pub(crate) fn time(s: &HttpState, t: DateTime<Utc>) -> String {
    t.with_timezone(&s.app.workflow.settings.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An RFC 3339 instant (as the history records it) in the office's time zone.
pub(crate) fn time_text(s: &HttpState, rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| time(s, t.with_timezone(&Utc)))
        .unwrap_or_default()
}

/// "还剩3个工作日" / "今日到期" / "已逾期2个工作日".
pub(crate) fn days_left(left: Option<u32>, overdue: Option<u32>) -> String {
    match (left, overdue) {
        (_, Some(d)) => format!("已逾期{d}个工作日"),
        (Some(0), _) => "今日到期".into(),
        (Some(d), _) => format!("还剩{d}个工作日"),
        _ => String::new(),
    }
}

/// An amount in 万元 with thousands separators (`1,234.5`).
pub(crate) fn wan(yuan: i64) -> String {
    group_thousands(&docket_domain::amount::Amount::from_yuan(yuan).to_string())
}

/// `1234567.5` → `1,234,567.5` (the sign and decimals kept).
fn group_thousands(text: &str) -> String {
    let (sign, rest) = text.strip_prefix('-').map_or(("", text), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_and_decimals_kept() {
        assert_eq!(group_thousands("1234567.5"), "1,234,567.5");
        assert_eq!(group_thousands("-1000"), "-1,000");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(wan(125_000), "12.5");
    }

    #[test]
    fn periods_read_as_dates() {
        assert_eq!(period("2026-W52"), "2026年第52周（12月21日—12月27日）");
        assert_eq!(
            period("2026-W01"),
            "2026年第1周（2025年12月29日—2026年1月4日）"
        );
        assert_eq!(period("2026-11"), "2026年11月");
        assert_eq!(period("x"), "x");
    }

    #[test]
    fn days_left_reads_as_words() {
        assert_eq!(days_left(Some(3), None), "还剩3个工作日");
        assert_eq!(days_left(Some(0), None), "今日到期");
        assert_eq!(days_left(None, Some(2)), "已逾期2个工作日");
    }
}
