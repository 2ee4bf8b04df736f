//! The text a channel copy carries: the email's subject (its template's first line, or the
//! subject queued with it) and a short body from `{zh,en}/channel.md` (group robots,
//! markdown) or `{zh,en}/sms.txt`, trimmed to the platform's limit. The only link it may
//! carry is the page of an issue (sign-in needed): never a signed one-click link, which
//! would let anyone in a group act as its recipient.

use docket_store::outbox::OutboxRow;
use serde_json::{Map, Value, json};

use super::{Channel, ChannelKind};
use crate::dispatcher::Inner;

/// A channel message: its title (DingTalk shows it in notifications) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Post {
    pub(crate) title: String,
    pub(crate) text: String,
}

/// How long a message may be.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// UTF-8 bytes (企业微信 markdown takes 4096).
    Bytes(usize),
    /// Characters (an SMS of a few segments).
    Chars(usize),
}

impl Limit {
    fn of(kind: ChannelKind) -> Limit {
        match kind {
            ChannelKind::Wecom | ChannelKind::Dingtalk => Limit::Bytes(4096),
            ChannelKind::Sms => Limit::Chars(300),
        }
    }

    fn size(self, s: &str) -> usize {
        match self {
            Limit::Bytes(_) => s.len(),
            Limit::Chars(_) => s.chars().count(),
        }
    }

    fn max(self) -> usize {
        match self {
            Limit::Bytes(n) | Limit::Chars(n) => n,
        }
    }
}

impl Inner {
    /// Renders a channel copy. Errors are permanent (a template that fails for this row).
    pub(crate) fn channel_post(&self, ch: &Channel, row: &OutboxRow) -> Result<Post, String> {
        let mut ctx = self.base_context(row)?;
        let Some(map) = ctx.as_object_mut() else {
            return Err("stored context is not a JSON object".into());
        };
        map.remove("links");
        if let Some(page) = self.page_link(row, map) {
            map.insert("links".into(), json!({ "page": page }));
        }
        let subject = match &row.subject {
            Some(s) => s.clone(),
            None => self.templates.render(&row.kind, &ctx)?.subject,
        };
        if let Some(map) = ctx.as_object_mut() {
            map.insert("subject".into(), json!(subject));
            map.insert("kind".into(), json!(row.kind));
            map.insert(
                "channel".into(),
                json!({"kind": ch.kind.code(), "name": ch.name}),
            );
        }
        let file = match ch.kind {
            ChannelKind::Sms => "sms.txt",
            _ => "channel.md",
        };
        let text = self.templates.render_file(file, &ctx)?;
        Ok(Post {
            title: subject,
            text: fit(text.trim(), Limit::of(ch.kind)),
        })
    }

    /// The issue page's link from the link maker (signed links it adds are dropped).
    fn page_link(&self, row: &OutboxRow, ctx: &Map<String, Value>) -> Option<String> {
        let maker = self.links.get()?;
        let mut scratch = Map::new();
        scratch.insert("issue".into(), ctx.get("issue")?.clone());
        maker.add_links(
            "channel",
            row.official.as_deref().unwrap_or(""),
            &mut scratch,
        );
        scratch
            .get("links")?
            .get("page")?
            .as_str()
            .map(str::to_string)
    }
}

/// `text` within `limit`: cut at a character boundary with `…`, keeping a last line that
/// holds a link whole when it fits.
fn fit(text: &str, limit: Limit) -> String {
    if limit.size(text) <= limit.max() {
        return text.to_string();
    }
    let (head, tail) = match text.rsplit_once('\n') {
        Some((h, t)) if t.contains("://") && limit.size(t) + 2 < limit.max() / 2 => {
            (h, format!("\n{t}"))
        }
        _ => (text, String::new()),
    };
    let room = limit.max() - limit.size(&tail) - limit.size("…");
    let mut cut = String::new();
    let mut used = 0;
    for c in head.chars() {
        used += limit.size(c.encode_utf8(&mut [0; 4]));
        if used > room {
            break;
        }
        cut.push(c);
    }
    format!("{}…{tail}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_keeping_the_link() {
        let long = format!("{}\nhttps://docket.example/issues/Q-12", "用地".repeat(400));
        let sms = fit(&long, Limit::Chars(300));
        assert_eq!(sms.chars().count(), 300, "{sms}");
        assert!(sms.ends_with("…\nhttps://docket.example/issues/Q-12"));
        let md = fit(&"字".repeat(3000), Limit::Bytes(4096));
        assert!(md.len() <= 4096 && md.ends_with('…'));
        assert_eq!(fit("短", Limit::Chars(300)), "短");
    }
}
