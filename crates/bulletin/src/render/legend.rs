//! The legend: what every colour of the bulletin means, stated with the thresholds the
//! lights were actually set with, so a reader of the printed page needs no other document.

use docket_domain::config::Language;

use crate::config::LightsMode;
use crate::formula::Light;
use crate::model::Bulletin;

/// One line of the legend: the colour it explains (if any) and the explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendLine {
    /// The colour as `#rrggbb`, or `None` for a line about a chart.
    pub colour: Option<&'static str>,
    /// What the colour means.
    pub text: String,
}

fn num(x: f64) -> String {
    let r = crate::formula::round_to(x, 1);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// The legend's lines, in the bulletin's language.
pub fn lines(b: &Bulletin) -> Vec<LegendLine> {
    let l = &b.meta.lights;
    let zh = b.meta.language == Language::Zh;
    let (red, yellow) = match (l.mode, zh) {
        (LightsMode::Points, true) => (
            format!("完成率慢于序时进度{}个百分点以上", num(l.red_points)),
            format!(
                "完成率慢于序时进度{}至{}个百分点",
                num(l.yellow_points),
                num(l.red_points)
            ),
        ),
        (LightsMode::Points, false) => (
            format!(
                "completion more than {} points behind the target",
                num(l.red_points)
            ),
            format!(
                "completion {} to {} points behind the target",
                num(l.yellow_points),
                num(l.red_points)
            ),
        ),
        (LightsMode::Ratio, true) => (
            format!("完成率低于序时进度的{}%", num(l.red_ratio * 100.0)),
            format!(
                "完成率为序时进度的{}%至{}%",
                num(l.red_ratio * 100.0),
                num(l.yellow_ratio * 100.0)
            ),
        ),
        (LightsMode::Ratio, false) => (
            format!(
                "completion below {}% of the target",
                num(l.red_ratio * 100.0)
            ),
            format!(
                "completion {}% to {}% of the target",
                num(l.red_ratio * 100.0),
                num(l.yellow_ratio * 100.0)
            ),
        ),
    };
    let line = |colour: Option<&'static str>, zh_text: String, en_text: String| LegendLine {
        colour,
        text: if zh { zh_text } else { en_text },
    };
    vec![
        line(
            Some(Light::Red.colour()),
            format!("红灯（滞后项目）：{red}；（未开工项目）：超过计划开工月3个月及以上未开工。"),
            format!(
                "Red (lagging): {red}; (starts): not started 3 or more months after the planned month."
            ),
        ),
        line(
            Some(Light::Yellow.colour()),
            format!("黄灯（滞后项目）：{yellow}；（未开工项目）：超过计划开工月1至2个月未开工。"),
            format!(
                "Yellow (lagging): {yellow}; (starts): not started 1 to 2 months after the planned month."
            ),
        ),
        line(
            Some("#2e7d32"),
            "绿色数字：超序时进度；红色数字：慢于序时进度。".into(),
            "Green figures: ahead of the target; red figures: behind it.".into(),
        ),
        line(
            None,
            "图中蓝条为完成率（橙条表示慢于序时进度），黑线为序时进度。".into(),
            "Charts: bars are completion (orange when behind), the black line the target.".into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn thresholds_print_without_noise() {
        assert_eq!(num(30.0), "30");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(0.6 * 100.0), "60");
    }
}
