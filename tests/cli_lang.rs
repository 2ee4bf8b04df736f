//! The command line in the office's language: Chinese help, clap errors, use-case errors,
//! labels and office-time stamps by default; English with `--lang en`, `DOCKET_LANG=en` or
//! `[office] language = "en"`; JSON unchanged; no colours when stderr is not a terminal.
//! Everything through the real binary, but the walk of the help tree, which reads the
//! command as the binary builds it.

use std::path::{Path, PathBuf};
use std::process::Output;

use clap::Command;
use docket::i18n::{Lang, catalog, help};
use docket_testkit::{Docket, TestDb, dual_test};

use crate::cli::{raise_args, root, sample_config, stderr, stdout};

/// The binary in Chinese: the environment says nothing, the sample config says `zh`.
fn zh(db_url: &str, config: &Path) -> Docket {
    Docket::new(env!("CARGO_BIN_EXE_docket"), db_url, config)
}

fn run(db_url: &str, args: &[&str]) -> Output {
    zh(db_url, &sample_config()).run(args)
}

/// Help needs no database: it is printed before anything is opened.
const NO_DB: &str = "sqlite:///nonexistent/never-opened.db";

fn chinese(s: &str) -> bool {
    docket::i18n::has_cjk(s)
}

// Every command and option of the tree has its Chinese line, and the table has no line
// that nothing uses (a renamed option would otherwise keep an orphan and lose its text).
#[test]
fn every_command_and_option_has_chinese_help() {
    let cmd = help::command(Lang::Zh);
    let mut all = Vec::new();
    help::paths(&cmd, "docket", &mut all);
    let mut missing = Vec::new();
    check_tree(&cmd, "docket", &mut missing);
    assert!(
        missing.is_empty(),
        "left in English for zh:\n{}",
        missing.join("\n")
    );

    let table = help::table();
    let mut used: Vec<(String, String)> = Vec::new();
    for (path, args) in &all {
        let key = help::key_of(path);
        used.push((key.clone(), "about".into()));
        for a in args {
            let own = table.get(&key).is_some_and(|m| m.contains_key(a));
            let k = if own {
                key.clone()
            } else {
                help::SHARED.into()
            };
            used.push((k, a.clone()));
        }
    }
    let stale: Vec<String> = table
        .iter()
        .flat_map(|(k, m)| m.keys().map(move |a| (k.clone(), a.clone())))
        .filter(|ka| !used.contains(ka))
        .map(|(k, a)| format!("[{k:?}] {a}"))
        .collect();
    assert!(
        stale.is_empty(),
        "help_zh.toml lines nothing uses: {stale:?}"
    );
}

fn check_tree(cmd: &Command, path: &str, missing: &mut Vec<String>) {
    if !cmd.get_about().is_some_and(|a| chinese(&a.to_string())) {
        missing.push(format!("{path}: about"));
    }
    for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        if !a.get_help().is_some_and(|h| chinese(&h.to_string())) {
            missing.push(format!("{path} {}: help", a.get_id()));
        }
    }
    // clap's own words, rendered: none may be left.
    let rendered = help::finish(&cmd.clone().render_help().to_string());
    for word in [
        "Usage:",
        "Options:",
        "Arguments:",
        "Commands:",
        "[default:",
        "[possible values",
        "[env:",
        "Print help",
        "Print version",
        "[OPTIONS]",
    ] {
        if rendered.contains(word) {
            missing.push(format!("{path}: {word:?} in\n{rendered}"));
        }
    }
    for sc in cmd.get_subcommands() {
        check_tree(sc, &format!("{path} {}", sc.get_name()), missing);
    }
}

// Chinese help for the program and for a subcommand; English with --lang en, DOCKET_LANG=en
// or the config's office language.
#[test]
fn help_is_chinese_by_default_and_english_on_request() {
    let o = run(NO_DB, &["--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("用法：docket [选项] <命令>"), "{out}");
    assert!(
        out.contains("要素制约问题") && out.contains("显示帮助"),
        "{out}"
    );
    assert!(out.contains("环境变量 DOCKET_CONFIG"), "{out}");

    let o = run(NO_DB, &["issue", "raise", "--help"]);
    let out = stdout(&o);
    assert!(out.contains("记录一个要素制约问题并交办"), "{out}");
    assert!(
        out.contains("--project <PROJECT>") && out.contains("项目编号"),
        "{out}"
    );
    assert!(out.contains("选项:"), "{out}");

    // `docket help issue list` reads as `docket issue list --help`.
    let o = run(NO_DB, &["help", "issue", "list"]);
    let out = stdout(&o);
    assert!(
        out.contains("只列逾期问题") && out.contains("可选：text、json"),
        "{out}"
    );

    let o = run(NO_DB, &["--lang", "en", "issue", "raise", "--help"]);
    let out = stdout(&o);
    assert!(
        out.contains("Usage:") && out.contains("Project code"),
        "{out}"
    );
    assert!(!chinese(&out.replace("用地", "")), "{out}");
    let o = zh(NO_DB, &sample_config())
        .env("DOCKET_LANG", "en")
        .run(&["--help"]);
    assert!(stdout(&o).contains("Usage: docket"), "{}", stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    let en = english_config(dir.path());
    let o = zh(NO_DB, &en).run(&["--help"]);
    assert!(stdout(&o).contains("Usage: docket"), "{}", stdout(&o));
    // The flag wins over the config.
    let o = zh(NO_DB, &en).run(&["--lang", "zh", "--help"]);
    assert!(stdout(&o).contains("用法："), "{}", stdout(&o));
}

/// The sample config with `[office] language = "en"`, its calendar beside it.
fn english_config(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(sample_config()).unwrap();
    let text = text.replace("language = \"zh\"", "language = \"en\"");
    assert!(text.contains("language = \"en\""));
    let path = dir.join("docket.toml");
    std::fs::write(&path, text).unwrap();
    let cal = dir.join("calendar");
    std::fs::create_dir_all(&cal).unwrap();
    for e in std::fs::read_dir(root().join("config/calendar")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, cal.join(p.file_name().unwrap())).unwrap();
    }
    path
}

// clap's own errors in Chinese, exit code 2 kept; in English with --lang en.
#[test]
fn clap_errors_are_chinese_with_exit_2() {
    let o = run(NO_DB, &["issue", "raise", "--project", "SZ2024001"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("错误：缺少必需的参数"), "{err}");
    assert!(
        err.contains("--category <CATEGORY>") && err.contains("用法："),
        "{err}"
    );
    assert!(stdout(&o).is_empty());

    let o = run(NO_DB, &["issue", "lst"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("无法识别的子命令 'lst'"), "{err}");
    assert!(err.contains("是否想用子命令 'list'"), "{err}");

    let o = run(NO_DB, &["issue", "list", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("'--format <FORMAT>' 的值 'xml' 无效"), "{err}");
    assert!(err.contains("可选值：text、json"), "{err}");

    let o = run(NO_DB, &["mail", "list", "--limit", "many"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不是整数"), "{}", stderr(&o));

    let o = run(NO_DB, &["--lang", "en", "issue", "lst"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: unrecognized subcommand"),
        "{}",
        stderr(&o)
    );
}

async fn import_projects(t: &TestDb) {
    let file = root().join("config/sample/projects.csv");
    let o = run(&t.url, &["import", "projects", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("行已导入：新增"), "{}", stdout(&o));
}

// Tables show values as words: 市重点, 续建, 产业 in `project list`; 用地, 已交办 and the
// task force's name in `issue list`; JSON keeps the codes.
async fn tables_show_labels_in_chinese(t: &TestDb) {
    import_projects(t).await;
    let out = stdout(&run(&t.url, &["project", "list"]));
    assert!(out.starts_with("项目编号"), "{out}");
    let first = out.lines().find(|l| l.starts_with("SZ2024001")).unwrap();
    assert!(
        first.contains("省重点") && first.contains("续建") && first.contains("产业"),
        "{first}"
    );
    assert!(
        !out.contains("continuing") && !out.contains("industry"),
        "{out}"
    );
    let json = stdout(&run(&t.url, &["project", "list", "--format", "json"]));
    assert!(json.contains("\"stage\": \"continuing\""), "{json}");

    let o = run(&t.url, &raise_args("SZ2024001", "land", "用地指标不足"));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&run(&t.url, &["issue", "list"]));
    let line = out.lines().find(|l| l.contains("用地指标不足")).unwrap();
    assert!(line.contains("用地") && line.contains("已交办"), "{line}");
    assert!(!line.contains("assigned"), "{line}");
    assert!(out.ends_with("共 1 个问题\n"), "{out}");

    let out = stdout(&run(&t.url, &["--lang", "en", "project", "list"]));
    assert!(
        out.starts_with("code") && out.contains("continuing"),
        "{out}"
    );
}
dual_test!(tables_show_labels_in_chinese);

// `issue show` gives its history in the office's time zone (Asia/Shanghai, UTC+8) as
// `YYYY-MM-DD HH:MM`; the JSON keeps its UTC instants.
async fn issue_show_times_are_office_time(t: &TestDb) {
    import_projects(t).await;
    // 01:30 UTC is 09:30 in Beijing.
    let at = zh(&t.url, &sample_config()).env("DOCKET_CLOCK", "2024-09-23T01:30:00Z");
    let o = at.run(&raise_args("SZ2024001", "funding", "资金未到位"));
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_string();
    let out = stdout(&at.run(&["issue", "show", &id]));
    assert!(out.contains("2024-09-23 09:30 提出"), "{out}");
    assert!(out.contains("资金") && out.contains("已交办"), "{out}");
    assert!(!out.contains("T01:30"), "{out}");
    let json = stdout(&at.run(&["issue", "show", &id, "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["state"], "assigned");
    assert!(
        v["history"][0]["at"]
            .as_str()
            .unwrap()
            .starts_with("2024-09-23T01:30:00")
    );
    // The clock's warning goes to stderr, without colours: stderr is not a terminal here.
    let o = at.env("DOCKET_LOG", "warn").run(&["issue", "show", &id]);
    assert!(!stderr(&o).contains('\u{1b}'), "{:?}", stderr(&o));
}
dual_test!(issue_show_times_are_office_time);

// The use cases' errors in Chinese, their exit codes kept: a refused transition (2), a
// refusal of the acting identity (3), an unknown project (2), and every bad row of a file
// as `FILE:ROW: COLUMN: VALUE: reason` with the reason in Chinese.
async fn use_case_errors_are_chinese(t: &TestDb) {
    import_projects(t).await;
    let o = run(&t.url, &raise_args("SZ2024001", "land", "征地"));
    let id = stdout(&o).trim().to_string();
    let o = run(&t.url, &["issue", "close", &id]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).trim(), "错误：问题已交办，不能销号");
    let o = run(&t.url, &["--as", "sun_li", "issue", "close", &id]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("孙丽 无权销号此问题：只有协调办可以这样做"),
        "{}",
        stderr(&o)
    );
    let o = run(&t.url, &raise_args("NOPE", "land", "x"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("没有这个项目编号的项目"),
        "{}",
        stderr(&o)
    );
    let o = run(&t.url, &["cycle", "show", "--week", "2024-W60"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2024 年没有第 60 周"), "{}", stderr(&o));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("progress.csv");
    std::fs::write(
        &file,
        "code,month,ytd_completed_wan\nSZ2024001,2024-09,\"1,5\"\nNOPE,2024-13,10\n",
    )
    .unwrap();
    let o = run(&t.url, &["import", "progress", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("行有误，未写入任何数据"), "{err}");
    let name = file.display().to_string();
    for want in [
        format!("{name}:2: ytd_completed_wan: 1,5: 逗号不能作小数点"),
        format!("{name}:3: code: NOPE: 没有这个项目编号的项目（请先导入项目库）"),
        format!("{name}:3: month: 2024-13: "),
    ] {
        assert!(err.contains(&want), "{want}\n{err}");
    }
    let o = zh(&t.url, &sample_config()).run(&["--lang", "en", "issue", "close", &id]);
    assert!(
        stderr(&o).contains("issue is assigned: cannot close it"),
        "{}",
        stderr(&o)
    );
}
dual_test!(use_case_errors_are_chinese);

// Common messages of every layer are covered by the catalogue (the reason is Chinese).
#[test]
fn the_catalogue_covers_common_messages() {
    for m in [
        "config config/docket.toml: office.timezone: unknown time zone \"Mars/Base\" (use an IANA name such as Asia/Shanghai)",
        "config x.toml: cannot read: No such file or directory (os error 2)",
        "--month 2024-13: not a month YYYY-MM: \"2024-13\"",
        "--week: week 60 does not exist in 2024",
        "lin_xiao may not import files: only the coordinating office may",
        "category: \"roads\": not a known issue category (expected one of land/用地, other/其他)",
        "title: must not be empty",
        "note: 2001 characters, at most 2000 allowed",
        "issue 2024-999: no such issue",
        "hold 3: released or dropped meanwhile by someone else",
        "2024-W39 closed at 2024-09-27 17:00 (Asia/Shanghai): the dispatch sheet was sent and the week is locked; nothing was written. The office may record a 补报 (late entry) with --late-entry",
        "closed; 2024-W39: 3 个项目，按时报送 2; sheet queued to 5",
        "no working-day calendar for 2031: import the State Council's table for 2031 (docket calendar import FILE)",
        "invalid database URL \"mysql://x\": expected sqlite://PATH or postgres://...",
        "the database failed",
        "4 bad row(s); nothing was written",
    ] {
        let zh = catalog::translate(m);
        assert!(zh.as_deref().is_some_and(chinese), "{m} → {zh:?}");
    }
}

// Every template of the catalogue still exists in the sources it translates: a reworded
// message fails here instead of silently falling back to English.
#[test]
fn catalogue_templates_exist_in_the_sources() {
    let mut sources = String::new();
    collect(&root().join("crates"), &mut sources);
    // A literal continued on the next line (`"…\` newline, blanks) reads as one.
    let mut joined = String::new();
    let mut rest = sources.as_str();
    while let Some(i) = rest.find("\\\n") {
        joined.push_str(&rest[..i]);
        rest = rest[i + 2..].trim_start();
    }
    joined.push_str(rest);
    let c = catalog::Catalog::load(&catalog::FILES[1..]).unwrap();
    let mut gone = Vec::new();
    for t in &c.templates {
        let parts = catalog::parse_template(&t.en).unwrap();
        let longest = parts
            .iter()
            .filter(|(hole, _)| !hole)
            .map(|(_, s)| s.as_str())
            .max_by_key(|s| s.len())
            .unwrap_or("");
        // Quotes are escaped inside a Rust literal.
        if !joined.contains(longest) && !joined.contains(&longest.replace('"', "\\\"")) {
            gone.push(t.en.clone());
        }
    }
    for w in c.words.keys() {
        if !joined.contains(&format!("\"{w}\"")) && !joined.contains(w.as_str()) {
            gone.push(w.clone());
        }
    }
    assert!(
        gone.is_empty(),
        "catalogue lines no source writes: {gone:#?}"
    );
}

fn collect(dir: &Path, out: &mut String) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.ends_with("docket/src/i18n")
            || p.ends_with("app/src/catalog")
            || p.ends_with("app/src/catalog.rs")
            || p.ends_with("tests")
            || p.ends_with("target")
        {
            continue;
        }
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push_str(&std::fs::read_to_string(&p).unwrap());
        }
    }
}
