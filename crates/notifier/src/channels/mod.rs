//! Channels besides email: 企业微信 (WeCom) and 钉钉 (DingTalk) group robots and a generic
//! SMS gateway, configured as `[[channels]]` and named by officials (`[[officials]]
//! channels`, with `phone` for SMS) and task forces (`[[task_forces]] channels`).
//!
//! Feature crates queue email only. Before each delivery pass the dispatcher expands every
//! new email row once ([`fanout`]): a copy per channel of its recipient official, and one
//! post per event in the group of a task force the recipient belongs to. Copies are outbox
//! rows of their own channel, claimed route by route (a webhook that is down never holds up
//! email), with the same lease, backoff, dead letter and a circuit breaker of their own
//! (`channel:{id}`). [`post`] sends them; [`render`] writes their text from the templates
//! `channel.md` (group robots, markdown) and `sms.txt`.
//!
//! Secrets (the WeCom `key`, the DingTalk `access_token` and signing secret, the SMS
//! gateway's token) come from environment variables the config names, never from the file.

pub(crate) mod fanout;
pub(crate) mod post;
pub(crate) mod render;

use std::time::Duration;

use docket_domain::config::CoreConfig;
use serde::Deserialize;

use crate::NotifyError;
use crate::templates::KINDS;

/// `[[channels]]` as written in the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Stable id, named by officials' and task forces' `channels`.
    pub id: String,
    /// `wecom` (企业微信群机器人), `dingtalk` (钉钉群机器人) or `sms` (an SMS gateway).
    pub kind: String,
    /// Optional name shown in `docket mail list` (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    /// The endpoint, without secrets, e.g. `https://qyapi.weixin.qq.com/cgi-bin/webhook/send`.
    pub url: String,
    /// The environment variable holding the WeCom `key` or the DingTalk `access_token`
    /// (added to the URL's query). Required for `wecom` and `dingtalk`.
    #[serde(default)]
    pub key_env: Option<String>,
    /// The environment variable holding the DingTalk signing secret (`SEC…`); when given,
    /// each request carries `timestamp` and `sign`. DingTalk only.
    #[serde(default)]
    pub secret_env: Option<String>,
    /// The environment variable holding the SMS gateway's bearer token. SMS only, optional.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Message kinds that go to this channel (default: every kind but `digest`).
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Seconds a request may take, connecting included (default 10).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// What a channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// 企业微信群机器人: markdown, `key` in the query.
    Wecom,
    /// 钉钉群机器人: markdown, `access_token` in the query, optionally signed.
    Dingtalk,
    /// An SMS gateway: JSON `{phone, message, id}` with a bearer token.
    Sms,
}

impl ChannelKind {
    /// Parses the config's `kind`.
    pub fn parse(code: &str) -> Option<ChannelKind> {
        match code.trim() {
            "wecom" => Some(ChannelKind::Wecom),
            "dingtalk" => Some(ChannelKind::Dingtalk),
            "sms" => Some(ChannelKind::Sms),
            _ => None,
        }
    }

    /// The code in the config and the JSON.
    pub fn code(self) -> &'static str {
        match self {
            ChannelKind::Wecom => "wecom",
            ChannelKind::Dingtalk => "dingtalk",
            ChannelKind::Sms => "sms",
        }
    }

    /// The label people read: 企业微信, 钉钉, 短信.
    pub fn label_zh(self) -> &'static str {
        match self {
            ChannelKind::Wecom => "企业微信",
            ChannelKind::Dingtalk => "钉钉",
            ChannelKind::Sms => "短信",
        }
    }
}

/// The label people read for an outbox row's channel: 邮件 for email, else the kind's label
/// (企业微信/钉钉/短信) of the configured channel, or 其他渠道 for an id no longer configured.
pub fn channel_label(channel: &str, configured: &[ChannelConfig]) -> &'static str {
    if channel == docket_store::outbox::EMAIL {
        return "邮件";
    }
    configured
        .iter()
        .find(|c| c.id == channel)
        .and_then(|c| ChannelKind::parse(&c.kind))
        .map_or("其他渠道", ChannelKind::label_zh)
}

/// A secret read from the environment. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// A channel, validated, with its secrets.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Its id.
    pub id: String,
    /// What it is.
    pub kind: ChannelKind,
    /// Its name for people (the id unless configured).
    pub name: String,
    /// The endpoint without secrets.
    pub url: reqwest::Url,
    pub(crate) key: Option<Secret>,
    pub(crate) secret: Option<Secret>,
    pub(crate) token: Option<Secret>,
    /// Message kinds it takes.
    pub kinds: Vec<String>,
    /// The bound on one request.
    pub timeout: Duration,
}

impl Channel {
    /// Whether messages of `kind` go to this channel.
    pub fn takes(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind)
    }

    /// The circuit breaker's route name: `channel:{id}`.
    pub fn route(&self) -> String {
        format!("channel:{}", self.id)
    }
}

/// Kinds never sent to a channel: a sign-in link is for its recipient's mailbox alone.
const NEVER: &[&str] = &["signin"];

/// Validates `[[channels]]` and the officials' and task forces' references to them; reads
/// the secrets through `env`.
///
/// # Errors
/// [`NotifyError::Config`] naming the key, e.g. `channels[0].key_env` when its variable is
/// not set, or `officials[3].channels[0]` for an unknown channel id.
pub fn resolve_channels(
    core: &CoreConfig,
    configs: &[ChannelConfig],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Channel>, NotifyError> {
    let mut out: Vec<Channel> = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        let key = |k: &str| format!("channels[{i}].{k}");
        let id = c.id.trim();
        if id.is_empty()
            || !id
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        {
            return Err(NotifyError::config(
                key("id"),
                format!("{:?}: use letters, digits, _ and - only", c.id),
            ));
        }
        if id == docket_store::outbox::EMAIL || out.iter().any(|o| o.id == id) {
            return Err(NotifyError::config(
                key("id"),
                format!("channel id {id:?} is used twice (or is the reserved \"email\")"),
            ));
        }
        let kind = ChannelKind::parse(&c.kind).ok_or_else(|| {
            NotifyError::config(
                key("kind"),
                format!("unknown kind {:?} (known: wecom, dingtalk, sms)", c.kind),
            )
        })?;
        let url = parse_url(&c.url).map_err(|r| NotifyError::config(key("url"), r))?;
        let secret_of =
            |field: &str, var: &Option<String>| -> Result<Option<Secret>, NotifyError> {
                let Some(var) = var.as_deref().map(str::trim) else {
                    return Ok(None);
                };
                match env(var).filter(|v| !v.trim().is_empty()) {
                    Some(v) => Ok(Some(Secret(v.trim().to_string()))),
                    None => Err(NotifyError::config(
                        key(field),
                        format!("the environment variable {var} is not set"),
                    )),
                }
            };
        let allowed = |field: &str, set: bool, ok: bool| {
            if set && !ok {
                Err(NotifyError::config(
                    key(field),
                    format!("does not apply to a {} channel", kind.code()),
                ))
            } else {
                Ok(())
            }
        };
        allowed("key_env", c.key_env.is_some(), kind != ChannelKind::Sms)?;
        allowed(
            "secret_env",
            c.secret_env.is_some(),
            kind == ChannelKind::Dingtalk,
        )?;
        allowed("token_env", c.token_env.is_some(), kind == ChannelKind::Sms)?;
        if kind != ChannelKind::Sms && c.key_env.is_none() {
            return Err(NotifyError::config(
                key("key_env"),
                "required: the environment variable holding the robot's key (access_token)",
            ));
        }
        let kinds = match &c.kinds {
            None => KINDS
                .iter()
                .filter(|k| **k != "digest" && !NEVER.contains(k))
                .map(|k| k.to_string())
                .collect(),
            Some(list) => {
                for (j, k) in list.iter().enumerate() {
                    if !KINDS.contains(&k.as_str()) || NEVER.contains(&k.as_str()) {
                        return Err(NotifyError::config(
                            key(&format!("kinds[{j}]")),
                            format!("unknown or personal message kind {k:?}"),
                        ));
                    }
                }
                list.clone()
            }
        };
        let timeout = match c.timeout_secs.unwrap_or(10) {
            0 => {
                return Err(NotifyError::config(
                    key("timeout_secs"),
                    "must be at least 1",
                ));
            }
            s => Duration::from_secs(s),
        };
        out.push(Channel {
            id: id.to_string(),
            kind,
            name: c
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| id.to_string()),
            url,
            key: secret_of("key_env", &c.key_env)?,
            secret: secret_of("secret_env", &c.secret_env)?,
            token: secret_of("token_env", &c.token_env)?,
            kinds,
            timeout,
        });
    }
    check_references(core, &out)?;
    Ok(out)
}

/// Officials and task forces name configured channels; SMS needs the official's phone and
/// goes to people, not to task forces' groups.
fn check_references(core: &CoreConfig, channels: &[Channel]) -> Result<(), NotifyError> {
    let find = |key: String, id: &str| {
        channels
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| NotifyError::config(key, format!("unknown channel id {id:?}")))
    };
    for (i, o) in core.officials.iter().enumerate() {
        for (j, id) in o.channels.iter().enumerate() {
            let key = format!("officials[{i}].channels[{j}]");
            if find(key.clone(), id)?.kind == ChannelKind::Sms && o.phone.is_none() {
                return Err(NotifyError::config(
                    key,
                    format!("SMS channel {id:?} needs the official's phone"),
                ));
            }
        }
    }
    for (i, tf) in core.task_forces.iter().enumerate() {
        for (j, id) in tf.channels.iter().enumerate() {
            let key = format!("task_forces[{i}].channels[{j}]");
            if find(key.clone(), id)?.kind == ChannelKind::Sms {
                return Err(NotifyError::config(
                    key,
                    format!(
                        "SMS channel {id:?} goes to a person's phone: name it on the officials"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// An `http(s)://` endpoint without credentials or secret query parameters.
fn parse_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text.trim()).map_err(|e| format!("{text:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{text:?}: expected http:// or https://host/…"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials do not belong in the URL: use key_env/token_env".into());
    }
    const SECRET_PARAMS: &[&str] = &["key", "access_token", "sign", "timestamp", "token"];
    if let Some((p, _)) = url
        .query_pairs()
        .find(|(p, _)| SECRET_PARAMS.contains(&p.as_ref()))
    {
        return Err(format!(
            "the URL carries {p:?}: secrets come from the environment (key_env, secret_env, token_env), never from the file"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORE: &str = r#"
        [office]
        email = "office@city.gov.cn"
        head = "head"
        [[officials]]
        id = "head"
        name = "王主任"
        email = "head@city.gov.cn"
        phone = "13800138000"
        channels = ["sms"]
        [[officials]]
        id = "lead"
        name = "李市长"
        email = "lead@city.gov.cn"
        [[task_forces]]
        id = "tf1"
        name = "要素保障专班"
        lead = "lead"
        members = ["head"]
        channels = ["robot"]
    "#;

    fn core(text: &str) -> CoreConfig {
        let c: CoreConfig = toml::from_str(text).unwrap();
        c.validate().unwrap();
        c
    }

    fn channels(text: &str) -> Vec<ChannelConfig> {
        #[derive(Deserialize)]
        struct Doc {
            channels: Vec<ChannelConfig>,
        }
        toml::from_str::<Doc>(text).unwrap().channels
    }

    const CHANNELS: &str = r#"
        [[channels]]
        id = "robot"
        kind = "dingtalk"
        url = "https://oapi.dingtalk.com/robot/send"
        key_env = "DT_TOKEN"
        secret_env = "DT_SECRET"
        [[channels]]
        id = "sms"
        kind = "sms"
        url = "http://127.0.0.1:9/sms"
        token_env = "SMS_TOKEN"
        kinds = ["assignment", "reminder"]
    "#;

    fn env(k: &str) -> Option<String> {
        match k {
            "DT_TOKEN" => Some("tok".into()),
            "DT_SECRET" => Some("SECabc".into()),
            "SMS_TOKEN" => Some("bearer".into()),
            _ => None,
        }
    }

    fn refused(core_text: &str, channels_text: &str) -> String {
        match resolve_channels(&core(core_text), &channels(channels_text), &env) {
            Err(NotifyError::Config { key, .. }) => key,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resolves_with_secrets_from_the_environment() {
        let got = resolve_channels(&core(CORE), &channels(CHANNELS), &env).unwrap();
        assert_eq!(got[0].kind, ChannelKind::Dingtalk);
        assert!(got[0].takes("assignment") && !got[0].takes("digest"));
        assert!(!got[0].takes("signin"));
        assert_eq!(got[1].kinds, ["assignment", "reminder"]);
        assert!(
            !format!("{got:?}").contains("SECabc"),
            "secrets never printed"
        );
    }

    #[test]
    fn bad_channels_name_their_key() {
        let no_var = CHANNELS.replace("DT_TOKEN", "MISSING");
        assert_eq!(refused(CORE, &no_var), "channels[0].key_env");
        let no_secret = CHANNELS.replace("\"DT_SECRET\"", "\"NOPE\"");
        assert_eq!(refused(CORE, &no_secret), "channels[0].secret_env");
        let in_url = CHANNELS.replace("/robot/send\"", "/robot/send?access_token=x\"");
        assert_eq!(refused(CORE, &in_url), "channels[0].url");
        let kind = CHANNELS.replace("\"dingtalk\"", "\"feishu\"");
        assert_eq!(refused(CORE, &kind), "channels[0].kind");
        let personal = CHANNELS.replace("\"reminder\"]", "\"signin\"]");
        assert_eq!(refused(CORE, &personal), "channels[1].kinds[1]");
        let unknown = CORE.replace("channels = [\"robot\"]", "channels = [\"ghost\"]");
        assert_eq!(refused(&unknown, CHANNELS), "task_forces[0].channels[0]");
        let sms_group = CORE.replace("channels = [\"robot\"]", "channels = [\"sms\"]");
        assert_eq!(refused(&sms_group, CHANNELS), "task_forces[0].channels[0]");
        let no_phone = CORE.replace("phone = \"13800138000\"\n", "");
        assert_eq!(refused(&no_phone, CHANNELS), "officials[0].channels[0]");
    }

    #[test]
    fn labels() {
        let c = channels(CHANNELS);
        assert_eq!(channel_label("email", &c), "邮件");
        assert_eq!(channel_label("robot", &c), "钉钉");
        assert_eq!(channel_label("sms", &c), "短信");
        assert_eq!(channel_label("gone", &c), "其他渠道");
    }
}
