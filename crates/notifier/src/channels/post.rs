//! Sending one channel copy over HTTP, and what its answer means.
//!
//! - 企业微信: `POST {url}?key=KEY` with `{"msgtype":"markdown","markdown":{"content":…}}`.
//! - 钉钉: `POST {url}?access_token=TOKEN[&timestamp=…&sign=…]` with
//!   `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`; `sign` is the base64 of
//!   HMAC-SHA256 over `"{timestamp}\n{secret}"` keyed by the secret, URL-encoded.
//! - SMS gateway: `POST {url}` with `{"phone","message","id"}`, `Authorization: Bearer
//!   TOKEN` when configured and `Idempotency-Key: {row id}`, so a gateway can recognise a
//!   resend after a crash (the same id, as an email's Message-ID).
//!
//! Classification: no connection, a timeout or a 5xx answer is the endpoint's state
//! (unreachable: no attempt counted, the route's breaker hears of it); 429 is transient;
//! another 4xx or a redirect is permanent. The robots answer 200 with `errcode`: 0 is
//! delivered, their rate limits (企业微信 45009, 钉钉 130101) are transient, any other code
//! permanent with the platform's reason. Secrets never appear in a recorded error.

use base64::Engine;
use docket_store::outbox::OutboxRow;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::render::Post;
use super::{Channel, ChannelKind};
use crate::dispatcher::Inner;
use crate::transport::SendFailure;

/// A channel route's sender: the channel and its HTTP client (built once).
#[derive(Debug)]
pub(crate) struct ChannelRoute {
    pub(crate) channel: Channel,
    pub(crate) client: reqwest::Client,
}

impl ChannelRoute {
    /// The route of `channel`, with a client bounded by its timeout that follows no
    /// redirects (a secret in the query must not travel to another host).
    pub(crate) fn new(channel: Channel) -> Result<ChannelRoute, String> {
        // reqwest is built without a default TLS provider; install ring's (once per process;
        // a provider already installed is what is wanted).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(channel.timeout)
            .connect_timeout(channel.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot set up its HTTP client: {e}"))?;
        Ok(ChannelRoute { channel, client })
    }
}

/// Robot error codes that mean "too many messages, try later".
const RATE_LIMITED: &[i64] = &[45009, 130101];

/// Renders and sends `row` on `route`.
pub(crate) async fn send(
    inner: &Inner,
    route: &ChannelRoute,
    row: &OutboxRow,
) -> Result<(), SendFailure> {
    let ch = &route.channel;
    let post = inner
        .channel_post(ch, row)
        .map_err(SendFailure::permanent)?;
    let request = build(route, row, &post, chrono::Utc::now().timestamp_millis());
    let who = format!("{}（{}）", ch.kind.label_zh(), ch.name);
    let answer = match request.send().await {
        Ok(a) => a,
        Err(e) => {
            let why = if e.is_timeout() {
                format!("no answer within {:?}", ch.timeout)
            } else {
                describe(e)
            };
            return Err(SendFailure::unreachable(format!("{who}: {why}")));
        }
    };
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    classify(ch.kind, status.as_u16(), &body).map_err(|mut f| {
        f.message = format!("{who}: {}", f.message);
        f
    })
}

/// The request for `row`; `now_ms` is the real time (DingTalk checks the timestamp).
fn build(
    route: &ChannelRoute,
    row: &OutboxRow,
    post: &Post,
    now_ms: i64,
) -> reqwest::RequestBuilder {
    let ch = &route.channel;
    let mut url = ch.url.clone();
    let body = match ch.kind {
        ChannelKind::Wecom => {
            if let Some(k) = &ch.key {
                url.query_pairs_mut().append_pair("key", &k.0);
            }
            json!({"msgtype": "markdown", "markdown": {"content": post.text}})
        }
        ChannelKind::Dingtalk => {
            if let Some(k) = &ch.key {
                url.query_pairs_mut().append_pair("access_token", &k.0);
            }
            if let Some(s) = &ch.secret {
                url.query_pairs_mut()
                    .append_pair("timestamp", &now_ms.to_string())
                    .append_pair("sign", &dingtalk_sign(&s.0, now_ms));
            }
            json!({"msgtype": "markdown", "markdown": {"title": post.title, "text": post.text}})
        }
        ChannelKind::Sms => json!({"phone": row.to_email, "message": post.text, "id": row.id}),
    };
    let mut req = route.client.post(url).json(&body);
    if ch.kind == ChannelKind::Sms {
        if let Some(t) = &ch.token {
            req = req.bearer_auth(&t.0);
        }
        req = req.header("Idempotency-Key", row.id.to_string());
    }
    req
}

/// DingTalk's signature: base64(HMAC-SHA256(key = secret, "{timestamp}\n{secret}")); the
/// query encoding adds the URL-encoding.
pub(crate) fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What an answer means (see the module's notes).
fn classify(kind: ChannelKind, status: u16, body: &str) -> Result<(), SendFailure> {
    let snippet = || {
        let b: String = body.trim().chars().take(200).collect();
        if b.is_empty() {
            String::new()
        } else {
            format!(": {b}")
        }
    };
    match status {
        500..=599 => {
            return Err(SendFailure::unreachable(format!(
                "HTTP {status}{}",
                snippet()
            )));
        }
        429 => {
            return Err(SendFailure::transient(format!(
                "HTTP 429 (rate limited){}",
                snippet()
            )));
        }
        200..=299 => {}
        _ => {
            return Err(SendFailure::permanent(format!(
                "HTTP {status}{}",
                snippet()
            )));
        }
    }
    if kind == ChannelKind::Sms {
        return Ok(());
    }
    let answer: Value = serde_json::from_str(body)
        .map_err(|_| SendFailure::transient(format!("unexpected answer{}", snippet())))?;
    let code = answer.get("errcode").and_then(Value::as_i64).unwrap_or(-1);
    let why = answer
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match code {
        0 => Ok(()),
        c if RATE_LIMITED.contains(&c) => Err(SendFailure::transient(format!(
            "rate limited (errcode {c}: {why})"
        ))),
        c => Err(SendFailure::permanent(format!(
            "refused (errcode {c}: {why})"
        ))),
    }
}

/// A transport error without its URL (which carries the secrets), with its causes.
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_signature_matches_an_independent_computation() {
        // Python: base64(hmac.new(b"SECtest", b"1700000000000\nSECtest", sha256).digest())
        assert_eq!(
            dingtalk_sign("SECtest", 1_700_000_000_000),
            "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="
        );
    }

    #[test]
    fn answers() {
        let ok = classify(ChannelKind::Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#);
        assert!(ok.is_ok());
        let limited = classify(
            ChannelKind::Wecom,
            200,
            r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        )
        .unwrap_err();
        assert!(!limited.permanent && !limited.unreachable);
        let bad = classify(
            ChannelKind::Dingtalk,
            200,
            r#"{"errcode":310000,"errmsg":"sign not match"}"#,
        )
        .unwrap_err();
        assert!(bad.permanent && bad.message.contains("sign not match"));
        assert!(classify(ChannelKind::Sms, 502, "").unwrap_err().unreachable);
        assert!(classify(ChannelKind::Sms, 403, "no").unwrap_err().permanent);
        assert!(classify(ChannelKind::Sms, 202, "").is_ok());
    }
}
