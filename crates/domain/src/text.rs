//! Text as people may enter it: one normalisation for single-line fields (names, titles,
//! units) and one for free text (details, progress, problems), and the length check with
//! its message. Library import, the workflow's raise and weekly reports all use these, so a
//! line break in a title cannot reach an email header, a subject or an HTML `<title>`.

use crate::DomainError;

/// Characters that must never be stored in text: control characters other than line
/// breaks and tabs are handled by the callers; these are invisible format characters that
/// reorder or hide text (bidirectional overrides, the byte-order mark).
fn is_hidden_format(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Whether `c` breaks a line: CR, LF, NEL, and the Unicode line and paragraph separators.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A single-line field as stored: every control character (CR, LF, tab, escape, …), line or
/// paragraph separator becomes a blank, hidden format characters are dropped, runs of blanks
/// fold into one and the ends are trimmed. `"a\r\nb"` → `"a b"`.
pub fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for c in text.chars() {
        if is_hidden_format(c) {
            continue;
        }
        if c.is_control() || c.is_whitespace() || is_line_break(c) {
            blank = true;
            continue;
        }
        if blank && !out.is_empty() {
            out.push(' ');
        }
        blank = false;
        out.push(c);
    }
    out
}

/// Free text as stored: line breaks kept as `\n` (CRLF, CR and the Unicode separators
/// become `\n`), tabs become blanks, every other control character and hidden format
/// character is dropped, trailing blanks of each line and blank lines at both ends are
/// trimmed.
pub fn multi_line(text: &str) -> String {
    let unified = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(unified.len());
    for c in unified.chars() {
        match c {
            c if is_line_break(c) => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() || is_hidden_format(c) => {}
            c => out.push(c),
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.join("\n").trim_matches('\n').trim().to_string()
}

/// Refuses text longer than `max` characters.
///
/// # Errors
/// [`DomainError::Invalid`] saying how long it is and what is allowed.
pub fn check_length(text: &str, max: usize) -> Result<(), DomainError> {
    // Counting stops past the limit: a 10 MB value costs no more than a short one.
    let n = text.chars().take(max + 1).count();
    if n > max {
        Err(DomainError::invalid(format!(
            "{} characters, at most {max} allowed",
            text.chars().count()
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_removes_breaks_and_controls() {
        assert_eq!(single_line("  征地\r\n拆迁\t慢  "), "征地 拆迁 慢");
        assert_eq!(single_line("a\u{1b}[31mb"), "a [31mb");
        assert_eq!(single_line("x\u{2028}y\u{85}z"), "x y z");
        assert_eq!(single_line("\u{202E}abc\u{FEFF}"), "abc");
        assert_eq!(single_line("a   b"), "a b");
        assert_eq!(single_line("\r\n"), "");
        assert_eq!(single_line("Subject: x\r\nBcc: y"), "Subject: x Bcc: y");
    }

    #[test]
    fn multi_line_keeps_lines_only() {
        assert_eq!(multi_line("一\r\n二\r三\u{2029}四"), "一\n二\n三\n四");
        assert_eq!(multi_line("\n\n a\t b \u{7}\n\n"), "a  b");
        assert_eq!(multi_line("x\u{0}y"), "xy");
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(check_length("项目名称", 4).is_ok());
        let e = check_length("项目名称!", 4).unwrap_err().to_string();
        assert_eq!(e, "5 characters, at most 4 allowed");
    }
}
