//! The bulletin's investment sums per (level, stage, category, district), read exactly:
//! every amount is summed in SQL in two parts that cannot overflow a `BIGINT`, and joined
//! into an `i128` here.

use sea_orm::FromQueryResult;

/// Sums for one combination of level, stage, category and district (the finest grain; the
/// caller adds them up into groups, since every figure is additive). Amount sums are exact
/// `i128`s: however many projects and however large their figures, nothing overflows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSums {
    /// Level code.
    pub level: String,
    /// Stage code.
    pub stage: String,
    /// Category code.
    pub category: String,
    /// District, if given.
    pub district: Option<String>,
    /// Projects counted (non-zero plan for the year).
    pub projects: i64,
    /// Sum of annual plans (yuan).
    pub plan_yuan: i128,
    /// Sum of year-to-date completed (yuan).
    pub ytd_yuan: i128,
    /// Sum of each project's planned investment up to the month (yuan): the project-plan
    /// target's numerator (a project without monthly plans counts `plan × M / 12`).
    pub cum_plan_yuan: i128,
    /// Year-to-date completed of the projects whose last year's figure is known.
    pub ytd_with_prior_yuan: i128,
    /// Sum of last year's figures where known.
    pub prior_yuan: i128,
    /// How many projects have last year's figure.
    pub with_prior: i64,
    /// How many projects have no figure for the month.
    pub missing: i64,
}

/// The amounts summed by [`crate::bulletin::figure_sums`], each in two parts so that no SQL sum can overflow
/// a `BIGINT` (SQLite raises "integer overflow", PostgreSQL "bigint out of range"): the sum of
/// `x / 10^8` and the sum of `x % 10^8`, put together in Rust as `hi × 10^8 + lo`.
pub(crate) const SUMMED: [(&str, &str); 5] = [
    ("plan", "plan"),
    ("ytd", "ytd"),
    ("cum_plan", "cum_plan"),
    (
        "ytd_with_prior",
        "CASE WHEN prior IS NOT NULL THEN ytd ELSE 0 END",
    ),
    ("prior", "COALESCE(prior, 0)"),
];

/// The divisor splitting each summed amount.
pub(crate) const SPLIT: i128 = 100_000_000;

#[derive(Debug, FromQueryResult)]
pub(crate) struct RawGroupSums {
    level: String,
    stage: String,
    category: String,
    district: Option<String>,
    projects: i64,
    plan_hi: i64,
    plan_lo: i64,
    ytd_hi: i64,
    ytd_lo: i64,
    cum_plan_hi: i64,
    cum_plan_lo: i64,
    ytd_with_prior_hi: i64,
    ytd_with_prior_lo: i64,
    prior_hi: i64,
    prior_lo: i64,
    with_prior: i64,
    missing: i64,
}

impl From<RawGroupSums> for GroupSums {
    fn from(r: RawGroupSums) -> Self {
        let join = |hi: i64, lo: i64| i128::from(hi) * SPLIT + i128::from(lo);
        GroupSums {
            level: r.level,
            stage: r.stage,
            category: r.category,
            district: r.district,
            projects: r.projects,
            plan_yuan: join(r.plan_hi, r.plan_lo),
            ytd_yuan: join(r.ytd_hi, r.ytd_lo),
            cum_plan_yuan: join(r.cum_plan_hi, r.cum_plan_lo),
            ytd_with_prior_yuan: join(r.ytd_with_prior_hi, r.ytd_with_prior_lo),
            prior_yuan: join(r.prior_hi, r.prior_lo),
            with_prior: r.with_prior,
            missing: r.missing,
        }
    }
}
