//! Reading a file into a header row and data rows of text cells.

use std::path::Path;

use calamine::{Data, Reader};

use crate::ImportError;

/// A file's cells as text: the header row and the data rows with their spreadsheet row
/// numbers (the header is row 1). Entirely blank rows are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file's name as given, for messages.
    pub file: String,
    /// Header cells, as written.
    pub headers: Vec<String>,
    /// (row number, cells) for each non-blank data row.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads a `.csv` or `.xlsx` file.
///
/// # Errors
/// [`ImportError::File`] if it cannot be read, has an unknown extension, is not valid
/// UTF-8 or GB18030 text, or has no header row.
pub fn read_table(path: &Path) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    let err = |reason: String| ImportError::File {
        file: file.clone(),
        reason,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
    match ext.as_deref() {
        Some("csv") => parse_csv(&file, &bytes),
        Some("xlsx") => parse_xlsx(&file, bytes),
        _ => Err(err("unsupported file type: expected .csv or .xlsx".into())),
    }
}

/// Decodes CSV bytes: UTF-8 (a BOM is dropped), else GB18030 as Excel in China writes.
///
/// # Errors
/// [`ImportError::File`] for undecodable text or bad CSV quoting.
pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    let err = |reason: String| ImportError::File {
        file: file.to_string(),
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(err("not UTF-8 or GB18030 text".into()));
            }
            t.into_owned()
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|s| s.trim().to_string()).collect(),
        Some(Err(e)) => return Err(err(format!("row 1: {e}"))),
        None => return Err(err("empty file: a header row is required".into())),
    };
    let mut rows = Vec::new();
    for (i, rec) in records.enumerate() {
        let row_no = i + 2;
        let rec = rec.map_err(|e| err(format!("row {row_no}: {e}")))?;
        let cells: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((row_no, cells));
        }
    }
    Ok(Table {
        file: file.to_string(),
        headers,
        rows,
    })
}

/// Reads the first sheet of an XLSX workbook.
///
/// # Errors
/// [`ImportError::File`] if the workbook cannot be opened or has no sheet.
pub fn parse_xlsx(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
    let err = |reason: String| ImportError::File {
        file: file.to_string(),
        reason,
    };
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("not a readable XLSX workbook: {e}")))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| err("the workbook has no sheet".into()))?
        .map_err(|e| err(format!("cannot read the first sheet: {e}")))?;
    // Row numbers as the spreadsheet shows them, even if the used range starts lower.
    let first_row = range.start().map(|(r, _)| r as usize + 1).unwrap_or(1);
    let mut it = range.rows().enumerate();
    let headers = match it.next() {
        Some((_, r)) => r.iter().map(|c| cell_text(c).trim().to_string()).collect(),
        None => return Err(err("empty sheet: a header row is required".into())),
    };
    let mut rows = Vec::new();
    for (i, r) in it {
        let cells: Vec<String> = r.iter().map(|c| cell_text(c).trim().to_string()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((first_row + i, cells));
        }
    }
    Ok(Table {
        file: file.to_string(),
        headers,
        rows,
    })
}

/// A numeric cell as the text a person would have typed. Excel stores numbers as binary
/// floats, and a sum or a pasted value often lands next to the decimal meant
/// (`57597.700000000004` for 57597.7): a value within 1e-9 of a number with at most four
/// decimals (or within a few units in the last place, for values above a million) is that
/// number. Anything else keeps its exact shortest form, which the amount parser then refuses
/// (more than four decimals) naming the file, row and column.
pub fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{f:.0}");
    }
    let scaled = (f * 1e4).round();
    if scaled.abs() < 9e15 {
        let nearest = scaled / 1e4;
        let tolerance = 1e-9_f64.max(f.abs() * f64::EPSILON * 4.0);
        if (f - nearest).abs() <= tolerance {
            // `scaled` is an exact integer below 2^53: print it as a decimal with four places.
            let n = scaled as i64;
            let (int, frac) = (n.unsigned_abs() / 10_000, n.unsigned_abs() % 10_000);
            let sign = if n < 0 { "-" } else { "" };
            let frac = format!("{frac:04}");
            let frac = frac.trim_end_matches('0');
            return if frac.is_empty() {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac}")
            };
        }
    }
    f.to_string()
}

/// A cell as the text a person would type: integers without `.0`, decimals as
/// [`float_text`] gives them, dates as `YYYY-MM-DD`.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::float_text;

    #[test]
    fn excel_float_artefacts_round_to_four_decimals() {
        assert_eq!(float_text(57597.700000000004), "57597.7");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(1234.5678), "1234.5678");
        assert_eq!(float_text(2024.0), "2024");
        assert_eq!(float_text(9999999999.9999), "9999999999.9999");
        assert_eq!(float_text(-1.25), "-1.25");
        assert_eq!(float_text(12345678901.2345), "12345678901.2345");
    }

    #[test]
    fn real_extra_decimals_stay_to_be_refused() {
        assert_eq!(float_text(57597.70001), "57597.70001");
        assert_eq!(float_text(0.123456), "0.123456");
        assert_eq!(float_text(1e-5), "0.00001");
    }
}
