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

/// One line of a file as it is read: the header row, then each non-blank data row with its
/// row number as a spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The header cells, trimmed.
    Header(&'a [String]),
    /// A data row's number and its cells, trimmed.
    Row(usize, &'a [String]),
}

/// Reads a `.csv` or `.xlsx` file into a [`Table`].
///
/// # Errors
/// [`ImportError::File`] if it cannot be read, has an unknown extension, is not valid
/// UTF-8 or GB18030 text, or has no header row.
pub fn read_table(path: &Path) -> Result<Table, ImportError> {
    collect(path.display().to_string(), |visit| {
        stream_table(path, visit)
    })
}

/// A whole table from a line reader.
fn collect(
    file: String,
    read: impl FnOnce(&mut dyn FnMut(Line<'_>) -> bool) -> Result<(), ImportError>,
) -> Result<Table, ImportError> {
    let mut table = Table {
        file,
        headers: Vec::new(),
        rows: Vec::new(),
    };
    read(&mut |line| {
        match line {
            Line::Header(h) => table.headers = h.to_vec(),
            Line::Row(n, cells) => table.rows.push((n, cells.to_vec())),
        }
        true
    })?;
    Ok(table)
}

/// Reads a `.csv` or `.xlsx` file line by line, keeping no row: `visit` sees the header
/// row, then every non-blank data row; it returns `false` to stop reading. A 200,000-row
/// file is validated in the memory of its records, not of its cells.
///
/// # Errors
/// As [`read_table`].
pub fn stream_table(path: &Path, visit: impl FnMut(Line<'_>) -> bool) -> Result<(), ImportError> {
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
        Some("csv") => stream_csv(&file, &bytes, visit),
        Some("xlsx") => stream_xlsx(&file, bytes, visit),
        _ => Err(err("unsupported file type: expected .csv or .xlsx".into())),
    }
}

/// Decodes CSV bytes: UTF-8 (a BOM is dropped), else GB18030 as Excel in China writes.
///
/// # Errors
/// [`ImportError::File`] for undecodable text or bad CSV quoting.
pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    collect(file.to_string(), |visit| stream_csv(file, bytes, visit))
}

fn stream_csv(
    file: &str,
    bytes: &[u8],
    mut visit: impl FnMut(Line<'_>) -> bool,
) -> Result<(), ImportError> {
    let err = |reason: String| ImportError::File {
        file: file.to_string(),
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // UTF-8 is read in place; only GB18030 text is decoded into a copy.
    let decoded;
    let text: &[u8] = if std::str::from_utf8(bytes).is_ok() {
        bytes
    } else {
        let (t, _, had_errors) = encoding_rs::GB18030.decode(bytes);
        if had_errors {
            return Err(err("not UTF-8 or GB18030 text".into()));
        }
        decoded = t.into_owned();
        decoded.as_bytes()
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut rec = csv::StringRecord::new();
    let mut cells: Vec<String> = Vec::new();
    let mut row_no = 0;
    loop {
        row_no += 1;
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) if row_no == 1 => {
                return Err(err("empty file: a header row is required".into()));
            }
            Ok(false) => return Ok(()),
            Err(e) => return Err(err(format!("row {row_no}: {e}"))),
        }
        cells.clear();
        cells.extend(rec.iter().map(|s| s.trim().to_string()));
        let go_on = if row_no == 1 {
            visit(Line::Header(&cells))
        } else if cells.iter().any(|c| !c.is_empty()) {
            visit(Line::Row(row_no, &cells))
        } else {
            true
        };
        if !go_on {
            return Ok(());
        }
    }
}

/// Reads the first sheet of an XLSX workbook.
///
/// # Errors
/// [`ImportError::File`] if the workbook cannot be opened or has no sheet.
pub fn parse_xlsx(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
    collect(file.to_string(), |visit| stream_xlsx(file, bytes, visit))
}

/// The first sheet's cells, one row at a time (calamine's cell reader: the sheet is never
/// held whole). Row numbers are the sheet's own; the header is the first row with a value.
fn stream_xlsx(
    file: &str,
    bytes: Vec<u8>,
    mut visit: impl FnMut(Line<'_>) -> bool,
) -> Result<(), ImportError> {
    let err = |reason: String| ImportError::File {
        file: file.to_string(),
        reason,
    };
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| err(format!("not a readable XLSX workbook: {e}")))?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| err("the workbook has no sheet".into()))?;
    let mut reader = wb
        .worksheet_cells_reader(&first)
        .map_err(|e| err(format!("cannot read the first sheet: {e}")))?;
    let mut cells: Vec<String> = Vec::new();
    let mut current: Option<u32> = None;
    let mut header_seen = false;
    // Hands the finished row to `visit`; false when reading should stop.
    let mut emit = |row: u32, cells: &mut Vec<String>, header_seen: &mut bool| -> bool {
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            return true;
        }
        let go_on = if *header_seen {
            visit(Line::Row(row as usize + 1, cells))
        } else {
            *header_seen = true;
            visit(Line::Header(cells))
        };
        cells.clear();
        go_on
    };
    loop {
        let cell = reader
            .next_cell()
            .map_err(|e| err(format!("cannot read the first sheet: {e}")))?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current
                && !emit(prev, &mut cells, &mut header_seen)
            {
                return Ok(());
            }
            cells.clear();
            current = Some(r);
        }
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        let value: Data = cell.get_value().clone().into();
        cells[c] = cell_text(&value).trim().to_string();
    }
    if let Some(prev) = current {
        emit(prev, &mut cells, &mut header_seen);
    }
    if header_seen {
        Ok(())
    } else {
        Err(err("empty sheet: a header row is required".into()))
    }
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
