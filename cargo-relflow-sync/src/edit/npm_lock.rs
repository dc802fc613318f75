//! npm workspace lockfiles, brought in line with package.json files that `version` edited, the
//! way the package manager would write them, and without touching any other byte.
//!
//! - `package-lock.json` (lockfileVersion 2 and 3): the `packages` entry of each workspace
//!   directory (`""` for the root) gets the package's `version` and the ranges of its four
//!   dependency fields; lockfileVersion 2 also records each workspace package in the legacy
//!   `dependencies` section (`"version": "file:<dir>"`), whose `requires` holds the range npm
//!   resolves: devDependencies over optionalDependencies over dependencies, peers left out.
//! - `pnpm-lock.yaml` (lockfile 6 to 9): `importers.<dir>.<field>.<name>.specifier` (`.` for the
//!   root) becomes the range of package.json that pnpm records: optionalDependencies over
//!   dependencies over devDependencies over peerDependencies. Values are written in the style
//!   pnpm's YAML writer picks (plain, or single-quoted where YAML needs it).
//!
//! Only entries on packages of the workspace change (npm: names linked from `node_modules/`;
//! pnpm: `version: link:...`), so a lockfile that was already stale about registry packages stays
//! as stale as it was. Entries are rewritten, never added or removed. Workspace packages do not
//! record their own version in `pnpm-lock.yaml`.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use camino::Utf8Path;
use regex::Regex;
use serde_json::Value;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diag::InputError;
use crate::edit::npm::{apply_edits, json_string, parse_json, JsonNode, DEPENDENCY_FIELDS};

/// A workspace package.json after `version` edited it.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceManifest<'a> {
    /// The package directory, relative to the lockfile's directory and `/`-separated (`""` for
    /// the root package.json).
    pub dir: &'a Utf8Path,
    /// The package.json text.
    pub text: &'a str,
}

/// `package-lock.json` (the text of the file at `path`) with the entries of `manifests` updated.
pub fn update_package_lock(
    text: &str,
    path: &Utf8Path,
    manifests: &[WorkspaceManifest<'_>],
) -> Result<String, InputError> {
    package_lock_changes(text, path, manifests).map(|(text, _)| text)
}

/// One lockfile entry an update rewrites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockChange {
    /// The entry, as a path of keys (`importers.packages/a.dependencies.b.specifier`).
    pub entry: String,
    /// What it becomes.
    pub expected: String,
    /// What it was.
    pub found: String,
}

/// [`update_package_lock`], with each entry it rewrites.
pub fn package_lock_changes(
    text: &str,
    path: &Utf8Path,
    manifests: &[WorkspaceManifest<'_>],
) -> Result<(String, Vec<LockChange>), InputError> {
    let root = parse_json(text, path)?;
    let linked: HashSet<&str> = root
        .get("packages")
        .map(JsonNode::members)
        .unwrap_or_default()
        .iter()
        .filter(|(_, entry)| {
            entry
                .get("link")
                .is_some_and(|link| text.get(link.span.clone()) == Some("true"))
        })
        .filter_map(|(key, _)| key.strip_prefix("node_modules/"))
        .filter(|name| !name.contains("/node_modules/"))
        .collect();
    let legacy = root
        .get("dependencies")
        .map(JsonNode::members)
        .unwrap_or_default();
    let legacy_linked: HashSet<&str> = legacy
        .iter()
        .filter(|(_, entry)| {
            version_of(entry, text).is_some_and(|version| version.starts_with("file:"))
        })
        .map(|(name, _)| name.as_str())
        .collect();
    let mut edits = BTreeMap::new();
    let mut changes = Vec::new();
    let mut set = |node: &JsonNode, value: &str, entry: String| {
        let found = node.string(text);
        if found.as_deref() != Some(value) {
            edits.insert(node.span.start, (node.span.end, json_string(value)));
            changes.push(LockChange {
                entry,
                expected: value.to_owned(),
                found: found.unwrap_or_else(|| "(not a string)".to_owned()),
            });
        }
    };
    for manifest in manifests {
        let dir = normalize_dir(manifest.dir);
        let package = Manifest::parse(manifest)?;
        if let Some(entry) = root.get("packages").and_then(|packages| packages.get(&dir)) {
            if let (Some(node), Some(version)) = (entry.get("version"), &package.version) {
                set(node, version, format!("packages.\"{dir}\".version"));
            }
            for (field, _) in DEPENDENCY_FIELDS {
                for (name, node) in entry.get(field).map(JsonNode::members).unwrap_or_default() {
                    if let Some(range) = package
                        .range(field, name)
                        .filter(|_| linked.contains(name.as_str()))
                    {
                        set(node, range, format!("packages.\"{dir}\".{field}.{name}"));
                    }
                }
            }
        }
        if dir.is_empty() {
            continue;
        }
        let file_dir = format!("file:{dir}");
        for (legacy_name, entry) in legacy {
            if version_of(entry, text).as_deref() != Some(file_dir.as_str()) {
                continue;
            }
            for (name, node) in entry
                .get("requires")
                .map(JsonNode::members)
                .unwrap_or_default()
            {
                if let Some(range) = package
                    .npm_requires(name)
                    .filter(|_| legacy_linked.contains(name.as_str()))
                {
                    set(
                        node,
                        range,
                        format!("dependencies.{legacy_name}.requires.{name}"),
                    );
                }
            }
        }
    }
    Ok((apply_edits(text, &edits), changes))
}

/// `pnpm-lock.yaml` (the text of the file at `path`) with the importers of `manifests` updated.
pub fn update_pnpm_lock(
    text: &str,
    path: &Utf8Path,
    manifests: &[WorkspaceManifest<'_>],
) -> Result<String, InputError> {
    pnpm_lock_changes(text, path, manifests).map(|(text, _)| text)
}

/// [`update_pnpm_lock`], with each entry it rewrites.
///
/// A specifier that the lockfile's `overrides:` produced (pnpm records the override's value,
/// `workspace:*`, instead of the package.json range) is kept.
pub fn pnpm_lock_changes(
    text: &str,
    path: &Utf8Path,
    manifests: &[WorkspaceManifest<'_>],
) -> Result<(String, Vec<LockChange>), InputError> {
    let mut collector = Collector::default();
    Parser::new_from_str(text)
        .load(&mut collector, true)
        .map_err(|e| {
            InputError::in_file(path, format!("invalid YAML: {}", e.info()))
                .with_line(e.marker().line())
                .with_hint("pnpm-lock.yaml is written by pnpm; `pnpm install` rewrites it")
        })?;
    let mut edits = BTreeMap::new();
    let mut changes = Vec::new();
    for manifest in manifests {
        let dir = normalize_dir(manifest.dir);
        let importer = if dir.is_empty() { "." } else { dir.as_str() };
        let package = Manifest::parse(manifest)?;
        for ((entry_importer, field, name), entry) in &collector.dependencies {
            let (Some(specifier), Some(version)) = (&entry.specifier, &entry.version) else {
                continue;
            };
            if entry_importer != importer || !version.starts_with("link:") {
                continue;
            }
            let Some(range) = package.pnpm_specifier(name) else {
                continue;
            };
            if specifier.value == range || collector.overridden(name, &specifier.value) {
                continue;
            }
            let start = byte_offset(text, specifier.mark.index());
            let end = start.and_then(|start| scalar_end(text, start, specifier));
            let (Some(start), Some(end)) = (start, end) else {
                return Err(InputError::in_file(
                    path,
                    format!("cannot rewrite the specifier of `{name}` in importer `{importer}`"),
                )
                .with_line(specifier.mark.line())
                .with_hint("write it on one line, as pnpm does"));
            };
            edits.insert(start, (end, yaml_scalar(range)));
            changes.push(LockChange {
                entry: format!("importers.{importer}.{field}.{name}.specifier"),
                expected: range.to_owned(),
                found: specifier.value.clone(),
            });
        }
    }
    Ok((apply_edits(text, &edits), changes))
}

/// The package an `overrides:` key applies to: the last `>` segment, without its version
/// selector (`@scope/name@^1` is `@scope/name`).
fn override_target(key: &str) -> &str {
    let last = key.rsplit('>').next().unwrap_or(key);
    let version_at = if let Some(scoped) = last.strip_prefix('@') {
        scoped.find('@').map(|at| at + 1)
    } else {
        last.find('@')
    };
    version_at.map_or(last, |at| &last[..at])
}

/// `./packages/a/` as `packages/a`; `.` as the root, `""`.
fn normalize_dir(dir: &Utf8Path) -> String {
    let mut dir = dir.as_str().trim_end_matches('/');
    while let Some(rest) = dir.strip_prefix("./") {
        dir = rest;
    }
    if dir == "." { "" } else { dir }.to_owned()
}

fn version_of(entry: &JsonNode, text: &str) -> Option<String> {
    entry.get("version")?.string(text)
}

/// What the lockfiles take from one package.json.
struct Manifest {
    version: Option<String>,
    /// The string entries of each dependency field present.
    fields: BTreeMap<String, BTreeMap<String, String>>,
}

impl Manifest {
    fn parse(manifest: &WorkspaceManifest<'_>) -> Result<Manifest, InputError> {
        let path = manifest.dir.join("package.json");
        parse_json(manifest.text, &path)?;
        let value: Value = serde_json::from_str(manifest.text)
            .map_err(|e| InputError::in_file(&path, format!("invalid JSON: {e}")))?;
        let fields = DEPENDENCY_FIELDS
            .iter()
            .filter_map(|(field, _)| {
                let entries = value.get(field)?.as_object()?;
                let ranges = entries
                    .iter()
                    .filter_map(|(name, range)| Some((name.clone(), range.as_str()?.to_owned())))
                    .collect();
                Some(((*field).to_owned(), ranges))
            })
            .collect();
        Ok(Manifest {
            version: value
                .get("version")
                .and_then(Value::as_str)
                .map(str::to_owned),
            fields,
        })
    }

    fn range(&self, field: &str, name: &str) -> Option<&str> {
        self.fields.get(field)?.get(name).map(String::as_str)
    }

    /// The first of `fields` that lists `name`, and its range there.
    fn first_of(&self, fields: &[&'static str], name: &str) -> Option<(&'static str, &str)> {
        fields
            .iter()
            .find_map(|&field| Some((field, self.range(field, name)?)))
    }

    /// npm's edge for `name` (Arborist loads peer, prod, optional, then dev dependencies, each
    /// replacing the last), as the legacy `requires` records it: not at all for a peer.
    fn npm_requires(&self, name: &str) -> Option<&str> {
        let order = [
            "devDependencies",
            "optionalDependencies",
            "dependencies",
            "peerDependencies",
        ];
        match self.first_of(&order, name)? {
            ("peerDependencies", _) => None,
            (_, range) => Some(range),
        }
    }

    /// pnpm's `getSpecFromPackageManifest`.
    fn pnpm_specifier(&self, name: &str) -> Option<&str> {
        let order = [
            "optionalDependencies",
            "dependencies",
            "devDependencies",
            "peerDependencies",
        ];
        self.first_of(&order, name).map(|(_, range)| range)
    }
}

/// A scalar of pnpm-lock.yaml and where it starts.
#[derive(Debug, Clone)]
struct Scalar {
    value: String,
    style: TScalarStyle,
    mark: Marker,
}

/// An importer's dependency: `importers.<importer>.<field>.<name>`.
#[derive(Debug, Default)]
struct LockedDependency {
    specifier: Option<Scalar>,
    version: Option<String>,
}

/// A block mapping or sequence the walk is in.
#[derive(Debug)]
enum Frame {
    Mapping {
        /// Whether the next node is a key.
        expecting_key: bool,
        /// The current key, if it is a scalar.
        key: Option<String>,
    },
    Sequence,
}

/// Collects the importers' dependencies and the `overrides:` from the YAML events.
#[derive(Debug, Default)]
struct Collector {
    stack: Vec<Frame>,
    dependencies: BTreeMap<(String, String, String), LockedDependency>,
    /// `overrides:`: (selector, value).
    overrides: Vec<(String, String)>,
}

impl Collector {
    /// Whether an override on `name` has the value `specifier` (pnpm wrote it for the range).
    fn overridden(&self, name: &str, specifier: &str) -> bool {
        self.overrides
            .iter()
            .any(|(key, value)| value == specifier && override_target(key) == name)
    }

    /// Marks the end of a node in the current collection (`key` if it was a scalar key).
    fn node_done(&mut self, scalar: Option<String>) {
        if let Some(Frame::Mapping { expecting_key, key }) = self.stack.last_mut() {
            if *expecting_key {
                *key = scalar;
            }
            *expecting_key = !*expecting_key;
        }
    }

    /// The keys leading to the current value; `None` inside sequences and complex keys.
    fn path(&self) -> Option<Vec<&str>> {
        self.stack
            .iter()
            .map(|frame| match frame {
                Frame::Mapping {
                    expecting_key: false,
                    key: Some(key),
                } => Some(key.as_str()),
                _ => None,
            })
            .collect()
    }

    fn scalar_value(&mut self, scalar: Scalar) {
        if let Some(["overrides", key]) = self.path().as_deref() {
            let key = (*key).to_owned();
            self.overrides.push((key, scalar.value));
            return;
        }
        if let Some(["importers", importer, field, name, leaf]) = self.path().as_deref() {
            let key = (
                (*importer).to_owned(),
                (*field).to_owned(),
                (*name).to_owned(),
            );
            let leaf = (*leaf).to_owned();
            let entry = self.dependencies.entry(key).or_default();
            match leaf.as_str() {
                "specifier" => entry.specifier = Some(scalar),
                "version" => entry.version = Some(scalar.value),
                _ => {}
            }
        }
    }
}

impl MarkedEventReceiver for Collector {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::MappingStart(..) => self.stack.push(Frame::Mapping {
                expecting_key: true,
                key: None,
            }),
            Event::SequenceStart(..) => self.stack.push(Frame::Sequence),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.node_done(None);
            }
            Event::Scalar(value, style, ..) => {
                if let Some(Frame::Mapping {
                    expecting_key: true,
                    ..
                }) = self.stack.last()
                {
                    self.node_done(Some(value));
                } else {
                    self.scalar_value(Scalar { value, style, mark });
                    self.node_done(None);
                }
            }
            Event::Alias(_) => self.node_done(None),
            _ => {}
        }
    }
}

/// The byte offset of the `index`th character.
fn byte_offset(text: &str, index: usize) -> Option<usize> {
    if text.is_ascii() {
        return (index <= text.len()).then_some(index);
    }
    text.char_indices()
        .map(|(offset, _)| offset)
        .chain(std::iter::once(text.len()))
        .nth(index)
}

/// Where a one-line scalar that starts at byte `start` ends, checked against its value.
fn scalar_end(text: &str, start: usize, scalar: &Scalar) -> Option<usize> {
    let bytes = text.as_bytes();
    match scalar.style {
        TScalarStyle::Plain => {
            let end = start + scalar.value.len();
            (text.get(start..end)? == scalar.value).then_some(end)
        }
        TScalarStyle::SingleQuoted => {
            let mut i = start + 1;
            let end = loop {
                match bytes.get(i)? {
                    b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    b'\'' => break i + 1,
                    b'\n' | b'\r' => return None,
                    _ => i += 1,
                }
            };
            (text.get(start + 1..end - 1)?.replace("''", "'") == scalar.value).then_some(end)
        }
        TScalarStyle::DoubleQuoted => {
            let mut i = start + 1;
            let end = loop {
                match bytes.get(i)? {
                    b'\\' => i += 2,
                    b'"' => break i + 1,
                    b'\n' | b'\r' => return None,
                    _ => i += 1,
                }
            };
            let inner = text.get(start + 1..end - 1)?;
            (inner.contains('\\') || inner == scalar.value).then_some(end)
        }
        _ => None,
    }
}

/// A string as pnpm's YAML writer (js-yaml 4 with `lineWidth: -1` and `noCompatMode`) writes a
/// one-line block value: plain when YAML reads it back as the same string, else single-quoted,
/// or double-quoted for characters YAML cannot print.
fn yaml_scalar(value: &str) -> String {
    if value.is_empty() {
        return "''".to_owned();
    }
    let chars: Vec<char> = value.chars().collect();
    if chars.iter().any(|&c| !printable(c)) {
        return double_quoted(value);
    }
    let first = chars[0];
    let last = chars[chars.len() - 1];
    let plain_ends =
        !" \t-?:,[]{}#&*!|>'\"%@`=".contains(first) && last != ' ' && last != '\t' && last != ':';
    let plain_middle = chars.windows(2).all(|pair| {
        let (previous, c) = (pair[0], pair[1]);
        if c == '#' {
            previous != ' ' && previous != '\t'
        } else {
            previous != ':' || (c != ' ' && c != '\t')
        }
    });
    if plain_ends && plain_middle && !resolves_to_non_string(value) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "''"))
    }
}

/// js-yaml's `isPrintable` (on one line: no line breaks).
fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a1}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{2028}'
        && c != '\u{2029}'
        && c != '\u{feff}'
}

/// js-yaml's double-quoted form, for strings with characters it cannot print.
fn double_quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if printable(c) => out.push(c),
            c if u32::from(c) <= 0xff => out.push_str(&format!("\\x{:02X}", u32::from(c))),
            c => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Whether YAML's default schema reads `value` as a null, boolean, integer, float, timestamp
/// or merge key (js-yaml's implicit types), so it must be quoted to stay a string.
fn resolves_to_non_string(value: &str) -> bool {
    static FLOAT_OR_TIMESTAMP: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?",
            r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            r"|[0-9]{4}-[0-9]{2}-[0-9]{2}",
            r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}",
            r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$"
        ))
        .ok()
    });
    let special = [
        "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "<<",
    ];
    special.contains(&value)
        || yaml_integer(value)
        || FLOAT_OR_TIMESTAMP
            .as_ref()
            .is_none_or(|re| re.is_match(value) && !value.ends_with('_'))
}

/// js-yaml's `resolveYamlInteger`.
fn yaml_integer(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |rest: &[u8], ok: fn(u8) -> bool| {
        let mut any = false;
        for &b in rest {
            if b == b'_' {
                continue;
            }
            if !ok(b) {
                return false;
            }
            any = true;
        }
        any && rest.last() != Some(&b'_')
    };
    if bytes.get(i) == Some(&b'0') {
        if i + 1 == bytes.len() {
            return true;
        }
        let rest = &bytes[i + 2..];
        match bytes[i + 1] {
            b'b' => return digits(rest, |b| matches!(b, b'0' | b'1')),
            b'x' => return digits(rest, |b| b.is_ascii_hexdigit()),
            b'o' => return digits(rest, |b| matches!(b, b'0'..=b'7')),
            _ => i += 1,
        }
    }
    bytes.get(i) != Some(&b'_') && digits(&bytes[i..], |b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests;
