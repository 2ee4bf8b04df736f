//! The bulletin model: every figure of one month's bulletin, computed once and rendered to
//! JSON (the contract's shape), HTML, plain text and XLSX.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use docket_domain::calendar::WorkCalendar;
use docket_domain::config::{CoreConfig, Language};
use docket_domain::issue::IssueCategory;
use docket_domain::period::{IsoWeek, Month};
use docket_domain::project::Milestone;
use docket_domain::targets::TargetModel;
use docket_domain::{Amount, Total};
use docket_store::bulletin as q;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use crate::config::{BulletinConfig, Numbering, StartRate};
use crate::error::BulletinError;
use crate::formula::{self, Light};

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
    /// City indicators, per indicator code.
    pub indicators: BTreeMap<String, IndicatorFig>,
    /// Issue statistics, year to date at the cut-off.
    pub issues: Issues,
    /// Renderer data.
    #[serde(skip)]
    pub meta: Meta,
}

impl Bulletin {
    /// The bulletin's month.
    pub fn month(&self) -> Month {
        Month::parse(&self.month).expect("the model holds a valid month")
    }

    /// The JSON document (pretty, deterministic: keys sorted).
    ///
    /// # Errors
    /// [`BulletinError::Json`] (not expected for finite numbers).
    pub fn to_json(&self) -> Result<String, BulletinError> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// The running issue number of `month`'s bulletin.
///
/// # Errors
/// [`BulletinError::BeforeFirstIssue`] for a month before the configured first one.
pub fn issue_number(
    cfg: &BulletinConfig,
    january_bulletin: bool,
    month: Month,
) -> Result<i64, BulletinError> {
    // Bulletins per year: 12, or 11 when January goes with February.
    let index_in_year = |m: Month| -> i64 {
        if january_bulletin {
            i64::from(m.month())
        } else {
            i64::from(m.month()).max(2) - 1
        }
    };
    let per_year = if january_bulletin { 12 } else { 11 };
    let first = i64::from(cfg.first_number);
    match cfg.numbering {
        Numbering::Yearly => Ok(first + index_in_year(month) - 1),
        Numbering::Continuous => {
            let start = cfg
                .first_month
                .as_deref()
                .and_then(|m| Month::parse(m).ok())
                .unwrap_or(month);
            let ord = |m: Month| i64::from(m.year()) * per_year + index_in_year(m);
            if ord(month) < ord(start) {
                return Err(BulletinError::BeforeFirstIssue {
                    month: month.to_string(),
                    first: start.to_string(),
                });
            }
            Ok(first + ord(month) - ord(start))
        }
    }
}

/// The data cut-off date: the month's last day, or day `cutoff_day` of the next month.
pub fn cutoff_date(cfg: &BulletinConfig, month: Month) -> NaiveDate {
    if cfg.cutoff_day == 0 {
        month.last_day()
    } else {
        let n = month.next();
        NaiveDate::from_ymd_opt(n.year(), n.month(), cfg.cutoff_day).unwrap_or_else(|| n.last_day())
    }
}

/// The ISO week whose Thursday is the first Thursday on or after `d`.
fn first_week_from(d: NaiveDate) -> IsoWeek {
    let mut x = d;
    while x.weekday() != Weekday::Thu {
        x = x.succ_opt().unwrap_or(x);
    }
    IsoWeek::containing(x)
}

/// The ISO week whose Thursday is the last Thursday on or before `d`.
fn last_week_to(d: NaiveDate) -> IsoWeek {
    let mut x = d;
    while x.weekday() != Weekday::Thu {
        x = x.pred_opt().unwrap_or(x);
    }
    IsoWeek::containing(x)
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    projects: i64,
    plan: i128,
    ytd: i128,
    cum: i128,
    ytd_with_prior: i128,
    prior: i128,
    with_prior: i64,
}

impl Acc {
    fn add(&mut self, r: &q::GroupSums) {
        self.projects += r.projects;
        self.plan += r.plan_yuan;
        self.ytd += r.ytd_yuan;
        self.cum += r.cum_plan_yuan;
        self.ytd_with_prior += r.ytd_with_prior_yuan;
        self.prior += r.prior_yuan;
        self.with_prior += r.with_prior;
    }

    fn fig(&self, fixed_target: Option<f64>, total_ytd: i128) -> Fig {
        let rate = formula::completion_rate(self.ytd, self.plan).unwrap_or(0.0);
        let target = fixed_target
            .unwrap_or_else(|| formula::completion_rate(self.cum, self.plan).unwrap_or(0.0));
        Fig {
            projects: self.projects,
            annual_plan_wan: Total::from_yuan(self.plan).wan_f64(),
            ytd_completed_wan: Total::from_yuan(self.ytd).wan_f64(),
            completion_rate: rate,
            ahead_points: formula::ahead_points(rate, target),
            share: formula::share(self.ytd, total_ytd),
            yoy_growth: (self.with_prior > 0)
                .then(|| formula::yoy_growth(self.ytd_with_prior, Some(self.prior)))
                .flatten(),
            target,
        }
    }
}

fn figs(accs: BTreeMap<String, Acc>, target: Option<f64>, total: i128) -> BTreeMap<String, Fig> {
    accs.into_iter()
        .map(|(k, a)| (k, a.fig(target, total)))
        .collect()
}

fn median(values: &mut [u32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        f64::from(values[n / 2])
    } else {
        (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0
    })
}

/// Builds `month`'s bulletin from the database, with a few set-based queries.
///
/// Reads only; run it in a transaction (or on a snapshot) for a consistent picture while
/// others write.
///
/// # Errors
/// [`BulletinError::JanuaryCombined`] for January when it is reported with February,
/// [`BulletinError::BeforeFirstIssue`], or a database error.
pub async fn build<C: ConnectionTrait>(
    conn: &C,
    core: &CoreConfig,
    cfg: &BulletinConfig,
    calendar: &WorkCalendar,
    month: Month,
) -> Result<Bulletin, BulletinError> {
    let targets = &core.targets;
    if month.month() == 1 && !targets.january_bulletin {
        return Err(BulletinError::JanuaryCombined {
            month: month.to_string(),
            year: month.year(),
        });
    }
    let issue_number = issue_number(cfg, targets.january_bulletin, month)?;
    let cutoff = cutoff_date(cfg, month);
    let year = month.year();
    let period_first_month = if month.month() == 2 && !targets.january_bulletin {
        1
    } else {
        month.month()
    };
    let period_start = NaiveDate::from_ymd_opt(year, period_first_month, 1).expect("valid month");
    let period_end = month.last_day();
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");

    let fq = q::FigureQuery {
        year,
        month: month.month(),
        period_first_week: first_week_from(period_start).to_string(),
        period_last_week: last_week_to(period_end).to_string(),
        year_first_week: format!("{year}-W01"),
    };
    // Curve or linear: one target for all; project_plan: each group's own.
    let fixed_target = match targets.model {
        TargetModel::ProjectPlan if targets.curve(year).is_none() => None,
        _ => Some(
            targets
                .fraction(month)
                .unwrap_or(f64::from(month.month()) / 12.0),
        ),
    };

    // Investment figures: one GROUP BY, rolled up into the contract's groups.
    let sums = q::figure_sums(conn, &fq).await?;
    let mut total = Acc::default();
    let mut by_level: BTreeMap<String, Acc> = BTreeMap::new();
    let mut by_level_stage: BTreeMap<String, BTreeMap<String, Acc>> = BTreeMap::new();
    let mut by_stage: BTreeMap<String, Acc> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Acc> = BTreeMap::new();
    let mut by_district: BTreeMap<String, Acc> = BTreeMap::new();
    for r in &sums {
        total.add(r);
        by_level.entry(r.level.clone()).or_default().add(r);
        by_level_stage
            .entry(r.level.clone())
            .or_default()
            .entry(r.stage.clone())
            .or_default()
            .add(r);
        by_stage.entry(r.stage.clone()).or_default().add(r);
        by_category.entry(r.category.clone()).or_default().add(r);
        let d = r
            .district
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| NO_DISTRICT.into());
        by_district.entry(d).or_default().add(r);
    }
    let total_fig = total.fig(fixed_target, total.ytd);
    let schedule_target = total_fig.target;
    let investment = Investment {
        by_level: by_level
            .into_iter()
            .map(|(k, a)| {
                let stages = figs(
                    by_level_stage.remove(&k).unwrap_or_default(),
                    fixed_target,
                    total.ytd,
                );
                (
                    k,
                    FigWithStages {
                        fig: a.fig(fixed_target, total.ytd),
                        by_stage: stages,
                    },
                )
            })
            .collect(),
        by_stage: figs(by_stage, fixed_target, total.ytd),
        by_category: figs(by_category, fixed_target, total.ytd),
        by_district: figs(by_district, fixed_target, total.ytd),
        total: total_fig,
    };

    // Not reported and lagging: only the exceptions come back, in one statement.
    let exceptions = q::exception_projects(conn, &fq, fixed_target).await?;
    let not_reported: Vec<String> = exceptions
        .iter()
        .filter(|p| p.missing == 1)
        .map(|p| p.code.clone())
        .collect();
    let mut lagging: Vec<(f64, Lagging)> = exceptions
        .into_iter()
        .filter(|p| p.behind == 1)
        .filter_map(|p| {
            let rate = formula::completion_rate(p.ytd_yuan, p.plan_yuan)?;
            let target = fixed_target.unwrap_or_else(|| {
                formula::completion_rate(p.cum_plan_yuan, p.plan_yuan).unwrap_or(0.0)
            });
            let light = formula::classify(rate, target, &cfg.lights);
            if light == Light::Green {
                return None;
            }
            let ratio = if target > 0.0 { rate / target } else { 1.0 };
            let official_name = p.responsible_official.as_deref().map(|o| {
                core.find_official(o)
                    .map_or_else(|| o.to_string(), |x| x.name.clone())
            });
            Some((
                ratio,
                Lagging {
                    code: p.code,
                    name: p.name,
                    owner_unit: p.owner_unit,
                    responsible_official: p.responsible_official,
                    responsible_official_name: official_name,
                    completion_rate: rate,
                    ahead_points: formula::ahead_points(rate, target),
                    light,
                    not_reported: p.missing == 1,
                },
            ))
        })
        .collect();
    // Worst first: red before yellow, then furthest behind, then by code for a stable order.
    let mode = cfg.lights.mode;
    lagging.sort_by(|(ra, a), (rb, b)| {
        b.light
            .cmp(&a.light)
            .then_with(|| match mode {
                // Compared at 1e-9 so that binary noise does not reorder equal figures.
                crate::config::LightsMode::Points => formula::round_to(a.ahead_points, 9)
                    .total_cmp(&formula::round_to(b.ahead_points, 9)),
                crate::config::LightsMode::Ratio => {
                    formula::round_to(*ra, 9).total_cmp(&formula::round_to(*rb, 9))
                }
            })
            .then_with(|| a.code.cmp(&b.code))
    });
    let lagging = lagging.into_iter().map(|(_, l)| l).collect();

    // Starts.
    let sc = q::start_counts(conn, year, period_end).await?;
    let (planned, started) = match cfg.start_rate {
        StartRate::PlannedByMonth => (sc.planned_by_end, sc.started_of_planned),
        StartRate::PlannedForYear => (sc.new_projects, sc.new_started),
        StartRate::UnderConstruction => (sc.building, sc.under_construction),
    };
    let mut start_lights: Vec<StartLight> = q::missed_starts(conn, year, period_end)
        .await?
        .into_iter()
        .map(|m| {
            let pm = Month::containing(m.planned_date);
            let missed =
                ((month.year() - pm.year()) * 12 + month.month() as i32 - pm.month() as i32 + 1)
                    .max(1) as u32;
            StartLight {
                code: m.code,
                name: m.name,
                owner_unit: m.owner_unit,
                responsible_official: m.responsible_official,
                planned_date: m.planned_date,
                months_missed: missed,
                light: formula::start_light(missed),
            }
        })
        .collect();
    start_lights.sort_by(|a, b| {
        b.months_missed
            .cmp(&a.months_missed)
            .then_with(|| a.code.cmp(&b.code))
    });
    let starts = Starts {
        planned,
        started,
        rate: (planned > 0).then(|| started as f64 / planned as f64),
        definition: cfg.start_rate,
        lights: start_lights,
    };

    // Milestones: every code present.
    let mut milestones: BTreeMap<String, MilestoneFig> = Milestone::ALL
        .iter()
        .map(|m| (m.code().to_string(), MilestoneFig { month: 0, ytd: 0 }))
        .collect();
    for c in q::milestone_counts(conn, year_start, period_start, period_end).await? {
        milestones.insert(
            c.milestone,
            MilestoneFig {
                month: c.in_period,
                ytd: c.ytd,
            },
        );
    }

    // City indicators.
    let inds = q::indicators(conn, month.key()).await?;
    let fai = inds
        .iter()
        .find(|i| i.indicator == "fixed_asset_investment")
        .map(|i| i.ytd_yuan);
    let indicators = inds
        .iter()
        .map(|i| {
            (
                i.indicator.clone(),
                IndicatorFig {
                    ytd_wan: Amount::from_yuan(i.ytd_yuan).wan_f64(),
                    yoy_growth: formula::yoy_growth(i.ytd_yuan, i.prior_ytd_yuan),
                    share: fai
                        .filter(|f| *f != 0)
                        .map(|f| formula::share(i.ytd_yuan, f)),
                },
            )
        })
        .collect();

    // Issues, as they stood at the end of the cut-off day (office time).
    let tz = core.timezone().unwrap_or(chrono_tz::Asia::Shanghai);
    let local_ms = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map_or(0, |t| t.timestamp_millis())
    };
    let from_ms = local_ms(year_start);
    let to_ms = local_ms(cutoff.succ_opt().unwrap_or(cutoff)) - 1;
    let counts = q::issue_counts(conn, from_ms, to_ms, cutoff).await?;
    let resolved = q::resolved_issues(conn, from_ms, to_ms).await?;
    let issues = issue_stats(&counts, &resolved, calendar, tz);

    let task_force_names = core
        .task_forces
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    Ok(Bulletin {
        month: month.to_string(),
        issue_number,
        cutoff,
        schedule_target,
        investment,
        not_reported,
        lagging,
        starts,
        milestones,
        indicators,
        issues,
        meta: Meta {
            office: core.office.name.clone(),
            city: core.office.city.clone(),
            language: core.office.language,
            period_first_month,
            task_force_names,
        },
    })
}

#[derive(Default)]
struct IssueAcc {
    raised: i64,
    resolved: i64,
    closed: i64,
    overdue: i64,
    days: Vec<u32>,
}

impl IssueAcc {
    fn add(&mut self, c: &q::IssueCounts) {
        self.raised += c.raised;
        self.resolved += c.resolved;
        self.closed += c.closed;
        self.overdue += c.overdue;
    }

    fn fig(mut self) -> IssueFig {
        IssueFig {
            raised: self.raised,
            resolved: self.resolved,
            closed: self.closed,
            close_rate: (self.raised > 0).then(|| self.closed as f64 / self.raised as f64),
            overdue: self.overdue,
            median_days_to_resolve: median(&mut self.days),
        }
    }
}

fn issue_stats(
    counts: &[q::IssueCounts],
    resolved: &[q::ResolvedIssue],
    cal: &WorkCalendar,
    tz: chrono_tz::Tz,
) -> Issues {
    let mut all = IssueAcc::default();
    let mut by_cat: BTreeMap<String, IssueAcc> = IssueCategory::ALL
        .iter()
        .map(|c| (c.code().to_string(), IssueAcc::default()))
        .collect();
    let mut by_tf: BTreeMap<String, IssueAcc> = BTreeMap::new();
    let tf_key = |t: &Option<String>| t.clone().unwrap_or_else(|| OFFICE_KEY.into());
    for c in counts {
        all.add(c);
        by_cat.entry(c.category.clone()).or_default().add(c);
        by_tf.entry(tf_key(&c.task_force)).or_default().add(c);
    }
    let local_date = |ms: i64| {
        docket_store::time::from_ms(ms)
            .with_timezone(&tz)
            .date_naive()
    };
    for r in resolved {
        let days = cal
            .workdays_between(local_date(r.raised_at), local_date(r.resolved_at))
            .value;
        all.days.push(days);
        by_cat
            .entry(r.category.clone())
            .or_default()
            .days
            .push(days);
        by_tf
            .entry(tf_key(&r.task_force))
            .or_default()
            .days
            .push(days);
    }
    Issues {
        all: all.fig(),
        by_category: by_cat.into_iter().map(|(k, a)| (k, a.fig())).collect(),
        by_task_force: by_tf.into_iter().map(|(k, a)| (k, a.fig())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers() {
        let cfg = BulletinConfig::default();
        let m = |s: &str| Month::parse(s).unwrap();
        assert_eq!(issue_number(&cfg, false, m("2024-02")).unwrap(), 1);
        assert_eq!(issue_number(&cfg, false, m("2024-09")).unwrap(), 8);
        assert_eq!(issue_number(&cfg, true, m("2024-09")).unwrap(), 9);
        let cont = BulletinConfig {
            numbering: Numbering::Continuous,
            first_month: Some("2023-11".into()),
            first_number: 5,
            ..BulletinConfig::default()
        };
        // 2023-11 = 5, 2023-12 = 6, 2024-02 (1-2月) = 7, 2024-03 = 8.
        assert_eq!(issue_number(&cont, false, m("2024-03")).unwrap(), 8);
        assert!(issue_number(&cont, false, m("2023-10")).is_err());
    }

    #[test]
    fn cutoffs_and_weeks() {
        let mut cfg = BulletinConfig::default();
        let m = Month::parse("2024-09").unwrap();
        assert_eq!(cutoff_date(&cfg, m).to_string(), "2024-09-30");
        cfg.cutoff_day = 5;
        assert_eq!(cutoff_date(&cfg, m).to_string(), "2024-10-05");
        // September 2024: Thursdays 5th … 26th → W36 … W39.
        assert_eq!(first_week_from(m.first_day()).to_string(), "2024-W36");
        assert_eq!(last_week_to(m.last_day()).to_string(), "2024-W39");
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
    }
}
