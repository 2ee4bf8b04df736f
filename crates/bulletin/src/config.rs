//! The `[bulletin]` table of `config/docket.toml`: warning lights, the start-rate
//! definition, the distribution list, issue numbering and the data cut-off.

use docket_domain::config::{ConfigError, CoreConfig};
use docket_domain::period::Month;
use serde::{Deserialize, Serialize};

/// How warning lights measure the gap below the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LightsMode {
    /// Percentage points behind the target (default).
    #[default]
    Points,
    /// Completion as a ratio of the target.
    Ratio,
}

/// Warning-light thresholds (红黄绿灯).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LightsConfig {
    /// `points` (default) or `ratio`.
    #[serde(default)]
    pub mode: LightsMode,
    /// Points mode: yellow from this many points behind (default 10).
    #[serde(default = "d_yellow_points")]
    pub yellow_points: f64,
    /// Points mode: red beyond this many points behind (default 30).
    #[serde(default = "d_red_points")]
    pub red_points: f64,
    /// Ratio mode: yellow below this fraction of the target (default 0.8).
    #[serde(default = "d_yellow_ratio")]
    pub yellow_ratio: f64,
    /// Ratio mode: red below this fraction of the target (default 0.6).
    #[serde(default = "d_red_ratio")]
    pub red_ratio: f64,
}

fn d_yellow_points() -> f64 {
    10.0
}
fn d_red_points() -> f64 {
    30.0
}
fn d_yellow_ratio() -> f64 {
    0.8
}
fn d_red_ratio() -> f64 {
    0.6
}

impl Default for LightsConfig {
    fn default() -> Self {
        LightsConfig {
            mode: LightsMode::Points,
            yellow_points: d_yellow_points(),
            red_points: d_red_points(),
            yellow_ratio: d_yellow_ratio(),
            red_ratio: d_red_ratio(),
        }
    }
}

/// What the start rate (开工率) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StartRate {
    /// New projects started over new projects planned to start by the period's end (default).
    #[default]
    PlannedByMonth,
    /// New projects started over new projects planned to start this year.
    PlannedForYear,
    /// Projects under construction (continuing, and new ones started) over new and continuing.
    UnderConstruction,
}

/// How the running issue number (第N期) is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    /// Restarts each year: the year's first bulletin (1-2月, or January when it has its own)
    /// is `first_number` (default).
    #[default]
    Yearly,
    /// Runs on across years from `first_month`, which is `first_number`.
    Continuous,
}

/// `[bulletin]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulletinConfig {
    /// Warning lights.
    #[serde(default)]
    pub lights: LightsConfig,
    /// The start-rate definition.
    #[serde(default)]
    pub start_rate: StartRate,
    /// Official ids who receive the bulletin by email.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Issue numbering: `yearly` (default) or `continuous`.
    #[serde(default)]
    pub numbering: Numbering,
    /// The number of the first issue (default 1).
    #[serde(default = "d_first_number")]
    pub first_number: u32,
    /// `continuous` numbering: the month of the first issue, `YYYY-MM`.
    #[serde(default)]
    pub first_month: Option<String>,
    /// Data cut-off: 0 (default) = the month's last day; N = day N of the following month.
    #[serde(default)]
    pub cutoff_day: u32,
    /// When true, the scheduled bulletin to leaders is always held for the office's approval
    /// (`docket hold list`, reason 待审核) and sent only when released.
    #[serde(default)]
    pub approve: bool,
}

fn d_first_number() -> u32 {
    1
}

impl Default for BulletinConfig {
    fn default() -> Self {
        BulletinConfig {
            lights: LightsConfig::default(),
            start_rate: StartRate::default(),
            recipients: Vec::new(),
            numbering: Numbering::default(),
            first_number: d_first_number(),
            first_month: None,
            cutoff_day: 0,
            approve: false,
        }
    }
}

impl BulletinConfig {
    /// Checks thresholds, recipients (configured officials) and numbering.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the `bulletin.*` key.
    pub fn validate(&self, core: &CoreConfig) -> Result<(), ConfigError> {
        let l = &self.lights;
        let finite = |k: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(ConfigError::new(
                    format!("bulletin.lights.{k}"),
                    "must be a number ≥ 0",
                ))
            }
        };
        finite("yellow_points", l.yellow_points)?;
        finite("red_points", l.red_points)?;
        finite("yellow_ratio", l.yellow_ratio)?;
        finite("red_ratio", l.red_ratio)?;
        if l.red_points < l.yellow_points {
            return Err(ConfigError::new(
                "bulletin.lights.red_points",
                "must not be below yellow_points",
            ));
        }
        if l.red_ratio > l.yellow_ratio || l.yellow_ratio > 1.0 {
            return Err(ConfigError::new(
                "bulletin.lights.red_ratio",
                "ratios must satisfy red_ratio ≤ yellow_ratio ≤ 1",
            ));
        }
        for (i, id) in self.recipients.iter().enumerate() {
            if core.official(id).is_none() {
                return Err(ConfigError::new(
                    format!("bulletin.recipients[{i}]"),
                    format!("unknown official id {id:?}"),
                ));
            }
        }
        if self.first_number == 0 {
            return Err(ConfigError::new(
                "bulletin.first_number",
                "must be at least 1",
            ));
        }
        match (&self.first_month, self.numbering) {
            (Some(m), _) => {
                Month::parse(m)
                    .map_err(|e| ConfigError::new("bulletin.first_month", e.to_string()))?;
            }
            (None, Numbering::Continuous) => {
                return Err(ConfigError::new(
                    "bulletin.first_month",
                    "continuous numbering needs the first issue's month",
                ));
            }
            (None, Numbering::Yearly) => {}
        }
        if self.cutoff_day > 28 {
            return Err(ConfigError::new(
                "bulletin.cutoff_day",
                "must be 0 (month end) or a day 1 to 28",
            ));
        }
        Ok(())
    }
}
