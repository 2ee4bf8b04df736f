//! The bulletin as a Word document (DOCX) in official-document form (GB/T 9704): A4 with
//! the standard margins, the red masthead and rule, the title, 仿宋 body text on a fixed
//! 28.95 pt line, tables whose header row repeats on every page and whose rows never split,
//! the imprint (版记) with 报/送/发, and page numbers "— N —" outside (odd right, even left).
//!
//! The fonts named are the first of each `[bulletin.fonts]` list; Word substitutes one it
//! lacks. `docx-rs` has no repeated-header flag, so the package is written and then its
//! `word/document.xml` gains `<w:tblHeader/>` on each table's first row ([`mark_headers`]).

use std::io::{Cursor, Read, Write};

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading,
    ShdType, SpecialIndentType, Table, TableAlignmentType, TableCell, TableCellMargins,
    TableLayoutType, TableRow, WidthType,
};

use super::official::{Block, Cell, Official, document};
use crate::error::BulletinError;
use crate::model::Bulletin;

/// Twips per millimetre.
const MM: f64 = 1440.0 / 25.4;
/// A4 in twips.
const A4: (u32, u32) = (11906, 16838);
/// The text area's width: 210 mm − 28 mm − 26 mm.
const TEXT_WIDTH: f64 = 156.0 * MM;
/// Half-points: 3号 (16 pt) body, 2号 (22 pt) title, 4号 (14 pt) page numbers and imprint,
/// 10 pt tables (nine columns fit A4 portrait), the masthead larger.
const BODY: usize = 32;
const TITLE: usize = 44;
const SMALL: usize = 28;
const TABLE_TEXT: usize = 20;
const RED: &str = "C00000";

fn twips(mm: f64) -> i32 {
    (mm * MM).round() as i32
}

struct Fonts {
    title: String,
    heading: String,
    body: String,
}

fn first(list: &[String], fallback: &str) -> String {
    list.first()
        .cloned()
        .unwrap_or_else(|| fallback.to_string())
}

/// Chinese text in the role's family; Latin letters and digits in Times New Roman, as
/// official documents set them (and narrower in the tables' figure columns).
fn fonts(f: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(f)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn fixed_line(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips)
        .before(0)
        .after(0)
}

fn rule(position: ParagraphBorderPosition, eighths: usize, colour: &str) -> ParagraphBorder {
    ParagraphBorder::new(position)
        .val(BorderType::Single)
        .size(eighths)
        .space(1)
        .color(colour)
}

/// One rule of a paragraph (the others stay off: docx-rs's default borders box it).
fn border(position: ParagraphBorderPosition, eighths: usize, colour: &str) -> ParagraphBorders {
    ParagraphBorders::with_empty().set(rule(position, eighths, colour))
}

fn page_footer(font: &str, align: AlignmentType) -> Footer {
    // 4号 page numbers, one character in from the outer edge.
    let indent = (SMALL as i32) * 10;
    let (left, right) = match align {
        AlignmentType::Left => (Some(indent), None),
        _ => (None, Some(indent)),
    };
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(align)
            .indent(left, None, right, None)
            .add_run(run("— ", font, SMALL))
            .add_page_num(PageNum::new())
            .add_run(run(" —", font, SMALL)),
    )
}

fn cell(c: &Cell, numeric: bool, header: bool, width: usize, font: &str) -> TableCell {
    let mut r = run(&c.text, font, TABLE_TEXT);
    if header || c.fill.is_some() {
        r = r.bold();
    }
    if c.fill.is_some() {
        r = r.color("FFFFFF");
    } else if let Some(colour) = &c.colour {
        r = r.color(colour.trim_start_matches('#'));
    }
    let align = if header || c.fill.is_some() {
        AlignmentType::Center
    } else if numeric {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    };
    let mut tc = TableCell::new().width(width, WidthType::Dxa).add_paragraph(
        Paragraph::new()
            .align(align)
            .line_spacing(LineSpacing::new().before(0).after(0))
            .add_run(r),
    );
    let fill = match (&c.fill, header) {
        (Some(f), _) => Some(f.trim_start_matches('#').to_string()),
        (None, true) => Some("EEF1F5".to_string()),
        (None, false) => None,
    };
    if let Some(f) = fill {
        tc = tc.shading(
            Shading::new()
                .shd_type(ShdType::Clear)
                .color("auto")
                .fill(f),
        );
    }
    tc
}

fn table(t: &super::official::Table, font: &str) -> Table {
    let total: f64 = t
        .columns
        .iter()
        .map(|c| c.width)
        .sum::<f64>()
        .max(f64::EPSILON);
    let widths: Vec<usize> = t
        .columns
        .iter()
        .map(|c| (TEXT_WIDTH * c.width / total).floor() as usize)
        .collect();
    let head = t
        .columns
        .iter()
        .zip(&widths)
        .map(|(c, w)| {
            let h = Cell {
                text: c.header.clone(),
                fill: None,
                colour: None,
            };
            cell(&h, false, true, *w, font)
        })
        .collect();
    let mut rows = vec![TableRow::new(head).cant_split()];
    for r in &t.rows {
        let cells = r
            .iter()
            .zip(&t.columns)
            .zip(&widths)
            .map(|((c, col), w)| cell(c, col.numeric, false, *w, font))
            .collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
        .width(TEXT_WIDTH as usize, WidthType::Dxa)
        // Narrow cell padding (2 pt a side): nine columns share 156 mm.
        .margins(TableCellMargins::new().margin(20, 40, 20, 40))
}

fn compose(o: &Official, f: &Fonts) -> Docx {
    // 22 lines of 28.95 pt on the page, as the standard sets the body.
    let line = 579;
    let centred = |text: &str, font: &str, size: usize| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(0).after(0))
            .add_run(run(text, font, size))
    };
    let masthead_chars = o.masthead.chars().count().max(1) as f64;
    // As large as fits the line, at most 36 pt (half-points).
    let masthead_size = ((TEXT_WIDTH / 20.0 / masthead_chars).floor() * 2.0).min(72.0) as usize;
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(PageMargin {
            top: twips(37.0),
            left: twips(28.0),
            bottom: twips(35.0),
            right: twips(26.0),
            header: twips(15.0),
            footer: twips(20.0),
            gutter: 0,
        })
        .default_fonts(fonts(&f.body))
        .default_size(BODY)
        .footer(page_footer(&f.body, AlignmentType::Right))
        .even_footer(page_footer(&f.body, AlignmentType::Left))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().before(0).after(0))
                .add_run(run(&o.masthead, &f.title, masthead_size).color(RED)),
        )
        .add_paragraph(centred(&o.issue, &f.body, BODY));
    // The line under the masthead: compiling unit left, date of issue right, red rule below.
    let mut unit_line = Paragraph::new()
        .line_spacing(LineSpacing::new().before(120).after(360))
        .add_run(run(&o.compiled_by, &f.body, BODY))
        .add_run(Run::new().add_tab())
        .add_run(run(&o.issued, &f.body, BODY))
        .add_tab(
            docx_rs::Tab::new()
                .val(docx_rs::TabValueType::Right)
                .pos(TEXT_WIDTH as usize),
        );
    unit_line.property =
        unit_line
            .property
            .set_borders(border(ParagraphBorderPosition::Bottom, 12, RED));
    doc = doc.add_paragraph(unit_line);
    doc = doc.add_paragraph(
        centred(&o.title, &f.title, TITLE).line_spacing(LineSpacing::new().before(240).after(0)),
    );
    doc = doc.add_paragraph(
        centred(&o.subtitle, &f.body, BODY).line_spacing(LineSpacing::new().before(0).after(240)),
    );
    for b in &o.blocks {
        doc = match b {
            Block::Heading { text } => doc.add_paragraph(
                Paragraph::new()
                    .keep_next(true)
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .line_spacing(fixed_line(line))
                    .add_run(run(text, &f.heading, BODY)),
            ),
            Block::Para { text } => doc.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Both)
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .line_spacing(fixed_line(line))
                    .add_run(run(text, &f.body, BODY)),
            ),
            Block::Table(t) => doc.add_table(table(t, &f.body)).add_paragraph(
                Paragraph::new()
                    .line_spacing(LineSpacing::new().before(0).after(0))
                    .size(TABLE_TEXT),
            ),
        };
    }
    // The imprint (版记) between a thick and a thin rule.
    let mut first = true;
    for l in &o.imprint {
        let mut p = Paragraph::new()
            .keep_next(true)
            .indent(Some(280), None, Some(280), None)
            .line_spacing(
                LineSpacing::new()
                    .before(if first { 480 } else { 0 })
                    .after(0),
            )
            .add_run(run(&format!("{}：{}", l.label, l.text), &f.body, SMALL));
        if first {
            p.property = p
                .property
                .set_borders(border(ParagraphBorderPosition::Top, 8, "000000"));
            first = false;
        }
        doc = doc.add_paragraph(p);
    }
    let mut last = Paragraph::new()
        .indent(Some(280), None, Some(280), None)
        .line_spacing(
            LineSpacing::new()
                .before(if first { 480 } else { 0 })
                .after(0),
        )
        .add_run(run(&o.compiled_by, &f.body, SMALL))
        .add_run(Run::new().add_tab())
        .add_run(run(&o.imprint_date, &f.body, SMALL))
        .add_tab(
            docx_rs::Tab::new()
                .val(docx_rs::TabValueType::Right)
                .pos(TEXT_WIDTH as usize - 560),
        );
    let mut rules = border(ParagraphBorderPosition::Bottom, 8, "000000");
    if first {
        // No 报/送/发 line: this line carries the imprint's top rule too.
        rules = rules.set(rule(ParagraphBorderPosition::Top, 8, "000000"));
    }
    last.property = last.property.set_borders(rules);
    doc.add_paragraph(last)
}

/// Adds `<w:tblHeader/>` to the first row of every table (the rows all carry
/// `<w:cantSplit />`, so each row's properties exist). Tables here are never nested.
pub fn mark_headers(document_xml: &str) -> String {
    let mut out = String::with_capacity(document_xml.len() + 64);
    let mut rest = document_xml;
    while let Some(i) = rest.find("<w:tbl>") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        match after.find("<w:cantSplit />") {
            Some(j) => {
                let end = j + "<w:cantSplit />".len();
                out.push_str(&after[..end]);
                out.push_str("<w:tblHeader />");
                rest = &after[end..];
            }
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

fn zip_error(e: impl std::fmt::Display) -> BulletinError {
    BulletinError::Docx(e.to_string())
}

/// Rewrites the package with [`mark_headers`] applied to `word/document.xml`.
fn repeat_headers(package: &[u8]) -> Result<Vec<u8>, BulletinError> {
    let mut zin = zip::ZipArchive::new(Cursor::new(package)).map_err(zip_error)?;
    let mut zout = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).map_err(zip_error)?;
        let name = f.name().map_err(zip_error)?.to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).map_err(zip_error)?;
        if name == "word/document.xml" {
            let xml = String::from_utf8(data).map_err(zip_error)?;
            data = mark_headers(&xml).into_bytes();
        }
        zout.start_file(name, opts).map_err(zip_error)?;
        zout.write_all(&data).map_err(zip_error)?;
    }
    Ok(zout.finish().map_err(zip_error)?.into_inner())
}

/// The DOCX bytes of `b`.
///
/// # Errors
/// [`BulletinError::Docx`] if the package cannot be written.
pub fn render(b: &Bulletin) -> Result<Vec<u8>, BulletinError> {
    let cfg = &b.meta.fonts;
    let f = Fonts {
        title: first(&cfg.title, &cfg.fallback_serif),
        heading: first(&cfg.heading, &cfg.fallback_sans),
        body: first(&cfg.body, &cfg.fallback_serif),
    };
    let doc = compose(&document(b), &f);
    let mut buf = Cursor::new(Vec::new());
    doc.pack(&mut buf).map_err(zip_error)?;
    repeat_headers(&buf.into_inner())
}
