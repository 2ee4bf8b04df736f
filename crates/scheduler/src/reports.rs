//! Weekly reports (周报/调度表): one by command line, a batch from a CSV or XLSX file, or a
//! quick "本期无变化" (no change).
//!
//! The problems text is recorded with the report; raising each problem as a blocking issue is
//! the workflow's part, which the binary calls with the returned report ids.

use std::path::Path;

use chrono::{DateTime, Utc};
use docket_domain::Amount;
use docket_domain::period::IsoWeek;
use docket_store::cycles::{self, NewReport, Submitted};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

use crate::error::SchedulerError;

/// A report as entered (amounts in 万元).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    /// Project code.
    pub code: String,
    /// ISO week.
    pub week: IsoWeek,
    /// This week's completed investment.
    pub week_amount: Option<Amount>,
    /// Year-to-date completed investment.
    pub ytd_completed: Option<Amount>,
    /// Physical progress.
    pub progress: String,
    /// Milestones reached.
    pub milestones: String,
    /// Problems needing coordination.
    pub problems: String,
    /// Next week's plan.
    pub next_week_plan: String,
    /// Contact person.
    pub contact: String,
    /// 本期无变化.
    pub no_change: bool,
}

/// Records reports in one transaction; every unknown project code is reported (bad input,
/// nothing written).
///
/// # Errors
/// [`SchedulerError::BadRows`] listing every unknown code; [`SchedulerError::Store`].
pub async fn submit<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    inputs: &[ReportInput],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Submitted>, SchedulerError> {
    let ids = docket_store::library::project_ids(conn).await?;
    let mut bad = Vec::new();
    let mut rows = Vec::with_capacity(inputs.len());
    for (i, r) in inputs.iter().enumerate() {
        let Some(id) = ids.get(r.code.trim()) else {
            bad.push(format!(
                "report {}: code: {}: no project with this code",
                i + 1,
                r.code
            ));
            continue;
        };
        rows.push(NewReport {
            project_id: *id,
            week: r.week.to_string(),
            week_amount: r.week_amount.map(Amount::yuan),
            ytd_completed: r.ytd_completed.map(Amount::yuan),
            progress: r.progress.clone(),
            milestones: r.milestones.clone(),
            problems: r.problems.clone(),
            next_week_plan: r.next_week_plan.clone(),
            contact: r.contact.clone(),
            no_change: r.no_change,
            submitted_by: actor.to_string(),
        });
    }
    if !bad.is_empty() {
        return Err(SchedulerError::BadRows(bad));
    }
    // A savepoint when the caller already holds a transaction (report + its issues).
    let txn = conn.begin().await?;
    let out = cycles::submit_reports(&txn, &rows, now.timestamp_millis()).await?;
    txn.commit().await?;
    Ok(out)
}

const COLUMNS: &[(&str, &[&str])] = &[
    ("code", &["code", "项目编号"]),
    ("week", &["week", "周次"]),
    (
        "week_amount_wan",
        &[
            "week_amount_wan",
            "本周完成投资（万元）",
            "本周完成投资(万元)",
        ],
    ),
    (
        "ytd_completed_wan",
        &[
            "ytd_completed_wan",
            "累计完成投资（万元）",
            "累计完成投资(万元)",
        ],
    ),
    ("progress", &["progress", "形象进度"]),
    ("milestones", &["milestones", "节点", "完成节点"]),
    ("problems", &["problems", "存在问题"]),
    ("next_week_plan", &["next_week_plan", "下周计划"]),
    ("contact", &["contact", "联系人"]),
    ("no_change", &["no_change", "本期无变化"]),
];

/// Reads a batch of reports from a CSV (UTF-8 with or without BOM, or GB18030) or the first
/// sheet of an XLSX file. `default_week` fills an absent or empty week column.
///
/// # Errors
/// [`SchedulerError::BadRows`] with every bad cell as `FILE:ROW: COLUMN: VALUE: reason`
/// (the header is row 1); [`SchedulerError::BadInput`] if the file cannot be read.
pub fn read_batch(
    path: &Path,
    default_week: Option<IsoWeek>,
) -> Result<Vec<ReportInput>, SchedulerError> {
    let file = path.display().to_string();
    let grid = read_grid(path)?;
    let Some((header, body)) = grid.split_first() else {
        return Err(SchedulerError::BadInput(format!(
            "{file}: empty file (a header row is required)"
        )));
    };
    let col = |name: &str| {
        let names = COLUMNS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
            .unwrap_or(&[]);
        header.iter().position(|h| {
            names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(h.trim().trim_start_matches('\u{feff}')))
        })
    };
    let Some(code_col) = col("code") else {
        return Err(SchedulerError::BadInput(format!(
            "{file}:1: code: missing column (code / 项目编号)"
        )));
    };
    let mut bad = Vec::new();
    let mut out = Vec::new();
    for (i, row) in body.iter().enumerate() {
        let rn = i + 2;
        let cell = |name: &str| {
            col(name)
                .and_then(|c| row.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let code = row
            .get(code_col)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if code.is_empty() {
            bad.push(format!("{file}:{rn}: code: : required"));
        }
        let wk = cell("week");
        let week = if wk.is_empty() {
            match default_week {
                Some(w) => Some(w),
                None => {
                    bad.push(format!("{file}:{rn}: week: : required (or give --week)"));
                    None
                }
            }
        } else {
            match IsoWeek::parse(&wk) {
                Ok(w) => Some(w),
                Err(e) => {
                    bad.push(format!("{file}:{rn}: week: {wk}: {e}"));
                    None
                }
            }
        };
        let mut amount = |name: &str| {
            let v = cell(name);
            if v.is_empty() {
                return None;
            }
            match Amount::parse_wan(&v) {
                Ok(a) => Some(a),
                Err(e) => {
                    bad.push(format!("{file}:{rn}: {name}: {v}: {e}"));
                    None
                }
            }
        };
        let week_amount = amount("week_amount_wan");
        let ytd_completed = amount("ytd_completed_wan");
        let nc = cell("no_change");
        let no_change = match nc.to_lowercase().as_str() {
            "" | "false" | "否" | "0" | "no" => false,
            "true" | "是" | "1" | "yes" => true,
            _ => {
                bad.push(format!(
                    "{file}:{rn}: no_change: {nc}: expected true/false/是/否"
                ));
                false
            }
        };
        if let Some(week) = week {
            out.push(ReportInput {
                code,
                week,
                week_amount,
                ytd_completed,
                progress: cell("progress"),
                milestones: cell("milestones"),
                problems: cell("problems"),
                next_week_plan: cell("next_week_plan"),
                contact: cell("contact"),
                no_change,
            });
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(SchedulerError::BadRows(bad))
    }
}

fn read_grid(path: &Path) -> Result<Vec<Vec<String>>, SchedulerError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    if ext == "xlsx" {
        use calamine::{Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(path)
            .map_err(|e| SchedulerError::BadInput(format!("{file}: cannot read XLSX: {e}")))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or_else(|| SchedulerError::BadInput(format!("{file}: the workbook has no sheet")))?
            .map_err(|e| SchedulerError::BadInput(format!("{file}: {e}")))?;
        return Ok(range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect());
    }
    let bytes = std::fs::read(path)
        .map_err(|e| SchedulerError::BadInput(format!("{file}: cannot read: {e}")))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| SchedulerError::BadInput(format!("{file}:{}: {e}", i + 1)))?;
        out.push(rec.iter().map(str::to_string).collect());
    }
    Ok(out)
}
