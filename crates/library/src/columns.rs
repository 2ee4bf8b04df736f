//! The contract's columns with their English and Chinese headers, and matching a file's
//! header row to them.

use std::collections::HashMap;

use crate::RowError;

/// A column of a contract file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The English header (the contract's name).
    pub key: &'static str,
    /// The Chinese header.
    pub zh: &'static str,
    /// Whether the column must be present.
    pub required: bool,
}

const fn col(key: &'static str, zh: &'static str, required: bool) -> Column {
    Column { key, zh, required }
}

/// Project file columns (the monthly plan columns are added by [`project_columns`]).
const PROJECT_BASE: &[Column] = &[
    col("code", "项目编号", true),
    col("name", "项目名称", true),
    col("level", "项目级别", true),
    col("stage", "建设阶段", true),
    col("category", "项目类别", true),
    col("plan_year", "计划年度", true),
    col("total_investment_wan", "总投资（万元）", true),
    col("annual_plan_wan", "年度计划投资（万元）", true),
    col("owner_unit", "建设单位", true),
    col("district", "所属区县", false),
    col("responsible_official", "责任领导", false),
    col("contact_email", "联系人邮箱", false),
    col("special_bond", "专项债", false),
    col("national_code", "项目代码", false),
    col("tags", "标签", false),
];

/// The keys of the twelve monthly plan columns, January first.
pub(crate) const MONTH_KEYS: [&str; 12] = [
    "plan_m01_wan",
    "plan_m02_wan",
    "plan_m03_wan",
    "plan_m04_wan",
    "plan_m05_wan",
    "plan_m06_wan",
    "plan_m07_wan",
    "plan_m08_wan",
    "plan_m09_wan",
    "plan_m10_wan",
    "plan_m11_wan",
    "plan_m12_wan",
];
const MONTH_ZH: [&str; 12] = [
    "1月计划（万元）",
    "2月计划（万元）",
    "3月计划（万元）",
    "4月计划（万元）",
    "5月计划（万元）",
    "6月计划（万元）",
    "7月计划（万元）",
    "8月计划（万元）",
    "9月计划（万元）",
    "10月计划（万元）",
    "11月计划（万元）",
    "12月计划（万元）",
];

/// Every column of a project file.
pub fn project_columns() -> Vec<Column> {
    let mut v = PROJECT_BASE.to_vec();
    v.extend((0..12).map(|i| col(MONTH_KEYS[i], MONTH_ZH[i], false)));
    v
}

/// Progress file columns.
pub const PROGRESS: &[Column] = &[
    col("code", "项目编号", true),
    col("month", "月份", true),
    col("ytd_completed_wan", "累计完成投资（万元）", true),
    col("prior_ytd_completed_wan", "上年同期累计（万元）", false),
];

/// Milestone file columns.
pub const MILESTONES: &[Column] = &[
    col("code", "项目编号", true),
    col("milestone", "节点", true),
    col("planned_date", "计划时间", false),
    col("actual_date", "完成时间", false),
];

/// Indicator file columns.
pub const INDICATORS: &[Column] = &[
    col("month", "月份", true),
    col("indicator", "指标", true),
    col("ytd_wan", "累计（万元）", true),
    col("prior_ytd_wan", "上年同期累计（万元）", false),
];

/// Applications file columns (争取上级资金和政策).
pub const APPLICATIONS: &[Column] = &[
    col("ref", "申报编号", false),
    col("title", "申报事项", true),
    col("code", "项目编号", false),
    col("category", "资金类别", true),
    col("unit", "申报单位", true),
    col("applied_wan", "申报金额（万元）", false),
    col("approved_wan", "批复金额（万元）", false),
    col("received_wan", "到位金额（万元）", false),
    col("state", "状态", true),
    col("date", "日期", true),
];

/// Weekly report (周报) batch file columns.
pub const REPORTS: &[Column] = &[
    col("code", "项目编号", true),
    col("week", "周次", false),
    col("week_amount_wan", "本周完成投资（万元）", false),
    col("ytd_completed_wan", "累计完成投资（万元）", false),
    col("progress", "形象进度", false),
    col("milestones", "完成节点", false),
    col("problems", "存在问题", false),
    col("next_week_plan", "下周计划", false),
    col("contact", "联系人", false),
    col("no_change", "本期无变化", false),
];

/// Normalises a header for matching: trimmed, lower-case, full-width brackets and blanks
/// folded, so `总投资(万元)` matches `总投资（万元）`.
fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Where each known column sits in a file, and its header as written.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    positions: HashMap<&'static str, (usize, String)>,
}

impl HeaderMap {
    /// Matches `headers` against `columns`; unknown headers are ignored.
    ///
    /// # Errors
    /// One [`RowError`] on row 1 for each required column missing, and for a column given twice.
    pub fn new(
        file: &str,
        headers: &[String],
        columns: &[Column],
    ) -> Result<HeaderMap, Vec<RowError>> {
        let mut positions = HashMap::new();
        let mut errors = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let n = normalise(h);
            if n.is_empty() {
                continue;
            }
            if let Some(c) = columns
                .iter()
                .find(|c| normalise(c.key) == n || normalise(c.zh) == n)
                && positions.insert(c.key, (i, h.clone())).is_some()
            {
                errors.push(RowError {
                    file: file.into(),
                    row: 1,
                    column: h.clone(),
                    value: h.clone(),
                    reason: format!("column {} appears twice", c.key),
                });
            }
        }
        for c in columns
            .iter()
            .filter(|c| c.required && !positions.contains_key(c.key))
        {
            errors.push(RowError {
                file: file.into(),
                row: 1,
                column: c.key.into(),
                value: String::new(),
                reason: format!("required column missing (header {} or {})", c.key, c.zh),
            });
        }
        if errors.is_empty() {
            Ok(HeaderMap { positions })
        } else {
            Err(errors)
        }
    }

    /// The cell of column `key` in `cells` ("" when absent), and the header to name it by.
    pub fn get<'a>(&'a self, cells: &'a [String], key: &'static str) -> (&'a str, &'a str) {
        match self.positions.get(key) {
            Some((i, header)) => (
                cells.get(*i).map(String::as_str).unwrap_or(""),
                header.as_str(),
            ),
            None => ("", key),
        }
    }
}
