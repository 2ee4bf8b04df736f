//! Loading `config/docket.toml`: the file, then `DOCKET__…` environment overrides, then
//! validation of every part. Any refusal is bad input naming the key.

use std::path::{Path, PathBuf};

use docket_domain::config::{ConfigError, CoreConfig, apply_env_overrides};

use crate::error::AppError;
use crate::file_store::{FileStoreSpec, S3Credentials};

/// Top-level tables the file may have. Each feature crate reads and validates its own.
const KNOWN_TABLES: &[&str] = &[
    "office",
    "officials",
    "task_forces",
    "targets",
    "limits",
    "bulletin",
    "workflow",
    "smtp",
    "mail",
    "channels",
    "schedules",
    "http",
    "applications",
];

/// The whole configuration, validated.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// The shared part: office, officials, task forces, targets.
    pub core: CoreConfig,
    /// `[bulletin]`: lights, start rate, distribution list, numbering, cut-off.
    pub bulletin: docket_bulletin::BulletinConfig,
    /// `[workflow]`: routing overrides, time limits, escalation.
    pub workflow: docket_workflow::WorkflowConfig,
    /// `[smtp]`: the mail server (absent: `.eml` files). Credentials come from the environment.
    pub smtp: docket_notifier::SmtpConfig,
    /// `[mail]`: the outbox's delivery settings.
    pub mail: docket_notifier::MailConfig,
    /// `[[channels]]`: group robots and SMS gateways besides email (secrets from the
    /// environment, read when the dispatcher is built).
    pub channels: Vec<docket_notifier::ChannelConfig>,
    /// `[schedules]`: the weekly cycle, reminders, closing, bulletin and custom cron jobs.
    pub schedules: docket_scheduler::SchedulesConfig,
    /// `[http]`: the HTTP service's public address, sessions and upload limits.
    pub http: crate::web::HttpSettings,
    /// Where attachments are kept: `[http] files_dir`, or `[http.files_s3]` with the
    /// credentials read from the environment.
    pub files: FileStoreSpec,
    /// `[applications]`: the yearly targets of funds won from higher levels.
    pub applications: docket_domain::application::ApplicationsConfig,
}

impl AppConfig {
    /// The folder holding the config file; relative paths in the config (calendar tables,
    /// templates) are taken from here.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }
}

/// Reads, overrides and validates the configuration at `path`.
///
/// # Errors
/// [`AppError::BadInput`] naming the file and key for anything wrong.
pub fn load(path: &Path) -> Result<AppConfig, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::bad_input(format!("config {}: cannot read: {e}", path.display())))?;
    load_str(path, &text, std::env::vars())
}

/// As [`load`], from text already read and an explicit environment (for tests).
///
/// # Errors
/// As [`load`].
pub fn load_str(
    path: &Path,
    text: &str,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<AppConfig, AppError> {
    let bad = |e: ConfigError| AppError::bad_input(format!("config {}: {e}", path.display()));
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| {
        AppError::bad_input(format!(
            "config {}: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })?;
    let env: Vec<(String, String)> = env.into_iter().collect();
    apply_env_overrides(&mut doc, env.iter().cloned()).map_err(bad)?;
    if let Some(key) = doc.keys().find(|k| !KNOWN_TABLES.contains(&k.as_str())) {
        return Err(bad(ConfigError::new(
            key.clone(),
            format!("unknown table (known: {})", KNOWN_TABLES.join(", ")),
        )));
    }
    let core: CoreConfig = deserialize(toml::Value::Table(doc.clone()), "(root)").map_err(bad)?;
    core.validate().map_err(bad)?;
    let mut bulletin: docket_bulletin::BulletinConfig = section(&doc, "bulletin").map_err(bad)?;
    bulletin.validate(&core).map_err(bad)?;
    let applications: docket_domain::application::ApplicationsConfig =
        section(&doc, "applications").map_err(bad)?;
    applications.validate().map_err(bad)?;
    // The bulletin's section 争取上级资金和政策 measures against these targets.
    bulletin.applications = applications.clone();
    let workflow: docket_workflow::WorkflowConfig = section(&doc, "workflow").map_err(bad)?;
    workflow.validate(&core).map_err(bad)?;
    let smtp: docket_notifier::SmtpConfig = section(&doc, "smtp").map_err(bad)?;
    let mail: docket_notifier::MailConfig = section(&doc, "mail").map_err(bad)?;
    let channels = channels_section(&doc).map_err(bad)?;
    let schedules: docket_scheduler::SchedulesConfig = section(&doc, "schedules").map_err(bad)?;
    schedules.validate().map_err(bad)?;
    let http: crate::web::HttpSettings = section(&doc, "http").map_err(bad)?;
    http.validate().map_err(bad)?;
    let files = match &http.files_s3 {
        None => FileStoreSpec::Folder(PathBuf::from(&http.files_dir)),
        Some(settings) => {
            let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            FileStoreSpec::S3 {
                settings: settings.clone(),
                credentials: S3Credentials::from_env(&var).map_err(bad)?,
            }
        }
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    docket_notifier::NotifierSettings::resolve(&core, &smtp, &mail, dir, &|k| {
        std::env::var(k).ok()
    })
    .and_then(|s| s.with_channels(&core, &channels, &var))
    .map_err(|e| AppError::bad_input(format!("config {}: {e}", path.display())))?;
    Ok(AppConfig {
        path: path.to_path_buf(),
        core,
        bulletin,
        workflow,
        smtp,
        mail,
        channels,
        schedules,
        http,
        files,
        applications,
    })
}

/// Deserialises one optional top-level table (its `Default` when absent), naming the table
/// and the offending key on failure.
///
/// # Errors
/// [`ConfigError`] on the table's key.
pub fn section<T: serde::de::DeserializeOwned + Default>(
    doc: &toml::Table,
    name: &str,
) -> Result<T, ConfigError> {
    match doc.get(name) {
        Some(v) => deserialize(v.clone(), name),
        None => Ok(T::default()),
    }
}

/// `[[channels]]` (none when absent), naming the offending key on failure.
///
/// # Errors
/// [`ConfigError`] on `channels`.
fn channels_section(doc: &toml::Table) -> Result<Vec<docket_notifier::ChannelConfig>, ConfigError> {
    #[derive(serde::Deserialize)]
    struct Channels {
        channels: Vec<docket_notifier::ChannelConfig>,
    }
    let Some(v) = doc.get("channels") else {
        return Ok(Vec::new());
    };
    let table = toml::Table::from_iter([("channels".to_string(), v.clone())]);
    let text = toml::to_string(&table).map_err(|e| ConfigError::new("channels", e.to_string()))?;
    toml::from_str::<Channels>(&text)
        .map(|c| c.channels)
        .map_err(|e| ConfigError::new("channels", e.message().trim().to_string()))
}

fn deserialize<T: serde::de::DeserializeOwned>(
    value: toml::Value,
    name: &str,
) -> Result<T, ConfigError> {
    // Re-serialising keeps toml's messages, which name the key path inside the table.
    let text = match &value {
        toml::Value::Table(t) => toml::to_string(t),
        other => toml::to_string(&toml::Table::from_iter([(
            "value".to_string(),
            other.clone(),
        )])),
    }
    .map_err(|e| ConfigError::new(name, e.to_string()))?;
    toml::from_str::<T>(&text).map_err(|e| {
        let msg = e.message().trim().to_string();
        ConfigError::new(name, msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (PathBuf, String) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/docket.toml");
        let text = std::fs::read_to_string(&path).expect("sample config");
        (path, text)
    }

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn attachments_go_to_the_folder_unless_a_bucket_is_configured() {
        let (path, text) = sample();
        let c = load_str(&path, &text, vars(&[])).expect("sample loads");
        assert_eq!(c.files, FileStoreSpec::Folder(PathBuf::from("data/files")));

        let s3 = format!("{text}\n[http.files_s3]\nbucket = \"docket-files\"\n");
        let e = load_str(&path, &s3, vars(&[])).expect_err("no credentials");
        assert!(e.to_string().contains("DOCKET_S3_ACCESS_KEY_ID"), "{e}");
        let env = [
            ("DOCKET_S3_ACCESS_KEY_ID", "AKID"),
            ("DOCKET_S3_SECRET_ACCESS_KEY", "secret"),
        ];
        let c = load_str(&path, &s3, vars(&env)).expect("with credentials");
        assert!(
            matches!(&c.files, FileStoreSpec::S3 { settings, .. } if settings.bucket == "docket-files")
        );

        // The environment may name the bucket too (`DOCKET__HTTP__FILES_S3__…`); its keys are
        // checked like the file's.
        let mut env = vars(&env);
        env.push(("DOCKET__HTTP__FILES_S3__BUCKET".into(), "Bad_Name".into()));
        let e = load_str(&path, &text, env).expect_err("bad bucket");
        assert!(e.to_string().contains("http.files_s3.bucket"), "{e}");
    }
}
