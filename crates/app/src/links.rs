//! Signed one-click actions in emails (签收, 申请延期, 销号, 退回, 本周无变化).
//!
//! [`ActionLinks`] makes the links when an email is rendered: each is bound to its recipient,
//! the object (`issue:{id}` or `report:{week}:{code}`) and the action, expires after 7 days
//! and works once. Opening a link ([`open_link`]) only reads; the page's button posts to
//! [`follow_link`], which in ONE transaction records the link's use and performs the action as
//! the recipient, with the recipient's permissions — so a replayed, expired or altered link
//! changes nothing.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use docket_auth::{ActionClaim, AuthError, LinkError, LinkSigner};
use docket_domain::clock::Clock;
use docket_domain::cycle::ReportInput;
use docket_domain::period::IsoWeek;
use docket_notifier::LinkMaker;
use docket_workflow::Action;
use sea_orm::TransactionTrait;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::context::App;
use crate::error::{AppError, AppResult};

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    /// 签收 an assigned issue.
    Accept,
    /// 申请延期: ask for a later due date (the page asks for the date and the reason).
    Extend,
    /// 销号: the office closes a resolved issue.
    Close,
    /// 退回: the office sends a resolution back (the page asks for the reason).
    SendBack,
    /// 本周无变化: the week's report for a project says "no change".
    NoChange,
}

impl LinkAction {
    /// The code carried in the signed link.
    pub fn code(self) -> &'static str {
        match self {
            LinkAction::Accept => "accept",
            LinkAction::Extend => "extend",
            LinkAction::Close => "close",
            LinkAction::SendBack => "send_back",
            LinkAction::NoChange => "no_change",
        }
    }

    /// The action a code names.
    pub fn parse(code: &str) -> Option<LinkAction> {
        [
            LinkAction::Accept,
            LinkAction::Extend,
            LinkAction::Close,
            LinkAction::SendBack,
            LinkAction::NoChange,
        ]
        .into_iter()
        .find(|a| a.code() == code)
    }

    /// The label people read (Chinese).
    pub fn label(self) -> &'static str {
        match self {
            LinkAction::Accept => "签收",
            LinkAction::Extend => "申请延期",
            LinkAction::Close => "销号",
            LinkAction::SendBack => "退回",
            LinkAction::NoChange => "本周无变化",
        }
    }

    /// Whether the page must ask for a note or reason (required), and for a date.
    pub fn asks(self) -> (bool, bool) {
        match self {
            LinkAction::Extend => (true, true),
            LinkAction::SendBack => (true, false),
            _ => (false, false),
        }
    }
}

/// Makes signed links for emails; also verifies them.
#[derive(Clone)]
pub struct ActionLinks {
    signer: LinkSigner,
    base_url: String,
    office: Vec<String>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ActionLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionLinks")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ActionLinks {
    /// Links under `base_url` (e.g. `https://docket.example.gov.cn`) signed by `signer`;
    /// `office` lists the officials who get the office's links (销号/退回).
    pub fn new(
        signer: LinkSigner,
        base_url: &str,
        office: Vec<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        ActionLinks {
            signer,
            base_url: base_url.trim_end_matches('/').to_string(),
            office,
            clock,
        }
    }

    /// The URL of a new link for `recipient` to do `action` on `object`.
    pub fn url(&self, recipient: &str, object: &str, action: LinkAction) -> String {
        let claim = ActionClaim::new(recipient, object, action.code(), self.clock.now());
        format!("{}/act/{}", self.base_url, self.signer.sign(&claim))
    }

    /// The public base URL links start with.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> AppResult<ActionClaim> {
        self.signer.verify(token, now).map_err(refusal)
    }
}

impl LinkMaker for ActionLinks {
    fn add_links(&self, kind: &str, recipient: &str, ctx: &mut Map<String, Value>) {
        let issue = ctx
            .get("issue")
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .map(|id| format!("issue:{id}"));
        let mut links = Map::new();
        // Every issue email links to the issue's page (sign-in needed to open it).
        if let Some(i) = ctx.get("issue").and_then(Value::as_object) {
            let key = i
                .get("number")
                .and_then(Value::as_str)
                .or_else(|| i.get("id").and_then(Value::as_str));
            if let Some(key) = key {
                links.insert(
                    "page".into(),
                    format!("{}/issues/{key}", self.base_url).into(),
                );
            }
        }
        match (kind, issue) {
            ("assignment", Some(object)) => {
                for a in [LinkAction::Accept, LinkAction::Extend] {
                    links.insert(a.code().into(), self.url(recipient, &object, a).into());
                }
            }
            ("resolved", Some(object)) if self.office.iter().any(|o| o == recipient) => {
                for a in [LinkAction::Close, LinkAction::SendBack] {
                    links.insert(a.code().into(), self.url(recipient, &object, a).into());
                }
            }
            ("reminder", _) => {
                let week = ctx.get("week").and_then(Value::as_str).map(str::to_string);
                if let (Some(week), Some(Value::Array(projects))) = (week, ctx.get_mut("projects"))
                {
                    for p in projects.iter_mut().filter_map(Value::as_object_mut) {
                        if let Some(code) = p.get("code").and_then(Value::as_str) {
                            let object = format!("report:{week}:{code}");
                            let url = self.url(recipient, &object, LinkAction::NoChange);
                            let form = format!("{}/report/{code}?week={week}", self.base_url);
                            p.insert("no_change".into(), url.into());
                            p.insert("form".into(), form.into());
                        }
                    }
                }
            }
            _ => {}
        }
        if !links.is_empty() {
            ctx.insert("links".into(), Value::Object(links));
        }
    }
}

/// What a link's page shows.
#[derive(Debug, Clone)]
pub struct LinkPage {
    /// What the link does.
    pub action: LinkAction,
    /// Who it acts as (name).
    pub recipient: String,
    /// What it acts on, for people (e.g. `某项目：用地指标未落实`, `某项目 2024年第37周周报`).
    pub subject: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether it has been used already (the page then offers no button).
    pub used: bool,
}

/// What the page's form adds to the action.
#[derive(Debug, Clone, Default)]
pub struct LinkForm {
    /// The note or reason (required for 申请延期 and 退回).
    pub note: Option<String>,
    /// The date asked for (申请延期), `YYYY-MM-DD`.
    pub due: Option<String>,
}

enum Object {
    Issue(Uuid),
    Report(IsoWeek, String),
}

fn refusal(e: LinkError) -> AppError {
    match e {
        LinkError::Expired => AppError::Conflict("此链接已过期，请登录系统办理。".into()),
        LinkError::Replayed => AppError::Conflict("此链接已使用过，不能重复办理。".into()),
        LinkError::Malformed | LinkError::Forged => {
            AppError::bad_input("此链接无效（可能被截断或改动），请使用邮件中的完整链接。")
        }
    }
}

fn parse(claim: &ActionClaim) -> AppResult<(LinkAction, Object)> {
    let bad = || AppError::bad_input("此链接无效，请使用邮件中的完整链接。");
    let action = LinkAction::parse(&claim.action).ok_or_else(bad)?;
    let object = if let Some(id) = claim.object.strip_prefix("issue:") {
        Object::Issue(Uuid::parse_str(id).map_err(|_| bad())?)
    } else if let Some(rest) = claim.object.strip_prefix("report:") {
        let (week, code) = rest.split_once(':').ok_or_else(bad)?;
        (IsoWeek::parse(week).map_err(|_| bad())?, code.to_string()).into()
    } else {
        return Err(bad());
    };
    Ok((action, object))
}

impl From<(IsoWeek, String)> for Object {
    fn from((w, c): (IsoWeek, String)) -> Self {
        Object::Report(w, c)
    }
}

fn links(app: &App) -> AppResult<&ActionLinks> {
    app.links
        .as_deref()
        .ok_or_else(|| AppError::NotFound("一键办理未启用（未设置 DOCKET_SECRET）。".into()))
}

/// Reads a link for its page; changes nothing (mail scanners fetch links).
///
/// # Errors
/// Bad input (altered or malformed), conflict (expired), not found (links disabled, or the
/// object is gone).
pub async fn open_link(app: &App, token: &str) -> AppResult<LinkPage> {
    let now = app.now();
    let claim = links(app)?.verify(token, now)?;
    let (action, object) = parse(&claim)?;
    let subject = match &object {
        Object::Issue(id) => {
            let d = app.workflow.show(&app.db.conn, *id, now).await?;
            match &d.number {
                Some(n) => format!("{n} {}：{}", d.project_name, d.title),
                None => format!("{}：{}", d.project_name, d.title),
            }
        }
        Object::Report(week, code) => {
            let p =
                docket_store::issues::projects_by_code(&app.db.conn, std::slice::from_ref(code))
                    .await?;
            let name = p.get(code).map_or(code.clone(), |p| p.name.clone());
            format!("{name} {}年第{}周周报", week.year(), week.week())
        }
    };
    let recipient = app
        .config
        .core
        .official(&claim.recipient)
        .map_or(claim.recipient.clone(), |o| o.name.clone());
    Ok(LinkPage {
        action,
        recipient,
        subject,
        expires_at: claim.expires_at,
        used: docket_auth::links::is_used(&app.db.conn, &claim).await?,
    })
}

/// Performs a link's action as its recipient (the POST of its page): the link's use and the
/// action commit together, so a refused action leaves the link usable and a used link acts
/// no more. Returns a sentence saying what was done.
///
/// # Errors
/// Bad input (altered link, missing note or date), conflict (expired, used, or the action no
/// longer fits the object's state), not permitted (the recipient may no longer act).
pub async fn follow_link(app: &App, token: &str, form: &LinkForm) -> AppResult<String> {
    let now = app.now();
    let claim = links(app)?.verify(token, now)?;
    let (action, object) = parse(&claim)?;
    let actor = app
        .actor(Some(&claim.recipient))
        .map_err(|_| AppError::not_permitted("此链接的收件人已不在系统中。"))?;
    let note = form
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    match docket_auth::links::consume(&txn, &claim, now).await {
        Ok(()) => {}
        Err(AuthError::Link(e)) => return Err(refusal(e)),
        Err(e) => return Err(e.into()),
    }
    let done = match (action, object) {
        (LinkAction::NoChange, Object::Report(week, code)) => {
            let input = ReportInput {
                code: code.clone(),
                week,
                week_amount: None,
                ytd_completed: None,
                progress: String::new(),
                milestones: String::new(),
                problems: String::new(),
                next_week_plan: String::new(),
                contact: String::new(),
                no_change: true,
            };
            crate::reports::submit_reports_on(app, &txn, &actor, &[input], Default::default())
                .await?;
            format!(
                "已报送：{code} {}年第{}周，本周无变化。",
                week.year(),
                week.week()
            )
        }
        (_, Object::Issue(id)) => {
            let act = issue_action(action, note, form.due.as_deref())?;
            app.workflow.act(&txn, &actor, id, act, now).await?;
            format!("已{}。", action.label())
        }
        _ => return Err(AppError::bad_input("此链接无效，请使用邮件中的完整链接。")),
    };
    txn.commit().await?;
    tracing::info!(recipient = %claim.recipient, object = %claim.object, action = %claim.action, "one-click action");
    Ok(done)
}

fn issue_action(action: LinkAction, note: Option<String>, due: Option<&str>) -> AppResult<Action> {
    let need_note = || AppError::bad_input("请填写说明（必填）。");
    Ok(match action {
        LinkAction::Accept => Action::Accept,
        LinkAction::Close => Action::Close { note },
        LinkAction::SendBack => Action::SendBack {
            reason: note.ok_or_else(need_note)?,
        },
        LinkAction::Extend => {
            let due = due.map(str::trim).unwrap_or_default();
            let due = NaiveDate::parse_from_str(due, "%Y-%m-%d")
                .map_err(|_| AppError::bad_input("请填写申请延期至的日期（如 2024-10-31）。"))?;
            Action::RequestExtension {
                due,
                reason: note.ok_or_else(need_note)?,
            }
        }
        LinkAction::NoChange => {
            return Err(AppError::bad_input("此链接无效，请使用邮件中的完整链接。"));
        }
    })
}
