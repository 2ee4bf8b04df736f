//! Codes in words for the CLI's text output: a state, category, level, stage, action, flag,
//! email state or kind, a person or a task force — 已交办 / 市重点 / 签收 in Chinese, plain
//! words in English (`in progress`, not `in_progress`). JSON keeps the codes.

use chrono::{DateTime, Utc};
use docket_app::App;
use docket_domain::issue::{IssueCategory, IssueState, Severity};
use docket_domain::project::{Category, Level, Milestone, Stage};
use docket_workflow::limits::Flag;

use super::Lang;

/// A code as English words: `in_progress` → `in progress`.
pub fn en(code: &str) -> String {
    code.replace('_', " ")
}

macro_rules! coded {
    ($(#[$m:meta])* $name:ident, $ty:ty) => {
        $(#[$m])*
        pub fn $name(lang: Lang, code: &str) -> String {
            match lang {
                Lang::Zh => <$ty>::parse(code)
                    .map(|v| v.label_zh().to_string())
                    .unwrap_or_else(|_| code.to_string()),
                Lang::En => en(code),
            }
        }
    };
}

coded!(
    /// An issue state: 已交办, 已签收, 办理中 …
    issue_state,
    IssueState
);
coded!(
    /// An issue category: 用地, 资金 …
    issue_category,
    IssueCategory
);
coded!(
    /// A severity: 一般, 较大, 重大.
    severity,
    Severity
);
coded!(
    /// A project level: 省重点, 市重点, 区县重点.
    level,
    Level
);
coded!(
    /// A construction stage: 储备, 前期, 新建, 续建, 竣工.
    stage,
    Stage
);
coded!(
    /// A project category: 产业, 城建, 社会民生 …
    category,
    Category
);
coded!(
    /// A pre-construction milestone: 用地审批, 施工许可 …
    milestone,
    Milestone
);

/// An action of an issue's history: 提出, 签收, 办结 …
pub fn action(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => docket_domain::issue::action_label_zh(code).to_string(),
        Lang::En => en(code),
    }
}

/// A supervision flag (督办): empty for none.
pub fn flag(lang: Lang, f: Flag) -> &'static str {
    match (lang, f) {
        (_, Flag::None) => "",
        (Lang::Zh, Flag::Blue) => "蓝色督办",
        (Lang::Zh, Flag::Yellow) => "黄色督办",
        (Lang::Zh, Flag::Red) => "红色督办",
        (Lang::En, Flag::Blue) => "blue",
        (Lang::En, Flag::Yellow) => "yellow",
        (Lang::En, Flag::Red) => "red",
    }
}

/// An email's state in the outbox.
pub fn mail_state(lang: Lang, code: &str) -> String {
    let zh = match code {
        "pending" => "待发",
        "sending" => "发送中",
        "sent" => "已发送",
        "dead" => "已放弃",
        "digested" => "已并入汇总",
        _ => return en(code),
    };
    lang.pick(zh, code).to_string()
}

/// An email's kind (the template it is written from).
pub fn mail_kind(lang: Lang, code: &str) -> String {
    let zh = match code {
        "assignment" => "交办通知",
        "accepted" => "签收通知",
        "resolved" => "办结通知",
        "closed" => "销号通知",
        "sent_back" => "退回通知",
        "chase" => "催办",
        "escalation" => "升级督办",
        "overdue" => "逾期提醒",
        "extension_requested" => "延期申请",
        "reminder" => "催报",
        "dispatch_sheet" => "调度单",
        "bulletin" => "月通报",
        "digest" => "汇总",
        "calendar_alarm" => "日历提醒",
        "signin" => "登录链接",
        "issue" => "问题通知",
        "report" => "周报",
        "job" => "定时任务",
        _ => {
            return match lang {
                Lang::Zh => "邮件".to_string(),
                Lang::En => en(code),
            };
        }
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en(code),
    }
}

/// A person by id: the office, the system, or an official's name (and title); an unknown id
/// as it is.
pub fn who(app: &App, lang: Lang, id: &str) -> String {
    match id {
        "office" => lang.pick("协调办", "the office").into(),
        "system" => lang.pick("系统", "system").into(),
        _ => app
            .config
            .core
            .official(id)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// A task force by id (none: the office), by its configured name.
pub fn task_force(app: &App, lang: Lang, id: Option<&str>) -> String {
    match id {
        None => lang.pick("协调办", "the office").into(),
        Some(id) => app
            .config
            .core
            .task_force(id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// Yes or no.
pub fn yes_no(lang: Lang, b: bool) -> &'static str {
    match (lang, b) {
        (Lang::Zh, true) => "是",
        (Lang::Zh, false) => "否",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}

/// An instant in the office's time zone, `YYYY-MM-DD HH:MM` (UTC, said so, if the zone is
/// not known).
pub fn office_time(app: &App, t: DateTime<Utc>) -> String {
    match app.config.core.timezone() {
        Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// An instant stored as UTC milliseconds, in office time.
pub fn office_ms(app: &App, ms: i64) -> String {
    office_time(app, docket_store::time::from_ms(ms))
}

/// An RFC 3339 instant (as the workflow's views carry them), in office time; the text as
/// it is if it does not parse.
pub fn office_rfc3339(app: &App, text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|t| office_time(app, t.with_timezone(&Utc)))
        .unwrap_or_else(|_| text.to_string())
}

/// English weekday abbreviations in brackets (`(Tue)`, as the schedule preview writes its
/// times) as Chinese (`（周二）`); the text as it is in English.
pub fn weekdays(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    [
        ("(Mon)", "（周一）"),
        ("(Tue)", "（周二）"),
        ("(Wed)", "（周三）"),
        ("(Thu)", "（周四）"),
        ("(Fri)", "（周五）"),
        ("(Sat)", "（周六）"),
        ("(Sun)", "（周日）"),
    ]
    .iter()
    .fold(text.to_string(), |t, (en, zh)| t.replace(en, zh))
}

/// Pads `text` with blanks to `width` columns, counting a Chinese character as two.
pub fn pad(text: &str, width: usize) -> String {
    let w = display_width(text);
    if w >= width {
        text.to_string()
    } else {
        format!("{text}{}", " ".repeat(width - w))
    }
}

/// As [`pad`], the blanks in front (numbers).
pub fn pad_left(text: &str, width: usize) -> String {
    let w = display_width(text);
    if w >= width {
        text.to_string()
    } else {
        format!("{}{text}", " ".repeat(width - w))
    }
}

/// The columns `text` takes in a terminal: two for a wide (CJK, full-width) character.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let c = c as u32;
            let wide = (0x1100..=0x115f).contains(&c)
                || (0x2e80..=0xa4cf).contains(&c)
                || (0xac00..=0xd7a3).contains(&c)
                || (0xf900..=0xfaff).contains(&c)
                || (0xfe30..=0xfe4f).contains(&c)
                || (0xff00..=0xff60).contains(&c)
                || (0xffe0..=0xffe6).contains(&c);
            if wide { 2 } else { 1 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        assert_eq!(issue_state(Lang::Zh, "in_progress"), "办理中");
        assert_eq!(issue_state(Lang::En, "in_progress"), "in progress");
        assert_eq!(level(Lang::Zh, "municipal"), "市重点");
        assert_eq!(stage(Lang::Zh, "continuing"), "续建");
        assert_eq!(category(Lang::Zh, "industry"), "产业");
        assert_eq!(action(Lang::Zh, "accept"), "签收");
        assert_eq!(mail_state(Lang::Zh, "dead"), "已放弃");
    }

    #[test]
    fn chinese_takes_two_columns() {
        assert_eq!(display_width("用地a"), 5);
        assert_eq!(pad("用地", 6), "用地  ");
        assert_eq!(pad_left("12", 4), "  12");
    }
}
