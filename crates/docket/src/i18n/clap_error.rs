//! clap's own errors (an unknown option, a missing value, a bad choice) and its help and
//! version output, in the CLI's language. The exit code stays clap's: 2 for a bad command
//! line, 0 for help and version.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::{Lang, catalog};

/// A clap error as the run ends with it: the text, whether it goes to stderr, the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// What to print.
    pub text: String,
    /// Whether it goes to stderr (errors) rather than stdout (help, version).
    pub stderr: bool,
    /// The process exit code.
    pub code: i32,
}

/// The text of `e` in `lang` (`colour`: help with ANSI styles, for a terminal).
pub fn outcome(e: &clap::Error, lang: Lang, colour: bool) -> Outcome {
    let styled = || {
        let r = e.render();
        if colour {
            r.ansi().to_string()
        } else {
            r.to_string()
        }
    };
    let text = match (lang, e.kind()) {
        (Lang::En, _) => styled(),
        (
            Lang::Zh,
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            | ErrorKind::DisplayVersion,
        ) => super::help::finish(&styled()),
        (Lang::Zh, _) => chinese(e),
    };
    Outcome {
        text,
        stderr: e.use_stderr(),
        code: e.exit_code(),
    }
}

fn string(e: &clap::Error, k: ContextKind) -> Option<String> {
    match e.get(k)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        _ => None,
    }
}

fn strings(e: &clap::Error, k: ContextKind) -> Vec<String> {
    match e.get(k) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

fn quoted(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join("、")
}

/// clap's error in Chinese, laid out as clap lays it out: the error, tips, usage, where to
/// read more.
fn chinese(e: &clap::Error) -> String {
    let arg = string(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = string(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut tips: Vec<String> = Vec::new();
    let head = match e.kind() {
        ErrorKind::InvalidValue if value.is_empty() => {
            format!("参数 '{arg}' 需要一个值，但没有给出")
        }
        ErrorKind::InvalidValue => {
            let valid = strings(e, ContextKind::ValidValue);
            if !valid.is_empty() {
                tips.push(format!("可选值：{}", valid.join("、")));
            }
            format!("参数 '{arg}' 的值 '{value}' 无效")
        }
        ErrorKind::UnknownArgument => format!("无法识别的参数 '{arg}'"),
        ErrorKind::InvalidSubcommand => format!(
            "无法识别的子命令 '{}'",
            string(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::NoEquals => format!("参数 '{arg}' 的值须用等号给出（如 {arg}=值）"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .map(|s| catalog::translate(&s).unwrap_or(s));
            match why {
                Some(why) => format!("参数 '{arg}' 的值 '{value}' 无效：{why}"),
                None => format!("参数 '{arg}' 的值 '{value}' 无效"),
            }
        }
        ErrorKind::TooManyValues => format!("参数 '{arg}' 多给了值 '{value}'"),
        ErrorKind::TooFewValues => format!(
            "参数 '{arg}' 至少需要 {} 个值，只给了 {} 个",
            string(e, ContextKind::MinValues).unwrap_or_default(),
            string(e, ContextKind::ActualNumValues).unwrap_or_default()
        ),
        ErrorKind::WrongNumberOfValues => format!(
            "参数 '{arg}' 需要 {} 个值，给了 {} 个",
            string(e, ContextKind::ExpectedNumValues).unwrap_or_default(),
            string(e, ContextKind::ActualNumValues).unwrap_or_default()
        ),
        ErrorKind::ArgumentConflict => {
            let prior = strings(e, ContextKind::PriorArg);
            if prior.is_empty() || prior == [arg.clone()] {
                format!("参数 '{arg}' 不能重复使用")
            } else {
                format!("参数 '{arg}' 不能与 {} 同时使用", quoted(&prior))
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = strings(e, ContextKind::InvalidArg);
            format!(
                "缺少必需的参数：\n{}",
                missing
                    .iter()
                    .map(|m| format!("  {m}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
        ErrorKind::MissingSubcommand => {
            let valid = strings(e, ContextKind::ValidSubcommand);
            if !valid.is_empty() {
                tips.push(format!("可用的子命令：{}", valid.join("、")));
            }
            format!(
                "'{}' 需要一个子命令",
                string(e, ContextKind::InvalidSubcommand).unwrap_or_default()
            )
        }
        ErrorKind::InvalidUtf8 => "参数中含有无效的 UTF-8 字符".to_string(),
        _ => {
            let s = e.render().to_string();
            let s = s.trim_start_matches("error: ").trim_end().to_string();
            catalog::translate(&s).unwrap_or(s)
        }
    };
    for (k, what) in [
        (ContextKind::SuggestedSubcommand, "子命令"),
        (ContextKind::SuggestedArg, "参数"),
        (ContextKind::SuggestedValue, "值"),
    ] {
        let s = strings(e, k);
        if !s.is_empty() {
            tips.push(format!("是否想用{what} {}？", quoted(&s)));
        }
    }
    for s in strings(e, ContextKind::Suggested) {
        if let Some(t) = catalog::translate(&s) {
            tips.push(t);
        }
    }
    let mut out = format!("错误：{head}");
    if !tips.is_empty() {
        out.push('\n');
        for t in &tips {
            out.push_str(&format!("\n  提示：{t}"));
        }
    }
    if let Some(usage) = string(e, ContextKind::Usage) {
        let usage = usage.trim_start_matches("Usage:").trim();
        out.push_str(&format!("\n\n用法：{}", super::help::finish(usage)));
    }
    out.push_str("\n\n更多信息请加 '--help' 查看。\n");
    out
}
