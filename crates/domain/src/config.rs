//! The office's configuration that every part shares: the office, its officials, the task
//! forces and the time-schedule targets.
//!
//! Feature crates own their own tables (schedules, routing and time limits, the bulletin,
//! mail delivery); the `docket` binary reads the whole file and has each part validate its
//! own keys. Every check names the key it refuses, e.g. `task_forces[1].lead`.

use std::collections::{HashMap, HashSet};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::issue::IssueCategory;
use crate::targets::Targets;

/// A configuration value that was refused, with the key that holds it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct ConfigError {
    /// The dotted key path, e.g. `office.timezone` or `officials[3].email`.
    pub key: String,
    /// What is wrong, in the user's terms.
    pub reason: String,
}

impl ConfigError {
    /// A refusal of `key` for `reason`.
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// The language of user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// 中文, the default.
    #[default]
    Zh,
    /// English.
    En,
}

/// `[office]`: the coordinating office (重点项目协调办).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    /// The office's name as shown in emails and the bulletin.
    #[serde(default = "default_office_name")]
    pub name: String,
    /// The city's name.
    #[serde(default)]
    pub city: String,
    /// IANA time zone of the office; schedules run and times show in it.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// The office's email address.
    pub email: String,
    /// The official id of the office head: the last escalation rung.
    pub head: String,
    /// Language of user-facing text: `zh` (default) or `en`.
    #[serde(default)]
    pub language: Language,
}

fn default_office_name() -> String {
    "重点项目协调办".into()
}

fn default_timezone() -> String {
    "Asia/Shanghai".into()
}

/// How an official wants non-urgent email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DigestMode {
    /// Every email as it happens (default).
    #[default]
    Immediate,
    /// One digest each working day.
    Daily,
    /// One digest each week, on its first working day.
    Weekly,
}

/// `[[officials]]`: a person who acts in or receives email from the system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Official {
    /// Stable id, referenced by task forces, `--as` and project files.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Title, e.g. 市长.
    #[serde(default)]
    pub title: String,
    /// Email address.
    pub email: String,
    /// The owner unit this official reports for, if any.
    #[serde(default)]
    pub unit: Option<String>,
    /// Delivery of non-urgent email: immediate, daily or weekly digest.
    #[serde(default)]
    pub digest: DigestMode,
    /// How emails greet this official, e.g. `李明华书记` (the colon is added). Optional: by
    /// default [`Official::salutation`] derives it from the name and title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
    /// Mobile number for SMS channels (digits, optionally a leading `+`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Ids of `[[channels]]` this official's messages also go to (e.g. an SMS gateway).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

/// Short titles a greeting uses, longest first so 副市长 wins over 市长.
const SHORT_TITLES: &[&str] = &[
    "常务副市长",
    "秘书长",
    "董事长",
    "总经理",
    "副书记",
    "副市长",
    "副区长",
    "副县长",
    "副局长",
    "副主任",
    "副组长",
    "书记",
    "市长",
    "区长",
    "县长",
    "局长",
    "主任",
    "组长",
    "处长",
    "科长",
    "部长",
    "主席",
];

impl Official {
    /// How emails greet this official (without the colon): the configured `salutation`, else
    /// the name with the short title the configured title ends with (`市委书记` → `李明华书记`,
    /// `副市长（分管财政）` → `赵敏副市长`; of several titles joined by 、 the first), else the
    /// name with 同志.
    pub fn salutation(&self) -> String {
        if let Some(s) = self.salutation.as_deref().map(str::trim)
            && !s.is_empty()
        {
            return s.trim_end_matches(['：', ':']).to_string();
        }
        let first = self.title.split(['、', '，', ',']).next().unwrap_or("");
        let bare = first.split(['（', '(']).next().unwrap_or("").trim();
        match SHORT_TITLES.iter().find(|t| bare.ends_with(*t)) {
            Some(t) => format!("{}{t}", self.name),
            None => format!("{}同志", self.name),
        }
    }
}

/// `[[task_forces]]`: a task force (工作专班) and the issue categories routed to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskForce {
    /// Stable id.
    pub id: String,
    /// Name, e.g. 要素保障专班.
    pub name: String,
    /// The group leader's official id (组长).
    pub lead: String,
    /// Deputy leaders' official ids (副组长).
    #[serde(default)]
    pub deputies: Vec<String>,
    /// Members' official ids (成员).
    #[serde(default)]
    pub members: Vec<String>,
    /// The city leader linked to the task force (挂钩市领导), an official id: a rung of the
    /// escalation ladder (`[workflow] ladder`) may name them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// Issue category codes routed here.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Ids of `[[channels]]` (the task force's group robots) its messages are posted to,
    /// once per event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

impl TaskForce {
    /// Every official of the task force: leader, deputies, members, without repeats.
    pub fn everyone(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        std::iter::once(self.lead.as_str())
            .chain(self.deputies.iter().map(String::as_str))
            .chain(self.members.iter().map(String::as_str))
            .filter(|id| seen.insert(*id))
            .collect()
    }

    /// The categories as parsed codes (valid after [`CoreConfig::validate`]).
    pub fn issue_categories(&self) -> Vec<IssueCategory> {
        self.categories
            .iter()
            .filter_map(|c| IssueCategory::parse(c).ok())
            .collect()
    }
}

/// The shared part of `config/docket.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoreConfig {
    /// `[office]`
    pub office: Office,
    /// `[[officials]]`
    #[serde(default)]
    pub officials: Vec<Official>,
    /// `[[task_forces]]`
    #[serde(default)]
    pub task_forces: Vec<TaskForce>,
    /// `[targets]` (序时进度)
    #[serde(default)]
    pub targets: Targets,
    /// `[limits]`: the longest text a field may hold.
    #[serde(default)]
    pub limits: TextLimits,
}

/// `[limits]`: the longest text each kind of field may hold, in characters. Files and
/// reports with longer text are refused naming the row and column (a 10 MB project name
/// would otherwise travel into every email about the project).
///
/// ```toml
/// [limits]
/// code_max_chars = 64      # project codes
/// name_max_chars = 200     # names, units, districts, contacts: single-line fields
/// text_max_chars = 2000    # free text: progress, milestones, problems, plans
/// ```
/// Issue titles and details have their own keys under `[workflow]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextLimits {
    /// Longest project code.
    pub code_max_chars: usize,
    /// Longest single-line field: name, owner unit, district, contact.
    pub name_max_chars: usize,
    /// Longest free-text field of a weekly report.
    pub text_max_chars: usize,
}

impl Default for TextLimits {
    fn default() -> Self {
        TextLimits {
            code_max_chars: 64,
            name_max_chars: 200,
            text_max_chars: 2000,
        }
    }
}

impl TextLimits {
    /// Checks that every limit allows at least one character.
    ///
    /// # Errors
    /// [`ConfigError`] on the zero key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (key, v) in [
            ("limits.code_max_chars", self.code_max_chars),
            ("limits.name_max_chars", self.name_max_chars),
            ("limits.text_max_chars", self.text_max_chars),
        ] {
            if v == 0 {
                return Err(ConfigError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}

impl CoreConfig {
    /// Checks every cross-reference and value.
    ///
    /// # Errors
    /// The first [`ConfigError`] found, naming its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.timezone()?;
        check_email("office.email", &self.office.email)?;
        let mut ids = HashSet::new();
        for (i, o) in self.officials.iter().enumerate() {
            let key = format!("officials[{i}]");
            if o.id.trim().is_empty() {
                return Err(ConfigError::new(format!("{key}.id"), "must not be empty"));
            }
            if !ids.insert(o.id.as_str()) {
                return Err(ConfigError::new(
                    format!("{key}.id"),
                    format!("official id {:?} is used twice", o.id),
                ));
            }
            if o.name.trim().is_empty() {
                return Err(ConfigError::new(format!("{key}.name"), "must not be empty"));
            }
            check_email(&format!("{key}.email"), &o.email)?;
            check_contact(&key, o.phone.as_deref(), &o.channels)?;
        }
        let known = |key: String, id: &str| {
            if ids.contains(id) {
                Ok(())
            } else {
                Err(ConfigError::new(key, format!("unknown official id {id:?}")))
            }
        };
        known("office.head".into(), &self.office.head)?;
        let mut routed: HashMap<IssueCategory, &str> = HashMap::new();
        let mut tf_ids = HashSet::new();
        for (i, tf) in self.task_forces.iter().enumerate() {
            let key = format!("task_forces[{i}]");
            if !tf_ids.insert(tf.id.as_str()) {
                return Err(ConfigError::new(
                    format!("{key}.id"),
                    format!("task force id {:?} is used twice", tf.id),
                ));
            }
            known(format!("{key}.lead"), &tf.lead)?;
            for (j, d) in tf.deputies.iter().enumerate() {
                known(format!("{key}.deputies[{j}]"), d)?;
            }
            for (j, m) in tf.members.iter().enumerate() {
                known(format!("{key}.members[{j}]"), m)?;
            }
            if let Some(l) = &tf.leader {
                known(format!("{key}.leader"), l)?;
            }
            check_contact(&key, None, &tf.channels)?;
            for (j, c) in tf.categories.iter().enumerate() {
                let ckey = format!("{key}.categories[{j}]");
                let cat =
                    IssueCategory::parse(c).map_err(|e| ConfigError::new(&ckey, e.to_string()))?;
                if let Some(other) = routed.insert(cat, tf.id.as_str()) {
                    return Err(ConfigError::new(
                        ckey,
                        format!(
                            "category {:?} is already routed to task force {other:?}; a category goes to one task force",
                            cat.code()
                        ),
                    ));
                }
            }
        }
        self.targets
            .validate()
            .map_err(|(k, r)| ConfigError::new(k, r))?;
        self.limits.validate()?;
        Ok(())
    }

    /// The office's time zone.
    ///
    /// # Errors
    /// [`ConfigError`] on `office.timezone` if it is not an IANA zone name.
    pub fn timezone(&self) -> Result<Tz, ConfigError> {
        self.office.timezone.parse::<Tz>().map_err(|_| {
            ConfigError::new(
                "office.timezone",
                format!(
                    "unknown time zone {:?} (use an IANA name such as Asia/Shanghai)",
                    self.office.timezone
                ),
            )
        })
    }

    /// The official with this id.
    pub fn official(&self, id: &str) -> Option<&Official> {
        self.officials.iter().find(|o| o.id == id)
    }

    /// The official whose id or exact name is `text` (as a project file may give either).
    pub fn find_official(&self, text: &str) -> Option<&Official> {
        let t = text.trim();
        self.official(t)
            .or_else(|| self.officials.iter().find(|o| o.name == t))
    }

    /// The task force with this id.
    pub fn task_force(&self, id: &str) -> Option<&TaskForce> {
        self.task_forces.iter().find(|t| t.id == id)
    }

    /// The task force whose categories include `category`, if any (else the office handles it).
    pub fn task_force_for(&self, category: IssueCategory) -> Option<&TaskForce> {
        self.task_forces
            .iter()
            .find(|t| t.issue_categories().contains(&category))
    }
}

/// Checks that `value` is a plausible single email address (`local@domain.tld`, no blanks
/// or line breaks).
///
/// # Errors
/// [`ConfigError`] on `key`.
pub fn check_email(key: &str, value: &str) -> Result<(), ConfigError> {
    if is_valid_email(value) {
        Ok(())
    } else {
        Err(ConfigError::new(
            key,
            format!("invalid email address {value:?}"),
        ))
    }
}

/// Whether `value` is a plausible single email address.
pub fn is_valid_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let ok_chars = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"@".contains(c))
    };
    ok_chars(local)
        && ok_chars(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

use crate::config_contact::check_contact;
pub use crate::config_contact::is_valid_phone;
pub use crate::config_env::apply_env_overrides;

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
        [office]
        email = "office@city.gov.cn"
        head = "head"
        [[officials]]
        id = "head"
        name = "王主任"
        email = "head@city.gov.cn"
        [[officials]]
        id = "lead"
        name = "李市长"
        email = "lead@city.gov.cn"
        [[task_forces]]
        id = "tf1"
        name = "要素保障专班"
        lead = "lead"
        members = ["head"]
        categories = ["land", "funding"]
    "#;

    fn parse(text: &str) -> CoreConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn sample_is_valid() {
        let c = parse(BASE);
        c.validate().unwrap();
        assert_eq!(c.task_force_for(IssueCategory::Land).unwrap().id, "tf1");
        assert!(c.task_force_for(IssueCategory::Approval).is_none());
        assert_eq!(c.find_official("李市长").unwrap().id, "lead");
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            (
                BASE.replace("head = \"head\"", "head = \"nobody\""),
                "office.head",
            ),
            (
                BASE.replace("lead@city.gov.cn", "lead at city"),
                "officials[1].email",
            ),
            (
                BASE.replace("[office]", "[office]\ntimezone = \"Mars/Base\""),
                "office.timezone",
            ),
            (
                BASE.replace("members = [\"head\"]", "members = [\"ghost\"]"),
                "task_forces[0].members[0]",
            ),
            (
                BASE.replace(
                    "members = [\"head\"]",
                    "members = [\"head\"]\nleader = \"ghost\"",
                ),
                "task_forces[0].leader",
            ),
            (
                BASE.replace("\"land\", \"funding\"", "\"land\", \"land\""),
                "task_forces[0].categories[1]",
            ),
            (
                BASE.replace("\"land\", \"funding\"", "\"land\", \"roads\""),
                "task_forces[0].categories[1]",
            ),
        ];
        for (text, key) in cases {
            let err = parse(&text).validate().unwrap_err();
            assert_eq!(err.key, key, "{err}");
        }
    }

    #[test]
    fn env_overrides_descend_tables() {
        let mut doc: toml::Table = toml::from_str(BASE).unwrap();
        apply_env_overrides(
            &mut doc,
            [
                (
                    "DOCKET__OFFICE__TIMEZONE".to_string(),
                    "Europe/Paris".to_string(),
                ),
                (
                    "DOCKET__TARGETS__MODEL".to_string(),
                    "project_plan".to_string(),
                ),
                ("OTHER".to_string(), "x".to_string()),
            ],
        )
        .unwrap();
        let c: CoreConfig = doc.try_into().unwrap();
        assert_eq!(c.office.timezone, "Europe/Paris");
        assert_eq!(c.targets.model, crate::targets::TargetModel::ProjectPlan);
    }

    #[test]
    fn emails() {
        assert!(is_valid_email("a.b@c.gov.cn"));
        for bad in [
            "",
            "a",
            "a@b",
            "a b@c.cn",
            "a@b..cn",
            "a@b.cn\r\nBcc: x@y.cn",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }

    // Greetings carry the title: configured, derived from the title's short form, or 同志.
    #[test]
    fn salutations() {
        let o = |name: &str, title: &str, salutation: Option<&str>| Official {
            id: "x".into(),
            name: name.into(),
            title: title.into(),
            email: "x@city.gov.cn".into(),
            unit: None,
            digest: DigestMode::default(),
            salutation: salutation.map(str::to_string),
            phone: None,
            channels: vec![],
        };
        assert_eq!(o("李明华", "市委书记", None).salutation(), "李明华书记");
        assert_eq!(o("孙丽", "市自然资源局局长", None).salutation(), "孙丽局长");
        assert_eq!(
            o("赵敏", "副市长（分管财政）", None).salutation(),
            "赵敏副市长"
        );
        assert_eq!(
            o("陈志远", "市发展改革局局长、重点项目协调办主任", None).salutation(),
            "陈志远局长"
        );
        assert_eq!(
            o("黄伟", "华海药业项目联系人", None).salutation(),
            "黄伟同志"
        );
        assert_eq!(o("黄伟", "", None).salutation(), "黄伟同志");
        assert_eq!(
            o("李明华", "市委书记", Some("李书记：")).salutation(),
            "李书记"
        );
        let c: CoreConfig = toml::from_str(&format!(
            "{BASE}\n[[officials]]\nid = \"s\"\nname = \"孙丽\"\nemail = \"s@city.gov.cn\"\nsalutation = \"孙局长\"\n"
        ))
        .unwrap();
        assert_eq!(c.official("s").unwrap().salutation(), "孙局长");
    }
}
