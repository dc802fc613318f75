//! Versions inside arbitrary files: by JSON pointer, dotted TOML path, or regex.
//!
//! Used for generic packages' version files and `[[sync]]` targets. Each locator finds the
//! byte range of the version text, so a writer ([`crate::edit::linked`]) can replace exactly
//! those bytes and keep the rest of the file (quotes, indentation, line endings) as it is:
//!
//! - JSON pointer (`/version`, `/package/version`, `/items/0/version`): the string value at
//!   that pointer, found by following the pointer through the text itself (so a `"version"`
//!   key elsewhere in the file is never mistaken for it).
//! - TOML path (`package.metadata.version`): the string value at that dotted path.
//! - Regex with a named group `version` (`FFI_VERSION: "(?<version>[^"]+)"`): the text of that
//!   group in *every* match. Reading takes the first match; writing rewrites them all, so a
//!   file that names the version several times (a CI matrix, a Dockerfile and its label) stays
//!   consistent.

use std::ops::Range;

use camino::Utf8Path;

use crate::config::Locator;
use crate::diag::{line_of_offset, InputError};

/// Finds the version text in `text`, returning it with its byte range (the first match of a
/// regex).
pub fn find_version(text: &str, locator: &Locator) -> Result<(String, Range<usize>), String> {
    let mut found = find_versions(text, locator).map_err(|e| e.message)?;
    Ok(found.swap_remove(0))
}

/// Finds every place the locator names: one for a JSON pointer or TOML path, each match for a
/// regex. Never empty.
pub fn find_versions(
    text: &str,
    locator: &Locator,
) -> Result<Vec<(String, Range<usize>)>, LocateError> {
    match locator {
        Locator::Json(pointer) => find_json(text, pointer).map(|found| vec![found]),
        Locator::Toml(path) => find_toml(text, path).map(|found| vec![found]),
        Locator::Regex(pattern) => find_regex(text, pattern),
    }
}

/// Why a locator found no version in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocateError {
    /// What is wrong, one line.
    pub message: String,
    /// The 1-based line of the problem, where known (invalid JSON or TOML).
    pub line: Option<usize>,
    /// What to do about it.
    pub hint: String,
}

impl LocateError {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> LocateError {
        LocateError {
            message: message.into(),
            line: None,
            hint: hint.into(),
        }
    }

    /// The error as input error about the file at `path`, naming the locator.
    pub fn into_input_error(self, path: &Utf8Path, locator: &Locator) -> InputError {
        let error = InputError::in_file(
            path,
            format!(
                "cannot find the version with `{}`: {}",
                describe(locator),
                self.message
            ),
        )
        .with_hint(self.hint);
        match self.line {
            Some(line) => error.with_line(line),
            None => error,
        }
    }
}

/// The locator as it is written in relflow.toml: `json = "/version"`.
pub fn describe(locator: &Locator) -> String {
    match locator {
        Locator::Json(pointer) => format!("json = {pointer:?}"),
        Locator::Toml(path) => format!("toml = {path:?}"),
        Locator::Regex(pattern) => format!("regex = '{pattern}'"),
    }
}

fn find_json(text: &str, pointer: &str) -> Result<(String, Range<usize>), LocateError> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(LocateError {
            line: Some(e.line()),
            ..LocateError::new(format!("invalid JSON: {e}"), "fix the JSON syntax")
        });
    }
    let not_found = || {
        LocateError::new(
            format!("nothing at JSON pointer `{pointer}`"),
            "point at the version string: keys are separated by `/`, as in `/package/version`",
        )
    };
    let tokens: Vec<String> = match pointer.strip_prefix('/') {
        Some(rest) => rest
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
        None if pointer.is_empty() => Vec::new(),
        None => return Err(not_found()),
    };
    let mut scanner = JsonScanner { text, pos: 0 };
    let range = scanner.find(&tokens).ok_or_else(not_found)?;
    let Some(range) = range else {
        return Err(LocateError::new(
            format!("the value at `{pointer}` is not a string"),
            "point at a string value such as \"1.2.3\"",
        ));
    };
    let quoted = &text[range.start - 1..range.end + 1];
    let version = serde_json::from_str::<String>(quoted).map_err(|_| not_found())?;
    Ok((version, range))
}

/// Follows a JSON pointer through JSON text already known to be valid.
struct JsonScanner<'a> {
    text: &'a str,
    pos: usize,
}

impl JsonScanner<'_> {
    /// The value at `tokens` from here: `Some(Some(range))` for a string (the range inside its
    /// quotes), `Some(None)` for another value, `None` when there is nothing there.
    fn find(&mut self, tokens: &[String]) -> Option<Option<Range<usize>>> {
        self.skip_whitespace();
        let Some((token, rest)) = tokens.split_first() else {
            return Some(self.string());
        };
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.skip_whitespace();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.string()?;
                    let key: String =
                        serde_json::from_str(&self.text[key.start - 1..=key.end]).ok()?;
                    self.skip_whitespace();
                    self.expect(b':')?;
                    if key == *token {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_whitespace();
                    if self.peek()? == b',' {
                        self.pos += 1;
                    }
                }
            }
            b'[' => {
                let index: usize = token.parse().ok()?;
                self.pos += 1;
                for _ in 0..index {
                    self.skip_whitespace();
                    if self.peek()? == b']' {
                        return None;
                    }
                    self.skip_value()?;
                    self.skip_whitespace();
                    self.expect(b',')?;
                }
                self.skip_whitespace();
                if self.peek()? == b']' {
                    return None;
                }
                self.find(rest)
            }
            _ => None,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// A string at the position: the range inside its quotes, the position after it.
    fn string(&mut self) -> Option<Range<usize>> {
        self.expect(b'"')?;
        let start = self.pos;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
        let range = start..self.pos;
        self.pos += 1;
        Some(range)
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_whitespace();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                    self.pos += 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                ) {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }
}

fn find_toml(text: &str, path: &str) -> Result<(String, Range<usize>), LocateError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| LocateError {
        line: e.span().map(|span| line_of_offset(text, span.start)),
        ..LocateError::new(
            format!("invalid TOML: {}", e.message().trim()),
            "fix the TOML syntax",
        )
    })?;
    let not_found = || {
        LocateError::new(
            format!("nothing at TOML path `{path}`"),
            "name the version string with a dotted path, as in `package.metadata.version`",
        )
    };
    let mut item = doc.as_item();
    for key in path.split('.') {
        item = item.get(key).ok_or_else(not_found)?;
    }
    let not_a_string = || {
        LocateError::new(
            format!("the value at `{path}` is not a string"),
            "point at a string value such as \"1.2.3\"",
        )
    };
    let value = item.as_value().ok_or_else(not_a_string)?;
    let version = value.as_str().ok_or_else(not_a_string)?.to_owned();
    let span = value.span().ok_or_else(not_found)?;
    // The span covers the quotes: one, or three for a multi-line string.
    let raw = &text[span.clone()];
    let quotes = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    Ok((version, span.start + quotes..span.end - quotes))
}

fn find_regex(text: &str, pattern: &str) -> Result<Vec<(String, Range<usize>)>, LocateError> {
    let regex = regex::Regex::new(pattern).map_err(|e| {
        LocateError::new(
            format!("invalid regex: {}", e.to_string().replace('\n', " ")),
            "fix the regex (Rust `regex` crate syntax)",
        )
    })?;
    if !regex
        .capture_names()
        .flatten()
        .any(|name| name == "version")
    {
        return Err(LocateError::new(
            "the regex has no named group `version`",
            "wrap the version in `(?<version>...)`, as in 'FFI_VERSION: \"(?<version>[^\"]+)\"'",
        ));
    }
    let found: Vec<(String, Range<usize>)> = regex
        .captures_iter(text)
        .filter_map(|c| c.name("version"))
        .map(|m| (m.as_str().to_owned(), m.range()))
        .collect();
    if found.is_empty() {
        return Err(LocateError::new(
            "the regex matched nothing",
            "the regex must match the file's current version; check it against the file",
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_toml_and_regex() {
        let json = "{\n  \"name\": \"app\",\n  \"version\": \"1.2.3\"\n}\n";
        let (v, r) = find_version(json, &Locator::Json("/version".into())).unwrap();
        assert_eq!((v.as_str(), &json[r]), ("1.2.3", "1.2.3"));
        let toml = "[package]\nname = \"x\"\nversion = \"0.4.0\" # pinned\n";
        let (v, r) = find_version(toml, &Locator::Toml("package.version".into())).unwrap();
        assert_eq!((v.as_str(), &toml[r]), ("0.4.0", "0.4.0"));
        let go = "package main\n\nconst Version = \"2.0.1\"\n";
        let (v, _) = find_version(
            go,
            &Locator::Regex(r#"Version = "(?<version>[^"]+)""#.into()),
        )
        .unwrap();
        assert_eq!(v, "2.0.1");
        assert!(find_version(go, &Locator::Regex("nope(?<version>x)".into())).is_err());
    }

    #[test]
    fn json_pointers_follow_the_structure() {
        let json = r#"{
  "dependencies": { "version": "9.9.9", "x": [1, {"a": "}"}] },
  "a/b": { "~k": "0.0.1" },
  "items": [ "zero", { "version": "3.0.0" } ],
  "version": "1.2.3"
}"#;
        let cases = [
            ("/version", "1.2.3"),
            ("/dependencies/version", "9.9.9"),
            ("/a~1b/~0k", "0.0.1"),
            ("/items/1/version", "3.0.0"),
            ("/items/0", "zero"),
        ];
        for (pointer, expected) in cases {
            let (version, range) = find_version(json, &Locator::Json(pointer.into())).unwrap();
            assert_eq!(
                (version.as_str(), &json[range]),
                (expected, expected),
                "{pointer}"
            );
        }
        for pointer in ["/missing", "/items/2", "/items/x", "version", "/version/0"] {
            let error = find_versions(json, &Locator::Json(pointer.into())).unwrap_err();
            assert!(error.message.contains("nothing at"), "{pointer}: {error:?}");
        }
        let error = find_versions(json, &Locator::Json("/a~1b".into())).unwrap_err();
        assert!(error.message.contains("not a string"), "{error:?}");
        let error = find_versions("{\n  \"v\": ,\n}", &Locator::Json("/v".into())).unwrap_err();
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn toml_paths_and_quotes() {
        let toml =
            "[package.metadata]\nversion = '1.0.0'\nother = \"\"\"2.0.0\"\"\"\ntable = { v = 1 }\n";
        let check = |path: &str, expected: &str| {
            let (version, range) = find_version(toml, &Locator::Toml(path.into())).unwrap();
            assert_eq!((version.as_str(), &toml[range]), (expected, expected));
        };
        check("package.metadata.version", "1.0.0");
        check("package.metadata.other", "2.0.0");
        let error =
            find_versions(toml, &Locator::Toml("package.metadata.table.v".into())).unwrap_err();
        assert!(error.message.contains("not a string"));
        let error = find_versions(toml, &Locator::Toml("package".into())).unwrap_err();
        assert!(error.message.contains("not a string"));
        let error = find_versions(toml, &Locator::Toml("package.nope".into())).unwrap_err();
        assert!(error.message.contains("nothing at TOML path"));
        let error = find_versions("a = \n", &Locator::Toml("a".into())).unwrap_err();
        assert_eq!(error.line, Some(1));
    }

    #[test]
    fn regexes_find_every_match() {
        let text = "v1: \"1.0.0\"\nv2: \"1.0.0\"\n";
        let found =
            find_versions(text, &Locator::Regex(r#""(?<version>[0-9.]+)""#.into())).unwrap();
        assert_eq!(
            found,
            [("1.0.0".to_owned(), 5..10), ("1.0.0".to_owned(), 17..22)]
        );
        let error = find_versions(text, &Locator::Regex("(?<v>1)".into())).unwrap_err();
        assert!(error.message.contains("no named group `version`"));
        let error = find_versions(text, &Locator::Regex("(".into())).unwrap_err();
        assert!(error.message.starts_with("invalid regex"));
        assert!(!error.message.contains('\n'));
    }
}
