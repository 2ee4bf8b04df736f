//! Validating rows into domain records, collecting every error.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use docket_domain::application::{parse_national_code, parse_tags};
use docket_domain::config::{CoreConfig, is_valid_email};
use docket_domain::period::Month;
use docket_domain::project::{Category, Indicator, Level, Milestone, Stage, parse_bool};
use docket_domain::text::{check_length, multi_line, single_line};
use docket_domain::{Amount, DomainError};
use docket_store::library::ProjectRecord;
use docket_store::progress::{IndicatorRecord, MilestoneRecord, ProgressRecord};
use uuid::Uuid;

use crate::columns::{self, Column, HeaderMap};
use crate::files::{Line, stream_table};
use crate::{ImportError, RowError, Table};

/// Reads the cells of one row, recording each bad one.
pub(crate) struct Row<'a> {
    pub(crate) file: &'a str,
    pub(crate) row: usize,
    pub(crate) cells: &'a [String],
    pub(crate) map: &'a HeaderMap,
    pub(crate) errors: &'a mut Vec<RowError>,
}

impl Row<'_> {
    pub(crate) fn bad(&mut self, key: &'static str, reason: impl Into<String>) {
        let (value, header) = self.map.get(self.cells, key);
        self.errors.push(RowError {
            file: self.file.into(),
            row: self.row,
            column: header.into(),
            value: shown_value(value),
            reason: reason.into(),
        });
    }

    /// The cell as a single-line value ([`single_line`]: no line breaks or control
    /// characters, blanks folded, trimmed), `None` if empty.
    pub(crate) fn opt(&self, key: &'static str) -> Option<String> {
        let (v, _) = self.map.get(self.cells, key);
        let v = single_line(v);
        (!v.is_empty()).then_some(v)
    }

    /// The cell as free text ([`multi_line`]), `None` if empty.
    pub(crate) fn opt_multi(&self, key: &'static str) -> Option<String> {
        let (v, _) = self.map.get(self.cells, key);
        let v = multi_line(v);
        (!v.is_empty()).then_some(v)
    }

    pub(crate) fn req(&mut self, key: &'static str) -> Option<String> {
        let v = self.opt(key);
        if v.is_none() {
            self.bad(key, "required");
        }
        v
    }

    pub(crate) fn parse_req<T>(
        &mut self,
        key: &'static str,
        f: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Option<T> {
        let v = self.req(key)?;
        self.check(key, f(&v))
    }

    pub(crate) fn parse_opt<T>(
        &mut self,
        key: &'static str,
        f: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Option<Option<T>> {
        match self.opt(key) {
            None => Some(None),
            Some(v) => self.check(key, f(&v)).map(Some),
        }
    }

    pub(crate) fn check<T>(&mut self, key: &'static str, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.bad(key, e.to_string());
                None
            }
        }
    }
}

/// A cell's value as an error shows it: a long value is cut (a 10 MB cell must not make a
/// 10 MB message), with its length said. Control characters are shown as blanks (an escape sequence must not reach a terminal).
fn shown_value(value: &str) -> String {
    const SHOWN: usize = 60;
    let value = &single_line(value);
    let n = value.chars().take(SHOWN + 1).count();
    if n <= SHOWN {
        value.to_string()
    } else {
        let head: String = value.chars().take(SHOWN).collect();
        format!("{head}…({} characters)", value.chars().count())
    }
}

/// A text value of at most `max` characters.
pub(crate) fn limited(max: usize) -> impl Fn(&str) -> Result<String, DomainError> {
    move |v: &str| check_length(v, max).map(|()| v.to_string())
}

/// Where rows come from: a table read whole, or a file read line by line.
pub enum Source<'a> {
    /// A table already in memory.
    Table(&'a Table),
    /// A `.csv` or `.xlsx` file, streamed: only the records are kept.
    File(&'a Path),
}

impl Source<'_> {
    fn file(&self) -> String {
        match self {
            Source::Table(t) => t.file.clone(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Feeds every line to `visit` (which returns false to stop).
    fn read(&self, mut visit: impl FnMut(Line<'_>) -> bool) -> Result<(), ImportError> {
        match self {
            Source::Table(t) => {
                if visit(Line::Header(&t.headers)) {
                    for (n, cells) in &t.rows {
                        if !visit(Line::Row(*n, cells)) {
                            break;
                        }
                    }
                }
                Ok(())
            }
            Source::File(p) => stream_table(p, visit),
        }
    }
}

/// Runs `parse` over every row of `source`, its headers matched against `columns`: keeps what
/// it returns for good rows and every error any row recorded.
///
/// # Errors
/// [`ImportError::File`] if the file cannot be read; [`ImportError::BadRows`] with the
/// header's errors (a required column missing, a column twice), or every bad row's.
pub(crate) fn parse_source<T>(
    source: &Source<'_>,
    columns: &[Column],
    mut parse: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Result<Vec<T>, ImportError> {
    let file = source.file();
    let mut map: Option<HeaderMap> = None;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    source.read(|line| match line {
        Line::Header(h) => match HeaderMap::new(&file, h, columns) {
            Ok(m) => {
                map = Some(m);
                true
            }
            Err(e) => {
                errors = e;
                false
            }
        },
        Line::Row(row, cells) => {
            let Some(map) = &map else { return false };
            let mut r = Row {
                file: &file,
                row,
                cells,
                map,
                errors: &mut errors,
            };
            if let Some(v) = parse(&mut r) {
                out.push(v);
            }
            true
        }
    })?;
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ImportError::BadRows(errors))
    }
}

/// As [`parse_source`] over a table in memory, with only row errors possible.
pub(crate) fn parse_rows<T>(
    table: &Table,
    columns: &[Column],
    parse: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Result<Vec<T>, Vec<RowError>> {
    parse_source(&Source::Table(table), columns, parse).map_err(|e| row_errors(table, e))
}

/// A table in memory can only have row errors; anything else is told as the header's.
fn row_errors(table: &Table, e: ImportError) -> Vec<RowError> {
    match e {
        ImportError::BadRows(e) => e,
        other => vec![RowError {
            file: table.file.clone(),
            row: 1,
            column: String::new(),
            value: String::new(),
            reason: other.to_string(),
        }],
    }
}

fn parse_year(s: &str) -> Result<i32, DomainError> {
    match s.trim().trim_end_matches('年').parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(DomainError::invalid("not a year between 2000 and 2100")),
    }
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, DomainError> {
    let t = s.trim().replace('/', "-");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .map_err(|_| DomainError::invalid("not a date YYYY-MM-DD"))
}

/// A month as `YYYY-MM`, or a date in it (Excel turns `2024-09` into a date).
fn parse_month(s: &str) -> Result<Month, DomainError> {
    let t = s.trim().replace('/', "-");
    if t.len() > 7 {
        return parse_date(&t).map(Month::containing);
    }
    Month::parse(&t)
}

/// Parses every row of a project file. Each project code may appear once per plan year.
///
/// # Errors
/// Every bad row's errors.
pub fn project_rows(
    table: &Table,
    config: &CoreConfig,
) -> Result<Vec<ProjectRecord>, Vec<RowError>> {
    project_records(&Source::Table(table), config).map_err(|e| row_errors(table, e))
}

/// Parses every row of a project file from `source` (a file is streamed: a 200,000-row
/// library is held as records only). Each project code may appear once per plan year.
///
/// # Errors
/// [`ImportError::File`] if the file cannot be read; [`ImportError::BadRows`] with every bad
/// row's errors.
pub fn project_records(
    source: &Source<'_>,
    config: &CoreConfig,
) -> Result<Vec<ProjectRecord>, ImportError> {
    let mut seen: HashMap<(String, i32), usize> = HashMap::new();
    parse_source(source, &columns::project_columns(), |r| {
        let lim = config.limits;
        let code = r.parse_req("code", limited(lim.code_max_chars));
        let name = r.parse_req("name", limited(lim.name_max_chars));
        let level = r.parse_req("level", Level::parse);
        let stage = r.parse_req("stage", Stage::parse);
        let category = r.parse_req("category", Category::parse);
        let plan_year = r.parse_req("plan_year", parse_year);
        let total = r.parse_req("total_investment_wan", Amount::parse_wan);
        let annual = r.parse_req("annual_plan_wan", Amount::parse_wan);
        let owner_unit = r.parse_req("owner_unit", limited(lim.name_max_chars));
        let district = r.parse_opt("district", limited(lim.name_max_chars));
        let official = match r.opt("responsible_official") {
            None => Some(None),
            Some(v) => match config.find_official(&v) {
                Some(o) => Some(Some(o.id.clone())),
                None => {
                    r.bad(
                        "responsible_official",
                        "no configured official has this id or name",
                    );
                    None
                }
            },
        };
        let email = r.parse_opt("contact_email", |v| {
            if v.len() <= 254 && is_valid_email(v) {
                Ok(v.to_string())
            } else {
                Err(DomainError::invalid("not a valid email address"))
            }
        });
        let bond = r.parse_opt("special_bond", parse_bool);
        let national_code = r.parse_opt("national_code", parse_national_code);
        let tags = r.parse_opt("tags", parse_tags);
        let mut months = [None; 12];
        let mut months_ok = true;
        for (i, key) in columns::MONTH_KEYS.iter().enumerate() {
            match r.parse_opt(key, Amount::parse_wan) {
                Some(v) => months[i] = v,
                None => months_ok = false,
            }
        }
        if let (Some(code), Some(year)) = (&code, plan_year)
            && let Some(first) = seen.insert((code.clone(), year), r.row)
        {
            r.bad(
                "code",
                format!("duplicate of row {first} for plan year {year}"),
            );
            return None;
        }
        let (
            Some(code),
            Some(name),
            Some(level),
            Some(stage),
            Some(category),
            Some(plan_year),
            Some(total),
            Some(annual),
            Some(owner_unit),
            Some(official),
            Some(email),
            Some(bond),
            true,
            Some(district),
            Some(national_code),
            Some(tags),
        ) = (
            code,
            name,
            level,
            stage,
            category,
            plan_year,
            total,
            annual,
            owner_unit,
            official,
            email,
            bond,
            months_ok,
            district,
            national_code,
            tags,
        )
        else {
            return None;
        };
        Some(ProjectRecord {
            code,
            name,
            level,
            stage,
            category,
            plan_year,
            total_investment: total,
            annual_plan: annual,
            owner_unit,
            district,
            responsible_official: official,
            contact_email: email,
            special_bond: bond.unwrap_or(false),
            monthly_plans: months,
            national_code,
            tags: tags.unwrap_or_default(),
        })
    })
}

pub(crate) fn project_id(r: &mut Row<'_>, projects: &HashMap<String, Uuid>) -> Option<Uuid> {
    let code = r.req("code")?;
    match projects.get(&code) {
        Some(id) => Some(*id),
        None => {
            r.bad(
                "code",
                "no project with this code (import the project library first)",
            );
            None
        }
    }
}

/// Parses every row of a progress file. Each (code, month) may appear once.
///
/// # Errors
/// Every bad row's errors.
pub fn progress_rows(
    table: &Table,
    projects: &HashMap<String, Uuid>,
) -> Result<Vec<ProgressRecord>, Vec<RowError>> {
    let mut seen = HashMap::new();
    parse_rows(table, columns::PROGRESS, |r| {
        let id = project_id(r, projects);
        let month = r.parse_req("month", parse_month);
        let ytd = r.parse_req("ytd_completed_wan", Amount::parse_wan);
        let prior = r.parse_opt("prior_ytd_completed_wan", Amount::parse_wan);
        if let (Some(id), Some(month)) = (id, month)
            && let Some(first) = seen.insert((id, month), r.row)
        {
            r.bad("month", format!("duplicate of row {first}"));
            return None;
        }
        Some(ProgressRecord {
            project_id: id?,
            month: month?,
            ytd_completed: ytd?,
            prior_ytd_completed: prior?,
        })
    })
}

/// Parses every row of a milestone file.
///
/// # Errors
/// Every bad row's errors.
pub fn milestone_rows(
    table: &Table,
    projects: &HashMap<String, Uuid>,
) -> Result<Vec<MilestoneRecord>, Vec<RowError>> {
    let mut seen = HashSet::new();
    parse_rows(table, columns::MILESTONES, |r| {
        let id = project_id(r, projects);
        let milestone = r.parse_req("milestone", Milestone::parse);
        let planned = r.parse_opt("planned_date", parse_date);
        let actual = r.parse_opt("actual_date", parse_date);
        if let (Some(id), Some(m)) = (id, milestone)
            && !seen.insert((id, m))
        {
            r.bad("milestone", "listed twice for this project");
            return None;
        }
        Some(MilestoneRecord {
            project_id: id?,
            milestone: milestone?,
            planned_date: planned?,
            actual_date: actual?,
            source: "import".into(),
        })
    })
}

/// Parses every row of an indicators file.
///
/// # Errors
/// Every bad row's errors.
pub fn indicator_rows(table: &Table) -> Result<Vec<IndicatorRecord>, Vec<RowError>> {
    let mut seen = HashSet::new();
    parse_rows(table, columns::INDICATORS, |r| {
        let month = r.parse_req("month", parse_month);
        let indicator = r.parse_req("indicator", Indicator::parse);
        let ytd = r.parse_req("ytd_wan", Amount::parse_wan);
        let prior = r.parse_opt("prior_ytd_wan", Amount::parse_wan);
        if let (Some(m), Some(i)) = (month, indicator)
            && !seen.insert((m, i))
        {
            r.bad("indicator", "listed twice for this month");
            return None;
        }
        Some(IndicatorRecord {
            month: month?,
            indicator: indicator?,
            ytd: ytd?,
            prior_ytd: prior?,
        })
    })
}
