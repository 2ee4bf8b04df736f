//! What building or sending a bulletin can fail with.

use docket_store::StoreError;

/// A bulletin error; the binary maps [`BulletinError::is_bad_input`] to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum BulletinError {
    /// January is reported together with February (1-2月) unless configured otherwise.
    #[error(
        "--month {month}: January is reported together with February (1-2月); build {year}-02, or set [targets] january_bulletin = true"
    )]
    JanuaryCombined {
        /// The month asked for.
        month: String,
        /// Its year.
        year: i32,
    },
    /// The month precedes the first issue of continuous numbering.
    #[error("--month {month}: before the first bulletin (bulletin.first_month = {first})")]
    BeforeFirstIssue {
        /// The month asked for.
        month: String,
        /// The configured first month.
        first: String,
    },
    /// No recipients are configured for sending.
    #[error(
        "bulletin.recipients: no recipients configured; list official ids to send the bulletin to"
    )]
    NoRecipients,
    /// A recipient id is not a configured official.
    #[error("bulletin.recipients: unknown official id {0:?}")]
    UnknownRecipient(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The XLSX writer failed.
    #[error("cannot write the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The DOCX package could not be written.
    #[error("cannot write the DOCX document: {0}")]
    Docx(String),
    /// The PDF could not be typeset; the message names what failed.
    #[error("cannot typeset the PDF: {0}")]
    Pdf(String),
    /// No usable CJK font for a role of the PDF: the message names the `bulletin.fonts` key,
    /// the families looked for and where.
    #[error(
        "{key}: no CJK font found (looked for {wanted}); install fonts-noto-cjk or name an installed font (bulletin.fonts.dirs adds folders to search)"
    )]
    NoFont {
        /// The config key, e.g. `bulletin.fonts.body`.
        key: String,
        /// The families looked for, joined.
        wanted: String,
    },
    /// The JSON could not be produced.
    #[error("cannot serialise the bulletin: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<sea_orm::DbErr> for BulletinError {
    fn from(e: sea_orm::DbErr) -> Self {
        BulletinError::Store(StoreError::Db(e))
    }
}

impl BulletinError {
    /// Whether the error is the user's input (exit 2, nothing written).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            BulletinError::JanuaryCombined { .. }
                | BulletinError::BeforeFirstIssue { .. }
                | BulletinError::NoRecipients
                | BulletinError::UnknownRecipient(_)
                | BulletinError::NoFont { .. }
        )
    }
}
