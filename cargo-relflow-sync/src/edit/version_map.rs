//! Version maps: a file that lists every released version (a CDN map in TypeScript, a JSON or
//! TOML table of versions), which gets one entry per new version.
//!
//! A `[[sync]]` entry with `insert = '"{version}": "v{version}",'` names the entry and an
//! anchor names the place: a JSON pointer or dotted TOML path to an object, table or array, or
//! a regex whose match holds the entries (`CDN_VERSION_MAP = \{[^}]*`). [`insert_entry`] adds
//! the rendered entry unless it is there, in version order among the entries already there
//! (ascending unless they descend), with the layout of its neighbours (own line and their
//! indentation, or inline), commas where the format needs them, and every other byte of the
//! file as it was. JSON and TOML are parsed, so they stay valid; in a regex's match, the
//! entries are the template's own text with any version.

use std::ops::Range;

use camino::Utf8Path;
use regex::Regex;

use crate::config::Locator;
use crate::diag::InputError;
use crate::edit::npm::json::{self, Node};
use crate::edit::python::splice;
use crate::version_file::describe;

/// The placeholder an `insert` template must contain.
pub const PLACEHOLDER: &str = "{version}";

/// The text of the file at `path` with the entry `template` renders for `version` added at
/// `anchor`, or the text as it is when that entry is already there. Bad anchors (nothing
/// there, not an object or array, no match) and templates that do not fit the format are
/// input errors naming the file.
pub fn insert_entry(
    text: &str,
    path: &Utf8Path,
    anchor: &Locator,
    template: &str,
    version: &str,
) -> Result<String, InputError> {
    let rendered = template.replace(PLACEHOLDER, version);
    let fail = |message: String, hint: &str| {
        InputError::in_file(
            path,
            format!("version map at `{}`: {message}", describe(anchor)),
        )
        .with_hint(hint.to_owned())
    };
    let place = match anchor {
        Locator::Json(pointer) => json_place(text, path, pointer, &rendered, &fail)?,
        Locator::Toml(dotted) => toml_place(text, dotted, &rendered, &fail)?,
        Locator::Regex(pattern) => regex_place(text, pattern, template, &rendered, &fail)?,
    };
    if place.present {
        return Ok(text.to_owned());
    }
    let new = semver::Version::parse(version.trim_start_matches('v')).ok();
    // Insertions at one position are made one, in the order they were listed.
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (range, insert) in place.edits(text, new.as_ref()) {
        match edits.last_mut() {
            Some((last, text))
                if last.start == range.start
                    && last.end == last.start
                    && range.end == range.start =>
            {
                text.push_str(&insert);
            }
            _ => edits.push((range, insert)),
        }
    }
    Ok(splice(text, edits))
}

/// Where entries are and how the new one is written.
struct Place {
    /// The entries already there, in document order, with their versions where they parse.
    entries: Vec<(Range<usize>, Option<semver::Version>)>,
    /// Where the new entry goes when there are none: the inside of the brackets, the match of
    /// a regex, or the line after a TOML table's header.
    inner: Range<usize>,
    /// The new entry's text, without a trailing comma.
    entry: String,
    /// Whether the new entry is already there.
    present: bool,
    /// Whether entries are separated by commas (JSON, TOML arrays and inline tables, and a
    /// template that ends with one); otherwise each is a line (a TOML table).
    commas: bool,
    /// Whether the format takes a comma after the last entry (TOML arrays that have one, a
    /// template ending with one; never JSON).
    trailing_comma: bool,
    /// Whether an empty place is filled inside brackets (`{}` -> `{\n  entry\n}`) rather than as
    /// a line at its start.
    bracketed: bool,
}

impl Place {
    fn edits(&self, text: &str, new: Option<&semver::Version>) -> Vec<(Range<usize>, String)> {
        let at = |position: usize| position..position;
        let trail = if self.trailing_comma { "," } else { "" };
        let Some(k) = self.position(new) else {
            // No entries yet.
            let start = self.inner.start;
            let indent = indentation(text, start);
            return if self.bracketed {
                vec![(
                    self.inner.clone(),
                    format!("\n{indent}  {}{trail}\n{indent}", self.entry),
                )]
            } else if start == 0 || text.as_bytes()[start - 1] == b'\n' {
                let indent = if self.commas {
                    format!("{indent}  ")
                } else {
                    String::new()
                };
                vec![(at(start), format!("{indent}{}{trail}\n", self.entry))]
            } else {
                vec![(at(start), format!("\n{indent}  {}{trail}", self.entry))]
            };
        };
        let sep = if self.commas { "," } else { "" };
        if let Some((before, _)) = self.entries.get(k) {
            return if own_line(text, before.start) {
                let start = line_start(text, before.start);
                let indent = &text[start..before.start];
                vec![(at(start), format!("{indent}{}{sep}\n", self.entry))]
            } else {
                let space = if self.commas { " " } else { "\n" };
                vec![(at(before.start), format!("{}{sep}{space}", self.entry))]
            };
        }
        let (last, _) = &self.entries[self.entries.len() - 1];
        let after = text[last.end..].trim_start_matches([' ', '\t', '\r', '\n']);
        let comma = after.starts_with(',').then(|| text.len() - after.len());
        let mut edits = Vec::new();
        if self.commas && comma.is_none() {
            edits.push((at(last.end), ",".to_owned()));
        }
        let end = comma.map_or(last.end, |c| c + 1);
        let line_end = text[end..].find('\n').map(|i| end + i);
        let closes_later = line_end.is_some_and(|e| e < self.inner.end) || !self.commas;
        if own_line(text, last.start) && closes_later {
            let indent = &text[line_start(text, last.start)..last.start];
            match line_end {
                Some(line_end) if !self.commas => {
                    edits.push((at(line_end + 1), format!("{indent}{}\n", self.entry)));
                }
                Some(line_end) => {
                    edits.push((at(line_end), format!("\n{indent}{}{trail}", self.entry)));
                }
                None => edits.push((at(text.len()), format!("\n{indent}{}", self.entry))),
            }
        } else {
            edits.push((at(end), format!(" {}{trail}", self.entry)));
        }
        edits
    }

    /// The index of the entry the new one goes before (`len` for the end), or `None` when there
    /// are no entries. Ascending order unless the versions there descend.
    fn position(&self, new: Option<&semver::Version>) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        let versions: Vec<&semver::Version> = self
            .entries
            .iter()
            .filter_map(|(_, v)| v.as_ref())
            .collect();
        let descending = versions.len() >= 2 && versions[0] > versions[versions.len() - 1];
        let Some(new) = new else {
            return Some(if descending { 0 } else { self.entries.len() });
        };
        Some(
            self.entries
                .iter()
                .position(|(_, v)| {
                    v.as_ref()
                        .is_some_and(|v| if descending { v < new } else { v > new })
                })
                .unwrap_or(self.entries.len()),
        )
    }
}

fn json_place(
    text: &str,
    path: &Utf8Path,
    pointer: &str,
    rendered: &str,
    fail: &dyn Fn(String, &str) -> InputError,
) -> Result<Place, InputError> {
    let root = json::parse(text, path)?;
    let not_found = || {
        fail(
            "nothing there".to_owned(),
            "point at an object or array, as in `/versions`",
        )
    };
    let mut node = &root;
    if !pointer.is_empty() {
        let Some(rest) = pointer.strip_prefix('/') else {
            return Err(not_found());
        };
        for token in rest.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            node = match (&node.members, &node.elements) {
                (Some(_), _) => node.get(&token),
                (_, Some(elements)) => token.parse::<usize>().ok().and_then(|i| elements.get(i)),
                _ => None,
            }
            .ok_or_else(not_found)?;
        }
    }
    let entry = rendered.trim().trim_end_matches(',').trim_end().to_owned();
    let inner = node.span.start + 1..node.span.end - 1;
    if let Some(members) = &node.members {
        let parsed: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&format!("{{{entry}}}")).map_err(|_| {
                fail(
                    format!("the entry `{entry}` is not one JSON member"),
                    "write `insert` as a key and a value, as in '\"{version}\": \"v{version}\"'",
                )
            })?;
        let Some(key) = parsed.keys().next().filter(|_| parsed.len() == 1) else {
            return Err(fail(
                format!("the entry `{entry}` is not one JSON member"),
                "write one key and its value",
            ));
        };
        let entries = members
            .iter()
            .map(|(name, value)| {
                (
                    value.key_start.unwrap_or(value.span.start)..value.span.end,
                    version_of(name),
                )
            })
            .collect();
        return Ok(Place {
            entries,
            inner,
            present: members.iter().any(|(name, _)| name == key),
            entry,
            commas: true,
            trailing_comma: false,
            bracketed: true,
        });
    }
    let Some(elements) = &node.elements else {
        return Err(fail(
            "not an object or array".to_owned(),
            "point at the object or array that holds the versions",
        ));
    };
    let value: serde_json::Value = serde_json::from_str(&entry).map_err(|_| {
        fail(
            format!("the entry `{entry}` is not one JSON value"),
            "write `insert` as an array element, as in '\"{version}\"'",
        )
    })?;
    let decoded =
        |node: &Node| serde_json::from_str::<serde_json::Value>(&text[node.span.clone()]).ok();
    let entries = elements
        .iter()
        .map(|e| {
            let version = decoded(e).and_then(|v| v.as_str().and_then(version_of));
            (e.span.clone(), version)
        })
        .collect();
    Ok(Place {
        entries,
        inner,
        present: elements.iter().any(|e| decoded(e).as_ref() == Some(&value)),
        entry,
        commas: true,
        trailing_comma: false,
        bracketed: true,
    })
}

fn toml_place(
    text: &str,
    dotted: &str,
    rendered: &str,
    fail: &dyn Fn(String, &str) -> InputError,
) -> Result<Place, InputError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let error = fail(
            format!("invalid TOML: {}", e.message().trim()),
            "fix the TOML syntax",
        );
        match e.span() {
            Some(span) => error.at_offset(text, span.start),
            None => error,
        }
    })?;
    let not_found = || {
        fail(
            "nothing there".to_owned(),
            "name a table or array with a dotted path, as in `tool.cdn.versions`",
        )
    };
    let mut item = doc.as_item();
    for key in dotted.split('.') {
        item = item.get(key).ok_or_else(not_found)?;
    }
    let entry = rendered.trim().trim_end_matches(',').trim_end().to_owned();
    let bad_entry =
        |what: &str, hint: &str| fail(format!("the entry `{entry}` is not {what}"), hint);
    if let Some(array) = item.as_array() {
        let value: toml_edit::Value = entry.parse().map_err(|_| {
            bad_entry(
                "one TOML value",
                "write an array element, as in '\"{version}\"'",
            )
        })?;
        let span = array.span().ok_or_else(not_found)?;
        let entries: Vec<(Range<usize>, Option<semver::Version>)> = array
            .iter()
            .map(|v| {
                (
                    v.span().unwrap_or_default(),
                    v.as_str().and_then(version_of),
                )
            })
            .collect();
        let trailing_comma = array.trailing_comma() && !entries.is_empty();
        return Ok(Place {
            present: array.iter().any(|v| same_toml(v, &value)),
            entries,
            inner: span.start + 1..span.end - 1,
            entry,
            commas: true,
            trailing_comma,
            bracketed: true,
        });
    }
    if !item.is_table_like() {
        return Err(fail(
            "not a table or array".to_owned(),
            "name the table or array that holds the versions",
        ));
    }
    let key = one_key(&entry).ok_or_else(|| {
        bad_entry(
            "one TOML key and value",
            "write `insert` as '\"{version}\" = \"v{version}\"'",
        )
    })?;
    let key_value_entries =
        |table: &dyn toml_edit::TableLike| -> Vec<(Range<usize>, Option<semver::Version>)> {
            table
                .iter()
                .filter_map(|(name, item)| {
                    let (k, _) = table.get_key_value(name)?;
                    let value = item.as_value()?;
                    let start = k.span()?.start;
                    Some((start..value.span()?.end, version_of(name)))
                })
                .collect()
        };
    if let Some(table) = item.as_inline_table() {
        let span = table.span().ok_or_else(not_found)?;
        return Ok(Place {
            entries: key_value_entries(table),
            present: table.contains_key(&key),
            inner: span.start + 1..span.end - 1,
            entry,
            commas: true,
            trailing_comma: false,
            bracketed: true,
        });
    }
    let Some(table) = item.as_table() else {
        return Err(fail(
            "a dotted-key table".to_owned(),
            "give the versions a `[table]` of their own, an inline table or an array",
        ));
    };
    let header = table.span().ok_or_else(|| {
        fail(
            "a table without a header of its own".to_owned(),
            "give the versions a `[table]` of their own, or an array",
        )
    })?;
    let after_header = text[header.end..]
        .find('\n')
        .map_or(text.len(), |i| header.end + i + 1);
    Ok(Place {
        entries: key_value_entries(table),
        present: table.contains_key(&key),
        inner: after_header..after_header,
        entry,
        commas: false,
        trailing_comma: false,
        bracketed: false,
    })
}

/// The key of `entry` when it is one TOML `key = value`.
fn one_key(entry: &str) -> Option<String> {
    let doc = toml_edit::Document::parse(entry).ok()?;
    let mut items = doc.as_table().iter();
    let (key, item) = items.next()?;
    (items.next().is_none() && item.is_value()).then(|| key.to_owned())
}

fn same_toml(a: &toml_edit::Value, b: &toml_edit::Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => a == b,
        _ => a.to_string().trim() == b.to_string().trim(),
    }
}

fn regex_place(
    text: &str,
    pattern: &str,
    template: &str,
    rendered: &str,
    fail: &dyn Fn(String, &str) -> InputError,
) -> Result<Place, InputError> {
    let regex = Regex::new(pattern).map_err(|e| {
        fail(
            format!("invalid regex: {}", e.to_string().replace('\n', " ")),
            "fix the regex (Rust `regex` crate syntax)",
        )
    })?;
    let found = regex.find(text).ok_or_else(|| {
        fail(
            "the regex matched nothing".to_owned(),
            "the regex's match is where the entries are, as in 'CDN_VERSION_MAP = \\{[^}]*'",
        )
    })?;
    let commas = template.trim_end().ends_with(',');
    let entry = rendered.trim().trim_end_matches(',').trim_end().to_owned();
    // The template's own text with any version: the entries already there.
    let bare = template.trim().trim_end_matches(',').trim_end();
    let mut entries_pattern = String::new();
    for (i, part) in bare.split(PLACEHOLDER).enumerate() {
        match i {
            0 => {}
            1 => entries_pattern.push_str(r"(?<v>[0-9A-Za-z.+-]+)"),
            _ => entries_pattern.push_str(r"[0-9A-Za-z.+-]+"),
        }
        entries_pattern.push_str(&regex::escape(part));
    }
    let entries_regex = Regex::new(&entries_pattern).map_err(|_| {
        fail(
            "the template cannot be matched".to_owned(),
            "write `insert` as plain text with `{version}`",
        )
    })?;
    let region = found.range();
    let entries: Vec<(Range<usize>, Option<semver::Version>)> = entries_regex
        .captures_iter(&text[region.clone()])
        .filter_map(|c| {
            let whole = c.get(0)?;
            let version = c.name("v").and_then(|v| version_of(v.as_str()));
            Some((
                region.start + whole.start()..region.start + whole.end(),
                version,
            ))
        })
        .collect();
    let present = entries_regex
        .captures_iter(&text[region.clone()])
        .any(|c| c.get(0).is_some_and(|m| m.as_str() == entry));
    Ok(Place {
        entries,
        inner: region.end..region.end,
        entry,
        present,
        commas,
        trailing_comma: commas,
        bracketed: false,
    })
}

/// A key or value read as a version (`1.2.0`, `v1.2.0`).
fn version_of(text: &str) -> Option<semver::Version> {
    semver::Version::parse(text.trim_start_matches('v')).ok()
}

fn line_start(text: &str, position: usize) -> usize {
    text[..position].rfind('\n').map_or(0, |i| i + 1)
}

/// Whether only spaces and tabs come before `position` on its line.
fn own_line(text: &str, position: usize) -> bool {
    text[line_start(text, position)..position]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
}

/// The spaces and tabs that start the line of `position`.
fn indentation(text: &str, position: usize) -> &str {
    let start = line_start(text, position);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "\"{version}\": \"v{version}\",";

    #[track_caller]
    fn insert(text: &str, anchor: Locator, template: &str, version: &str) -> String {
        let path = Utf8Path::new("map");
        let once = insert_entry(text, path, &anchor, template, version).unwrap();
        let twice = insert_entry(&once, path, &anchor, template, version).unwrap();
        assert_eq!(twice, once, "a second run adds nothing");
        once
    }

    fn json(pointer: &str) -> Locator {
        Locator::Json(pointer.to_owned())
    }

    fn toml(path: &str) -> Locator {
        Locator::Toml(path.to_owned())
    }

    #[test]
    fn typescript_cdn_map_by_regex() {
        let ts = "// versions\nexport const CDN_VERSION_MAP = {\n  \"1.1.0\": \"v1.1.0\",\n  \"1.2.0\": \"v1.2.0\",\n};\nexport const OTHER = { a: 1 };\n";
        let anchor = Locator::Regex(r"CDN_VERSION_MAP = \{[^}]*".to_owned());
        assert_eq!(
            insert(ts, anchor.clone(), ENTRY, "1.3.0"),
            ts.replace("\"v1.2.0\",\n", "\"v1.2.0\",\n  \"1.3.0\": \"v1.3.0\",\n")
        );
        // In version order: a patch of an older line goes between.
        assert_eq!(
            insert(ts, anchor.clone(), ENTRY, "1.1.1"),
            ts.replace("\"v1.1.0\",\n", "\"v1.1.0\",\n  \"1.1.1\": \"v1.1.1\",\n")
        );
        // The last entry without a comma gets one.
        let bare = "const M = {\n  \"1.1.0\": \"v1.1.0\"\n};\n";
        assert_eq!(
            insert(
                bare,
                Locator::Regex(r"const M = \{[^}]*".to_owned()),
                ENTRY,
                "1.2.0"
            ),
            "const M = {\n  \"1.1.0\": \"v1.1.0\",\n  \"1.2.0\": \"v1.2.0\",\n};\n"
        );
        // Newest first stays newest first.
        let desc = "const M = {\n  \"2.0.0\": \"v2.0.0\",\n  \"1.0.0\": \"v1.0.0\",\n};\n";
        assert_eq!(
            insert(desc, Locator::Regex(r"const M = \{[^}]*".to_owned()), ENTRY, "2.1.0"),
            "const M = {\n  \"2.1.0\": \"v2.1.0\",\n  \"2.0.0\": \"v2.0.0\",\n  \"1.0.0\": \"v1.0.0\",\n};\n"
        );
        // An empty map.
        let empty = "const M = {\n};\n";
        assert_eq!(
            insert(
                empty,
                Locator::Regex(r"const M = \{[^}]*".to_owned()),
                ENTRY,
                "0.1.0"
            ),
            "const M = {\n  \"0.1.0\": \"v0.1.0\",\n};\n"
        );
    }

    #[test]
    fn json_objects_and_arrays() {
        let text = "{\n  \"name\": \"cdn\",\n  \"versions\": {\n    \"1.1.0\": \"v1.1.0\",\n    \"1.2.0\": \"v1.2.0\"\n  },\n  \"list\": [\"1.1.0\", \"1.2.0\"],\n  \"none\": {}\n}\n";
        let written = insert(text, json("/versions"), ENTRY, "1.3.0");
        assert_eq!(
            written,
            text.replace("\"v1.2.0\"\n", "\"v1.2.0\",\n    \"1.3.0\": \"v1.3.0\"\n")
        );
        serde_json::from_str::<serde_json::Value>(&written).unwrap();
        let written = insert(text, json("/versions"), ENTRY, "1.0.0");
        assert_eq!(
            written,
            text.replace(
                "{\n    \"1.1.0\"",
                "{\n    \"1.0.0\": \"v1.0.0\",\n    \"1.1.0\""
            )
        );
        let written = insert(text, json("/list"), "\"{version}\"", "1.3.0");
        assert_eq!(written, text.replace("\"1.2.0\"]", "\"1.2.0\", \"1.3.0\"]"));
        let written = insert(text, json("/none"), ENTRY, "1.0.0");
        assert_eq!(
            written,
            text.replace(
                "\"none\": {}",
                "\"none\": {\n    \"1.0.0\": \"v1.0.0\"\n  }"
            )
        );
        serde_json::from_str::<serde_json::Value>(&written).unwrap();
    }

    #[test]
    fn toml_tables_and_arrays() {
        let text = "[package]\nname = \"cdn\"\n\n[versions]\n\"1.1.0\" = \"v1.1.0\" # first\n\"1.2.0\" = \"v1.2.0\"\n\n[other]\nlist = [\n  \"1.1.0\",\n]\ninline = { \"1.1.0\" = \"v1.1.0\" }\n";
        let entry = "\"{version}\" = \"v{version}\"";
        let written = insert(text, toml("versions"), entry, "1.3.0");
        assert_eq!(
            written,
            text.replace("\"v1.2.0\"\n", "\"v1.2.0\"\n\"1.3.0\" = \"v1.3.0\"\n")
        );
        written.parse::<toml_edit::DocumentMut>().unwrap();
        let written = insert(text, toml("versions"), entry, "1.1.5");
        assert_eq!(
            written,
            text.replace("# first\n", "# first\n\"1.1.5\" = \"v1.1.5\"\n")
        );
        let written = insert(text, toml("other.list"), "\"{version}\",", "1.2.0");
        assert_eq!(
            written,
            text.replace("  \"1.1.0\",\n]", "  \"1.1.0\",\n  \"1.2.0\",\n]")
        );
        written.parse::<toml_edit::DocumentMut>().unwrap();
        let written = insert(text, toml("other.inline"), entry, "1.2.0");
        assert_eq!(
            written,
            text.replace("\"v1.1.0\" }", "\"v1.1.0\", \"1.2.0\" = \"v1.2.0\" }")
        );
        written.parse::<toml_edit::DocumentMut>().unwrap();
    }

    #[test]
    fn bad_anchors_and_entries_are_input_errors() {
        let path = Utf8Path::new("map.json");
        let text = "{ \"versions\": {}, \"name\": \"x\" }";
        let cases = [
            (json("/missing"), ENTRY, "nothing there"),
            (json("/name"), ENTRY, "not an object or array"),
            (json("/versions"), "{version} = x", "is not one JSON member"),
        ];
        for (anchor, template, message) in cases {
            let error = insert_entry(text, path, &anchor, template, "1.0.0").unwrap_err();
            assert!(error.message.contains(message), "{error}");
            assert_eq!(error.path.as_deref(), Some(path));
        }
        let error = insert_entry(
            "x",
            path,
            &Locator::Regex("MAP = \\{".into()),
            ENTRY,
            "1.0.0",
        )
        .unwrap_err();
        assert!(
            error.message.contains("the regex matched nothing"),
            "{error}"
        );
        let error = insert_entry("a = 1\n", path, &toml("a"), ENTRY, "1.0.0").unwrap_err();
        assert!(
            error.message.contains("not one TOML key and value")
                || error.message.contains("not a table"),
            "{error}"
        );
    }
}
