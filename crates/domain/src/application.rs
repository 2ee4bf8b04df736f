//! Applications to higher levels for funds and policies (争取上级资金和政策): the funding
//! category and the state of an application, each with its code and Chinese label, the
//! `[applications]` targets of the configuration, and the project file's optional national
//! project code (项目代码) and tags (标签).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::amount::Amount;
use crate::config::ConfigError;
use crate::project::coded_enum;

coded_enum!(
    /// What is applied for (资金类别).
    ApplicationCategory, "funding category" {
        /// 中央预算内投资
        CentralBudget = "central_budget" / "中央预算内投资",
        /// 地方政府专项债券
        SpecialBond = "special_bond" / "地方政府专项债券",
        /// 政策性金融工具
        PolicyFinance = "policy_finance" / "政策性金融工具",
        /// 省级专项资金
        ProvincialFund = "provincial_fund" / "省级专项资金",
        /// 政策事项: a policy request, usually without an amount.
        Policy = "policy" / "政策事项",
    }
);

coded_enum!(
    /// Where an application stands (状态).
    ApplicationState, "application state" {
        /// 谋划: being prepared.
        Planning = "planning" / "谋划",
        /// 申报: submitted.
        Applied = "applied" / "申报",
        /// 审核: under review by the higher level.
        Review = "review" / "审核",
        /// 批复: approved.
        Approved = "approved" / "批复",
        /// 下达: funds allocated (issued down).
        Allocated = "allocated" / "下达",
        /// 到位: funds received.
        Received = "received" / "到位",
        /// 未获批: refused.
        Rejected = "rejected" / "未获批",
    }
);

/// The length of the national project code (项目代码) of the online approval platform,
/// e.g. `2024-330100-48-01-123456`.
pub const NATIONAL_CODE_LEN: usize = 24;

/// Parses a national project code: exactly 24 characters of digits, letters (kept upper
/// case) and hyphens, neither starting nor ending with a hyphen.
///
/// # Errors
/// [`DomainError::Invalid`] saying what is wrong (length or a character).
pub fn parse_national_code(text: &str) -> Result<String, DomainError> {
    let t = text.trim().to_ascii_uppercase();
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_digit() || c.is_ascii_uppercase() || *c == '-'))
    {
        return Err(DomainError::invalid(format!(
            "character {c:?} not allowed in a national project code (digits, letters and -)"
        )));
    }
    let n = t.chars().count();
    if n != NATIONAL_CODE_LEN {
        return Err(DomainError::invalid(format!(
            "{n} characters: a national project code has {NATIONAL_CODE_LEN}"
        )));
    }
    if t.starts_with('-') || t.ends_with('-') {
        return Err(DomainError::invalid(
            "a national project code does not start or end with -",
        ));
    }
    Ok(t)
}

/// The most tags a project may carry, and the longest tag.
pub const MAX_TAGS: usize = 10;
/// The longest tag, in characters.
pub const TAG_MAX_CHARS: usize = 20;

/// Parses a tags cell (e.g. `重大工程，十四五`): separated by commas (`,` `，`), `、` or
/// `;`, blanks trimmed, duplicates dropped, order kept.
///
/// # Errors
/// [`DomainError::Invalid`] for more than [`MAX_TAGS`] tags or a tag longer than
/// [`TAG_MAX_CHARS`].
pub fn parse_tags(text: &str) -> Result<Vec<String>, DomainError> {
    let mut tags: Vec<String> = Vec::new();
    for t in text.split([',', '，', '、', ';', '；']) {
        let t = crate::text::single_line(t);
        if t.is_empty() || tags.contains(&t) {
            continue;
        }
        if t.chars().count() > TAG_MAX_CHARS {
            return Err(DomainError::invalid(format!(
                "tag {t:?} is longer than {TAG_MAX_CHARS} characters"
            )));
        }
        tags.push(t);
    }
    if tags.len() > MAX_TAGS {
        return Err(DomainError::invalid(format!(
            "{} tags, at most {MAX_TAGS} allowed",
            tags.len()
        )));
    }
    Ok(tags)
}

/// `[applications]`: the yearly targets of funds won from higher levels.
///
/// ```toml
/// [applications.targets.2024]
/// target_wan = 800000                                        # all categories (万元)
/// by_category = { central_budget = 200000, special_bond = 500000 }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationsConfig {
    /// Targets per year (the key is the year, e.g. `"2024"`).
    #[serde(default)]
    pub targets: BTreeMap<String, YearTargets>,
}

/// One year's targets, in 万元.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearTargets {
    /// The target for all categories together.
    #[serde(default)]
    pub target_wan: Option<f64>,
    /// Targets per category code.
    #[serde(default)]
    pub by_category: BTreeMap<String, f64>,
}

impl ApplicationsConfig {
    /// Checks years, category codes and amounts.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the `applications.targets.*` key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (year, t) in &self.targets {
            let base = format!("applications.targets.{year}");
            match year.parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => {}
                _ => return Err(ConfigError::new(&base, "not a year between 2000 and 2100")),
            }
            if let Some(v) = t.target_wan {
                wan_to_amount(v)
                    .map_err(|e| ConfigError::new(format!("{base}.target_wan"), e.to_string()))?;
            }
            for (code, v) in &t.by_category {
                let key = format!("{base}.by_category.{code}");
                ApplicationCategory::parse(code)
                    .map_err(|e| ConfigError::new(&key, e.to_string()))?;
                wan_to_amount(*v).map_err(|e| ConfigError::new(&key, e.to_string()))?;
            }
        }
        Ok(())
    }

    /// The target for all categories in `year`, if configured.
    pub fn total_target(&self, year: i32) -> Option<Amount> {
        let t = self.targets.get(&year.to_string())?;
        t.target_wan.and_then(|v| wan_to_amount(v).ok())
    }

    /// The target of category `code` in `year`, if configured.
    pub fn category_target(&self, year: i32, code: &str) -> Option<Amount> {
        let t = self.targets.get(&year.to_string())?;
        t.by_category.get(code).and_then(|v| wan_to_amount(*v).ok())
    }
}

/// A configured 万元 figure as an exact amount (≥ 0, at most four decimals).
fn wan_to_amount(v: f64) -> Result<Amount, DomainError> {
    if !v.is_finite() || v < 0.0 {
        return Err(DomainError::invalid("must be a number ≥ 0 (万元)"));
    }
    Amount::parse_wan(&format!("{v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_states_parse_codes_and_labels() {
        assert_eq!(
            ApplicationCategory::parse("中央预算内投资").unwrap(),
            ApplicationCategory::CentralBudget
        );
        assert_eq!(
            ApplicationState::parse("未获批").unwrap(),
            ApplicationState::Rejected
        );
        assert_eq!(
            ApplicationState::parse("Received").unwrap(),
            ApplicationState::Received
        );
        assert!(ApplicationState::parse("done").is_err());
    }

    #[test]
    fn national_codes_are_24_characters() {
        assert_eq!(
            parse_national_code(" 2024-330100-48-01-12345a ").unwrap(),
            "2024-330100-48-01-12345A"
        );
        let e = parse_national_code("2024-330100-48-01-1234").unwrap_err();
        assert!(e.to_string().contains("22 characters"), "{e}");
        let e = parse_national_code("2024-330100-48-01-12345*").unwrap_err();
        assert!(e.to_string().contains("'*'"), "{e}");
        assert!(parse_national_code("-024-330100-48-01-123456").is_err());
    }

    #[test]
    fn tags_split_and_deduplicate() {
        assert_eq!(
            parse_tags("重大工程，十四五、重大工程").unwrap(),
            ["重大工程", "十四五"]
        );
        assert!(parse_tags(&"长".repeat(21)).is_err());
    }

    #[test]
    fn targets_validate_keys() {
        let mut c = ApplicationsConfig::default();
        c.targets.insert(
            "2024".into(),
            YearTargets {
                target_wan: Some(800000.0),
                by_category: [("central_budget".to_string(), 1.5)].into(),
            },
        );
        c.validate().unwrap();
        assert_eq!(c.total_target(2024), Some(Amount::from_wan(800000)));
        assert_eq!(
            c.category_target(2024, "central_budget"),
            Some(Amount::from_yuan(15_000))
        );
        c.targets
            .get_mut("2024")
            .unwrap()
            .by_category
            .insert("gold".into(), 1.0);
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("applications.targets.2024.by_category.gold"),
            "{e}"
        );
    }
}
