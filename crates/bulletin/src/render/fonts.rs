//! Finding the PDF's fonts on disk: the `[bulletin.fonts]` families by role (title, heading,
//! body), each followed by its Noto CJK fallback. The system's folders (fontconfig's list,
//! /usr/share/fonts, ~/.fonts) and `bulletin.fonts.dirs` are scanned once per process by
//! name only; a face is read from disk when the typesetter first needs it.
//!
//! A configured name matches any of a face's family names, English or Chinese
//! (仿宋_GB2312 and FangSong_GB2312 name the same face). A collection such as
//! NotoSerifCJK-Regular.ttc holds several faces (JP, KR, SC, TC, HK): naming the family
//! "Noto Serif CJK SC" picks the simplified Chinese one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

use crate::config::FontsConfig;
use crate::error::BulletinError;

/// A face on disk, loaded on first use.
struct Slot {
    path: PathBuf,
    index: u32,
    font: OnceLock<Option<Font>>,
}

/// The faces the document may use, with the family lists per role.
pub struct FontSet {
    /// Metadata of every face, in slot order.
    pub book: LazyHash<FontBook>,
    slots: Vec<Slot>,
    /// The title's families (typesetter names), most preferred first.
    pub title: Vec<String>,
    /// The headings' families.
    pub heading: Vec<String>,
    /// The body's families.
    pub body: Vec<String>,
    advances: OnceLock<Advances>,
}

/// How wide the tables' characters are set at most, in ems, for the characters that every
/// face of the body's first family has (so Typst takes them from that family, whichever
/// weight): for each printable ASCII character its widest advance in those faces, and one
/// bound for all of [`Advances::CJK`]. Other characters are not bounded: they may come
/// from a face of other metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Advances {
    ascii: [Option<f64>; 95],
    cjk: f64,
    /// Characters of [`Advances::CJK`] that some face lacks, in order.
    cjk_missing: Vec<char>,
}

impl Advances {
    /// The CJK characters bounded together: CJK symbols and punctuation, the unified
    /// ideographs, full-width forms and the em dash.
    pub const CJK: [(char, char); 4] = [
        ('\u{2014}', '\u{2014}'),
        ('\u{3000}', '\u{303f}'),
        ('\u{4e00}', '\u{9fff}'),
        ('\u{ff00}', '\u{ffef}'),
    ];

    fn of(fonts: &[Font]) -> Advances {
        let faces: Vec<ttf_parser::Face> = fonts
            .iter()
            .filter_map(|f| ttf_parser::Face::parse(f.data(), f.index()).ok())
            .collect();
        // The widest advance of `c`, if every face has it.
        let widest = |c: char| -> Option<f64> {
            if faces.is_empty() {
                return None;
            }
            faces.iter().try_fold(0.0, |m: f64, f| {
                let units = f.glyph_hor_advance(f.glyph_index(c)?)?;
                Some(m.max(f64::from(units) / f64::from(f.units_per_em())))
            })
        };
        let mut ascii = [None; 95];
        for (i, w) in ascii.iter_mut().enumerate() {
            *w = widest(char::from(b' ' + i as u8));
        }
        let mut cjk = 0.0_f64;
        let mut cjk_missing = Vec::new();
        for c in Self::CJK.iter().flat_map(|&(a, b)| a..=b) {
            match widest(c) {
                Some(w) => cjk = cjk.max(w),
                None => cjk_missing.push(c),
            }
        }
        Advances {
            ascii,
            cjk,
            cjk_missing,
        }
    }

    /// The widest `c` is set, in ems; `None` when it is not bounded.
    pub fn of_char(&self, c: char) -> Option<f64> {
        if (' '..='~').contains(&c) {
            return self.ascii[c as usize - 0x20];
        }
        let bounded = Self::CJK.iter().any(|&(a, b)| (a..=b).contains(&c))
            && self.cjk_missing.binary_search(&c).is_err();
        bounded.then_some(self.cjk)
    }
}

impl FontSet {
    /// The face at `index` of the book, read from disk on first use.
    pub fn font(&self, index: usize) -> Option<Font> {
        let slot = self.slots.get(index)?;
        slot.font
            .get_or_init(|| {
                let data = std::fs::read(&slot.path).ok()?;
                Font::new(Bytes::new(data), slot.index)
            })
            .clone()
    }

    /// How wide the tables' characters are set at most ([`Advances`]); worked out on
    /// first use, which reads the body family's faces.
    pub fn advances(&self) -> &Advances {
        self.advances.get_or_init(|| {
            let family = self.body.first();
            let faces: Vec<Font> = (0..self.slots.len())
                .filter(|&i| self.book.info(i).map(|info| &info.family) == family)
                .filter_map(|i| self.font(i))
                .collect();
            Advances::of(&faces)
        })
    }
}

/// '中': a face that lacks it cannot set the bulletin.
const CJK_PROBE: u32 = 0x4E2D;

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Scans the folders and resolves each role. Cached per configuration for the process.
///
/// # Errors
/// [`BulletinError::NoFont`] naming `bulletin.fonts.<role>` when no family of a role (nor
/// its fallback) is installed with Chinese glyphs.
pub fn font_set(cfg: &FontsConfig) -> Result<Arc<FontSet>, BulletinError> {
    static CACHE: Mutex<Option<(FontsConfig, Arc<FontSet>)>> = Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((c, set)) = cache.as_ref()
        && c == cfg
    {
        return Ok(set.clone());
    }
    let set = Arc::new(scan(cfg)?);
    *cache = Some((cfg.clone(), set.clone()));
    Ok(set)
}

fn scan(cfg: &FontsConfig) -> Result<FontSet, BulletinError> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    for d in &cfg.dirs {
        db.load_fonts_dir(d);
    }
    let roles: [(&str, &Vec<String>, &String); 3] = [
        ("title", &cfg.title, &cfg.fallback_serif),
        ("heading", &cfg.heading, &cfg.fallback_sans),
        ("body", &cfg.body, &cfg.fallback_serif),
    ];
    let wanted: Vec<String> = roles
        .iter()
        .flat_map(|(_, list, fb)| list.iter().chain(std::iter::once(*fb)))
        .map(|s| fold(s))
        .collect();

    // Only the faces some role names are read (their metadata parsed): scanning every
    // font's coverage would cost more than typesetting.
    let mut book = FontBook::new();
    let mut slots = Vec::new();
    // Configured name (folded) → the typesetter's family name, and whether it has CJK.
    let mut alias: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for face in db.faces() {
        let names: Vec<String> = face.families.iter().map(|(n, _)| fold(n)).collect();
        let hits: Vec<&String> = wanted.iter().filter(|w| names.contains(w)).collect();
        if hits.is_empty() {
            continue;
        }
        let path = match &face.source {
            fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
            fontdb::Source::Binary(_) => continue,
        };
        let Some(Some(info)) = db.with_face_data(face.id, FontInfo::new) else {
            continue;
        };
        let cjk = info.coverage.contains(CJK_PROBE);
        for w in hits {
            let e = alias
                .entry(w.clone())
                .or_insert_with(|| (info.family.clone(), cjk));
            e.1 |= cjk;
        }
        book.push(info);
        slots.push(Slot {
            path,
            index: face.index,
            font: OnceLock::new(),
        });
    }

    let mut resolved: Vec<Vec<String>> = Vec::new();
    for (role, list, fallback) in roles {
        let mut families: Vec<String> = Vec::new();
        for name in list.iter().chain(std::iter::once(fallback)) {
            if let Some((family, true)) = alias.get(&fold(name))
                && !families.contains(family)
            {
                families.push(family.clone());
            }
        }
        if families.is_empty() {
            let mut looked: Vec<String> = list.clone();
            looked.push(fallback.clone());
            return Err(BulletinError::NoFont {
                key: format!("bulletin.fonts.{role}"),
                wanted: looked.join(", "),
            });
        }
        resolved.push(families);
    }
    let mut it = resolved.into_iter();
    let mut next = || it.next().unwrap_or_default();
    Ok(FontSet {
        book: LazyHash::new(book),
        slots,
        title: next(),
        heading: next(),
        body: next(),
        advances: OnceLock::new(),
    })
}
