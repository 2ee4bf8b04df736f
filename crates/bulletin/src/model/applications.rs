//! Two sections computed beside the investment figures: applications to higher levels
//! (争取上级资金和政策) against the year's targets, and 拿地即开工 (construction started
//! within the configured days of the land approval).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use docket_domain::Total;
use docket_domain::application::{ApplicationCategory, ApplicationsConfig};
use docket_store::applications::{ApplicationFilter, list_applications};
use sea_orm::ConnectionTrait;
use serde::Serialize;

use crate::error::BulletinError;
use crate::formula;

/// Counts and amounts of a group of applications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationFig {
    /// Applications counted.
    pub count: i64,
    /// Applied for, 万元.
    pub applied_wan: f64,
    /// Approved, 万元.
    pub approved_wan: f64,
    /// Received, 万元.
    pub received_wan: f64,
    /// The year's target, 万元 (null when none is configured; always null by state).
    pub target_wan: Option<f64>,
    /// approved / target (null without a target).
    pub approved_rate: Option<f64>,
    /// received / target (null without a target).
    pub received_rate: Option<f64>,
}

/// The `applications` block: the year's applications dated up to the period's end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applications {
    /// The year counted.
    pub year: i32,
    /// Every application.
    #[serde(flatten)]
    pub all: ApplicationFig,
    /// Per funding category code (every category, zero when none).
    pub by_category: BTreeMap<String, ApplicationFig>,
    /// Per state code (only states present).
    pub by_state: BTreeMap<String, ApplicationFig>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    count: i64,
    applied: Total,
    approved: Total,
    received: Total,
}

impl Acc {
    fn add(&mut self, amounts: &[Option<docket_domain::Amount>; 3]) {
        self.count += 1;
        let [a, p, r] = amounts;
        self.applied.add_yuan(a.map_or(0, |a| a.yuan()));
        self.approved.add_yuan(p.map_or(0, |a| a.yuan()));
        self.received.add_yuan(r.map_or(0, |a| a.yuan()));
    }

    fn fig(&self, target: Option<docket_domain::Amount>) -> ApplicationFig {
        let rate = |x: Total| target.and_then(|t| formula::completion_rate(x.yuan(), t.yuan()));
        ApplicationFig {
            count: self.count,
            applied_wan: self.applied.wan_f64(),
            approved_wan: self.approved.wan_f64(),
            received_wan: self.received.wan_f64(),
            target_wan: target.map(docket_domain::Amount::wan_f64),
            approved_rate: rate(self.approved),
            received_rate: rate(self.received),
        }
    }
}

/// The applications of `year` dated from its first day to `to`, summed by category and
/// state against `targets`.
///
/// # Errors
/// [`BulletinError`] if the database fails.
pub(super) async fn application_stats<C: ConnectionTrait>(
    conn: &C,
    targets: &ApplicationsConfig,
    year: i32,
    year_start: NaiveDate,
    to: NaiveDate,
) -> Result<Applications, BulletinError> {
    let filter = ApplicationFilter {
        from: Some(year_start),
        to: Some(to),
        ..Default::default()
    };
    let list = list_applications(conn, &filter).await?;
    let mut all = Acc::default();
    let mut by_category: BTreeMap<String, Acc> = ApplicationCategory::ALL
        .iter()
        .map(|c| (c.code().to_string(), Acc::default()))
        .collect();
    let mut by_state: BTreeMap<String, Acc> = BTreeMap::new();
    for a in &list {
        all.add(&a.amounts);
        by_category
            .entry(a.category.clone())
            .or_default()
            .add(&a.amounts);
        by_state.entry(a.state.clone()).or_default().add(&a.amounts);
    }
    Ok(Applications {
        year,
        all: all.fig(targets.total_target(year)),
        by_category: by_category
            .into_iter()
            .map(|(k, a)| {
                let t = targets.category_target(year, &k);
                (k, a.fig(t))
            })
            .collect(),
        by_state: by_state
            .into_iter()
            .map(|(k, a)| (k, a.fig(None)))
            .collect(),
    })
}

/// 拿地即开工: projects that started construction within `within_days` days of their land
/// approval (用地审批 → 开工).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LandToStart {
    /// Started in the bulletin's own period.
    pub month: i64,
    /// Started in the year to date.
    pub ytd: i64,
    /// The configured days (`[bulletin] land_to_start_days`).
    pub within_days: u32,
}

/// Counts 拿地即开工 starts in `[period_start, to]` and `[year_start, to]`.
///
/// # Errors
/// [`BulletinError`] if the database fails.
pub(super) async fn land_to_start<C: ConnectionTrait>(
    conn: &C,
    within_days: u32,
    year_start: NaiveDate,
    period_start: NaiveDate,
    to: NaiveDate,
) -> Result<LandToStart, BulletinError> {
    let rows = docket_store::progress::land_and_starts(conn, year_start, to).await?;
    let quick: Vec<_> = rows
        .iter()
        .filter(|r| {
            let days = (r.start_date - r.land_date).num_days();
            (0..=i64::from(within_days)).contains(&days)
        })
        .collect();
    Ok(LandToStart {
        month: quick
            .iter()
            .filter(|r| r.start_date >= period_start)
            .count() as i64,
        ytd: quick.len() as i64,
        within_days,
    })
}
