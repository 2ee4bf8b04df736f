//! Channels besides email — 企业微信 and 钉钉 group robots, an SMS gateway — against a real
//! HTTP server on loopback that records what it received, on both backends.

mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use base64::Engine;
use common::{calendar, config_dir, queue, rows, start};
use docket_domain::clock::ManualClock;
use docket_domain::config::CoreConfig;
use docket_notifier::{ChannelConfig, Dispatcher, MailConfig, NotifierSettings, SmtpConfig};
use docket_store::outbox::{self, NewMessage};
use docket_testkit::{TestDb, dual_test};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const CORE: &str = r#"
[office]
name = "示例市重点项目协调办"
city = "示例市"
email = "zdxmb@example.gov.cn"
head = "chen"
[[officials]]
id = "chen"
name = "陈志远"
email = "chen@example.gov.cn"
[[officials]]
id = "zhang"
name = "张建国"
title = "市长"
email = "zhang@example.gov.cn"
[[officials]]
id = "wang"
name = "王海"
email = "wang@example.gov.cn"
[[officials]]
id = "sun"
name = "孙丽"
title = "市自然资源局局长"
email = "sun@example.gov.cn"
phone = "13800138000"
channels = ["sms"]
[[task_forces]]
id = "land"
name = "用地保障专班"
lead = "zhang"
deputies = ["wang"]
members = ["sun"]
categories = ["land"]
channels = ["land_wecom"]
[[task_forces]]
id = "funding"
name = "资金保障专班"
lead = "chen"
members = ["sun"]
categories = ["funding"]
channels = ["funding_dingtalk"]
"#;

const DT_SECRET: &str = "SECd0c3e7example";

/// One request the test server received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Value,
}

/// Scripted answers per path: status and body.
type Script = HashMap<String, VecDeque<(u16, String)>>;

/// A webhook and SMS server on loopback: it records every request and answers each path
/// with the next scripted answer (then `{"errcode":0}` with 200).
#[derive(Clone, Default)]
struct Hooks {
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
}

impl Hooks {
    async fn start() -> (Hooks, String) {
        let hooks = Hooks::default();
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(hooks.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (hooks, base)
    }

    fn then(&self, path: &str, status: u16, body: &str) {
        self.script
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push_back((status, body.to_string()));
    }

    fn at(&self, path: &str) -> Vec<Received> {
        let all = self.received.lock().unwrap();
        all.iter().filter(|r| r.path == path).cloned().collect()
    }
}

async fn answer(
    State(hooks): State<Hooks>,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let path = uri.path().to_string();
    hooks.received.lock().unwrap().push(Received {
        path: path.clone(),
        query,
        headers,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    });
    let next = hooks
        .script
        .lock()
        .unwrap()
        .get_mut(&path)
        .and_then(VecDeque::pop_front);
    let (status, body) = next.unwrap_or((200, r#"{"errcode":0,"errmsg":"ok"}"#.into()));
    (StatusCode::from_u16(status).unwrap(), body)
}

fn core() -> CoreConfig {
    docket_testkit::core_config(CORE)
}

fn channels(base: &str) -> Vec<ChannelConfig> {
    let text = format!(
        r#"
        [[channels]]
        id = "land_wecom"
        kind = "wecom"
        name = "用地专班群"
        url = "{base}/wecom/send"
        key_env = "WECOM_KEY"
        [[channels]]
        id = "funding_dingtalk"
        kind = "dingtalk"
        url = "{base}/dingtalk/send"
        key_env = "DT_TOKEN"
        secret_env = "DT_SECRET"
        [[channels]]
        id = "sms"
        kind = "sms"
        url = "{base}/sms"
        token_env = "SMS_TOKEN"
        timeout_secs = 3
        "#
    );
    #[derive(serde::Deserialize)]
    struct Doc {
        channels: Vec<ChannelConfig>,
    }
    toml::from_str::<Doc>(&text).unwrap().channels
}

/// A dispatcher writing email as `.eml` files into `eml` and posting to the server at `base`.
fn dispatcher(t: &TestDb, base: &str, eml: &std::path::Path, clock: &ManualClock) -> Dispatcher {
    let env = |k: &str| match k {
        "WECOM_KEY" => Some("wecom-key-123".to_string()),
        "DT_TOKEN" => Some("dt-token-456".to_string()),
        "DT_SECRET" => Some(DT_SECRET.to_string()),
        "SMS_TOKEN" => Some("sms-token-789".to_string()),
        _ => None,
    };
    let mail = MailConfig {
        eml_dir: Some(eml.to_path_buf()),
        ..Default::default()
    };
    let settings =
        NotifierSettings::resolve(&core(), &SmtpConfig::default(), &mail, &config_dir(), &env)
            .and_then(|s| s.with_channels(&core(), &channels(base), &env))
            .unwrap();
    Dispatcher::new(
        t.db.clone(),
        &core(),
        settings,
        Arc::new(clock.clone()),
        calendar(),
    )
    .unwrap()
}

const ISSUE_ID: &str = "0190e6a1-7d2c-7b3e-9f10-1a2b3c4d5e6f";

/// The assignment emails of issue Q-7 of `task_force`, one per member, as the workflow
/// queues them.
fn assignment(task_force: (&str, &str), to: &[(&str, &str, &str)]) -> Vec<NewMessage> {
    let context = json!({
        "issue": { "id": ISSUE_ID, "number": "Q-7", "title": "新增用地指标未落实",
                   "category": "land", "category_label": "用地", "state": "assigned",
                   "due": "2024-09-24", "task_force": task_force.1, "task_force_id": task_force.0 },
        "project": { "code": "SZ2024001", "name": "华海药业新厂区", "owner_unit": "华海药业股份有限公司" },
    });
    to.iter()
        .map(|&(id, name, email)| {
            let mut m = common::message(
                &format!("issue:{ISSUE_ID}:1:assignment:{id}"),
                "assignment",
                (name, email),
                Some(id),
                context.clone(),
            );
            m.context["role"] = json!("member");
            m
        })
        .collect()
}

fn land_members() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("zhang", "张建国", "zhang@example.gov.cn"),
        ("wang", "王海", "wang@example.gov.cn"),
        ("sun", "孙丽", "sun@example.gov.cn"),
    ]
}

fn on(rows: &[outbox::OutboxRow], channel: &str) -> Vec<outbox::OutboxRow> {
    rows.iter()
        .filter(|r| r.channel == channel)
        .cloned()
        .collect()
}

// An assignment to the land task force's three members posts once in its WeCom group and
// once by SMS to the member who has a phone, even with two dispatchers at once, a second
// pass, and a re-run as after a crash before the email rows were marked; the funding task
// force's group (孙丽 is in it too) gets nothing of another task force's issue.
async fn assignment_fans_out_exactly_once(t: &TestDb) {
    let (hooks, base) = Hooks::start().await;
    let eml = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start());
    let d1 = dispatcher(t, &base, eml.path(), &clock);
    let d2 = dispatcher(t, &base, eml.path(), &clock);
    queue(
        &t.db,
        &assignment(("land", "用地保障专班"), &land_members()),
        start(),
    )
    .await;
    let (a, b) = tokio::join!(d1.deliver_due(), d2.deliver_due());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.sent + b.sent,
        5,
        "3 emails, 1 group post, 1 SMS: {a:?} {b:?}"
    );
    d1.deliver_due().await.unwrap();
    // As if a process died between writing the copies and marking their emails.
    docket_store::entity::outbox::Entity::update_many()
        .col_expr(
            docket_store::entity::outbox::Column::FannedOut,
            sea_orm::sea_query::Expr::val(false),
        )
        .filter(docket_store::entity::outbox::Column::Channel.eq("email"))
        .exec(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(d2.fan_out().await.unwrap(), 0, "the copies exist already");
    let r = d2.deliver_due().await.unwrap();
    assert_eq!(r.attempted, 0, "{r:?}");

    let all = rows(&t.db).await;
    assert_eq!(all.len(), 5, "{all:#?}");
    assert!(
        all.iter().all(|r| r.state == "sent" && r.fanned_out),
        "{all:#?}"
    );
    let group = on(&all, "land_wecom");
    assert_eq!(group.len(), 1);
    assert_eq!(
        group[0].dedupe_key,
        format!("issue:{ISSUE_ID}:1:assignment:*@land_wecom")
    );
    assert_eq!(
        (group[0].to_name.as_str(), group[0].official.as_deref()),
        ("用地保障专班", None)
    );
    let sms = on(&all, "sms");
    assert_eq!(sms.len(), 1);
    assert_eq!(
        (sms[0].to_email.as_str(), sms[0].official.as_deref()),
        ("13800138000", Some("sun"))
    );

    let wecom = hooks.at("/wecom/send");
    assert_eq!(wecom.len(), 1, "one group post");
    assert_eq!(
        wecom[0].query.get("key").map(String::as_str),
        Some("wecom-key-123")
    );
    assert_eq!(wecom[0].body["msgtype"], "markdown");
    let content = wecom[0].body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("### 【交办】Q-7 华海药业新厂区：新增用地指标未落实"),
        "{content}"
    );
    assert!(content.contains("办理时限：2024-09-24"), "{content}");
    assert!(
        !content.contains(ISSUE_ID) && !content.contains("SZ2024001"),
        "no ids: {content}"
    );
    assert!(
        !content.contains("孙丽局长"),
        "a group post greets nobody: {content}"
    );
    let texts = hooks.at("/sms");
    assert_eq!(texts.len(), 1, "one SMS");
    let s = &texts[0];
    assert_eq!(s.body["phone"], "13800138000");
    assert_eq!(s.body["id"], sms[0].id.to_string());
    let message = s.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("【交办】Q-7 华海药业新厂区：新增用地指标未落实"),
        "{message}"
    );
    assert!(
        message.chars().count() <= 300 && !message.contains(ISSUE_ID),
        "{message}"
    );
    let header = |k: &str| {
        s.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer sms-token-789")
    );
    assert_eq!(header("idempotency-key"), Some(sms[0].id.to_string()));
    assert!(
        hooks.at("/dingtalk/send").is_empty(),
        "another task force's group"
    );
    let emails = std::fs::read_dir(eml.path()).unwrap().count();
    assert_eq!(emails, 3, "every member's email, once each");
}
dual_test!(assignment_fans_out_exactly_once);

// A DingTalk robot's request carries access_token, timestamp and a sign the server can
// verify with the robot's secret: base64(HMAC-SHA256("{timestamp}\n{secret}")).
async fn dingtalk_requests_are_signed(t: &TestDb) {
    let (hooks, base) = Hooks::start().await;
    let eml = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start());
    let d = dispatcher(t, &base, eml.path(), &clock);
    let to = [
        ("chen", "陈志远", "chen@example.gov.cn"),
        ("sun", "孙丽", "sun@example.gov.cn"),
    ];
    queue(
        &t.db,
        &assignment(("funding", "资金保障专班"), &to),
        start(),
    )
    .await;
    let before = chrono::Utc::now().timestamp_millis();
    let r = d.deliver_due().await.unwrap();
    assert_eq!(
        (r.sent, r.failed()),
        (4, 0),
        "2 emails, 1 group post, 1 SMS: {r:?}"
    );
    let got = hooks.at("/dingtalk/send");
    assert_eq!(got.len(), 1, "{got:?}");
    let q = &got[0].query;
    assert_eq!(
        q.get("access_token").map(String::as_str),
        Some("dt-token-456")
    );
    let ts = q.get("timestamp").expect("timestamp");
    let ms: i64 = ts.parse().unwrap();
    assert!(
        ms >= before - 1000 && ms <= chrono::Utc::now().timestamp_millis() + 1000,
        "real time: {ms}"
    );
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(DT_SECRET.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{DT_SECRET}").as_bytes());
    let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(
        q.get("sign"),
        Some(&want),
        "the server recomputes the signature"
    );
    let body = &got[0].body;
    assert_eq!(body["msgtype"], "markdown");
    assert_eq!(
        body["markdown"]["title"],
        "【交办】Q-7 华海药业新厂区：新增用地指标未落实"
    );
    assert!(
        body["markdown"]["text"]
            .as_str()
            .unwrap()
            .contains("承办：资金保障专班"),
        "{body}"
    );
    assert!(
        hooks.at("/wecom/send").is_empty(),
        "the land group is not concerned"
    );
}
dual_test!(dingtalk_requests_are_signed);

// A webhook answering 500 leaves its post pending with no attempt used (its own breaker
// hears of it, email's does not) while the email goes out; once the webhook is back the
// post is delivered, once.
async fn webhook_down_never_blocks_email(t: &TestDb) {
    let (hooks, base) = Hooks::start().await;
    hooks.then("/wecom/send", 500, "internal error");
    let eml = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start());
    let d = dispatcher(t, &base, eml.path(), &clock);
    let to = [("zhang", "张建国", "zhang@example.gov.cn")];
    queue(&t.db, &assignment(("land", "用地保障专班"), &to), start()).await;
    let r = d.deliver_due().await.unwrap();
    assert_eq!((r.sent, r.deferred, r.dead), (1, 1, 0), "{r:?}");
    let all = rows(&t.db).await;
    let email = on(&all, "email");
    assert_eq!(email[0].state, "sent");
    let post = &on(&all, "land_wecom")[0];
    assert_eq!(
        (post.state.as_str(), post.attempts),
        ("pending", 0),
        "{post:?}"
    );
    let why = post.last_error.as_deref().unwrap_or("");
    assert!(
        why.contains("HTTP 500") && why.contains("企业微信"),
        "{why}"
    );
    assert!(
        !why.contains("wecom-key-123"),
        "no secret in the ledger: {why}"
    );
    let breaker = d.route_state("channel:land_wecom").await.unwrap();
    assert_eq!(breaker.failures, 1);
    assert_eq!(
        d.delivery_state().await.unwrap().failures,
        0,
        "email's breaker untouched"
    );

    let r = d.deliver_due().await.unwrap();
    assert_eq!((r.sent, r.failed()), (1, 0), "{r:?}");
    let post = outbox::find(&t.db.conn, post.id).await.unwrap().unwrap();
    assert_eq!((post.state.as_str(), post.attempts), ("sent", 1));
    assert_eq!(
        hooks.at("/wecom/send").len(),
        2,
        "the failed request and the delivery"
    );
    assert_eq!(
        d.route_state("channel:land_wecom").await.unwrap().failures,
        0
    );
}
dual_test!(webhook_down_never_blocks_email);

// A robot's rate limit (errcode 45009) is retried later with the attempt counted; any other
// errcode dead-letters the post with the platform's reason.
async fn robot_refusals_are_classified(t: &TestDb) {
    let (hooks, base) = Hooks::start().await;
    hooks.then(
        "/wecom/send",
        200,
        r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
    );
    hooks.then(
        "/wecom/send",
        200,
        r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
    );
    let eml = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start());
    let d = dispatcher(t, &base, eml.path(), &clock);
    let to = [("wang", "王海", "wang@example.gov.cn")];
    queue(&t.db, &assignment(("land", "用地保障专班"), &to), start()).await;
    let r = d.deliver_due().await.unwrap();
    assert_eq!((r.sent, r.retried), (1, 1), "{r:?}");
    let post = rows(&t.db)
        .await
        .into_iter()
        .find(|r| r.channel == "land_wecom")
        .unwrap();
    assert_eq!((post.state.as_str(), post.attempts), ("pending", 1));
    assert!(
        post.next_attempt_at > docket_store::time::to_ms(start()),
        "backed off"
    );
    assert_eq!(d.deliver_due().await.unwrap().attempted, 0, "not due yet");
    clock.advance(chrono::Duration::hours(1));
    let r = d.deliver_due().await.unwrap();
    assert_eq!(r.dead, 1, "{r:?}");
    let post = outbox::find(&t.db.conn, post.id).await.unwrap().unwrap();
    assert_eq!((post.state.as_str(), post.attempts), ("dead", 2));
    let why = post.last_error.unwrap_or_default();
    assert!(
        why.contains("errcode 93000") && why.contains("invalid webhook url"),
        "{why}"
    );
    assert_eq!(hooks.at("/wecom/send").len(), 2);
}
dual_test!(robot_refusals_are_classified);

/// Links as the service's link maker adds them: the issue's page and a signed action.
struct Links;

impl docket_notifier::LinkMaker for Links {
    fn add_links(&self, _kind: &str, recipient: &str, ctx: &mut serde_json::Map<String, Value>) {
        let links = json!({"page": "https://docket.example/issues/Q-7",
                           "accept": format!("https://docket.example/act/signed-for-{recipient}")});
        ctx.insert("links".into(), links);
    }
}

// Posts carry the issue page's link but never a signed one-click link (anyone in a group
// could act as its recipient; the emails keep theirs, see the HTTP tests).
async fn posts_carry_the_page_link_only(t: &TestDb) {
    let (hooks, base) = Hooks::start().await;
    let eml = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(start());
    let d = dispatcher(t, &base, eml.path(), &clock);
    d.set_links(Arc::new(Links));
    let to = [("sun", "孙丽", "sun@example.gov.cn")];
    queue(&t.db, &assignment(("land", "用地保障专班"), &to), start()).await;
    let r = d.deliver_due().await.unwrap();
    assert_eq!((r.sent, r.failed()), (3, 0), "{r:?}");
    let post = hooks.at("/wecom/send")[0].body["markdown"]["content"].to_string();
    assert!(
        post.contains("[查看详情](https://docket.example/issues/Q-7)"),
        "{post}"
    );
    let sms = hooks.at("/sms")[0].body["message"].to_string();
    assert!(sms.contains("https://docket.example/issues/Q-7"), "{sms}");
    assert!(
        !post.contains("/act/") && !sms.contains("/act/"),
        "{post} {sms}"
    );
}
dual_test!(posts_carry_the_page_link_only);
