//! The use cases' messages in Chinese, translated at the edge (the CLI, the web pages) from
//! their English templates (a message catalogue keyed by the English text, as gettext keys
//! by msgid).
//!
//! The libraries write their messages once, in English, composing them as `context: reason`
//! (`config docket.toml: office.timezone: unknown time zone "X" (…)`). The catalogue
//! (`catalog/*.toml`, embedded) holds each template with named holes:
//!
//! ```toml
//! [[m]]
//! en = "issue {id}: no such issue"
//! zh = "问题 {id} 不存在"
//! ```
//!
//! A hole `{name}` takes the text as it is (a code, a file, a title: one piece, without
//! `": "`); `{name:any}` the same but any text; `{name:t}` is itself translated (a nested
//! reason, an action phrase); `{name:state}`, `{name:category}`,
//! `{name:action}` name an issue state, issue category or action code and show its label.
//! `[words]` are whole texts without holes (a field name, an action phrase).
//!
//! A message no template matches as a whole is split at its first `": "` whose remainder
//! translates; the context before it keeps its data and loses its English words
//! (`config X` → `配置文件 X`). Lines `FILE:ROW: COLUMN: VALUE: reason` keep everything but
//! the reason ([`translate_row`]). What matches nothing stays English: the tests check the
//! common paths, and `tests/cli_lang.rs` checks that every template still exists in the
//! sources it translates.

use std::collections::HashMap;
use std::sync::OnceLock;

use docket_domain::issue::{IssueCategory, IssueState};

/// The catalogue files, in the order their templates are tried.
pub const FILES: &[(&str, &str)] = &[
    ("system.toml", include_str!("catalog/system.toml")),
    ("domain.toml", include_str!("catalog/domain.toml")),
    ("library.toml", include_str!("catalog/library.toml")),
    ("workflow.toml", include_str!("catalog/workflow.toml")),
    ("scheduler.toml", include_str!("catalog/scheduler.toml")),
    ("app.toml", include_str!("catalog/app.toml")),
    ("services.toml", include_str!("catalog/services.toml")),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Hole {
    Raw,
    Any,
    Translate,
    State,
    Category,
    Action,
}

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Hole(String, Hole),
}

/// One template: the English parts and the Chinese text with `{name}` references.
#[derive(Debug, Clone)]
pub struct Template {
    /// The English text as written in the catalogue.
    pub en: String,
    parts: Vec<Part>,
    zh: String,
}

/// The parsed catalogue.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Templates with holes, in file order.
    pub templates: Vec<Template>,
    /// Whole texts without holes.
    pub words: HashMap<String, String>,
}

#[derive(serde::Deserialize)]
struct File {
    #[serde(default)]
    words: HashMap<String, String>,
    #[serde(default)]
    m: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    en: String,
    zh: String,
}

/// Parses a template's English side into literal parts and holes.
///
/// # Errors
/// A description of what is wrong (an unclosed hole, two holes side by side, an unknown
/// hole kind).
pub fn parse_template(en: &str) -> Result<Vec<(bool, String)>, String> {
    parse(en).map(|parts| {
        parts
            .into_iter()
            .map(|p| match p {
                Part::Lit(s) => (false, s),
                Part::Hole(n, _) => (true, n),
            })
            .collect()
    })
}

fn parse(en: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = en;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Part::Lit(rest[..open].to_string()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("{en:?}: unclosed hole"))?
            + open;
        let spec = &rest[open + 1..close];
        let (name, kind) = match spec.split_once(':') {
            None => (spec, Hole::Raw),
            Some((n, "t")) => (n, Hole::Translate),
            Some((n, "any")) => (n, Hole::Any),
            Some((n, "state")) => (n, Hole::State),
            Some((n, "category")) => (n, Hole::Category),
            Some((n, "action")) => (n, Hole::Action),
            Some((_, k)) => return Err(format!("{en:?}: unknown hole kind {k:?}")),
        };
        if matches!(parts.last(), Some(Part::Hole(..))) {
            return Err(format!("{en:?}: two holes side by side"));
        }
        parts.push(Part::Hole(name.to_string(), kind));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string()));
    }
    Ok(parts)
}

impl Catalog {
    /// Reads catalogue files (`[words]`, `[[m]]`; action words come from
    /// [`docket_domain::issue::IssueAction`]).
    ///
    /// # Errors
    /// The file and what is wrong in it.
    pub fn load(files: &[(&str, &str)]) -> Result<Catalog, String> {
        let mut c = Catalog::default();
        for (name, text) in files {
            let f: File = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            c.words.extend(f.words);
            for e in f.m {
                let parts = parse(&e.en).map_err(|why| format!("{name}: {why}"))?;
                c.templates.push(Template {
                    en: e.en,
                    parts,
                    zh: e.zh,
                });
            }
        }
        Ok(c)
    }

    /// `msg` in Chinese, or `None` when no template or word covers it.
    pub fn translate(&self, msg: &str) -> Option<String> {
        if msg.contains('\n') {
            // Line by line (a list of bad rows, a reason on its own line); `None` only when
            // no line is covered.
            let mut any = false;
            let lines: Vec<String> = msg
                .split('\n')
                .map(
                    |l| match self.translate(l).or_else(|| self.translate_row(l)) {
                        Some(t) => {
                            any = true;
                            t
                        }
                        None => l.to_string(),
                    },
                )
                .collect();
            return any.then(|| lines.join("\n"));
        }
        let mut memo = HashMap::new();
        self.whole(msg, &mut memo)
    }

    /// A line `FILE:ROW: COLUMN: VALUE: reason` with its reason in Chinese and the rest as it
    /// is (`None` when the reason is not covered).
    pub fn translate_row(&self, line: &str) -> Option<String> {
        let mut memo = HashMap::new();
        line.match_indices(": ").find_map(|(i, _)| {
            let t = self.exact(&line[i + 2..], &mut memo)?;
            Some(format!("{}: {t}", &line[..i]))
        })
    }

    /// A whole text: a word, a template, or `context: reason` with the reason covered.
    fn whole(&self, msg: &str, memo: &mut HashMap<String, Option<String>>) -> Option<String> {
        if msg.is_empty() || msg.len() > 4000 {
            return None;
        }
        if let Some(hit) = memo.get(msg) {
            return hit.clone();
        }
        let found = self.exact(msg, memo).or_else(|| {
            msg.match_indices(": ").find_map(|(i, _)| {
                let tail = self.whole(&msg[i + 2..], memo)?;
                Some(format!("{}: {tail}", self.context(&msg[..i], memo)))
            })
        });
        memo.insert(msg.to_string(), found.clone());
        found
    }

    /// A word or a template matching all of `msg`.
    fn exact(&self, msg: &str, memo: &mut HashMap<String, Option<String>>) -> Option<String> {
        if let Some(w) = self.words.get(msg) {
            return Some(w.clone());
        }
        for t in &self.templates {
            let mut caps = Vec::new();
            if matches(&t.parts, msg, &mut caps) {
                return Some(self.fill(t, &caps, memo));
            }
        }
        None
    }

    /// The context before a reason: each `": "`-separated part that is a word or template
    /// in Chinese, the rest (files, keys, values) as it is.
    fn context(&self, head: &str, memo: &mut HashMap<String, Option<String>>) -> String {
        head.split(": ")
            .map(|seg| self.exact(seg, memo).unwrap_or_else(|| seg.to_string()))
            .collect::<Vec<_>>()
            .join(": ")
    }

    fn fill(
        &self,
        t: &Template,
        caps: &[(String, Hole, String)],
        memo: &mut HashMap<String, Option<String>>,
    ) -> String {
        let mut out = t.zh.clone();
        for (name, kind, value) in caps {
            let shown = match kind {
                Hole::Raw | Hole::Any => value.clone(),
                Hole::Translate => self.whole(value, memo).unwrap_or_else(|| value.clone()),
                Hole::State => IssueState::parse(value)
                    .map(|s| s.label_zh().to_string())
                    .unwrap_or_else(|_| value.clone()),
                Hole::Category => IssueCategory::parse(value)
                    .map(|s| s.label_zh().to_string())
                    .unwrap_or_else(|_| value.clone()),
                Hole::Action => docket_domain::issue::IssueAction::parse(value)
                    .map(|a| a.label_zh().to_string())
                    .unwrap_or_else(|_| value.clone()),
            };
            out = out.replace(&format!("{{{name}}}"), &shown);
        }
        out
    }
}

/// Whether `parts` match all of `s`; the holes' texts are pushed to `caps` (shortest first,
/// backtracking).
fn matches(parts: &[Part], s: &str, caps: &mut Vec<(String, Hole, String)>) -> bool {
    match parts.split_first() {
        None => s.is_empty(),
        Some((Part::Lit(l), rest)) => s
            .strip_prefix(l.as_str())
            .is_some_and(|r| matches(rest, r, caps)),
        Some((Part::Hole(name, kind), rest)) => match rest.first() {
            None => {
                if s.is_empty() || !fits(kind, s) {
                    return false;
                }
                caps.push((name.clone(), kind.clone(), s.to_string()));
                true
            }
            Some(Part::Lit(next)) => {
                for (i, _) in s.match_indices(next.as_str()) {
                    if i == 0 {
                        continue;
                    }
                    if !fits(kind, &s[..i]) {
                        break;
                    }
                    let n = caps.len();
                    caps.push((name.clone(), kind.clone(), s[..i].to_string()));
                    if matches(rest, &s[i..], caps) {
                        return true;
                    }
                    caps.truncate(n);
                }
                false
            }
            Some(Part::Hole(..)) => false,
        },
    }
}

/// Whether a hole may hold `text`: only a translated hole spans a `": "` (a nested
/// `context: reason`); any other is one piece of data, so that `config {path}` does not
/// swallow the reason after the path.
fn fits(kind: &Hole, text: &str) -> bool {
    matches!(kind, Hole::Translate | Hole::Any) || !text.contains(": ")
}

/// The catalogue of this binary.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::load(FILES).unwrap_or_else(|e| {
            // Only an edited file can fail; the unit tests load every file.
            tracing::error!("message catalogue: {e}");
            Catalog::default()
        })
    })
}

/// `msg` in Chinese, `None` when the catalogue does not cover it.
pub fn translate(msg: &str) -> Option<String> {
    catalog().translate(msg)
}

/// `msg` in Chinese where the catalogue covers it, else as it is.
pub fn to_zh(msg: &str) -> String {
    translate(msg).unwrap_or_else(|| {
        tracing::debug!(message = msg, "no Chinese text for this message");
        msg.to_string()
    })
}

/// A line `FILE:ROW: COLUMN: VALUE: reason` with its reason in Chinese where covered.
pub fn row_to_zh(line: &str) -> String {
    let c = catalog();
    c.translate_row(line)
        .or_else(|| c.translate(line))
        .unwrap_or_else(|| line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Catalog {
        Catalog::load(&[(
            "t.toml",
            r#"
[words]
"title" = "标题"
"config x" = "配置"
[[m]]
en = "issue is {state:state}: cannot {action:action} it"
zh = "问题{state}，不能{action}"
[[m]]
en = "must not be empty"
zh = "不能为空"
[[m]]
en = "config {path}"
zh = "配置文件 {path}"
[[m]]
en = "{who} may not {what:t}: only the office may"
zh = "{who} 无权{what}：只有协调办可以"
[[m]]
en = "import files"
zh = "导入文件"
"#,
        )])
        .unwrap()
    }

    #[test]
    fn templates_words_and_contexts() {
        let c = small();
        assert_eq!(
            c.translate("issue is assigned: cannot accept it")
                .as_deref(),
            Some("问题已交办，不能签收")
        );
        assert_eq!(
            c.translate("title: must not be empty").as_deref(),
            Some("标题: 不能为空")
        );
        assert_eq!(
            c.translate("config a.toml: office.head: must not be empty")
                .as_deref(),
            Some("配置文件 a.toml: office.head: 不能为空")
        );
        assert_eq!(
            c.translate("lin may not import files: only the office may")
                .as_deref(),
            Some("lin 无权导入文件：只有协调办可以")
        );
        assert_eq!(c.translate("something else"), None);
    }

    #[test]
    fn a_row_keeps_its_file_column_and_value() {
        let c = small();
        assert_eq!(
            c.translate_row("p.csv:3: title: config x: must not be empty")
                .as_deref(),
            Some("p.csv:3: title: config x: 不能为空")
        );
    }

    #[test]
    fn every_file_loads() {
        let c = Catalog::load(FILES).unwrap();
        assert!(c.templates.len() > 100, "{}", c.templates.len());
    }
}
