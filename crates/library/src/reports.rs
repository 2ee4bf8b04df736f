//! Weekly-report (周报/调度表) batch files: the same CSV/XLSX/GB18030 reading, header
//! aliases and `FILE:ROW: COLUMN: VALUE: reason` errors as the library's other files, into
//! [`ReportInput`]s that `docket-scheduler` records. Unknown project codes are checked when
//! recording, not here (the reader needs no database).

use std::path::Path;

use docket_domain::Amount;
use docket_domain::config::TextLimits;
use docket_domain::cycle::ReportInput;
use docket_domain::period::IsoWeek;
use docket_domain::project::parse_bool;

use crate::columns;
use crate::rows::{limited, parse_rows};
use crate::{ImportError, Table, read_table};

/// Reads a batch of reports from a CSV (UTF-8 with or without BOM, or GB18030) or the first
/// sheet of an XLSX file, with English or Chinese headers (`节点` is accepted for
/// `完成节点`). `default_week` fills an absent or empty week column. Single-line cells
/// (code, contact) lose line breaks and control characters, free text keeps its lines;
/// either longer than `limits` allow is a bad cell.
///
/// # Errors
/// [`ImportError::File`] if the file cannot be read; [`ImportError::BadRows`] listing every
/// bad cell (the header is row 1).
pub fn read_batch(
    path: &Path,
    default_week: Option<IsoWeek>,
    limits: &TextLimits,
) -> Result<Vec<ReportInput>, ImportError> {
    let mut table = read_table(path)?;
    for h in &mut table.headers {
        if h.trim() == "节点" {
            *h = "完成节点".into();
        }
    }
    report_rows(&table, default_week, limits).map_err(ImportError::BadRows)
}

/// Parses every row of a weekly-report table.
///
/// # Errors
/// Every bad row's errors.
pub fn report_rows(
    table: &Table,
    default_week: Option<IsoWeek>,
    limits: &TextLimits,
) -> Result<Vec<ReportInput>, Vec<crate::RowError>> {
    parse_rows(table, columns::REPORTS, |r| {
        let code = r.parse_req("code", limited(limits.code_max_chars));
        let week = match r.opt("week") {
            Some(w) => r.check("week", IsoWeek::parse(&w)),
            None => {
                if default_week.is_none() {
                    r.bad("week", "required (or give --week)");
                }
                default_week
            }
        };
        let week_amount = r.parse_opt("week_amount_wan", Amount::parse_wan);
        let ytd_completed = r.parse_opt("ytd_completed_wan", Amount::parse_wan);
        let no_change = r.parse_opt("no_change", parse_bool);
        let mut text = |key| match r.opt_multi(key) {
            None => Some(String::new()),
            Some(v) => r.check(key, limited(limits.text_max_chars)(&v)),
        };
        let (progress, milestones, problems, next_week_plan) = (
            text("progress"),
            text("milestones"),
            text("problems"),
            text("next_week_plan"),
        );
        let contact = r
            .parse_opt("contact", limited(limits.name_max_chars))
            .map(Option::unwrap_or_default);
        Some(ReportInput {
            progress: progress?,
            milestones: milestones?,
            problems: problems?,
            next_week_plan: next_week_plan?,
            contact: contact?,
            code: code?,
            week: week?,
            week_amount: week_amount?,
            ytd_completed: ytd_completed?,
            no_change: no_change?.unwrap_or(false),
        })
    })
}
