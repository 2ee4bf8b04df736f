//! The time-schedule target (序时进度) for a month, per the office's configured model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::period::Month;

/// How the target for a month is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TargetModel {
    /// M/12, the default.
    #[default]
    Linear,
    /// Each project's own monthly plan, summed.
    ProjectPlan,
}

/// The `[targets]` table: the model, and per-year curves that override it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// The model for years without a curve.
    #[serde(default)]
    pub model: TargetModel,
    /// Curves set by the province: 12 cumulative fractions ending at 1.0, keyed by year.
    #[serde(default)]
    pub curves: BTreeMap<String, Vec<f64>>,
    /// Whether January has its own bulletin; by default January and February are reported
    /// together (1-2月), as the statistics bureau does.
    #[serde(default)]
    pub january_bulletin: bool,
}

impl Targets {
    /// The curve configured for `year`, if any.
    pub fn curve(&self, year: i32) -> Option<&[f64]> {
        self.curves.get(&year.to_string()).map(Vec::as_slice)
    }

    /// The fraction of the annual plan due by the end of `month`: the year's curve, else
    /// M/12 for the linear model, else `None` (project-plan targets come from the plans).
    pub fn fraction(&self, month: Month) -> Option<f64> {
        if let Some(curve) = self.curve(month.year()) {
            return curve.get(month.month() as usize - 1).copied();
        }
        match self.model {
            TargetModel::Linear => Some(f64::from(month.month()) / 12.0),
            TargetModel::ProjectPlan => None,
        }
    }

    /// Checks every curve: 12 fractions in 0..=1, non-decreasing, the last one 1.0. Returns the
    /// offending key and the reason.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (year, curve) in &self.curves {
            let key = format!("targets.curves.{year}");
            if year
                .parse::<i32>()
                .map(|y| !(1000..=9999).contains(&y))
                .unwrap_or(true)
            {
                return Err((key, "the key must be a four-digit year".into()));
            }
            if curve.len() != 12 {
                return Err((
                    key,
                    format!("needs 12 fractions, one per month, found {}", curve.len()),
                ));
            }
            if curve.iter().any(|f| !(0.0..=1.0).contains(f)) {
                return Err((key, "every fraction must be between 0 and 1".into()));
            }
            if curve.windows(2).any(|w| w[1] < w[0]) {
                return Err((
                    key,
                    "fractions must not decrease from month to month".into(),
                ));
            }
            if (curve[11] - 1.0).abs() > 1e-9 {
                return Err((key, format!("December must be 1.0, found {}", curve[11])));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_curves() {
        let mut t = Targets::default();
        assert_eq!(t.fraction(Month::parse("2024-09").unwrap()), Some(0.75));
        t.curves.insert(
            "2024".into(),
            vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85, 0.9, 0.95, 1.0],
        );
        assert_eq!(t.fraction(Month::parse("2024-09").unwrap()), Some(0.85));
        assert_eq!(t.fraction(Month::parse("2025-03").unwrap()), Some(0.25));
        assert!(t.validate().is_ok());
        t.curves.insert("2025".into(), vec![0.5; 12]);
        assert_eq!(t.validate().unwrap_err().0, "targets.curves.2025");
    }
}
