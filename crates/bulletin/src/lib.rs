//! docket-bulletin: the monthly bulletin (月通报).
//!
//! It owns the bulletin model — investment against plan and against the time-schedule
//! target (序时进度) for the total and by level, stage, category and district; the lagging
//! list with warning lights; starts and the start rate; pre-construction milestones; issue
//! statistics; city indicators — computed from a few set-based queries of
//! `docket_store::bulletin`, and its outputs: the contract's JSON, email-ready HTML, plain
//! text, XLSX, and the official document (公文) as DOCX and as PDF typeset in-process. The pure formulas live in [`formula`]. Sending queues one email per
//! recipient through the outbox ([`send`]); the notifier delivers them.
//!
//! It imports `docket-domain` and `docket-store`, never another feature crate.

pub mod config;
pub mod error;
pub mod formula;
pub mod model;
pub mod plausible;
pub mod render;
pub mod send;

pub use config::BulletinConfig;
pub use error::BulletinError;
pub use model::{Bulletin, build};
pub use plausible::emptiness;
pub use send::{Rendered, queue_bulletin, render_all};

/// An output format of `docket bulletin build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The contract's JSON.
    Json,
    /// Email-ready HTML.
    Html,
    /// Plain text.
    Text,
    /// An XLSX workbook (binary).
    Xlsx,
    /// The official document (公文) as Word (binary).
    Docx,
    /// The official document (公文) as PDF (binary; needs a CJK font on the machine).
    Pdf,
}

impl Format {
    /// Parses `json`, `html`, `text`, `xlsx`, `docx` or `pdf`.
    ///
    /// # Errors
    /// A message naming the accepted formats.
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            "text" | "txt" => Ok(Format::Text),
            "xlsx" => Ok(Format::Xlsx),
            "docx" => Ok(Format::Docx),
            "pdf" => Ok(Format::Pdf),
            other => Err(format!(
                "unknown format {other:?} (expected json, html, text, xlsx, docx or pdf)"
            )),
        }
    }

    /// Whether the output is binary (not for a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx | Format::Docx | Format::Pdf)
    }

    /// The file extension: `json`, `html`, `txt`, `xlsx`, `docx`, `pdf`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
            Format::Text => "txt",
            Format::Xlsx => "xlsx",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    /// The media type, e.g. `application/pdf`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Html => "text/html; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Pdf => "application/pdf",
        }
    }

    /// Renders `b` in this format.
    ///
    /// # Errors
    /// [`BulletinError::Xlsx`], [`BulletinError::Json`], [`BulletinError::Docx`],
    /// [`BulletinError::Pdf`], or [`BulletinError::NoFont`] (PDF without a CJK font).
    pub fn render(self, b: &Bulletin) -> Result<Vec<u8>, BulletinError> {
        Ok(match self {
            Format::Json => {
                let mut s = b.to_json()?;
                s.push('\n');
                s.into_bytes()
            }
            Format::Html => render::html::render(b).into_bytes(),
            Format::Text => render::text::render(b).into_bytes(),
            Format::Xlsx => render::xlsx::render(b)?,
            Format::Docx => render::docx::render(b)?,
            Format::Pdf => render::pdf::render(b)?,
        })
    }
}
