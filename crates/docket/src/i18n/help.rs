//! The help in Chinese: the derive's command tree, built, then every command's about and
//! every argument's help replaced from `help_zh.toml` (keyed by command path and argument
//! id), with clap's own words (用法, 命令, 参数, 选项, 显示帮助, 显示版本号) and the
//! possible values, defaults and environment variables said in Chinese.
//!
//! The tree is built first so that the arguments and subcommands clap adds itself (`-h`,
//! `-V`, `help`) and the global options copied into every subcommand exist to be
//! translated. Order is kept (`mut_args`, `mut_subcommands`): the help lists things as the
//! derive declares them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use clap::{Arg, Command, CommandFactory};

use super::Lang;

/// The Chinese texts: command path → (`about` or argument id → text).
type Table = BTreeMap<String, BTreeMap<String, String>>;

/// The key of the arguments every command shares.
pub const SHARED: &str = "*";

const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";
const TEMPLATE_NO_ARGS: &str = "{before-help}{about-with-newline}\n用法：{usage}{after-help}";

/// The texts of `help_zh.toml`.
///
/// # Panics
/// Never at run time: the file is embedded and a unit test parses it.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("help_zh.toml")).unwrap_or_else(|e| {
            // Only an edited file can fail; the tests catch that before a release.
            tracing::error!("help_zh.toml: {e}");
            Table::new()
        })
    })
}

/// The command line as clap parses it, built, its help in `lang`.
///
/// Chinese is applied twice: before the build, so that clap sees no long help left and
/// prints the same compact help for `-h`, `--help` and `docket help …`; after it, for what
/// the build adds (`-h`, `-V`, the `help` subcommands, the global options' copies). Both
/// passes give the same texts (the second leaves what the first did).
pub fn command(lang: Lang) -> Command {
    let mut cmd = crate::cli::Cli::command();
    if lang == Lang::Zh {
        cmd = localize(cmd, "docket", table());
    }
    cmd.build();
    match lang {
        Lang::En => cmd,
        Lang::Zh => localize(cmd, "docket", table()),
    }
}

/// The table's key for a command path: a `help` subcommand's copies of the tree read as
/// the commands they describe (`docket help issue raise` → `docket issue raise`), and
/// every `help` subcommand as `docket help`.
pub fn key_of(path: &str) -> String {
    let mut parts: Vec<&str> = path.split(' ').collect();
    while let Some(i) = parts
        .iter()
        .skip(1)
        .position(|p| *p == "help")
        .map(|i| i + 1)
    {
        if i == parts.len() - 1 {
            return "docket help".into();
        }
        parts.remove(i);
    }
    parts.join(" ")
}

fn localize(cmd: Command, path: &str, t: &Table) -> Command {
    let texts = t.get(&key_of(path));
    let about = texts.and_then(|m| m.get("about")).cloned();
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set()) || cmd.has_subcommands();
    let mut cmd = cmd
        .long_about(None)
        .help_template(if has_args { TEMPLATE } else { TEMPLATE_NO_ARGS })
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令");
    if let Some(about) = about {
        cmd = cmd.about(about);
    }
    let cmd = cmd.mut_args(|a| localize_arg(a, texts, t.get(SHARED)));
    cmd.mut_subcommands(|sc| {
        let p = format!("{path} {}", sc.get_name());
        localize(sc, &p, t)
    })
}

fn localize_arg(
    a: Arg,
    own: Option<&BTreeMap<String, String>>,
    shared: Option<&BTreeMap<String, String>>,
) -> Arg {
    // Done in the first pass (its heading set; the extras below are said once, then
    // hidden).
    if a.get_help_heading().is_some() {
        return a;
    }
    let id = a.get_id().as_str().to_string();
    let text = own
        .and_then(|m| m.get(&id))
        .or_else(|| shared.and_then(|m| m.get(&id)))
        .cloned()
        .or_else(|| a.get_help().map(ToString::to_string))
        .unwrap_or_default();
    let mut extra = Vec::new();
    let mut a = a;
    let takes_value = a.get_action().takes_values();
    if takes_value && !a.is_hide_possible_values_set() {
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            extra.push(format!("可选：{}", values.join("、")));
        }
        a = a.hide_possible_values(true);
    }
    if takes_value && !a.is_hide_default_value_set() {
        let d: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
            .collect();
        if !d.is_empty() {
            extra.push(format!("默认：{}", d.join("、")));
        }
        a = a.hide_default_value(true);
    }
    if !a.is_hide_env_set()
        && let Some(env) = a.get_env()
    {
        extra.push(format!("环境变量 {}", env.to_string_lossy()));
        a = a.hide_env(true);
    }
    let help = if extra.is_empty() {
        text
    } else {
        format!("{text}（{}）", extra.join("；"))
    };
    let heading = if a.is_positional() {
        "参数"
    } else {
        "选项"
    };
    a.help(help).long_help(None).help_heading(heading)
}

/// Every command path of `cmd` (as [`key_of`] reads it) and the ids of the arguments it
/// shows, for the test that every one has its Chinese text.
pub fn paths(cmd: &Command, path: &str, out: &mut Vec<(String, Vec<String>)>) {
    let args = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .map(|a| a.get_id().as_str().to_string())
        .collect();
    out.push((path.to_string(), args));
    for sc in cmd.get_subcommands() {
        paths(sc, &format!("{path} {}", sc.get_name()), out);
    }
}

/// Rewrites what clap writes itself into a help text that the template cannot reach
/// (`[OPTIONS]` in the usage line).
pub fn finish(text: &str) -> String {
    text.replace("[OPTIONS]", "[选项]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses() {
        assert!(table().contains_key("docket"));
        assert!(table().contains_key(SHARED));
    }

    #[test]
    fn help_copies_read_as_their_commands() {
        assert_eq!(key_of("docket help issue raise"), "docket issue raise");
        assert_eq!(key_of("docket help"), "docket help");
        assert_eq!(key_of("docket issue help"), "docket help");
        assert_eq!(key_of("docket help help"), "docket help");
        assert_eq!(key_of("docket issue raise"), "docket issue raise");
    }
}
