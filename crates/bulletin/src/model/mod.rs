//! The bulletin model: every figure of one month's bulletin, computed once and rendered to
//! JSON (the contract's shape), HTML, plain text and XLSX.
//!
//! The types are here; [`build`] computes them (in `build`, with the issue statistics in
//! `issues`), and the bulletin's periods — issue number, cut-off, weeks — are in `period`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use docket_domain::config::Language;
use docket_domain::period::Month;
use serde::Serialize;

use crate::config::{DocumentConfig, FontsConfig, StartRate};
use crate::error::BulletinError;
use crate::formula::Light;

mod applications;
mod build;
mod issues;
mod period;

pub use applications::{ApplicationFig, Applications, LandToStart};
pub use build::build;
pub use period::{cutoff_date, issue_number};

/// The key under which projects without a district are grouped.
pub const NO_DISTRICT: &str = "unassigned";
/// The key under which issues the office handles (no task force) are grouped.
pub const OFFICE_KEY: &str = "office";

/// Investment figures of a group of projects (`FIG` in the contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fig {
    /// Projects counted.
    pub projects: i64,
    /// Sum of annual plans, 万元.
    pub annual_plan_wan: f64,
    /// Year-to-date completed, 万元.
    pub ytd_completed_wan: f64,
    /// Completion rate, a fraction.
    pub completion_rate: f64,
    /// `(rate − target) × 100`, percentage points.
    pub ahead_points: f64,
    /// Share of the total's year-to-date completed, a fraction.
    pub share: f64,
    /// Year-on-year growth over the projects with both figures; `None` if none has last year's.
    pub yoy_growth: Option<f64>,
    /// The group's time-schedule target (a fraction; differs per group under `project_plan`).
    #[serde(skip)]
    pub target: f64,
}

/// A level's figures with its stages inside (`FIG_WITH_STAGES`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigWithStages {
    /// The level's own figures.
    #[serde(flatten)]
    pub fig: Fig,
    /// Per stage code.
    pub by_stage: BTreeMap<String, Fig>,
}

/// The `investment` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Investment {
    /// Every counted project.
    pub total: Fig,
    /// Per level code, with stages.
    pub by_level: BTreeMap<String, FigWithStages>,
    /// Per stage code.
    pub by_stage: BTreeMap<String, Fig>,
    /// Per category code.
    pub by_category: BTreeMap<String, Fig>,
    /// Per district name ([`NO_DISTRICT`] when none is given).
    pub by_district: BTreeMap<String, Fig>,
}

/// A project on the lagging list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lagging {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owner unit.
    pub owner_unit: String,
    /// Responsible official's id as recorded (null if none).
    pub responsible_official: Option<String>,
    /// The responsible official's name (and title) where configured.
    pub responsible_official_name: Option<String>,
    /// Completion rate, a fraction.
    pub completion_rate: f64,
    /// Points against its target.
    pub ahead_points: f64,
    /// `yellow` or `red`.
    pub light: Light,
    /// Whether the project had no figure for the month (its latest earlier figure is used).
    pub not_reported: bool,
}

/// A new project whose planned start passed without a start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StartLight {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owner unit.
    pub owner_unit: String,
    /// Responsible official's id.
    pub responsible_official: Option<String>,
    /// Planned start.
    pub planned_date: NaiveDate,
    /// Months the start is overdue, this one included.
    pub months_missed: u32,
    /// `yellow` (missed this month) or `red` (three months running).
    pub light: Light,
}

/// The `starts` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Starts {
    /// The denominator of the configured definition.
    pub planned: i64,
    /// The numerator.
    pub started: i64,
    /// started / planned; null when nothing was planned.
    pub rate: Option<f64>,
    /// The definition used (`planned_by_month`, `planned_for_year`, `under_construction`).
    pub definition: StartRate,
    /// Start lights, worst first.
    pub lights: Vec<StartLight>,
}

/// Milestones reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MilestoneFig {
    /// In the bulletin's period (January and February together for 1-2月).
    pub month: i64,
    /// Year to date.
    pub ytd: i64,
}

/// A city-wide indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorFig {
    /// Year to date, 万元.
    pub ytd_wan: f64,
    /// Year-on-year growth; null when last year's figure is unknown.
    pub yoy_growth: Option<f64>,
    /// Share of fixed-asset investment; null when that is not given.
    pub share: Option<f64>,
}

/// Issue statistics of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueFig {
    /// Raised this year up to the cut-off.
    pub raised: i64,
    /// Resolved (办结) or closed at the cut-off.
    pub resolved: i64,
    /// Closed (销号).
    pub closed: i64,
    /// closed / raised (销号率); null when none was raised.
    pub close_rate: Option<f64>,
    /// Open and past their due date at the cut-off.
    pub overdue: i64,
    /// Median working days from raising to resolution; null when none is resolved.
    pub median_days_to_resolve: Option<f64>,
}

/// The `issues` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issues {
    /// All issues.
    #[serde(flatten)]
    pub all: IssueFig,
    /// Per issue category code.
    pub by_category: BTreeMap<String, IssueFig>,
    /// Per task force id ([`OFFICE_KEY`] for issues the office handles).
    pub by_task_force: BTreeMap<String, IssueFig>,
}

/// What the renderers need beyond the contract's JSON (never serialised).
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// The bulletin's month (the JSON's `month`, typed).
    pub period: Month,
    /// The office's name.
    pub office: String,
    /// The city.
    pub city: String,
    /// Output language.
    pub language: Language,
    /// The first month of the bulletin's own period (1 for 1-2月).
    pub period_first_month: u32,
    /// Display names: task force ids → names.
    pub task_force_names: BTreeMap<String, String>,
    /// The date of issue (印发日期) printed on the DOCX and PDF: the day the bulletin is
    /// built, in the office's time zone (the app sets it from its clock).
    pub issued: NaiveDate,
    /// The 公文 form: masthead, compiling unit, 报/送/发.
    pub document: DocumentConfig,
    /// The fonts of the DOCX and PDF.
    pub fonts: FontsConfig,
    /// Name and owner unit of each project in `not_reported`, by code (the XLSX lists them).
    pub not_reported_projects: BTreeMap<String, (String, String)>,
    /// The warning-light thresholds the lights were set with (the legend states them).
    pub lights: crate::config::LightsConfig,
}

/// One month's bulletin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bulletin {
    /// `YYYY-MM`.
    pub month: String,
    /// The running issue number (第N期).
    pub issue_number: i64,
    /// The data cut-off date.
    pub cutoff: NaiveDate,
    /// The time-schedule target (序时进度) for the total, a fraction.
    pub schedule_target: f64,
    /// Investment figures.
    pub investment: Investment,
    /// Codes of projects with no figure for the month.
    pub not_reported: Vec<String>,
    /// Yellow and red projects, worst first.
    pub lagging: Vec<Lagging>,
    /// Starts and the start rate.
    pub starts: Starts,
    /// Milestones reached, per milestone code.
    pub milestones: BTreeMap<String, MilestoneFig>,
    /// 拿地即开工: starts within the configured days of the land approval.
    pub land_to_start: LandToStart,
    /// City indicators, per indicator code.
    pub indicators: BTreeMap<String, IndicatorFig>,
    /// Issue statistics, year to date at the cut-off.
    pub issues: Issues,
    /// Applications to higher levels (争取上级资金和政策), year to date against the targets.
    pub applications: Applications,
    /// Renderer data.
    #[serde(skip)]
    pub meta: Meta,
}

impl Bulletin {
    /// The bulletin's month.
    pub fn month(&self) -> Month {
        self.meta.period
    }

    /// The JSON document (pretty, deterministic: keys sorted).
    ///
    /// # Errors
    /// [`BulletinError::Json`] (not expected for finite numbers).
    pub fn to_json(&self) -> Result<String, BulletinError> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}
