//! The bulletin as a PDF in official-document form, typeset in-process by Typst: the
//! template `bulletin.typ` (compiled into the binary) lays out the [`Official`] document,
//! which it reads as JSON from a virtual file, so no bulletin text is ever parsed as markup.
//! Fonts come from disk ([`super::fonts`]); nothing else is read, nothing is downloaded.

use std::sync::{Arc, Mutex};

use chrono::Datelike;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::fonts::{Advances, FontSet, font_set};
use super::official::{Block, Official, Table, document};
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

/// What the template reads: the document, the resolved font families, the page margins,
/// how tables are set and, per table in the document's order, which body rows surely fit on one line.
#[derive(serde::Serialize)]
struct Data<'a> {
    doc: &'a Official,
    fonts: Fonts<'a>,
    margin: Margins,
    table: TableStyle,
    one_line: Vec<Vec<bool>>,
}

/// How the template sets tables: the text size and the cells' padding, in points.
#[derive(serde::Serialize)]
struct TableStyle {
    size: f64,
    pad_x: f64,
    pad_y: f64,
}

/// Tables are set in 10 pt with 2.5 pt padding beside and 4 pt above and below the text.
const TABLE: TableStyle = TableStyle {
    size: 10.0,
    pad_x: 2.5,
    pad_y: 4.0,
};

/// The page margins in millimetres, as GB/T 9704 sets them (天头 37 mm, 订口 28 mm).
#[derive(serde::Serialize)]
struct Margins {
    top: f64,
    bottom: f64,
    left: f64,
    right: f64,
}

const MARGIN: Margins = Margins {
    top: 37.0,
    bottom: 35.0,
    left: 28.0,
    right: 26.0,
};

/// The text area's width in points: A4's 210 mm less the margins.
const TEXT_WIDTH_PT: f64 = (210.0 - MARGIN.left - MARGIN.right) * 72.0 / 25.4;

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

/// Typst puts a quarter em between a Chinese character and a Latin letter or figure.
const CJK_LATIN_SPACE: f64 = 0.25;

/// Kept free of each cell's width, for kerning the bounds do not count.
const KERNING_ALLOWANCE: f64 = 0.02;

/// Whether `text` surely fits on one line `width` points wide at the table's text size:
/// the sum of its characters' widest advances and of the spaces Typst adds between Chinese
/// and Latin, with an allowance for kerning. A character [`Advances`] does not bound
/// (it may come from a face of other metrics) never fits.
fn fits_one_line(text: &str, width: f64, advances: &Advances) -> bool {
    let mut ems = 0.0;
    let mut prev: Option<char> = None;
    for c in text.chars() {
        match advances.of_char(c) {
            Some(w) => ems += w,
            None => return false,
        }
        if let Some(p) = prev
            && ((may_be_cj(p) && may_be_latin(c)) || (may_be_latin(p) && may_be_cj(c)))
        {
            ems += CJK_LATIN_SPACE;
        }
        prev = Some(c);
    }
    ems * TABLE.size <= width * (1.0 - KERNING_ALLOWANCE)
}

/// Among the characters [`Advances`] bounds, a superset of those Typst spaces from Latin
/// as Chinese or Japanese (Han, kana).
fn may_be_cj(c: char) -> bool {
    !c.is_ascii()
}

/// Among the characters [`Advances`] bounds, a superset of those Typst spaces from Chinese
/// as Latin letters or figures (its `is_letter_or_number`).
fn may_be_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '#' | '$' | '%' | '&')
        || ('\u{ff21}'..='\u{ff3a}').contains(&c)
        || ('\u{ff41}'..='\u{ff5a}').contains(&c)
}

/// For each body row of `t`: whether every cell surely fits on one line. The template gives
/// such rows the height of one line, so that Typst lays their cells out once instead of
/// measuring them first (half the work of a long table); other rows are measured.
fn one_line_rows(t: &Table, advances: &Advances) -> Vec<bool> {
    let total: f64 = t.columns.iter().map(|c| c.width).sum();
    let widths: Vec<f64> = t
        .columns
        .iter()
        .map(|c| TEXT_WIDTH_PT * c.width / total - 2.0 * TABLE.pad_x)
        .collect();
    t.rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&widths)
                .all(|(cell, &w)| fits_one_line(&cell.text, w, advances))
        })
        .collect()
}

/// How the template finds the height of a table's body rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowHeights {
    /// A row whose cells surely fit on one line is given that line's height; the others
    /// are measured. The default: a long table is typeset in about half the time.
    OneLineKnown,
    /// Every row is measured. Slower; the reference that [`RowHeights::OneLineKnown`]
    /// must match page for page.
    Measured,
}

/// Typesets `b` as pages.
///
/// # Errors
/// [`BulletinError::NoFont`] when no CJK font is installed for a role;
/// [`BulletinError::Pdf`] when typesetting fails (a template error: a bug).
pub fn typeset(b: &Bulletin, rows: RowHeights) -> Result<PagedDocument, BulletinError> {
    let fonts = font_set(&b.meta.fonts)?;
    let doc = document(b);
    let one_line = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) if rows == RowHeights::OneLineKnown => {
                Some(one_line_rows(t, fonts.advances()))
            }
            Block::Table(t) => Some(vec![false; t.rows.len()]),
            _ => None,
        })
        .collect();
    let data = serde_json::to_vec(&Data {
        doc: &doc,
        fonts: Fonts {
            title: &fonts.title,
            heading: &fonts.heading,
            body: &fonts.body,
        },
        margin: MARGIN,
        table: TABLE,
        one_line,
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
    render_with(b, RowHeights::OneLineKnown)
}

/// [`render`] with the row heights found as `rows` says.
///
/// # Errors
/// As [`render`].
pub fn render_with(b: &Bulletin, rows: RowHeights) -> Result<Vec<u8>, BulletinError> {
    // Typst memoises layout across compilations, in caches shared by the process; a
    // service renders a bulletin a month, so they are emptied after each render rather
    // than kept growing (each render starts cold). Emptying them and freeing the pages of
    // a large bulletin takes a tenth of a second: that happens on a thread of its own,
    // after the bytes are handed back, under a lock that keeps it from emptying the caches
    // under another render.
    static TYPST: Mutex<()> = Mutex::new(());
    let guard = TYPST.lock().unwrap_or_else(|e| e.into_inner());
    let (pdf, pages) = match typeset(b, rows) {
        Ok(pages) => (export(b, &pages), Some(pages)),
        Err(e) => (Err(e), None),
    };
    drop(guard);
    std::thread::spawn(move || {
        let _guard = TYPST.lock().unwrap_or_else(|e| e.into_inner());
        drop(pages);
        typst::comemo::evict(0);
    });
    pdf
}

/// The PDF bytes of typeset `pages`.
fn export(b: &Bulletin, pages: &PagedDocument) -> Result<Vec<u8>, BulletinError> {
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("docket-bulletin-{}", b.month)),
        ..Default::default()
    };
    typst_pdf::pdf(pages, &options).map_err(|e| diagnostics("PDF export", &e[..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bounds as of Noto Serif CJK SC: ideographs 1 em, figures under 0.6 em, "W" 1.09 em
    /// in bold.
    fn noto() -> Advances {
        let fonts = font_set(&crate::config::FontsConfig::default()).expect("Noto CJK installed");
        fonts.advances().clone()
    }

    #[test]
    fn one_line_is_an_upper_bound() {
        let a = noto();
        assert_eq!(a.of_char('字'), Some(1.0));
        assert!(a.of_char('W').unwrap() > 1.0, "bold W is wider than an em");
        assert!(a.of_char('0').unwrap() < 0.6);
        assert_eq!(a.of_char('😀'), None);
        // Ten ideographs at 10 pt take 100 pt; with the kerning allowance, 102.1 pt fit.
        assert!(fits_one_line("一二三四五六七八九十", 102.1, &a));
        assert!(!fits_one_line("一二三四五六七八九十", 100.0, &a));
        // "2024年6月15日": five changes between figures and Chinese add 1.25 em.
        let date = "2024年6月15日";
        let figures: f64 = "2024615".chars().map(|c| a.of_char(c).unwrap()).sum();
        let ems = figures + 3.0 + 5.0 * CJK_LATIN_SPACE;
        let at = ems * TABLE.size / (1.0 - KERNING_ALLOWANCE);
        assert!(fits_one_line(date, at + 0.01, &a));
        assert!(!fits_one_line(date, at - 0.01, &a));
        assert!(fits_one_line("", 0.0, &a));
        // A character outside the bounded ranges may come from a face of other metrics.
        assert!(!fits_one_line("项目😀", 500.0, &a));
        assert!(!fits_one_line("项目Ⅱ期", 500.0, &a));
    }

    #[test]
    fn rows_fit_by_their_widest_cell() {
        use super::super::official::{Cell, Column};
        let a = noto();
        let col = |width| Column {
            header: "列".into(),
            numeric: false,
            width,
        };
        let cell = |s: &str| Cell {
            text: s.into(),
            fill: None,
            colour: None,
        };
        // Two columns of 221 pt, 216 pt inside the padding: 21 ideographs fit, 22 do not.
        let t = Table {
            columns: vec![col(1.0), col(1.0)],
            rows: vec![
                vec![cell("短"), cell(&"字".repeat(21))],
                vec![cell(&"字".repeat(22)), cell("短")],
                vec![cell("项目Ⅱ期"), cell("短")],
            ],
        };
        assert_eq!(one_line_rows(&t, &a), vec![true, false, false]);
    }
}
