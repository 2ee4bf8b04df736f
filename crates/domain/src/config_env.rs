//! `DOCKET__SECTION__KEY=value` environment overrides of the configuration file (secrets and
//! per-machine settings stay out of the file).

use crate::config::ConfigError;

/// Applies `DOCKET__SECTION__KEY=value` environment overrides to a parsed TOML document:
/// each `__` descends one table (`DOCKET__OFFICE__TIMEZONE` sets `office.timezone`). The
/// value is read as TOML if it parses (numbers, booleans, arrays), else taken as a string.
///
/// # Errors
/// [`ConfigError`] naming the variable when it points into something that is not a table.
pub fn apply_env_overrides<I>(doc: &mut toml::Table, vars: I) -> Result<(), ConfigError>
where
    I: IntoIterator<Item = (String, String)>,
{
    for (name, value) in vars {
        let Some(path) = name.strip_prefix("DOCKET__") else {
            continue;
        };
        let parts: Vec<String> = path.split("__").map(|p| p.to_ascii_lowercase()).collect();
        if parts.iter().any(String::is_empty) {
            return Err(ConfigError::new(&name, "empty key segment"));
        }
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.clone()));
        let Some((last, tables)) = parts.split_last() else {
            return Err(ConfigError::new(&name, "empty key"));
        };
        let mut cur = &mut *doc;
        for p in tables {
            let entry = cur
                .entry(p.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            cur = entry
                .as_table_mut()
                .ok_or_else(|| ConfigError::new(&name, format!("{p} is not a table")))?;
        }
        cur.insert(last.clone(), parsed);
    }
    Ok(())
}
