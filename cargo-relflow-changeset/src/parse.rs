//! Reading `.changeset/*.md` files exactly as Changesets v3 (`@changesets/parse`) does.
//!
//! The front matter is found with the semantics of Changesets' regex
//! `/\s*---([^]*?)\r?\n\s*---(\s*(?:\n|$)[^]*)/` (unanchored, lazy: the first line-leading `---`
//! closes it), parsed as YAML, and validated; error texts are Changesets' own.

use std::fmt;

use camino::Utf8Path;
use cargo_relflow_sync::diag::{line_of_offset, InputError};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;
use yaml_rust2::{Yaml, YamlLoader};

use crate::{Bump, Changeset, ChangesetRelease};

/// The example Changesets prints with its errors.
const EXAMPLE_FORMAT: &str = "---\n\"package-name\": patch\n---";

/// The valid bump words, in Changesets' order.
const VALID_VERSION_TYPES: &str = "major, minor, patch, none";

/// What is wrong with a changeset file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The file is empty or holds only whitespace.
    Empty,
    /// No `---` front matter, or the closing `---` is followed by other text on its line.
    MissingFrontmatter,
    /// The front matter is not valid YAML (including duplicate keys).
    InvalidYaml {
        /// The YAML parser's message.
        error: String,
    },
    /// The front matter is YAML but not a mapping.
    NotAMapping,
    /// A package name is empty or blank.
    InvalidPackageName {
        /// The name as found.
        name: String,
    },
    /// A release's value is not a string.
    InvalidReleaseType {
        /// The package.
        name: String,
        /// The JavaScript `typeof` of the value (`number`, `boolean`, `object`).
        found: &'static str,
    },
    /// A release's value is a string other than `major`, `minor`, `patch` or `none`.
    InvalidVersionType {
        /// The package.
        name: String,
        /// The value as written.
        value: String,
    },
}

/// A changeset file that Changesets would reject. `Display` gives Changesets v3's exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// The 1-based line of the file where the problem is.
    pub line: usize,
    /// The text Changesets echoes after its message (contents, trimmed contents or front matter).
    echo: String,
}

impl ParseError {
    fn new(kind: ParseErrorKind, line: usize, echo: String) -> Self {
        ParseError { kind, line, echo }
    }

    /// The first line of the message, such as
    /// `could not parse changeset - missing or invalid frontmatter.`
    pub fn headline(&self) -> String {
        let rest = match &self.kind {
            ParseErrorKind::Empty => "file is empty.".to_owned(),
            ParseErrorKind::MissingFrontmatter => "missing or invalid frontmatter.".to_owned(),
            ParseErrorKind::InvalidYaml { .. } => "invalid YAML in frontmatter.".to_owned(),
            ParseErrorKind::NotAMapping => {
                "frontmatter must be an object mapping package names to version types.".to_owned()
            }
            ParseErrorKind::InvalidPackageName { .. } => {
                "invalid package name in frontmatter.".to_owned()
            }
            ParseErrorKind::InvalidReleaseType { name, .. } => {
                format!("invalid release type for package \"{name}\".")
            }
            ParseErrorKind::InvalidVersionType { name, value } => {
                format!(
                    "invalid version type {} for package \"{name}\".",
                    json_string(value)
                )
            }
        };
        format!("could not parse changeset - {rest}")
    }

    /// An [`InputError`] naming `path` and the line, with a hint on how to fix it.
    pub fn into_input_error(self, path: &Utf8Path) -> InputError {
        let headline = self.headline();
        let message = headline.strip_suffix('.').unwrap_or(&headline).to_owned();
        let hint = match &self.kind {
            ParseErrorKind::Empty | ParseErrorKind::MissingFrontmatter => {
                "a changeset starts with front matter between two lines holding only `---`, e.g. \
                 `---\\n\"package-name\": patch\\n---\\n\\nSummary`; an empty changeset is \
                 `---\\n---`"
                    .to_owned()
            }
            ParseErrorKind::InvalidYaml { error } => format!(
                "{error}; quote package names (scoped names such as `@scope/x` must be quoted) \
                 and list each package once"
            ),
            ParseErrorKind::NotAMapping => {
                "write one `\"package-name\": bump` line per package".to_owned()
            }
            ParseErrorKind::InvalidPackageName { .. } => {
                "write a non-empty, quoted package name, e.g. `\"package-name\": patch`".to_owned()
            }
            ParseErrorKind::InvalidReleaseType { found, .. } => {
                format!("the bump must be one of {VALID_VERSION_TYPES}, not a {found}")
            }
            ParseErrorKind::InvalidVersionType { .. } => {
                format!("valid bumps are {VALID_VERSION_TYPES} (lowercase)")
            }
        };
        InputError::in_file(path, message)
            .with_line(self.line)
            .with_hint(hint)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        let echo = &self.echo;
        match &self.kind {
            ParseErrorKind::Empty => write!(
                f,
                "\nChangesets must have frontmatter with package names and version types.\n\
                 Example:\n{EXAMPLE_FORMAT}\n\nYour changeset summary here."
            ),
            ParseErrorKind::MissingFrontmatter => write!(
                f,
                "\nChangesets must start with frontmatter delimited by \"---\".\n\
                 Example:\n{EXAMPLE_FORMAT}\n\nYour changeset summary here.\n\
                 Received content:\n{echo}"
            ),
            ParseErrorKind::InvalidYaml { error } => write!(
                f,
                "\nThe frontmatter between the \"---\" delimiters must be valid YAML.\n\
                 YAML error: {error}\nFrontmatter content:\n{echo}"
            ),
            ParseErrorKind::NotAMapping => {
                write!(f, "\nExpected format:\n{EXAMPLE_FORMAT}\nReceived:\n{echo}")
            }
            ParseErrorKind::InvalidPackageName { name } => write!(
                f,
                "\nExpected a non-empty string for package name, but got: {}\n\
                 Changeset contents:\n{echo}",
                json_string(name)
            ),
            ParseErrorKind::InvalidReleaseType { found, .. } => write!(
                f,
                "\nExpected a string for release type, but got: {found}\n\
                 Changeset contents:\n{echo}"
            ),
            ParseErrorKind::InvalidVersionType { .. } => write!(
                f,
                "\nValid version types are: {VALID_VERSION_TYPES}\nChangeset contents:\n{echo}"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Whether a file directly in `.changeset/` (or `.changeset/pre/`) is a changeset: it ends in
/// `.md` and is not a dotfile, `README.md` (any case), `AGENTS.md`, `CLAUDE.md` or `GEMINI.md`.
pub fn is_changeset_file_name(name: &str) -> bool {
    !name.starts_with('.')
        && name.ends_with(".md")
        && !name.eq_ignore_ascii_case("README.md")
        && !matches!(name, "AGENTS.md" | "CLAUDE.md" | "GEMINI.md")
}

/// Parses one changeset file as Changesets v3 does. `id` is the file name without `.md`.
pub fn parse_changeset(id: &str, text: &str) -> Result<Changeset, ParseError> {
    let trimmed = js_trim(text);
    if trimmed.is_empty() {
        return Err(ParseError::new(ParseErrorKind::Empty, 1, String::new()));
    }
    let Some(found) = find_frontmatter(text) else {
        let line = missing_frontmatter_line(text);
        return Err(ParseError::new(
            ParseErrorKind::MissingFrontmatter,
            line,
            truncate(trimmed),
        ));
    };
    let summary = js_trim(&text[found.rest_start..]).to_owned();
    let yaml_text = &text[found.yaml_start..found.yaml_end];
    // File line of the front matter's first line, minus one: YAML lines count from 1.
    let base = line_of_offset(text, found.yaml_start) - 1;
    let yaml_error = |error: String, line: usize| {
        ParseError::new(
            ParseErrorKind::InvalidYaml { error },
            base + line.max(1),
            yaml_text.to_owned(),
        )
    };

    let mut docs = YamlLoader::load_from_str(yaml_text)
        .map_err(|e| yaml_error(e.info().to_owned(), e.marker().line()))?;
    if docs.len() > 1 {
        return Err(yaml_error(
            "expected a single document in the stream, but found more".to_owned(),
            1,
        ));
    }
    let doc = docs.pop().unwrap_or(Yaml::Null);
    if is_falsy(&doc) {
        return Ok(Changeset {
            id: id.to_owned(),
            releases: Vec::new(),
            summary,
        });
    }
    let Yaml::Hash(map) = doc else {
        let line = base + first_content_line(yaml_text);
        return Err(ParseError::new(
            ParseErrorKind::NotAMapping,
            line,
            yaml_text.to_owned(),
        ));
    };

    let key_lines = top_level_key_lines(yaml_text);
    // Object.entries order: integer-like keys ascending, then the rest in insertion order.
    // A later duplicate (after stringifying keys) replaces the value and keeps the position.
    let mut entries: Vec<(Option<String>, Yaml, usize)> = Vec::new();
    for (index, (key, value)) in map.into_iter().enumerate() {
        let line = base + key_lines.get(index).copied().unwrap_or(1);
        let name = key_to_js_string(&key);
        if let Some(existing) = entries
            .iter_mut()
            .find(|(n, _, _)| n.is_some() && *n == name)
        {
            existing.1 = value;
            existing.2 = line;
        } else {
            entries.push((name, value, line));
        }
    }
    let (mut indexed, named): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|(name, _, _)| name.as_deref().and_then(array_index).is_some());
    indexed.sort_by_key(|(name, _, _)| name.as_deref().and_then(array_index));
    indexed.extend(named);

    let echo = || truncate(text);
    let mut releases = Vec::with_capacity(indexed.len());
    for (name, value, line) in indexed {
        let name = match name {
            Some(name) if !js_trim(&name).is_empty() => name,
            other => {
                let kind = ParseErrorKind::InvalidPackageName {
                    name: other.unwrap_or_default(),
                };
                return Err(ParseError::new(kind, line, echo()));
            }
        };
        let value = match value {
            Yaml::String(value) => value,
            other => {
                let kind = ParseErrorKind::InvalidReleaseType {
                    name,
                    found: js_typeof(&other),
                };
                return Err(ParseError::new(kind, line, echo()));
            }
        };
        let Ok(bump) = value.parse::<Bump>() else {
            let kind = ParseErrorKind::InvalidVersionType { name, value };
            return Err(ParseError::new(kind, line, echo()));
        };
        releases.push(ChangesetRelease { name, bump, line });
    }
    Ok(Changeset {
        id: id.to_owned(),
        releases,
        summary,
    })
}

/// Where the regex's groups lie in the text.
struct Frontmatter {
    /// Start of group 1 (just after the opening `---`).
    yaml_start: usize,
    /// End of group 1 (before the `\r?\n` that precedes the closing line).
    yaml_end: usize,
    /// Start of group 2 (just after the closing `---`).
    rest_start: usize,
}

/// JavaScript's `\s`.
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JavaScript's `String.prototype.trim`.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// The end of the run of JavaScript whitespace starting at byte `from`.
fn skip_space(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| !is_js_space(c))
        .map_or(text.len(), |n| from + n)
}

/// Runs Changesets' front-matter regex: the leftmost opening `---`, then the first position
/// where `\r?\n\s*---` followed by `\s*(?:\n|$)` matches. Only the first `---` can open: a
/// later one could only close at positions the first one already tried.
fn find_frontmatter(text: &str) -> Option<Frontmatter> {
    if let Some(open) = text.find("---") {
        let yaml_start = open + 3;
        for (j, c) in text[yaml_start..].char_indices() {
            let j = yaml_start + j;
            let after_newline = if c == '\r' && text[j + 1..].starts_with('\n') {
                j + 2
            } else if c == '\n' {
                j + 1
            } else {
                continue;
            };
            let close = skip_space(text, after_newline);
            if !text[close..].starts_with("---") {
                continue;
            }
            let rest_start = close + 3;
            let run_end = skip_space(text, rest_start);
            if run_end == text.len() || text[rest_start..run_end].contains('\n') {
                return Some(Frontmatter {
                    yaml_start,
                    yaml_end: j,
                    rest_start,
                });
            }
        }
    }
    None
}

/// The line to blame when there is no valid front matter: a closing `---` line with other text
/// on it if there is one, else the first line with text.
fn missing_frontmatter_line(text: &str) -> usize {
    let start = skip_space(text, 0);
    if text[start..].starts_with("---") {
        let mut offset = 0;
        for (index, line) in text.split('\n').enumerate() {
            let trimmed = line.trim_start_matches(is_js_space);
            if offset > start && trimmed.starts_with("---") && !js_trim(&trimmed[3..]).is_empty() {
                return index + 1;
            }
            offset += line.len() + 1;
        }
    }
    line_of_offset(text, start)
}

/// The 1-based line of the first non-blank line of `yaml`.
fn first_content_line(yaml: &str) -> usize {
    line_of_offset(yaml, skip_space(yaml, 0))
}

/// JavaScript truthiness of a parsed YAML document: `null`, `false`, `0`, `NaN` and `""` are
/// falsy and give an empty changeset.
fn is_falsy(doc: &Yaml) -> bool {
    match doc {
        Yaml::Null | Yaml::BadValue | Yaml::Boolean(false) | Yaml::Integer(0) => true,
        Yaml::String(s) => s.is_empty(),
        Yaml::Real(r) => r.parse::<f64>().map_or_else(
            |_| r.to_ascii_lowercase().ends_with("nan"),
            |f| f == 0.0 || f.is_nan(),
        ),
        _ => false,
    }
}

/// The key as JavaScript's `yaml` turns it into an object key; `None` for collections.
fn key_to_js_string(key: &Yaml) -> Option<String> {
    match key {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// `Some(n)` if `key` is a canonical array index, which JavaScript objects order first.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n.to_string() == key && n != u32::MAX).then_some(n)
}

/// JavaScript's `typeof` of a YAML value.
fn js_typeof(value: &Yaml) -> &'static str {
    match value {
        Yaml::Integer(_) | Yaml::Real(_) => "number",
        Yaml::Boolean(_) => "boolean",
        Yaml::String(_) => "string",
        _ => "object",
    }
}

/// `JSON.stringify` of a string.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Changesets' `truncate`: the first 200 UTF-16 units, plus `...` if there were more.
fn truncate(s: &str) -> String {
    let mut units = 0;
    for (offset, c) in s.char_indices() {
        units += c.len_utf16();
        if units > 200 {
            return format!("{}...", &s[..offset]);
        }
    }
    s.to_owned()
}

/// The 1-based lines (within `yaml`) of the keys of the top-level mapping, in order.
fn top_level_key_lines(yaml: &str) -> Vec<usize> {
    let mut collector = KeyLines::default();
    let mut parser = Parser::new_from_str(yaml);
    // The text already loaded once, so this cannot fail; if it did, lines default to the start.
    let _ = parser.load(&mut collector, false);
    collector.lines
}

/// Collects the lines of the top-level mapping's keys.
#[derive(Default)]
struct KeyLines {
    /// Nesting of collections.
    depth: usize,
    /// Whether the next node directly in the top-level mapping is a key.
    expect_key: bool,
    /// Whether the document's root is a mapping.
    root_is_mapping: bool,
    lines: Vec<usize>,
}

impl KeyLines {
    /// A node starts directly inside the root mapping.
    fn top_level_node(&mut self, mark: Marker) {
        if self.root_is_mapping && self.depth == 1 && self.expect_key {
            self.lines.push(mark.line());
        }
    }

    /// A node directly inside the root mapping ends.
    fn top_level_node_done(&mut self) {
        if self.root_is_mapping && self.depth == 1 {
            self.expect_key = !self.expect_key;
        }
    }
}

impl MarkedEventReceiver for KeyLines {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.depth == 0 {
                    self.root_is_mapping = matches!(event, Event::MappingStart(..));
                    self.expect_key = true;
                } else {
                    self.top_level_node(mark);
                }
                self.depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.depth = self.depth.saturating_sub(1);
                self.top_level_node_done();
            }
            Event::Scalar(..) | Event::Alias(..) => {
                self.top_level_node(mark);
                self.top_level_node_done();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Changeset, ParseError> {
        parse_changeset("id", text)
    }

    fn releases(text: &str) -> Vec<(String, Bump, usize)> {
        match parse(text) {
            Ok(changeset) => changeset
                .releases
                .into_iter()
                .map(|r| (r.name, r.bump, r.line))
                .collect(),
            Err(e) => panic!("{e}"),
        }
    }

    fn error(text: &str) -> ParseError {
        match parse(text) {
            Ok(changeset) => panic!("parsed: {changeset:?}"),
            Err(e) => e,
        }
    }

    fn rel(name: &str, bump: Bump, line: usize) -> (String, Bump, usize) {
        (name.to_owned(), bump, line)
    }

    #[test]
    fn p1_major_minor_patch() {
        let text = "---\n\"cool-package\": minor\n\"cool-package2\": major\n\"cool-package3\": patch\n---\n\nNice simple summary\n";
        let changeset = parse(text).unwrap();
        assert_eq!(changeset.id, "id");
        assert_eq!(changeset.summary, "Nice simple summary");
        assert_eq!(
            releases(text),
            [
                rel("cool-package", Bump::Minor, 2),
                rel("cool-package2", Bump::Major, 3),
                rel("cool-package3", Bump::Patch, 4),
            ]
        );
    }

    #[test]
    fn p2_unquoted_name_quoted_version_indented() {
        let text = "  ---\n  pkg: \"minor\"\n  ---\n\n  something\n";
        let changeset = parse(text).unwrap();
        assert_eq!(changeset.summary, "something");
        assert_eq!(releases(text), [rel("pkg", Bump::Minor, 2)]);
    }

    #[test]
    fn p3_summary_may_contain_dashes() {
        let text =
            "---\n\"cool-package\": minor\n---\n\n---\nNice simple summary---that has this\n";
        let changeset = parse(text).unwrap();
        assert_eq!(
            changeset.summary,
            "---\nNice simple summary---that has this"
        );
        assert_eq!(changeset.releases.len(), 1);
    }

    #[test]
    fn p4_empty_changeset_without_trailing_whitespace() {
        let changeset = parse("---\n---").unwrap();
        assert!(changeset.releases.is_empty());
        assert_eq!(changeset.summary, "");
        // What `add --empty` writes.
        let changeset = parse("---\n\n---\n\n\n").unwrap();
        assert!(changeset.releases.is_empty());
        assert_eq!(changeset.summary, "");
    }

    #[test]
    fn p5_name_may_contain_dashes() {
        let text = "---\n\"cool---package\": minor\n---\n\nNice simple summary\n";
        assert_eq!(releases(text), [rel("cool---package", Bump::Minor, 2)]);
    }

    #[test]
    fn p6_crlf_same_as_lf() {
        let lf = "---\n\"cool-package\": minor\n\"cool-package2\": major\n---\n\nNice simple summary\nsecond line\n";
        let crlf = lf.replace('\n', "\r\n");
        let a = parse(lf).unwrap();
        let b = parse(&crlf).unwrap();
        assert_eq!(a.releases, b.releases);
        assert_eq!(b.summary, "Nice simple summary\r\nsecond line");
        assert_eq!(releases(&crlf)[1], rel("cool-package2", Bump::Major, 3));
        let e = error(&"---\n\"a\": nope\n---\n".replace('\n', "\r\n"));
        assert_eq!(e.line, 2);
    }

    #[test]
    fn p7_text_after_closing_dashes() {
        let e = error("---\n\"cool-package\": minor\n---  fail\n\nNice simple summary\n");
        assert_eq!(e.kind, ParseErrorKind::MissingFrontmatter);
        assert!(e
            .to_string()
            .starts_with("could not parse changeset - missing or invalid frontmatter.\n"));
        assert_eq!(e.line, 3);
    }

    #[test]
    fn p8_invalid_version_type() {
        let text = "---\n\"cool-package\": invalid-type\n---\n\nNice simple summary";
        let e = error(text);
        assert_eq!(
            e.to_string(),
            "could not parse changeset - invalid version type \"invalid-type\" for package \"cool-package\".\nValid version types are: major, minor, patch, none\nChangeset contents:\n---\n\"cool-package\": invalid-type\n---\n\nNice simple summary"
        );
        assert_eq!(e.line, 2);
        // Case-sensitive.
        assert!(matches!(
            error("---\na: Minor\n---\n").kind,
            ParseErrorKind::InvalidVersionType { .. }
        ));
    }

    #[test]
    fn p9_empty_package_name() {
        for text in [
            "---\n\"\": minor\n---\n\nNice simple summary",
            "---\n: minor\n---\n\nx",
        ] {
            let e = error(text);
            assert_eq!(
                e.kind,
                ParseErrorKind::InvalidPackageName {
                    name: String::new()
                }
            );
            assert_eq!(e.line, 2);
            let message = e.to_string();
            assert!(message.starts_with(
                "could not parse changeset - invalid package name in frontmatter.\nExpected a non-empty string for package name, but got: \"\"\n"
            ));
        }
        assert!(matches!(
            error("---\n\"  \": minor\n---\n").kind,
            ParseErrorKind::InvalidPackageName { .. }
        ));
    }

    #[test]
    fn r2_broken_closing() {
        let e = error("---\n\"cool-package\": minor\n--\n\nSummary\n");
        assert_eq!(e.kind, ParseErrorKind::MissingFrontmatter);
        assert_eq!(e.line, 1);
        assert_eq!(
            error("Just some content").kind,
            ParseErrorKind::MissingFrontmatter
        );
    }

    #[test]
    fn empty_files() {
        for text in ["", "   ", "\n\n"] {
            let e = error(text);
            assert_eq!(e.kind, ParseErrorKind::Empty);
            assert!(e
                .to_string()
                .starts_with("could not parse changeset - file is empty.\n"));
        }
    }

    #[test]
    fn invalid_yaml_and_duplicates() {
        let e = error("---\n\"a\": minor\n\"b\": [patch\n---\n");
        assert!(
            matches!(e.kind, ParseErrorKind::InvalidYaml { .. }),
            "{e:?}"
        );
        assert!(e
            .to_string()
            .starts_with("could not parse changeset - invalid YAML in frontmatter.\n"));
        let e = error("---\n\"a\": minor\n\"b\": patch\n\"a\": major\n---\n");
        assert!(
            matches!(e.kind, ParseErrorKind::InvalidYaml { .. }),
            "{e:?}"
        );
        assert_eq!(e.line, 4);
        // Scoped names must be quoted.
        assert!(matches!(
            error("---\n@scope/x: minor\n---\n").kind,
            ParseErrorKind::InvalidYaml { .. }
        ));
        assert_eq!(
            releases("---\n\"@scope/x\": minor\n---\n"),
            [rel("@scope/x", Bump::Minor, 2)]
        );
    }

    #[test]
    fn non_mapping_front_matter() {
        for text in [
            "---\n- a\n- b\n---\n",
            "---\n\nhello\n---\n",
            "---\n1\n---\n",
        ] {
            let e = error(text);
            assert_eq!(e.kind, ParseErrorKind::NotAMapping, "{text}");
            assert!(e.to_string().starts_with(
                "could not parse changeset - frontmatter must be an object mapping package names to version types.\n"
            ));
        }
        assert_eq!(error("---\n\nhello\n---\n").line, 3);
        // Falsy documents are empty changesets, as in JavaScript.
        for text in [
            "---\nnull\n---\n",
            "---\nfalse\n---\n",
            "---\n0\n---\n",
            "---\n''\n---\n",
            "---\n# c\n---\n",
        ] {
            assert!(parse(text).unwrap().releases.is_empty(), "{text}");
        }
    }

    #[test]
    fn invalid_release_types() {
        for (text, found) in [
            ("---\na: 1\n---\n", "number"),
            ("---\na: true\n---\n", "boolean"),
            ("---\na:\n---\n", "object"),
            ("---\na: [minor]\n---\n", "object"),
        ] {
            let e = error(text);
            assert_eq!(
                e.kind,
                ParseErrorKind::InvalidReleaseType {
                    name: "a".into(),
                    found
                },
                "{text}"
            );
            assert!(e.to_string().starts_with(&format!(
                "could not parse changeset - invalid release type for package \"a\".\nExpected a string for release type, but got: {found}\n"
            )));
        }
    }

    #[test]
    fn line_numbers_and_order() {
        let text = "\n\n---\n# comment\n\"b\": patch\n\n'a': none\nc: major # trailing\n\"x\":\n  minor\n---\nSummary";
        assert_eq!(
            releases(text),
            [
                rel("b", Bump::Patch, 5),
                rel("a", Bump::None, 7),
                rel("c", Bump::Major, 8),
                rel("x", Bump::Minor, 9),
            ]
        );
        // Integer-like keys come first, as in JavaScript's Object.entries.
        let names: Vec<_> = releases("---\nb: patch\n2: minor\n1: major\n---\n")
            .into_iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(names, ["1", "2", "b"]);
        // Flow mappings work too.
        assert_eq!(
            releases("---\n{\"a\": minor, b: patch}\n---\n"),
            [rel("a", Bump::Minor, 2), rel("b", Bump::Patch, 2)]
        );
    }

    #[test]
    fn regex_is_unanchored_and_lazy() {
        // Text before the opening `---` is skipped, as the regex is not anchored.
        let changeset = parse("junk\n---\na: minor\n---\nbody").unwrap();
        assert_eq!(changeset.releases[0].line, 3);
        assert_eq!(changeset.summary, "body");
        // The first line-leading `---` closes; an indented one does too.
        let changeset = parse("---\na: minor\n   ---   \n---\nb: major\n---").unwrap();
        assert_eq!(changeset.releases.len(), 1);
        assert_eq!(changeset.summary, "---\nb: major\n---");
        // A `---` inside a line does not close.
        let changeset = parse("---\n\"a---b\": patch\n---\n").unwrap();
        assert_eq!(changeset.releases[0].name, "a---b");
    }

    #[test]
    fn contents_are_truncated() {
        let text = format!("---\na: wrong\n---\n\n{}", "x".repeat(300));
        let message = error(&text).to_string();
        assert!(message.ends_with(&format!("{}...", "x".repeat(200 - 18))));
    }

    #[test]
    fn input_error_names_file_line_and_hint() {
        let e = error("---\n\"a\": minor\n\"cool-package\": invalid-type\n---\n")
            .into_input_error(Utf8Path::new(".changeset/x.md"));
        assert_eq!(
            e.message,
            "could not parse changeset - invalid version type \"invalid-type\" for package \"cool-package\""
        );
        assert_eq!(e.location().as_deref(), Some(".changeset/x.md:3"));
        assert!(e
            .hint
            .unwrap_or_default()
            .contains("major, minor, patch, none"));
    }

    #[test]
    fn changeset_file_names() {
        assert!(is_changeset_file_name("quick-lions-devour.md"));
        assert!(is_changeset_file_name("a.b.md"));
        for name in [
            ".ignored-temporarily.md",
            "config.json",
            "README.md",
            "readme.md",
            "ReadMe.MD",
            "AGENTS.md",
            "CLAUDE.md",
            "GEMINI.md",
            "notes.txt",
            "x.MD",
            "pre.json",
        ] {
            assert!(!is_changeset_file_name(name), "{name}");
        }
    }
}
