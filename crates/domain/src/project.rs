//! Project classifications, each with its contract code and Chinese label.

use crate::DomainError;

/// Defines an enum whose variants have a contract code (English) and a Chinese label, both
/// accepted when parsing.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal / $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The contract code, e.g. used in files, JSON and the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label shown to users.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// Parses a contract code or a Chinese label (blanks trimmed, codes case-insensitive).
            ///
            /// # Errors
            /// [`DomainError::Invalid`] naming the accepted values.
            pub fn parse(text: &str) -> Result<Self, $crate::DomainError> {
                let t = text.trim();
                $(if t.eq_ignore_ascii_case($code) || t == $zh { return Ok($name::$variant); })+
                Err($crate::DomainError::invalid(format!(
                    concat!("not a known ", $what, " (expected one of {})"),
                    [$(concat!($code, "/", $zh)),+].join(", ")
                )))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// Which government level lists the project as key (项目级别).
    Level, "level" {
        /// 省重点
        Provincial = "provincial" / "省重点",
        /// 市重点
        Municipal = "municipal" / "市重点",
        /// 区县重点
        County = "county" / "区县重点",
    }
);

coded_enum!(
    /// Construction stage (建设阶段).
    Stage, "stage" {
        /// 储备: next year's reserve, does not report.
        Reserve = "reserve" / "储备",
        /// 前期: pre-construction work.
        Preparatory = "preparatory" / "前期",
        /// 新建: starts construction this year.
        New = "new" / "新建",
        /// 续建: under construction since an earlier year.
        Continuing = "continuing" / "续建",
        /// 竣工: completed, does not report.
        Completed = "completed" / "竣工",
    }
);

impl Stage {
    /// Whether a project in this stage gets a weekly report slot.
    pub fn is_active(self) -> bool {
        matches!(self, Stage::Preparatory | Stage::New | Stage::Continuing)
    }
}

coded_enum!(
    /// Project category (项目类别).
    Category, "category" {
        /// 产业
        Industry = "industry" / "产业",
        /// 城建
        Urban = "urban" / "城建",
        /// 社会民生
        Livelihood = "livelihood" / "社会民生",
        /// 文旅
        CultureTourism = "culture_tourism" / "文旅",
        /// 基础设施
        Infrastructure = "infrastructure" / "基础设施",
        /// 其他
        Other = "other" / "其他",
    }
);

coded_enum!(
    /// Pre-construction milestone (前期工作节点).
    Milestone, "milestone" {
        /// 立项/可研批复
        Approval = "approval" / "立项可研批复",
        /// 用地审批
        Land = "land" / "用地审批",
        /// 规划选址
        Planning = "planning" / "规划选址",
        /// 环评安评
        Assessment = "assessment" / "环评安评",
        /// 征地拆迁
        Acquisition = "acquisition" / "征地拆迁",
        /// 施工许可
        Permit = "permit" / "施工许可",
        /// 开工
        Start = "start" / "开工",
    }
);

coded_enum!(
    /// City-wide monthly indicator (全市指标).
    Indicator, "indicator" {
        /// 固定资产投资
        FixedAssetInvestment = "fixed_asset_investment" / "固定资产投资",
        /// 产业投资
        IndustrialInvestment = "industrial_investment" / "产业投资",
        /// 工业投资
        ManufacturingInvestment = "manufacturing_investment" / "工业投资",
    }
);

/// Parses a yes/no cell: `true`/`false`, 是/否, `yes`/`no`, `1`/`0`.
///
/// # Errors
/// [`DomainError::Invalid`] for anything else.
pub fn parse_bool(text: &str) -> Result<bool, DomainError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" => Ok(true),
        "false" | "no" | "n" | "0" | "否" => Ok(false),
        _ => Err(DomainError::invalid("expected true/false or 是/否")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_labels() {
        assert_eq!(Level::parse("省重点").unwrap(), Level::Provincial);
        assert_eq!(Level::parse(" Municipal ").unwrap(), Level::Municipal);
        assert_eq!(Category::parse("文旅").unwrap(), Category::CultureTourism);
        assert_eq!(Stage::parse("续建").unwrap(), Stage::Continuing);
        let err = Stage::parse("building").unwrap_err().to_string();
        assert!(err.contains("reserve/储备"), "{err}");
        assert!(parse_bool("是").unwrap());
        assert!(!parse_bool("false").unwrap());
        assert!(parse_bool("maybe").is_err());
    }

    #[test]
    fn active_stages() {
        let active: Vec<_> = Stage::ALL.iter().filter(|s| s.is_active()).collect();
        assert_eq!(
            active,
            [&Stage::Preparatory, &Stage::New, &Stage::Continuing]
        );
    }
}
