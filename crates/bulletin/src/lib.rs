//! docket-bulletin: the monthly bulletin (月通报).
//!
//! It owns the bulletin model — investment against plan and against the time-schedule
//! target (序时进度) for the total and by level, stage, category and district; the lagging
//! list with warning lights; starts and the start rate; pre-construction milestones; issue
//! statistics; city indicators — computed from a few set-based queries of
//! `docket_store::bulletin`, and its outputs: the contract's JSON, email-ready HTML, plain
//! text and XLSX. The pure formulas live in [`formula`]. Sending queues one email per
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
}

impl Format {
    /// Parses `json`, `html`, `text` or `xlsx`.
    ///
    /// # Errors
    /// A message naming the accepted formats.
    pub fn parse(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            "text" | "txt" => Ok(Format::Text),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(format!(
                "unknown format {other:?} (expected json, html, text or xlsx)"
            )),
        }
    }

    /// Renders `b` in this format.
    ///
    /// # Errors
    /// [`BulletinError::Xlsx`] or [`BulletinError::Json`].
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
        })
    }
}
