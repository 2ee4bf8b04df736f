//! Building one month's bulletin from the database's set-based sums.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone};
use docket_domain::calendar::WorkCalendar;
use docket_domain::config::CoreConfig;
use docket_domain::period::Month;
use docket_domain::project::Milestone;
use docket_domain::targets::TargetModel;
use docket_domain::{Amount, Total};
use docket_store::bulletin as q;
use sea_orm::ConnectionTrait;

use super::issues::issue_stats;
use super::period::{cutoff_date, first_week_from, issue_number, last_week_to};
use super::{
    Bulletin, Fig, FigWithStages, IndicatorFig, Investment, Lagging, Meta, MilestoneFig,
    NO_DISTRICT, StartLight, Starts,
};
use crate::config::{BulletinConfig, StartRate};
use crate::error::BulletinError;
use crate::formula::{self, Light};

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
    // Months 1 and `month.month()` of a valid month's year always exist.
    let period_start =
        NaiveDate::from_ymd_opt(year, period_first_month, 1).unwrap_or_else(|| month.first_day());
    let period_end = month.last_day();
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(period_start);

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
    let not_reported_projects: BTreeMap<String, (String, String)> = exceptions
        .iter()
        .filter(|p| p.missing == 1)
        .map(|p| (p.code.clone(), (p.name.clone(), p.owner_unit.clone())))
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

    let land_to_start = super::applications::land_to_start(
        conn,
        cfg.land_to_start_days,
        year_start,
        period_start,
        period_end,
    )
    .await?;
    let applications = super::applications::application_stats(
        conn,
        &cfg.applications,
        year,
        year_start,
        period_end,
    )
    .await?;

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
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
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
        land_to_start,
        indicators,
        issues,
        applications,
        meta: Meta {
            period: month,
            office: core.office.name.clone(),
            city: core.office.city.clone(),
            language: core.office.language,
            period_first_month,
            task_force_names,
            issued: chrono::Utc::now().with_timezone(&tz).date_naive(),
            document: cfg.document.clone(),
            fonts: cfg.fonts.clone(),
            not_reported_projects,
            lights: cfg.lights.clone(),
        },
    })
}
