//! Email templates: minijinja files under `config/templates/{zh,en}/`, one `KIND.txt` and
//! one `KIND.html` per kind. The first line of the rendered `.txt` is the subject; the rest
//! is the plain-text body. Only `.html` files are HTML-escaped (CRATES.md trap 8), so user
//! text in the HTML body is escaped while the text body stays as typed.
//!
//! Every template of both languages is compiled at start-up: a broken one fails start-up
//! naming its file and line.

use std::path::{Path, PathBuf};

use docket_domain::config::Language;
use minijinja::Environment;

use crate::NotifyError;

/// Every template kind. Feature crates queue outbox rows with one of these as `kind`.
pub const KINDS: &[&str] = &[
    "assignment",
    "accepted",
    "resolved",
    "closed",
    "sent_back",
    "extension_requested",
    "reminder",
    "overdue",
    "escalation",
    "chase",
    "dispatch_sheet",
    "bulletin",
    "digest",
    "calendar_alarm",
    "signin",
];

/// Templates of channel messages, one of each per language: `channel.md` (group robots,
/// markdown) and `sms.txt`. They receive a kind's context plus `kind`, `subject` (the email's)
/// and `channel` `{kind, name}`.
pub const CHANNEL_FILES: &[&str] = &["channel.md", "sms.txt"];

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The subject (one line).
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// The loaded, checked templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    dir: PathBuf,
    lang: Language,
}

fn lang_dir(lang: Language) -> &'static str {
    match lang {
        Language::Zh => "zh",
        Language::En => "en",
    }
}

impl Templates {
    /// Loads and compiles every template in `dir`; `lang` chooses which language is sent.
    ///
    /// # Errors
    /// [`NotifyError::Template`] naming the first missing or broken file (and its line).
    pub fn load(dir: &Path, lang: Language) -> Result<Templates, NotifyError> {
        let mut env = Environment::new();
        env.set_loader(minijinja::path_loader(dir));
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| NotifyError::Template {
                file: dir.display().to_string(),
                line: None,
                message: e.to_string(),
            })?;
        env.set_syntax(syntax);
        // An optional field left out of a context (even a nested one) renders as nothing
        // rather than failing the email.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for lang in ["zh", "en"] {
            for kind in KINDS {
                for ext in ["txt", "html"] {
                    let name = format!("{lang}/{kind}.{ext}");
                    let file = dir.join(&name);
                    if !file.is_file() {
                        return Err(NotifyError::Template {
                            file: file.display().to_string(),
                            line: None,
                            message: "missing (each kind needs a .txt and an .html template per language)".into(),
                        });
                    }
                    env.get_template(&name)
                        .map_err(|e| template_error(dir, &name, &e))?;
                }
            }
            for file in CHANNEL_FILES {
                let name = format!("{lang}/{file}");
                if !dir.join(&name).is_file() {
                    return Err(NotifyError::Template {
                        file: dir.join(&name).display().to_string(),
                        line: None,
                        message: "missing (channel messages need it in each language)".into(),
                    });
                }
                env.get_template(&name)
                    .map_err(|e| template_error(dir, &name, &e))?;
            }
        }
        Ok(Templates {
            env,
            dir: dir.to_path_buf(),
            lang,
        })
    }

    /// The folder the templates came from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Renders `kind` in the configured language from `context`.
    ///
    /// # Errors
    /// The reason, naming the file and line, if the kind is unknown or rendering fails.
    pub fn render(&self, kind: &str, context: &serde_json::Value) -> Result<Rendered, String> {
        if !KINDS.contains(&kind) {
            return Err(format!("unknown email kind {kind:?}"));
        }
        let lang = lang_dir(self.lang);
        let ctx = minijinja::Value::from(minijinja::value::Serde(context));
        let render = |ext: &str| -> Result<String, String> {
            let name = format!("{lang}/{kind}.{ext}");
            let t = self
                .env
                .get_template(&name)
                .map_err(|e| template_error(&self.dir, &name, &e).to_string())?;
            t.render(&ctx)
                .map_err(|e| template_error(&self.dir, &name, &e).to_string())
        };
        let text = render("txt")?;
        let html = render("html")?;
        let text = text.trim_start();
        let (subject, body) = text.split_once('\n').unwrap_or((text, ""));
        let subject = subject.trim().to_string();
        if subject.is_empty() {
            return Err(format!(
                "{lang}/{kind}.txt renders an empty subject (its first line)"
            ));
        }
        Ok(Rendered {
            subject,
            text: body.trim_start_matches(['\r', '\n']).to_string(),
            html,
        })
    }
}

impl Templates {
    /// Renders one of [`CHANNEL_FILES`] in the configured language.
    ///
    /// # Errors
    /// The reason, naming the file and line.
    pub fn render_file(&self, file: &str, context: &serde_json::Value) -> Result<String, String> {
        let name = format!("{}/{file}", lang_dir(self.lang));
        let ctx = minijinja::Value::from(minijinja::value::Serde(context));
        self.env
            .get_template(&name)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| template_error(&self.dir, &name, &e).to_string())
    }
}

fn template_error(dir: &Path, name: &str, e: &minijinja::Error) -> NotifyError {
    let file = dir.join(e.name().unwrap_or(name)).display().to_string();
    let mut message = e.kind().to_string();
    if let Some(d) = e.detail() {
        message = format!("{message}: {d}");
    }
    NotifyError::Template {
        file,
        line: e.line(),
        message,
    }
}
