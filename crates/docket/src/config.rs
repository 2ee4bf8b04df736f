//! Loading `config/docket.toml`: the file, then `DOCKET__…` environment overrides, then
//! validation of every part. Any refusal is bad input (exit 2) naming the key.

use std::path::{Path, PathBuf};

use docket_domain::config::{ConfigError, CoreConfig, apply_env_overrides};

use crate::error::CliError;

/// Top-level tables the file may have. Each feature crate reads and validates its own.
const KNOWN_TABLES: &[&str] = &["office", "officials", "task_forces", "targets"];

/// The whole configuration, validated.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// The shared part: office, officials, task forces, targets.
    pub core: CoreConfig,
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
/// [`CliError::BadInput`] naming the file and key for anything wrong.
pub fn load(path: &Path) -> Result<AppConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::bad_input(format!("config {}: cannot read: {e}", path.display())))?;
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
) -> Result<AppConfig, CliError> {
    let bad = |e: ConfigError| CliError::bad_input(format!("config {}: {e}", path.display()));
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| {
        CliError::bad_input(format!(
            "config {}: {}",
            path.display(),
            e.to_string().trim_end()
        ))
    })?;
    apply_env_overrides(&mut doc, env).map_err(bad)?;
    if let Some(key) = doc.keys().find(|k| !KNOWN_TABLES.contains(&k.as_str())) {
        return Err(bad(ConfigError::new(
            key.clone(),
            format!("unknown table (known: {})", KNOWN_TABLES.join(", ")),
        )));
    }
    let core: CoreConfig = deserialize(toml::Value::Table(doc.clone()), "(root)").map_err(bad)?;
    core.validate().map_err(bad)?;
    Ok(AppConfig {
        path: path.to_path_buf(),
        core,
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
