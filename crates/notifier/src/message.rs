//! Turning an outbox row into an RFC 5322 message: typed mailboxes, header values cleaned of
//! line breaks, Message-ID derived from the row id, multipart text + HTML + attachments.

use std::time::SystemTime;

use docket_store::outbox::{AttachmentRow, OutboxRow};
use lettre::address::Envelope;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

/// A message ready for the wire.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// SMTP envelope (MAIL FROM, RCPT TO).
    pub envelope: Envelope,
    /// The formatted message.
    pub bytes: Vec<u8>,
}

/// Folds a header value taken from user text onto one line: CR, LF, tabs and other control
/// characters become single spaces, so no one can inject a header (e.g. `\r\nBcc:`).
pub fn clean_header(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut space = false;
    for c in value.chars() {
        if c.is_control() || c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out.trim_end().to_string()
}

/// A typed mailbox from an address and a display name. The address must be a single plain
/// address (no line breaks, no second recipient); the name is cleaned with [`clean_header`].
///
/// # Errors
/// The reason, when the address is not one address.
pub fn mailbox(name: &str, email: &str) -> Result<Mailbox, String> {
    if email.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "invalid recipient address {email:?}: contains blanks or line breaks"
        ));
    }
    let address: Address = email
        .parse()
        .map_err(|e| format!("invalid address {email:?}: {e}"))?;
    let name = clean_header(name);
    Ok(Mailbox::new((!name.is_empty()).then_some(name), address))
}

/// The Message-ID of a row: the same on every resend, so a copy sent again after a crash is
/// recognisable as the same message.
pub fn message_id(row_id: uuid::Uuid, from: &Mailbox) -> String {
    format!("<{}@{}>", row_id.simple(), from.email.domain())
}

/// The thread root of one issue's emails, `<issue-UUID@DOMAIN>`: every email about the
/// issue names it in `In-Reply-To` and `References`, so mail clients show them as one thread.
pub fn issue_thread_id(issue: uuid::Uuid, from: &Mailbox) -> String {
    format!("<issue-{issue}@{}>", from.email.domain())
}

/// The issue a row is about (its context's `issue.id`), if any.
fn issue_of(row: &OutboxRow) -> Option<uuid::Uuid> {
    let ctx: serde_json::Value = serde_json::from_str(&row.context).ok()?;
    ctx.get("issue")?.get("id")?.as_str()?.parse().ok()
}

/// Builds the message for `row`; an email about an issue joins the issue's thread
/// ([`issue_thread_id`]).
///
/// # Errors
/// The reason (a permanent failure: resending cannot fix it).
pub fn build(
    row: &OutboxRow,
    attachments: &[&AttachmentRow],
    subject: &str,
    text: &str,
    html: Option<&str>,
    from: &Mailbox,
    date: SystemTime,
) -> Result<Outgoing, String> {
    let to = mailbox(&row.to_name, &row.to_email)?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(clean_header(subject))
        .message_id(Some(message_id(row.id, from)))
        .date(date);
    let builder = match issue_of(row) {
        Some(issue) => {
            let root = issue_thread_id(issue, from);
            builder.in_reply_to(root.clone()).references(root)
        }
        None => builder,
    };
    let body = match html {
        Some(h) => MultiPart::alternative_plain_html(text.to_string(), h.to_string()),
        None => MultiPart::mixed().singlepart(SinglePart::plain(text.to_string())),
    };
    let message = if attachments.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in attachments {
            let ct = ContentType::parse(&a.content_type).map_err(|_| {
                format!(
                    "attachment {:?}: bad content type {:?}",
                    a.filename, a.content_type
                )
            })?;
            mixed = mixed
                .singlepart(Attachment::new(clean_header(&a.filename)).body(a.data.clone(), ct));
        }
        builder.multipart(mixed)
    }
    .map_err(|e| format!("cannot build the message: {e}"))?;
    Ok(Outgoing {
        envelope: message.envelope().clone(),
        bytes: message.formatted(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_folded() {
        assert_eq!(
            clean_header("关于\r\nBcc: evil@x.cn 的通知"),
            "关于 Bcc: evil@x.cn 的通知"
        );
        assert_eq!(clean_header("  a\t\tb \n"), "a b");
    }

    #[test]
    fn mailboxes_refuse_injection() {
        assert!(mailbox("x", "a@b.cn\r\nBcc: c@d.cn").is_err());
        assert!(mailbox("x", "a@b.cn, c@d.cn").is_err());
        let m = mailbox("王\r\n海", "wang.hai@example.gov.cn").unwrap();
        assert_eq!(m.name.as_deref(), Some("王 海"));
    }
}
