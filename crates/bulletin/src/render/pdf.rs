//! The bulletin as a PDF in official-document form, typeset in-process by Typst: the
//! template `bulletin.typ` (compiled into the binary) lays out the [`Official`] document,
//! which it reads as JSON from a virtual file, so no bulletin text is ever parsed as markup.
//! Fonts come from disk ([`super::fonts`]); nothing else is read, nothing is downloaded.

use std::sync::Arc;

use chrono::Datelike;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::fonts::{FontSet, font_set};
use super::official::{Official, document};
use crate::error::BulletinError;
use crate::model::Bulletin;

/// The template.
const TEMPLATE: &str = include_str!("bulletin.typ");

fn file_id(path: &str) -> Result<FileId, BulletinError> {
    let vpath = VirtualPath::new(path).map_err(|e| BulletinError::Pdf(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// A world of two files — the template and the document's JSON — and the fonts.
struct BulletinWorld {
    library: LazyHash<Library>,
    fonts: Arc<FontSet>,
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Option<Datetime>,
}

impl World for BulletinWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// What the template reads: the document and the resolved font families.
#[derive(serde::Serialize)]
struct Data<'a> {
    doc: &'a Official,
    fonts: Fonts<'a>,
}

#[derive(serde::Serialize)]
struct Fonts<'a> {
    title: &'a [String],
    heading: &'a [String],
    body: &'a [String],
}

fn diagnostics(what: &str, diags: &[SourceDiagnostic]) -> BulletinError {
    let msgs: Vec<String> = diags.iter().map(|d| d.message.to_string()).collect();
    BulletinError::Pdf(format!("{what}: {}", msgs.join("; ")))
}

/// Typesets `b` as pages.
///
/// # Errors
/// [`BulletinError::NoFont`] when no CJK font is installed for a role;
/// [`BulletinError::Pdf`] when typesetting fails (a template error: a bug).
pub fn typeset(b: &Bulletin) -> Result<PagedDocument, BulletinError> {
    let fonts = font_set(&b.meta.fonts)?;
    let doc = document(b);
    let data = serde_json::to_vec(&Data {
        doc: &doc,
        fonts: Fonts {
            title: &fonts.title,
            heading: &fonts.heading,
            body: &fonts.body,
        },
    })?;
    let d = b.meta.issued;
    let world = BulletinWorld {
        library: LazyHash::new(Library::default()),
        fonts,
        main: Source::new(file_id("/bulletin.typ")?, TEMPLATE.to_string()),
        data_id: file_id("/data.json")?,
        data: Bytes::new(data),
        today: Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8),
    };
    typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|e| diagnostics("typesetting", &e[..]))
}

/// The PDF bytes of `b`: A4 pages, fonts subset and embedded.
///
/// # Errors
/// As [`typeset`], and [`BulletinError::Pdf`] when the export fails.
pub fn render(b: &Bulletin) -> Result<Vec<u8>, BulletinError> {
    let pages = typeset(b);
    let pdf = pages.and_then(|pages| {
        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(format!("docket-bulletin-{}", b.month)),
            ..Default::default()
        };
        typst_pdf::pdf(&pages, &options).map_err(|e| diagnostics("PDF export", &e[..]))
    });
    // Typst memoises layout across compilations; a service renders a bulletin a month, so
    // the cache is dropped rather than kept growing (each render starts cold).
    typst::comemo::evict(0);
    pdf
}
