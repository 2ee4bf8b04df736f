//! Reading a DOCX back in tests: the package is a zip whose `word/document.xml` holds the
//! body.

use std::io::{Cursor, Read};

/// A DOCX's body: the XML of `word/document.xml` and its text with the tags removed.
#[derive(Debug, Clone)]
pub struct DocxBody {
    /// `word/document.xml` as written.
    pub xml: String,
    /// The same with every tag removed (runs joined without spaces).
    pub text: String,
}

/// Opens `bytes` as a DOCX package and reads its body.
///
/// # Panics
/// When `bytes` is not a zip or lacks `word/document.xml` (a failed test).
pub fn docx_body(bytes: &[u8]) -> DocxBody {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("word/document.xml is UTF-8");
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    DocxBody { xml, text }
}
