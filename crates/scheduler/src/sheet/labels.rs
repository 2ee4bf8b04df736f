//! What every form of the sheet shares: the dated title, 万元 figures with thousands
//! separators, Chinese labels for codes, 累计 with its source, and the issues grouped by
//! task force.

use chrono::{Datelike, NaiveDate, Weekday};
use docket_domain::config::CoreConfig;
use docket_domain::cycle::SlotStatus;
use docket_domain::issue::{IssueCategory, IssueState};
use docket_domain::period::IsoWeek;
use docket_domain::{Amount, Total};
use docket_store::cycles::{IssueLine, SheetData, SheetRow};

/// The sheet's title with the week's dates, e.g.
/// `2024年第39周（9月23日—9月29日）重点项目周调度单` (the week code itself when it does not
/// parse, which a stored cycle never has).
pub fn title(week: &str) -> String {
    match IsoWeek::parse(week) {
        Ok(w) => format!(
            "{}年第{}周（{}）重点项目周调度单",
            w.year(),
            w.week(),
            week_dates(w)
        ),
        Err(_) => format!("{week} 重点项目周调度单"),
    }
}

/// A week as people say it: `2024年第39周`.
pub(crate) fn week_label(week: &str) -> String {
    match IsoWeek::parse(week) {
        Ok(w) => format!("{}年第{}周", w.year(), w.week()),
        Err(_) => week.to_string(),
    }
}

/// Monday to Sunday of `w`, e.g. `9月23日—9月29日` (with the year on the Sunday when the
/// week straddles New Year).
pub(crate) fn week_dates(w: IsoWeek) -> String {
    let (mon, sun) = (w.monday(), w.day(Weekday::Sun));
    if mon.year() == sun.year() {
        format!("{}—{}", month_day(mon), month_day(sun))
    } else {
        format!("{}—{}", date_zh(mon), date_zh(sun))
    }
}

fn month_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// A date as people write it: `2024年10月9日`.
pub(crate) fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Groups the integer digits of a decimal text in threes: `1234567.5` → `1,234,567.5`.
fn group_thousands(t: &str) -> String {
    let (sign, t) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t),
    };
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let mut out = String::with_capacity(t.len() + int.len() / 3 + 1);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A 万元 figure with thousands separators and the decimals it needs: `20,000,000,000`.
pub fn grouped_wan(total: Total) -> String {
    group_thousands(&total.to_string())
}

/// A stored amount (yuan) as grouped 万元, "—" when absent.
pub(crate) fn wan_cell(yuan: Option<i64>) -> String {
    yuan.map(|y| group_thousands(&Amount::from_yuan(y).to_string()))
        .unwrap_or_else(|| "—".into())
}

/// A line's 累计 (yuan) and, when it comes from monthly progress rather than the report,
/// the month of that figure (1–12).
pub(crate) fn ytd(r: &SheetRow) -> Option<(i64, Option<u32>)> {
    match (r.ytd_completed, r.progress_ytd) {
        (Some(y), _) => Some((y, None)),
        (None, Some(y)) => Some((y, r.progress_month.map(|m| (m % 100) as u32))),
        (None, None) => None,
    }
}

/// Where a 累计 from monthly progress comes from: `截至8月`.
pub(crate) fn ytd_source(month: Option<u32>) -> String {
    match month {
        Some(m) => format!("截至{m}月"),
        None => "月报".into(),
    }
}

/// Whether a line needs the reader's attention (迟报 or 未报).
pub(crate) fn flagged(st: SlotStatus) -> bool {
    !matches!(st, SlotStatus::Submitted)
}

/// The status as the sheet shows it: 已报送, 迟报, 未报送, 待报送.
pub(crate) fn status_label(st: SlotStatus) -> &'static str {
    st.label_zh()
}

/// The CSS class of a line: `late`, `missing` or none.
pub(crate) fn status_class(st: SlotStatus) -> &'static str {
    match st {
        SlotStatus::Late => "late",
        SlotStatus::Missing | SlotStatus::Due => "missing",
        SlotStatus::Submitted => "",
    }
}

/// The category's Chinese label (the code itself only if unknown).
pub(crate) fn category_label(code: &str) -> String {
    IssueCategory::parse(code)
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// The state's Chinese label (the code itself only if unknown).
pub(crate) fn state_label(code: &str) -> String {
    IssueState::parse(code)
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// Where issues not routed to a task force go.
pub(crate) const OFFICE_SECTION: &str = "协调办（未交专班）";

/// The task force's configured name, [`OFFICE_SECTION`] for none.
pub(crate) fn task_force_name(core: &CoreConfig, id: Option<&str>) -> String {
    match id {
        Some(t) => core
            .task_force(t)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| t.to_string()),
        None => OFFICE_SECTION.to_string(),
    }
}

/// One task force's issues of the week.
#[derive(Debug)]
pub(crate) struct Section<'a> {
    /// The task force's name.
    pub name: String,
    /// 新增, 办结, 逾期 — each with its heading.
    pub lists: [(&'static str, Vec<&'a IssueLine>); 3],
}

impl Section<'_> {
    /// How many issues the section lists.
    pub fn len(&self) -> usize {
        self.lists.iter().map(|(_, l)| l.len()).sum()
    }
}

/// The issues of the sheet grouped by task force, in the configuration's order, then
/// task forces no longer configured, then the office; sections without issues left out.
pub(crate) fn sections<'a>(core: &CoreConfig, s: &'a SheetData) -> Vec<Section<'a>> {
    let mut keys: Vec<Option<&str>> = core
        .task_forces
        .iter()
        .map(|t| Some(t.id.as_str()))
        .collect();
    let all = s
        .new_issues
        .iter()
        .chain(&s.resolved_issues)
        .chain(&s.overdue_issues);
    for i in all {
        let k = i.task_force.as_deref();
        if k.is_some() && !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.push(None);
    keys.into_iter()
        .map(|k| {
            let of = |list: &'a [IssueLine]| -> Vec<&'a IssueLine> {
                list.iter()
                    .filter(|i| i.task_force.as_deref() == k)
                    .collect()
            };
            Section {
                name: task_force_name(core, k),
                lists: [
                    ("新增问题", of(&s.new_issues)),
                    ("办结问题", of(&s.resolved_issues)),
                    ("逾期问题", of(&s.overdue_issues)),
                ],
            }
        })
        .filter(|sec| sec.len() > 0)
        .collect()
}

/// An issue as one line: `某某项目（SZ2024001）：用地指标未落实〔用地〕已交办，时限 2024年10月9日`.
pub(crate) fn issue_line(i: &IssueLine) -> String {
    format!(
        "{}（{}）：{}〔{}〕{}{}",
        i.project_name,
        i.project,
        i.title,
        category_label(&i.category),
        state_label(&i.state),
        i.due
            .map(|d| format!("，时限 {}", date_zh(d)))
            .unwrap_or_default()
    )
}

/// Chinese ordinal for section numbers: 一, 二, … 十, then digits.
pub(crate) fn ordinal_zh(n: usize) -> String {
    const D: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    D.get(n.wrapping_sub(1))
        .map(|s| s.to_string())
        .unwrap_or_else(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_carry_the_dates() {
        assert_eq!(
            title("2024-W39"),
            "2024年第39周（9月23日—9月29日）重点项目周调度单"
        );
        assert_eq!(
            title("2026-W01"),
            "2026年第1周（2025年12月29日—2026年1月4日）重点项目周调度单"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1234567.5"), "1,234,567.5");
        assert_eq!(group_thousands("123"), "123");
        assert_eq!(group_thousands("1234"), "1,234");
        assert_eq!(group_thousands("-1234.25"), "-1,234.25");
        assert_eq!(wan_cell(Some(1_234_567_890_000)), "123,456,789");
        assert_eq!(wan_cell(None), "—");
    }
}
