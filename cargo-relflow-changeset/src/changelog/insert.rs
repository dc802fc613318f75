//! Putting an entry into CHANGELOG.md: `updateChangelog` of `@changesets/apply-release-plan`.

use crate::parse::{is_js_space, js_trim};

/// The new text of a package's CHANGELOG.md with `entry` added, as Changesets v3 writes it.
///
/// - No file (`None`) or an empty one: `# <package_name>`, a blank line, the entry.
/// - A file with a version heading (a line starting with one to six `#`, whitespace, then
///   `<digits>.<digits>`): the entry and a blank line go right before the first one.
/// - Otherwise: the entry goes after the first line, with a blank line before it.
///
/// Everything else in the file is kept byte for byte. The entry is trimmed and ends with a
/// newline.
pub fn insert(existing: Option<&str>, package_name: &str, entry: &str) -> String {
    let entry = js_trim(entry);
    let text = match existing {
        None | Some("") => return format!("# {package_name}\n\n{entry}\n"),
        Some(text) => text,
    };
    if let Some(heading) = first_version_heading(text) {
        let entry = if entry.is_empty() {
            String::new()
        } else {
            format!("{entry}\n")
        };
        return format!("{}{entry}\n{}", &text[..heading], &text[heading..]);
    }
    match text.find('\n') {
        None => format!("{text}\n\n{entry}\n"),
        Some(newline) => format!("{}\n\n{entry}\n{}", &text[..newline], &text[newline + 1..]),
    }
}

/// Where JavaScript's `/^#{1,6}\s+\d+\.\d+/m` first matches: at the start of the text or after a
/// line terminator (`\n`, `\r`, U+2028, U+2029); `\s` includes line breaks, `\d` is ASCII.
fn first_version_heading(text: &str) -> Option<usize> {
    let starts = std::iter::once(0).chain(
        text.char_indices()
            .filter(|&(_, c)| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
            .map(|(i, c)| i + c.len_utf8()),
    );
    starts
        .into_iter()
        .find(|&start| is_version_heading(&text[start..]))
}

/// Whether `rest` starts with `#{1,6}\s+\d+\.\d+`.
fn is_version_heading(rest: &str) -> bool {
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return false;
    }
    let after_hashes = &rest[hashes..];
    let after_space = after_hashes.trim_start_matches(is_js_space);
    if after_space.len() == after_hashes.len() {
        return false;
    }
    let major = after_space.len()
        - after_space
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let Some(after_dot) = after_space[major..].strip_prefix('.') else {
        return false;
    };
    major > 0 && after_dot.starts_with(|c: char| c.is_ascii_digit())
}
