//! The bulletin's formulas (DOMAIN.md), pure: completion rate, ahead or behind points,
//! year-on-year growth, share, warning lights, and display rounding.
//!
//! Rates are fractions and stay unrounded everywhere but on display, where they show with
//! one decimal ("92.0%", "超序时进度7.0个百分点"). Amounts come in as whole yuan, either one
//! project's `i64` or a group's exact `i128` sum; differences are taken in `i128` so that no
//! figure overflows.

use docket_domain::config::Language;

use crate::config::{LightsConfig, LightsMode};

/// Completion rate (完成率): year-to-date completed over the annual plan, a fraction;
/// `None` when there is no plan.
pub fn completion_rate(ytd_yuan: impl Into<i128>, plan_yuan: impl Into<i128>) -> Option<f64> {
    let (ytd, plan) = (ytd_yuan.into(), plan_yuan.into());
    (plan != 0).then(|| ytd as f64 / plan as f64)
}

/// Ahead (+) or behind (−) the time-schedule target (超/滞后序时进度), in percentage points:
/// `(rate − target) × 100`.
pub fn ahead_points(rate: f64, target: f64) -> f64 {
    (rate - target) * 100.0
}

/// Year-on-year growth (同比增长): `(this − last) / last`, a fraction; `None` when last year's
/// figure is unknown or zero.
pub fn yoy_growth<T: Into<i128>>(this_yuan: T, last_yuan: Option<T>) -> Option<f64> {
    let this = this_yuan.into();
    match last_yuan.map(Into::into) {
        Some(last) if last != 0 => Some((this - last) as f64 / last as f64),
        _ => None,
    }
}

/// Share (占比): a part over the whole, a fraction; 0 when the whole is zero.
pub fn share(part_yuan: impl Into<i128>, whole_yuan: impl Into<i128>) -> f64 {
    let (part, whole) = (part_yuan.into(), whole_yuan.into());
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A warning light (红黄绿灯).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// On or near schedule.
    Green,
    /// Behind: watch.
    Yellow,
    /// Far behind: act.
    Red,
}

impl Light {
    /// The contract code.
    pub fn code(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    /// The label shown to users.
    pub fn label(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Light::Green, Language::Zh) => "绿灯",
            (Light::Yellow, Language::Zh) => "黄灯",
            (Light::Red, Language::Zh) => "红灯",
            (Light::Green, Language::En) => "green",
            (Light::Yellow, Language::En) => "yellow",
            (Light::Red, Language::En) => "red",
        }
    }

    /// The cell colour in HTML and XLSX.
    pub fn colour(self) -> &'static str {
        match self {
            Light::Green => "#2e7d32",
            Light::Yellow => "#f9a825",
            Light::Red => "#c62828",
        }
    }
}

/// Classifies a completion rate against the target.
///
/// Points mode: green while less than `yellow_points` behind, yellow from `yellow_points` to
/// `red_points` behind (both inclusive), red beyond `red_points`. Ratio mode: red below
/// `red_ratio` of the target, yellow below `yellow_ratio`, else green. A zero target is green.
pub fn classify(rate: f64, target: f64, cfg: &LightsConfig) -> Light {
    match cfg.mode {
        LightsMode::Points => {
            // Rounded to 1e-9 points so that a rate exactly on the threshold, computed
            // through floating point, lands where the rule says.
            let behind = (-ahead_points(rate, target) * 1e9).round() / 1e9;
            if behind > cfg.red_points {
                Light::Red
            } else if behind >= cfg.yellow_points {
                Light::Yellow
            } else {
                Light::Green
            }
        }
        LightsMode::Ratio => {
            if target <= 0.0 {
                return Light::Green;
            }
            let r = ((rate / target) * 1e9).round() / 1e9;
            if r < cfg.red_ratio {
                Light::Red
            } else if r < cfg.yellow_ratio {
                Light::Yellow
            } else {
                Light::Green
            }
        }
    }
}

/// The start light of a new project whose planned start is `months_missed` months overdue
/// (1 = planned this month and missed): yellow, red from three months running.
pub fn start_light(months_missed: u32) -> Light {
    match months_missed {
        0 => Light::Green,
        1 | 2 => Light::Yellow,
        _ => Light::Red,
    }
}

/// Rounds half away from zero to `decimals` places, guarding against binary noise
/// (0.9195 × 100 is 91.94999…).
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let scaled = x * f;
    let nudged = scaled + scaled.signum() * 1e-9;
    nudged.round() / f
}

/// A fraction as a percentage with one decimal: 0.92 → "92.0%".
pub fn fmt_percent(fraction: f64) -> String {
    let v = round_to(fraction * 100.0, 1);
    format!("{:.1}%", if v == 0.0 { 0.0 } else { v })
}

/// An optional fraction as a percentage, "—" when unknown.
pub fn fmt_percent_opt(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| "—".to_string(), fmt_percent)
}

/// Growth with its sign: 0.9566 → "+95.7%", −0.02 → "-2.0%".
pub fn fmt_growth(fraction: Option<f64>) -> String {
    match fraction {
        None => "—".into(),
        Some(f) => {
            let v = round_to(f * 100.0, 1);
            if v > 0.0 {
                format!("+{v:.1}%")
            } else if v == 0.0 {
                "0.0%".into()
            } else {
                format!("{v:.1}%")
            }
        }
    }
}

/// Ahead/behind in words: "超序时进度7.0个百分点", "慢于序时进度2.0个百分点", "与序时进度持平"
/// (English: "7.0 points ahead of schedule", …).
pub fn fmt_ahead(points: f64, lang: Language) -> String {
    let v = round_to(points, 1);
    match lang {
        Language::Zh if v > 0.0 => format!("超序时进度{v:.1}个百分点"),
        Language::Zh if v < 0.0 => format!("慢于序时进度{:.1}个百分点", -v),
        Language::Zh => "与序时进度持平".into(),
        Language::En if v > 0.0 => format!("{v:.1} points ahead of schedule"),
        Language::En if v < 0.0 => format!("{:.1} points behind schedule", -v),
        Language::En => "on schedule".into(),
    }
}

/// Signed points with one decimal: "+7.0", "-2.0".
pub fn fmt_points(points: f64) -> String {
    let v = round_to(points, 1);
    if v > 0.0 {
        format!("+{v:.1}")
    } else if v == 0.0 {
        "0.0".into()
    } else {
        format!("{v:.1}")
    }
}

/// 万元 with two decimals and thousands separators: 1234567.891 → "1,234,567.89".
pub fn fmt_wan(wan: f64) -> String {
    let v = round_to(wan, 2);
    let s = format!("{:.2}", v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}.{frac}", if v < 0.0 { "-" } else { "" })
}

/// 亿元 with one decimal: 1_300_000 万元 → "130.0".
pub fn fmt_yi(wan: f64) -> String {
    format!("{:.1}", round_to(wan / 10_000.0, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 100_000_000; // yuan in 1 亿元

    fn points_cfg() -> LightsConfig {
        LightsConfig::default()
    }

    #[test]
    fn provincial_key_projects_of_the_seed() {
        // 30 provincial key projects: 13.0 billion done, 88% of the annual plan; continuing
        // 7.0 billion at 92% (+7 points against an 85% curve); new 6.0 billion at 83%.
        let cont_plan: i64 = 7_608_695_652; // 70亿 / 0.92
        let new_plan: i64 = 7_228_915_663; // 60亿 / 0.83
        let cont = completion_rate(70 * YI, cont_plan).unwrap();
        let new = completion_rate(60 * YI, new_plan).unwrap();
        let all = completion_rate(130 * YI, cont_plan + new_plan).unwrap();
        assert_eq!(fmt_percent(cont), "92.0%");
        assert_eq!(fmt_percent(new), "83.0%");
        assert_eq!(fmt_percent(all), "87.6%");
        assert_eq!(format!("{:.0}%", all * 100.0), "88%");
        assert!((ahead_points(cont, 0.85) - 7.0).abs() < 1e-6);
        assert_eq!(
            fmt_ahead(ahead_points(cont, 0.85), Language::Zh),
            "超序时进度7.0个百分点"
        );
        assert_eq!(fmt_yi(130.0 * 10_000.0), "130.0");
    }

    #[test]
    fn jiangmen_and_kaiping() {
        // Jiangmen Q1: 30.90% against a linear 25% → +5.90 points.
        let p = ahead_points(0.3090, 3.0 / 12.0);
        assert!((p - 5.90).abs() < 1e-9, "{p}");
        assert_eq!(format!("{:.2}", round_to(p, 2)), "5.90");
        // Kaiping H1: 48.44% against 50% → −1.56 points.
        let p = ahead_points(0.4844, 6.0 / 12.0);
        assert!((p + 1.56).abs() < 1e-9, "{p}");
        assert_eq!(fmt_ahead(p, Language::Zh), "慢于序时进度1.6个百分点");
        assert_eq!(fmt_ahead(-2.0, Language::Zh), "慢于序时进度2.0个百分点");
        assert_eq!(fmt_ahead(0.01, Language::Zh), "与序时进度持平");
        assert_eq!(fmt_ahead(7.0, Language::En), "7.0 points ahead of schedule");
    }

    #[test]
    fn year_on_year() {
        // 313.64 against 160.30 → +95.66%.
        let g = yoy_growth(3_136_400, Some(1_603_000)).unwrap();
        assert_eq!(format!("{:.2}", round_to(g * 100.0, 2)), "95.66");
        assert_eq!(fmt_growth(Some(g)), "+95.7%");
        assert_eq!(yoy_growth(5, None), None);
        assert_eq!(yoy_growth(5, Some(0)), None);
        assert_eq!(fmt_growth(Some(-0.02)), "-2.0%");
    }

    #[test]
    fn shares_and_rates() {
        assert_eq!(share(55, 100), 0.55);
        assert_eq!(share(1, 0), 0.0);
        assert_eq!(completion_rate(1, 0), None);
        assert_eq!(fmt_percent(0.9195), "92.0%");
        assert_eq!(fmt_percent(0.0), "0.0%");
        assert_eq!(fmt_wan(1_234_567.891), "1,234,567.89");
        assert_eq!(fmt_wan(12.5), "12.50");
        assert_eq!(fmt_points(-1.56), "-1.6");
    }

    #[test]
    fn lights_by_points_and_ratio() {
        let c = points_cfg();
        assert_eq!(classify(0.66, 0.75, &c), Light::Green); // 9 behind
        assert_eq!(classify(0.65, 0.75, &c), Light::Yellow); // exactly 10 behind
        assert_eq!(classify(0.45, 0.75, &c), Light::Yellow); // exactly 30 behind
        assert_eq!(classify(0.44, 0.75, &c), Light::Red);
        assert_eq!(classify(0.90, 0.75, &c), Light::Green);
        let r = LightsConfig {
            mode: LightsMode::Ratio,
            ..LightsConfig::default()
        };
        assert_eq!(classify(0.60, 0.75, &r), Light::Green); // 80% of target
        assert_eq!(classify(0.59, 0.75, &r), Light::Yellow);
        assert_eq!(classify(0.44, 0.75, &r), Light::Red);
        assert_eq!(classify(0.0, 0.0, &r), Light::Green);
        assert_eq!(start_light(1), Light::Yellow);
        assert_eq!(start_light(3), Light::Red);
    }
}
