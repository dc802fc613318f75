//! Where each value of a JSON document is, in bytes: the tree jsonc-parser's `parseTree` gives
//! Changesets v3's `edit-json.ts`, reduced to what edits need (objects and their members).
//!
//! The text is first checked by serde_json, which gives the line of any syntax error; the scan
//! then only has to find the spans.

use std::ops::Range;

use camino::Utf8Path;

use crate::diag::InputError;

/// A JSON value: its byte span, and for an object its members in document order.
#[derive(Debug)]
pub(crate) struct Node {
    /// The bytes of the value, from its first to its last character.
    pub(crate) span: Range<usize>,
    /// The members (decoded key, value) of an object; `None` for other values.
    pub(crate) members: Option<Vec<(String, Node)>>,
    /// The elements of an array; `None` for other values.
    pub(crate) elements: Option<Vec<Node>>,
    /// Where the key starts, for the value of an object member.
    pub(crate) key_start: Option<usize>,
}

impl Node {
    /// The value of the first member named `key` (jsonc-parser's `find`), if this is an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.members
            .as_ref()?
            .iter()
            .find_map(|(name, value)| (name == key).then_some(value))
    }

    /// The value at a path of keys.
    pub(crate) fn at(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The members of an object (none for other values).
    pub(crate) fn members(&self) -> &[(String, Node)] {
        self.members.as_deref().unwrap_or_default()
    }

    /// The decoded text of a string value.
    pub(crate) fn string(&self, text: &str) -> Option<String> {
        serde_json::from_str(text.get(self.span.clone())?).ok()
    }
}

/// Parses `text` (the contents of `path`) into its tree of spans.
pub(crate) fn parse(text: &str, path: &Utf8Path) -> Result<Node, InputError> {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full);
        return Err(
            InputError::in_file(path, format!("invalid JSON: {message}"))
                .with_line(e.line().max(1))
                .with_hint("the file must be strict JSON: no comments, no trailing commas"),
        );
    }
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    scanner
        .value()
        .ok_or_else(|| InputError::in_file(path, "invalid JSON").at_offset(text, scanner.pos))
}

/// Where `key` appears a second time among the members of `object`: the byte offset of that
/// key, for the first such key in `keys` (or, with `keys` empty, of any key).
pub(crate) fn duplicate_member(object: &Node, keys: &[&str]) -> Option<(String, usize)> {
    let members = object.members();
    members.iter().enumerate().find_map(|(i, (name, value))| {
        let wanted = keys.is_empty() || keys.contains(&name.as_str());
        (wanted && members[..i].iter().any(|(earlier, _)| earlier == name))
            .then(|| (name.clone(), value.key_start.unwrap_or(value.span.start)))
    })
}

/// The tree of spans of `text` that serde_json has already accepted.
pub(crate) fn scan_valid(text: &str) -> Option<Node> {
    Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    }
    .value()
}

/// A scan over text that serde_json accepted; every `None` is unreachable for such text.
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn value(&mut self) -> Option<Node> {
        self.skip_whitespace();
        let start = self.pos;
        let mut elements = None;
        let members = match self.bytes.get(self.pos)? {
            b'{' => Some(self.object()?),
            b'[' => {
                elements = Some(self.array()?);
                None
            }
            b'"' => {
                self.string()?;
                None
            }
            _ => {
                while self.bytes.get(self.pos).is_some_and(|b| {
                    !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.pos += 1;
                }
                None
            }
        };
        Some(Node {
            span: start..self.pos,
            members,
            elements,
            key_start: None,
        })
    }

    fn object(&mut self) -> Option<Vec<(String, Node)>> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Some(members);
        }
        loop {
            self.skip_whitespace();
            let key_start = self.pos;
            self.string()?;
            let key = serde_json::from_str(self.text.get(key_start..self.pos)?).ok()?;
            self.skip_whitespace();
            self.expect(b':')?;
            let mut value = self.value()?;
            value.key_start = Some(key_start);
            members.push((key, value));
            self.skip_whitespace();
            match self.bytes.get(self.pos)? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(members);
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<Vec<Node>> {
        self.pos += 1;
        let mut elements = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Some(elements);
        }
        loop {
            elements.push(self.value()?);
            self.skip_whitespace();
            match self.bytes.get(self.pos)? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(elements);
                }
                _ => return None,
            }
        }
    }

    /// Skips a string, quotes included.
    fn string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            match self.bytes.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.bytes.get(self.pos) == Some(&byte)).then(|| self.pos += 1)
    }

    fn skip_whitespace(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }
}
