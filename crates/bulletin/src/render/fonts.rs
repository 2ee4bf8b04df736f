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
    })
}
