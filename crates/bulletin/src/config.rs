//! The `[bulletin]` table of `config/docket.toml`: warning lights, the start-rate
//! definition, the distribution list, issue numbering, the data cut-off, the attachments of
//! the email, and the official-document (公文) form of the DOCX and PDF with its fonts.

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
    /// The files attached to the bulletin's email, in order (default `["pdf", "xlsx"]`).
    #[serde(default = "d_attach")]
    pub attach: Vec<Attachment>,
    /// The official-document form (红头, 报/送/发) of the DOCX and PDF.
    #[serde(default)]
    pub document: DocumentConfig,
    /// The fonts of the DOCX and PDF.
    #[serde(default)]
    pub fonts: FontsConfig,
    /// 拿地即开工: a project counts when construction started within this many days of its
    /// land approval (用地审批 to 开工, default 90).
    #[serde(default = "d_land_to_start_days")]
    pub land_to_start_days: u32,
    /// The targets of section 争取上级资金和政策, from the top-level `[applications]` table
    /// (set by the config loader; not a key of `[bulletin]`).
    #[serde(skip)]
    pub applications: docket_domain::application::ApplicationsConfig,
}

fn d_land_to_start_days() -> u32 {
    90
}

/// A file attached to the bulletin's email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attachment {
    /// The 公文 as PDF (needs a CJK font on the machine).
    Pdf,
    /// The 公文 as Word (DOCX).
    Docx,
    /// The workbook.
    Xlsx,
}

fn d_attach() -> Vec<Attachment> {
    vec![Attachment::Pdf, Attachment::Xlsx]
}

/// `[bulletin.document]`: the 公文 form of the DOCX and PDF.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfig {
    /// The masthead printed in red (红头, 发文机关标志); default "{city}重点项目建设月通报".
    #[serde(default)]
    pub masthead: Option<String>,
    /// The compiling unit (编发单位) under the masthead and in the imprint; default
    /// `[office] name`.
    #[serde(default)]
    pub compiled_by: Option<String>,
    /// 报: the bodies the bulletin is reported to (e.g. 市委、市政府主要领导).
    #[serde(default)]
    pub report_to: Vec<String>,
    /// 送: the bodies it is sent to.
    #[serde(default)]
    pub copy_to: Vec<String>,
    /// 发: the bodies it is distributed to.
    #[serde(default)]
    pub distribute_to: Vec<String>,
}

/// `[bulletin.fonts]`: font families by role, each a list tried in order; the Noto CJK
/// fallback is appended to each. Names may be the family's English or Chinese name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontsConfig {
    /// The masthead and the title (方正小标宋).
    #[serde(default = "d_title_fonts")]
    pub title: Vec<String>,
    /// Section headings (黑体).
    #[serde(default = "d_heading_fonts")]
    pub heading: Vec<String>,
    /// Body text and tables (仿宋_GB2312).
    #[serde(default = "d_body_fonts")]
    pub body: Vec<String>,
    /// The fallback of the title and body: a serif CJK family (default Noto Serif CJK SC).
    #[serde(default = "d_serif")]
    pub fallback_serif: String,
    /// The fallback of the headings: a sans-serif CJK family (default Noto Sans CJK SC).
    #[serde(default = "d_sans")]
    pub fallback_sans: String,
    /// Folders searched for fonts besides the system's (fontconfig's list, /usr/share/fonts).
    #[serde(default)]
    pub dirs: Vec<String>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}
fn d_title_fonts() -> Vec<String> {
    strings(&[
        "方正小标宋简体",
        "方正小标宋_GBK",
        "FZXiaoBiaoSong-B05S",
        "FZXiaoBiaoSong-B05",
    ])
}
fn d_heading_fonts() -> Vec<String> {
    strings(&["黑体", "SimHei"])
}
fn d_body_fonts() -> Vec<String> {
    strings(&["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"])
}
fn d_serif() -> String {
    "Noto Serif CJK SC".into()
}
fn d_sans() -> String {
    "Noto Sans CJK SC".into()
}

impl Default for FontsConfig {
    fn default() -> Self {
        FontsConfig {
            title: d_title_fonts(),
            heading: d_heading_fonts(),
            body: d_body_fonts(),
            fallback_serif: d_serif(),
            fallback_sans: d_sans(),
            dirs: Vec::new(),
        }
    }
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
            attach: d_attach(),
            document: DocumentConfig::default(),
            fonts: FontsConfig::default(),
            land_to_start_days: d_land_to_start_days(),
            applications: Default::default(),
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
        let mut seen = Vec::new();
        for (i, a) in self.attach.iter().enumerate() {
            if seen.contains(a) {
                return Err(ConfigError::new(
                    format!("bulletin.attach[{i}]"),
                    "listed twice",
                ));
            }
            seen.push(*a);
        }
        for (key, list) in [
            ("title", &self.fonts.title),
            ("heading", &self.fonts.heading),
            ("body", &self.fonts.body),
        ] {
            if let Some(i) = list.iter().position(|f| f.trim().is_empty()) {
                return Err(ConfigError::new(
                    format!("bulletin.fonts.{key}[{i}]"),
                    "a font family name must not be empty",
                ));
            }
        }
        if self.land_to_start_days > 366 {
            return Err(ConfigError::new(
                "bulletin.land_to_start_days",
                "must be at most 366 days",
            ));
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
