//! Queuing the bulletin by email: one message per recipient on the distribution list, with
//! the HTML and text pre-rendered and the files of `[bulletin] attach` (the PDF and the
//! XLSX by default) attached, through the outbox.

use docket_domain::config::CoreConfig;
use docket_store::bulletin as q;
use docket_store::outbox::{self, Delivery, NewAttachment, NewMessage};
use sea_orm::ConnectionTrait;

use crate::Format;
use crate::config::{Attachment, BulletinConfig};
use crate::error::BulletinError;
use crate::model::Bulletin;
use crate::render;

/// Every output of one bulletin.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The JSON document.
    pub json: String,
    /// The email subject.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
    /// The attached files, in the order configured.
    pub attachments: Vec<NewAttachment>,
}

impl Attachment {
    /// The output format of the attachment.
    pub fn format(self) -> Format {
        match self {
            Attachment::Pdf => Format::Pdf,
            Attachment::Docx => Format::Docx,
            Attachment::Xlsx => Format::Xlsx,
        }
    }
}

/// Renders the email's parts and the `attach` files from the model.
///
/// # Errors
/// As [`Format::render`] for each attachment (a PDF without a CJK font is
/// [`BulletinError::NoFont`]), or [`BulletinError::Json`].
pub fn render_all(b: &Bulletin, attach: &[Attachment]) -> Result<Rendered, BulletinError> {
    // The attachments (the PDF above all) render on threads of their own while this one
    // writes the JSON, text and HTML: a 10,000-project bulletin takes the time of its
    // slowest output, not of all six.
    std::thread::scope(|s| {
        let jobs: Vec<_> = attach
            .iter()
            .map(|a| {
                let f = a.format();
                s.spawn(move || {
                    f.render(b).map(|data| NewAttachment {
                        filename: attachment_filename(b, f),
                        content_type: f.content_type().into(),
                        data,
                    })
                })
            })
            .collect();
        let json = b.to_json();
        let text = render::text::render(b);
        let html = render::html::render(b);
        let attachments = jobs
            .into_iter()
            .map(|j| j.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rendered {
            json: json?,
            subject: render::subject(b),
            text,
            html,
            attachments,
        })
    })
}

/// An attachment's file name, e.g. `bulletin-2024-09.pdf`.
pub fn attachment_filename(b: &Bulletin, format: Format) -> String {
    format!("bulletin-{}.{}", b.month, format.extension())
}

/// Red-light projects named in the cover note; more are counted, not listed.
const COVER_RED_LISTED: usize = 10;

/// What the bulletin email's cover note says: the title and number, the headline sentences,
/// and only the exceptions a leader acts on (red-light projects by name, counts of yellow
/// lights, projects without figures and overdue issues), with the attachments' names.
pub fn cover_note(b: &Bulletin, rendered: &Rendered) -> serde_json::Value {
    use crate::formula::{Light, fmt_percent};
    let red: Vec<serde_json::Value> = b
        .lagging
        .iter()
        .filter(|l| l.light == Light::Red)
        .take(COVER_RED_LISTED)
        .map(|l| {
            serde_json::json!({
                "name": l.name,
                "owner_unit": l.owner_unit,
                "responsible": l.responsible_official_name,
                "completion_rate": fmt_percent(l.completion_rate),
            })
        })
        .collect();
    let count = |light: Light| b.lagging.iter().filter(|l| l.light == light).count();
    serde_json::json!({
        "month": b.month,
        "issue_number": b.issue_number,
        "cutoff": b.cutoff.to_string(),
        "title": render::title(b),
        "issue_line": render::issue_line(b),
        "cutoff_line": render::cutoff_line(b),
        "headlines": render::headlines(b),
        "red": red,
        "red_count": count(Light::Red),
        "yellow_count": count(Light::Yellow),
        "not_reported_count": b.not_reported.len(),
        "overdue_issues": b.issues.all.overdue,
        "attachments": rendered
            .attachments
            .iter()
            .map(|a| a.filename.clone())
            .collect::<Vec<_>>(),
    })
}

/// What [`queue_bulletin`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    /// Recipients on the list.
    pub recipients: usize,
    /// Messages newly queued (0 when the month was already sent and no resend was asked).
    pub queued: usize,
}

/// Queues the bulletin to every configured recipient and records it in `bulletins`.
/// Dedupe key `bulletin:{month}:{official}`; with `resend`, a new round
/// `bulletin:{month}:{official}:resend{n}`. Expects to run in the caller's transaction.
///
/// # Errors
/// [`BulletinError::NoRecipients`] / [`BulletinError::UnknownRecipient`] (bad input), or a
/// database error.
pub async fn queue_bulletin<C: ConnectionTrait>(
    conn: &C,
    core: &CoreConfig,
    cfg: &BulletinConfig,
    b: &Bulletin,
    rendered: &Rendered,
    resend: bool,
    now_ms: i64,
) -> Result<Queued, BulletinError> {
    if cfg.recipients.is_empty() {
        return Err(BulletinError::NoRecipients);
    }
    let mut recipients = Vec::new();
    for id in &cfg.recipients {
        let o = core
            .official(id)
            .ok_or_else(|| BulletinError::UnknownRecipient(id.clone()))?;
        if !recipients
            .iter()
            .any(|r: &&docket_domain::config::Official| r.id == o.id)
        {
            recipients.push(o);
        }
    }
    let prefix = format!("bulletin:{}:", b.month);
    let suffix = if resend {
        let round = q::queued_bulletin_keys(conn, &prefix)
            .await?
            .iter()
            .filter_map(|k| {
                k.rsplit_once(":resend")
                    .and_then(|(_, n)| n.parse::<u32>().ok())
            })
            .max()
            .unwrap_or(0)
            + 1;
        format!(":resend{round}")
    } else {
        String::new()
    };
    let messages: Vec<NewMessage> = recipients
        .iter()
        .map(|o| NewMessage {
            dedupe_key: format!("{prefix}{}{suffix}", o.id),
            kind: "bulletin".into(),
            to_email: o.email.clone(),
            to_name: o.name.clone(),
            official: Some(o.id.clone()),
            context: cover_note(b, rendered),
            // The body is the cover note (templates `bulletin.txt`/`.html`), rendered per
            // recipient with their salutation; the bulletin itself travels as attachments.
            subject: Some(rendered.subject.clone()),
            text_body: None,
            html_body: None,
            delivery: Delivery::Immediate,
            period: Some(b.month.clone()),
            attachments: rendered.attachments.clone(),
        })
        .collect();
    q::record_bulletin(
        conn,
        b.month().key(),
        b.issue_number as i32,
        b.cutoff,
        &rendered.json,
        now_ms,
    )
    .await?;
    let queued = outbox::enqueue(conn, &messages, now_ms).await?;
    Ok(Queued {
        recipients: recipients.len(),
        queued,
    })
}
