//! The command line in the office's language: Chinese by default, English kept.
//!
//! The language is known before clap parses anything ([`detect`]): `--lang zh|en`, else
//! `DOCKET_LANG`, else the config file's `[office] language` (with its `DOCKET__…`
//! overrides), else Chinese. It then chooses
//! - the help ([`help`]: the derive's texts replaced from `help_zh.toml`),
//! - clap's own parse errors ([`clap_error`]),
//! - every text a command prints for people ([`tr!`](crate::tr) and [`words`]),
//! - and the use cases' messages, translated from their English templates at the edge
//!   ([`catalog`]: `docket_app::catalog`, shared with the web pages).
//!
//! JSON output and everything the contract fixes stay as they are in both languages; the
//! language only changes the CLI's own words (emails and the bulletin follow the office's
//! configured language, whoever runs the command).

pub use docket_app::catalog;
pub mod clap_error;
pub mod help;
pub mod words;

use std::ffi::OsString;
use std::path::PathBuf;

/// The language of the CLI's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// `zh` in Chinese, `en` in English.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Whether the text is Chinese.
    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }

    /// The config's language as the CLI's.
    pub fn from_config(l: docket_domain::config::Language) -> Lang {
        match l {
            docket_domain::config::Language::Zh => Lang::Zh,
            docket_domain::config::Language::En => Lang::En,
        }
    }

    /// Reads `zh` or `en` (as `--lang` takes them); `None` otherwise.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A text in the CLI's language: `tr!(lang, "中文 {n}", "English {n}", …)` formats the one
/// `lang` asks for (both take the same arguments).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::i18n::Lang::Zh => format!($zh $(, $arg)*),
            $crate::i18n::Lang::En => format!($en $(, $arg)*),
        }
    };
}

/// The language of this run, found before parsing: `--lang X` or `--lang=X`, else
/// `DOCKET_LANG`, else `[office] language` of the config file (`--config`, `DOCKET_CONFIG`
/// or `config/docket.toml`, with `DOCKET__OFFICE__LANGUAGE`) when it can be read, else
/// Chinese. A value that is not a language is left for clap to refuse.
pub fn detect(args: &[OsString], env: &dyn Fn(&str) -> Option<String>) -> Lang {
    let flag = |name: &str| -> Option<String> {
        let long = format!("--{name}");
        let eq = format!("--{name}=");
        let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
        while let Some(a) = it.next() {
            if a == "--" {
                break;
            }
            if a == long {
                return it.next().map(|v| v.into_owned());
            }
            if let Some(v) = a.strip_prefix(&eq) {
                return Some(v.to_string());
            }
        }
        None
    };
    if let Some(l) = flag("lang").as_deref().and_then(Lang::parse) {
        return l;
    }
    if let Some(l) = env("DOCKET_LANG").as_deref().and_then(Lang::parse) {
        return l;
    }
    let config = flag("config")
        .or_else(|| env("DOCKET_CONFIG"))
        .unwrap_or_else(|| "config/docket.toml".into());
    config_language(&PathBuf::from(config), env).unwrap_or_default()
}

/// `[office] language` of the config file at `path`, `None` when it cannot be read.
fn config_language(path: &std::path::Path, env: &dyn Fn(&str) -> Option<String>) -> Option<Lang> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut doc: toml::Table = toml::from_str(&text).ok()?;
    let overrides = env("DOCKET__OFFICE__LANGUAGE")
        .map(|v| ("DOCKET__OFFICE__LANGUAGE".to_string(), v))
        .into_iter();
    docket_domain::config::apply_env_overrides(&mut doc, overrides).ok()?;
    let lang = doc.get("office")?.get("language")?.as_str()?;
    Lang::parse(lang)
}

/// Whether `text` holds a Chinese character.
pub fn has_cjk(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// Whether colours may be written to a stream that `is_terminal` says is (or is not) a
/// terminal: never when it is not, nor when `NO_COLOR` is set to anything but empty.
pub fn colours_allowed(is_terminal: bool, env: &dyn Fn(&str) -> Option<String>) -> bool {
    is_terminal && env("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_wins_then_the_environment_then_the_config() {
        let none = |_: &str| None;
        assert_eq!(
            detect(&args(&["docket", "--lang", "en", "x"]), &none),
            Lang::En
        );
        assert_eq!(
            detect(&args(&["docket", "x", "--lang=en"]), &none),
            Lang::En
        );
        let env_en = |k: &str| (k == "DOCKET_LANG").then(|| "en".to_string());
        assert_eq!(detect(&args(&["docket"]), &env_en), Lang::En);
        assert_eq!(
            detect(&args(&["docket", "--lang", "zh"]), &env_en),
            Lang::Zh
        );
        // After `--` nothing is an option.
        assert_eq!(
            detect(&args(&["docket", "--", "--lang", "en"]), &none),
            Lang::Zh
        );
    }

    #[test]
    fn the_config_file_names_the_office_language() {
        let dir = std::env::temp_dir().join(format!("docket-lang-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(&path, "[office]\nlanguage = \"en\"\n").unwrap();
        let p = path.to_string_lossy().to_string();
        let none = |_: &str| None;
        assert_eq!(detect(&args(&["docket", "--config", &p]), &none), Lang::En);
        let over = |k: &str| (k == "DOCKET__OFFICE__LANGUAGE").then(|| "zh".to_string());
        assert_eq!(detect(&args(&["docket", "--config", &p]), &over), Lang::Zh);
        // Unreadable: Chinese.
        assert_eq!(
            detect(&args(&["docket", "--config", "/nonexistent.toml"]), &none),
            Lang::Zh
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn no_colour_without_a_terminal_or_with_no_color() {
        let none = |_: &str| None;
        let set = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
        assert!(colours_allowed(true, &none));
        assert!(!colours_allowed(false, &none));
        assert!(!colours_allowed(true, &set));
    }
}
