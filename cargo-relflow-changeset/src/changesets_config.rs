//! `.changeset/config.json`, read from text with Changesets v3's defaults; v2 keys are accepted.
//!
//! Keys relflow does not use (`$schema`, `access`, `commit`, `format`, `prettier`) are kept as
//! written without validation, and unknown keys are ignored, as Changesets v3 does. Keys relflow
//! uses are type-checked; errors name the file, the key path (`fixed[0]`) and its line.

use std::fmt;

use camino::Utf8Path;
use cargo_relflow_sync::diag::InputError;
use serde_json::{Map, Value};

use crate::plan_config::{
    PlanConfig, PrivatePackages, SnapshotConfig, UpdateInternalDependencies,
    UpdateInternalDependents,
};

/// The default changelog generator, `@changesets/cli/changelog`.
pub const DEFAULT_CHANGELOG: &str = "@changesets/cli/changelog";

/// The `changelog` key: `false`, `"module"` or `["module", options]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changelog {
    /// `false`: no CHANGELOG.md is written.
    Disabled,
    /// A generator module with its options (`null` when given as a plain string).
    Generator {
        /// The module, e.g. `@changesets/cli/changelog`.
        module: String,
        /// The options passed to it.
        options: Value,
    },
}

impl Changelog {
    /// Whether this is Changesets' default generator (`@changesets/cli/changelog`, which
    /// re-exports `@changesets/changelog-git`), the format relflow writes.
    pub fn is_default_generator(&self) -> bool {
        matches!(self, Changelog::Generator { module, .. }
            if module == DEFAULT_CHANGELOG || module == "@changesets/changelog-git")
    }
}

/// `___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExperimentalOptions {
    /// `onlyUpdatePeerDependentsWhenOutOfRange`.
    pub only_update_peer_dependents_when_out_of_range: bool,
    /// `updateInternalDependents`: `"out-of-range"` (default) or `"always"`.
    pub update_internal_dependents: UpdateInternalDependents,
}

/// Every key of `.changeset/config.json` that Changesets v2 or v3 documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesetsConfig {
    /// `$schema`, kept as written (not used).
    pub schema: Option<Value>,
    /// `changelog` (default `["@changesets/cli/changelog", null]`).
    pub changelog: Changelog,
    /// `commit`, kept as written (not used; default `false`).
    pub commit: Value,
    /// `fixed`: groups of names or globs that always share one version.
    pub fixed: Vec<Vec<String>>,
    /// `linked`: groups of names or globs whose released members share the highest version.
    pub linked: Vec<Vec<String>>,
    /// `access`, kept as written (not used; default `"restricted"`).
    pub access: Value,
    /// `baseBranch` (v3 default `main`).
    pub base_branch: String,
    /// `updateInternalDependencies` (default `patch`).
    pub update_internal_dependencies: UpdateInternalDependencies,
    /// `ignore`: names or globs never released.
    pub ignore: Vec<String>,
    /// `privatePackages` (v3 default `{version: false, tag: false}`).
    pub private_packages: PrivatePackages,
    /// `changedFilePatterns` (default `["**"]`), relative to each package directory.
    pub changed_file_patterns: Vec<String>,
    /// `bumpVersionsWithWorkspaceProtocolOnly` (default `false`).
    pub bump_versions_with_workspace_protocol_only: bool,
    /// `snapshot`; v2's `useCalculatedVersionForSnapshots` maps to its `use_calculated_version`.
    pub snapshot: SnapshotConfig,
    /// `___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH`.
    pub experimental: ExperimentalOptions,
    /// `prettier` (v2), kept as written (not used); `None` when absent.
    pub prettier: Option<Value>,
    /// `format` (v3), kept as written (not used; default `"auto"`).
    pub format: Value,
}

impl Default for ChangesetsConfig {
    /// Changesets v3's defaults.
    fn default() -> Self {
        ChangesetsConfig {
            schema: None,
            changelog: Changelog::Generator {
                module: DEFAULT_CHANGELOG.to_owned(),
                options: Value::Null,
            },
            commit: Value::Bool(false),
            fixed: Vec::new(),
            linked: Vec::new(),
            access: Value::String("restricted".to_owned()),
            base_branch: "main".to_owned(),
            update_internal_dependencies: UpdateInternalDependencies::Patch,
            ignore: Vec::new(),
            private_packages: PrivatePackages {
                version: false,
                tag: false,
            },
            changed_file_patterns: vec!["**".to_owned()],
            bump_versions_with_workspace_protocol_only: false,
            snapshot: SnapshotConfig::default(),
            experimental: ExperimentalOptions::default(),
            prettier: None,
            format: Value::String("auto".to_owned()),
        }
    }
}

impl ChangesetsConfig {
    /// The settings the release plan uses.
    pub fn plan_config(&self) -> PlanConfig {
        PlanConfig {
            fixed: self.fixed.clone(),
            linked: self.linked.clone(),
            ignore: self.ignore.clone(),
            update_internal_dependencies: self.update_internal_dependencies,
            private_packages: self.private_packages,
            bump_versions_with_workspace_protocol_only: self
                .bump_versions_with_workspace_protocol_only,
            only_update_peer_dependents_when_out_of_range: self
                .experimental
                .only_update_peer_dependents_when_out_of_range,
            update_internal_dependents: self.experimental.update_internal_dependents,
            snapshot: self.snapshot.clone(),
            ..PlanConfig::default()
        }
    }
}

/// The experimental options' key.
const EXPERIMENTAL: &str = "___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH";

/// Parses `.changeset/config.json`. `path` is used in errors only.
pub fn parse_changesets_config(
    text: &str,
    path: &Utf8Path,
) -> Result<ChangesetsConfig, InputError> {
    let root = parse_json_object(text, path)?;
    let json = Json { text, path };
    let mut config = ChangesetsConfig::default();
    let key = |name: &str| vec![Seg::Key(name.to_owned())];

    config.schema = root.get("$schema").cloned();
    if let Some(value) = root.get("changelog") {
        config.changelog = json.changelog(value)?;
    }
    if let Some(value) = root.get("commit") {
        config.commit = value.clone();
    }
    if let Some(value) = root.get("access") {
        config.access = value.clone();
    }
    if let Some(value) = root.get("prettier") {
        config.prettier = Some(value.clone());
    }
    if let Some(value) = root.get("format") {
        config.format = value.clone();
    }
    if let Some(value) = root.get("fixed") {
        config.fixed = json.groups(value, key("fixed"))?;
    }
    if let Some(value) = root.get("linked") {
        config.linked = json.groups(value, key("linked"))?;
    }
    if let Some(value) = root.get("ignore") {
        config.ignore = json.strings(value, key("ignore"), "package names or globs")?;
    }
    if let Some(value) = root.get("baseBranch") {
        config.base_branch = json.string(value, &key("baseBranch"))?;
    }
    if let Some(value) = root.get("updateInternalDependencies") {
        let at = key("updateInternalDependencies");
        config.update_internal_dependencies = match json.string(value, &at)?.as_str() {
            "patch" => UpdateInternalDependencies::Patch,
            "minor" => UpdateInternalDependencies::Minor,
            other => {
                return Err(json
                    .error(&at, format!("invalid `{}`: {other:?}", Path(&at)))
                    .with_hint("use \"patch\" or \"minor\""))
            }
        };
    }
    if let Some(value) = root.get("privatePackages") {
        config.private_packages = json.private_packages(value)?;
    }
    if let Some(value) = root.get("changedFilePatterns") {
        config.changed_file_patterns = json.strings(value, key("changedFilePatterns"), "globs")?;
    }
    if let Some(value) = root.get("bumpVersionsWithWorkspaceProtocolOnly") {
        config.bump_versions_with_workspace_protocol_only =
            json.bool(value, &key("bumpVersionsWithWorkspaceProtocolOnly"))?;
    }
    let mut calculated_from_snapshot = None;
    if let Some(value) = root.get("snapshot") {
        let at = key("snapshot");
        let object = json.object(value, &at)?;
        if let Some(v) = object.get("useCalculatedVersion") {
            calculated_from_snapshot = Some(json.bool(v, &child(&at, "useCalculatedVersion"))?);
        }
        if let Some(v) = object.get("prereleaseTemplate") {
            let at = child(&at, "prereleaseTemplate");
            config.snapshot.prerelease_template = match v {
                Value::Null => None,
                v => Some(json.string(v, &at)?),
            };
        }
    }
    let mut calculated_from_v2 = None;
    if let Some(value) = root.get(EXPERIMENTAL) {
        let at = key(EXPERIMENTAL);
        let object = json.object(value, &at)?;
        let options = &mut config.experimental;
        if let Some(v) = object.get("onlyUpdatePeerDependentsWhenOutOfRange") {
            let at = child(&at, "onlyUpdatePeerDependentsWhenOutOfRange");
            options.only_update_peer_dependents_when_out_of_range = json.bool(v, &at)?;
        }
        if let Some(v) = object.get("updateInternalDependents") {
            let at = child(&at, "updateInternalDependents");
            options.update_internal_dependents = match json.string(v, &at)?.as_str() {
                "out-of-range" => UpdateInternalDependents::OutOfRange,
                "always" => UpdateInternalDependents::Always,
                other => {
                    return Err(json
                        .error(&at, format!("invalid `{}`: {other:?}", Path(&at)))
                        .with_hint("use \"out-of-range\" or \"always\""))
                }
            };
        }
        if let Some(v) = object.get("useCalculatedVersionForSnapshots") {
            let at = child(&at, "useCalculatedVersionForSnapshots");
            calculated_from_v2 = Some(json.bool(v, &at)?);
        }
    }
    config.snapshot.use_calculated_version = calculated_from_snapshot
        .or(calculated_from_v2)
        .unwrap_or(false);
    Ok(config)
}

/// Parses `text` as JSON whose root is an object; syntax errors carry serde_json's line.
pub(crate) fn parse_json_object(
    text: &str,
    path: &Utf8Path,
) -> Result<Map<String, Value>, InputError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let start = text.len() - text.trim_start().len();
            Err(InputError::in_file(
                path,
                format!("expected a JSON object, found {}", type_name(&other)),
            )
            .at_offset(text, start))
        }
        Err(error) => {
            let message = error.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            Err(
                InputError::in_file(path, format!("invalid JSON: {message}"))
                    .with_line(error.line().max(1)),
            )
        }
    }
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// `a.b[0]`.
pub(crate) struct Path<'a>(pub(crate) &'a [Seg]);

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// `path` extended by a key.
pub(crate) fn child(path: &[Seg], key: &str) -> Vec<Seg> {
    let mut out = path.to_vec();
    out.push(Seg::Key(key.to_owned()));
    out
}

/// `path` extended by an index.
fn index(path: &[Seg], n: usize) -> Vec<Seg> {
    let mut out = path.to_vec();
    out.push(Seg::Index(n));
    out
}

/// A JSON value's kind as users know it.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON file's text, for typed reads that report the line of a key.
pub(crate) struct Json<'a> {
    /// The file's text.
    pub(crate) text: &'a str,
    /// The file, for errors.
    pub(crate) path: &'a Utf8Path,
}

impl Json<'_> {
    /// An error about the value at `at`, on the line where its key (or element) is written.
    pub(crate) fn error(&self, at: &[Seg], message: String) -> InputError {
        let error = InputError::in_file(self.path, message);
        match (0..=at.len())
            .rev()
            .find_map(|n| locate(self.text, &at[..n]))
        {
            Some(offset) => error.at_offset(self.text, offset),
            None => error,
        }
    }

    /// An error for a value of the wrong type.
    pub(crate) fn wrong_type(&self, at: &[Seg], expected: &str, found: &Value) -> InputError {
        self.error(
            at,
            format!(
                "`{}` must be {expected}, found {}",
                Path(at),
                type_name(found)
            ),
        )
    }

    /// A boolean.
    pub(crate) fn bool(&self, value: &Value, at: &[Seg]) -> Result<bool, InputError> {
        value
            .as_bool()
            .ok_or_else(|| self.wrong_type(at, "true or false", value))
    }

    /// A string.
    pub(crate) fn string(&self, value: &Value, at: &[Seg]) -> Result<String, InputError> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.wrong_type(at, "a string", value))
    }

    /// An object.
    pub(crate) fn object<'v>(
        &self,
        value: &'v Value,
        at: &[Seg],
    ) -> Result<&'v Map<String, Value>, InputError> {
        value
            .as_object()
            .ok_or_else(|| self.wrong_type(at, "an object", value))
    }

    /// An array of strings.
    pub(crate) fn strings(
        &self,
        value: &Value,
        at: Vec<Seg>,
        what: &str,
    ) -> Result<Vec<String>, InputError> {
        let Some(items) = value.as_array() else {
            return Err(self.wrong_type(&at, &format!("an array of {what}"), value));
        };
        items
            .iter()
            .enumerate()
            .map(|(n, item)| self.string(item, &index(&at, n)))
            .collect()
    }

    /// `fixed` or `linked`: an array of arrays of names or globs.
    fn groups(&self, value: &Value, at: Vec<Seg>) -> Result<Vec<Vec<String>>, InputError> {
        let hint = format!(
            "write groups of package names or globs, e.g. `\"{}\": [[\"pkg-a\", \"pkg-b\"]]`",
            Path(&at)
        );
        let Some(groups) = value.as_array() else {
            let expected = "an array of arrays of package names or globs";
            return Err(self.wrong_type(&at, expected, value).with_hint(hint));
        };
        groups
            .iter()
            .enumerate()
            .map(|(n, group)| {
                let expected = "an array of package names or globs";
                let error = |e: InputError| e.with_hint(hint.clone());
                if !group.is_array() {
                    return Err(error(self.wrong_type(&index(&at, n), expected, group)));
                }
                self.strings(group, index(&at, n), "package names or globs")
                    .map_err(error)
            })
            .collect()
    }

    /// `changelog`: `false`, `"module"` or `["module", options]`.
    fn changelog(&self, value: &Value) -> Result<Changelog, InputError> {
        match value {
            Value::Bool(false) => Ok(Changelog::Disabled),
            Value::String(module) => Ok(Changelog::Generator {
                module: module.clone(),
                options: Value::Null,
            }),
            Value::Array(items) if items.len() == 2 && items[0].is_string() => {
                Ok(Changelog::Generator {
                    module: items[0].as_str().unwrap_or_default().to_owned(),
                    options: items[1].clone(),
                })
            }
            other => {
                let at = [Seg::Key("changelog".to_owned())];
                let expected = "false, a module name or [module name, options]";
                Err(self
                    .wrong_type(&at, expected, other)
                    .with_hint(format!("e.g. `\"changelog\": \"{DEFAULT_CHANGELOG}\"`")))
            }
        }
    }

    /// `privatePackages`: `false`, `true` or `{version, tag}`.
    fn private_packages(&self, value: &Value) -> Result<PrivatePackages, InputError> {
        let at = vec![Seg::Key("privatePackages".to_owned())];
        let hint = "use false, true or { \"version\": true, \"tag\": false }";
        let result = match value {
            Value::Bool(b) => PrivatePackages {
                version: *b,
                tag: *b,
            },
            Value::Object(object) => {
                let field = |name: &str| match object.get(name) {
                    Some(v) => self.bool(v, &child(&at, name)),
                    None => Ok(false),
                };
                let result = PrivatePackages {
                    version: field("version")?,
                    tag: field("tag")?,
                };
                if result.tag && !result.version {
                    let message = "`privatePackages.tag` cannot be true when \
                                   `privatePackages.version` is false"
                        .to_owned();
                    return Err(self
                        .error(&child(&at, "tag"), message)
                        .with_hint("private packages are tagged only when they are versioned"));
                }
                result
            }
            other => {
                let expected = "true, false or an object";
                return Err(self.wrong_type(&at, expected, other).with_hint(hint));
            }
        };
        Ok(result)
    }
}

/// The byte offset where the member (its key) or element at `path` is written in `text`, which
/// must be valid JSON. For a duplicated key, the last one (the one JSON parsers keep).
pub(crate) fn locate(text: &str, path: &[Seg]) -> Option<usize> {
    let mut walker = Walker { text, pos: 0 };
    walker.space();
    walker.find(path, walker.pos)
}

/// A cursor over valid JSON text.
struct Walker<'a> {
    text: &'a str,
    pos: usize,
}

impl Walker<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips a string starting at `pos` and returns it decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        self.pos += 1;
        while let Some(&b) = bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => return serde_json::from_str(self.text.get(start..self.pos)?).ok(),
                _ => {}
            }
        }
        None
    }

    /// Skips the value at `pos`.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            open @ (b'{' | b'[') => {
                self.pos += 1;
                self.space();
                let close = if open == b'{' { b'}' } else { b']' };
                if self.peek() == Some(close) {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.string()?;
                        self.space();
                        self.pos += 1; // ':'
                        self.space();
                    }
                    self.skip()?;
                    self.space();
                    match self.peek()? {
                        b',' => {
                            self.pos += 1;
                            self.space();
                        }
                        _ => {
                            self.pos += 1;
                            return Some(());
                        }
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }

    /// Finds `path` in the value at `pos`; `here` is where that value's key or element starts.
    fn find(&mut self, path: &[Seg], here: usize) -> Option<usize> {
        let Some((first, rest)) = path.split_first() else {
            return Some(here);
        };
        let open = self.peek()?;
        self.pos += 1;
        self.space();
        let mut found = None;
        let mut n = 0;
        while !matches!(self.peek(), Some(b'}' | b']') | None) {
            let item_start = self.pos;
            let matched = match (first, open) {
                (Seg::Key(key), b'{') => {
                    let name = self.string()?;
                    self.space();
                    self.pos += 1; // ':'
                    self.space();
                    name == *key
                }
                (Seg::Index(i), b'[') => *i == n,
                _ => return None,
            };
            if matched {
                found = Some((item_start, self.pos));
            }
            self.skip()?;
            self.space();
            if self.peek() == Some(b',') {
                self.pos += 1;
                self.space();
            }
            n += 1;
        }
        let (item_start, value_start) = found?;
        self.pos = value_start;
        self.find(rest, item_start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cargo_relflow_sync::diag::line_of_offset;

    fn line_of_path(text: &str, path: &[Seg]) -> Option<usize> {
        locate(text, path).map(|offset| line_of_offset(text, offset))
    }

    fn parse(text: &str) -> Result<ChangesetsConfig, InputError> {
        parse_changesets_config(text, Utf8Path::new(".changeset/config.json"))
    }

    fn err(text: &str) -> InputError {
        match parse(text) {
            Ok(config) => panic!("parsed: {config:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn c1_defaults() {
        let config = parse("{}").unwrap();
        assert_eq!(config, ChangesetsConfig::default());
        assert_eq!(config.base_branch, "main");
        assert_eq!(config.changed_file_patterns, ["**"]);
        assert_eq!(
            config.private_packages,
            PrivatePackages {
                version: false,
                tag: false
            }
        );
        assert!(config.changelog.is_default_generator());
        assert_eq!(config.commit, Value::Bool(false));
        assert_eq!(config.access, "restricted");
        assert_eq!(config.format, "auto");
        assert_eq!(config.plan_config(), PlanConfig::default());
    }

    #[test]
    fn init_written_config() {
        let text = r#"{
  "$schema": "https://unpkg.com/@changesets/config@3.0.0/schema.json",
  "changelog": "@changesets/cli/changelog",
  "commit": false,
  "fixed": [["pkg-*", "!pkg-b", "@pkg/*"], ["@pkg-other/a"]],
  "linked": [],
  "access": "public",
  "baseBranch": "develop",
  "updateInternalDependencies": "minor",
  "ignore": ["docs"],
  "privatePackages": { "version": true, "tag": true },
  "changedFilePatterns": ["src/**"],
  "bumpVersionsWithWorkspaceProtocolOnly": true,
  "snapshot": { "useCalculatedVersion": true, "prereleaseTemplate": "{tag}-{datetime}" },
  "___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH": {
    "onlyUpdatePeerDependentsWhenOutOfRange": true,
    "updateInternalDependents": "always"
  },
  "format": "prettier",
  "somethingNew": {"x": 1}
}
"#;
        let config = parse(text).unwrap();
        assert_eq!(
            config.fixed,
            [vec!["pkg-*", "!pkg-b", "@pkg/*"], vec!["@pkg-other/a"]]
        );
        assert_eq!(config.base_branch, "develop");
        assert_eq!(config.ignore, ["docs"]);
        assert_eq!(config.changed_file_patterns, ["src/**"]);
        assert_eq!(config.access, "public");
        assert!(config.schema.is_some());
        let plan = config.plan_config();
        assert_eq!(
            plan.update_internal_dependencies,
            UpdateInternalDependencies::Minor
        );
        assert_eq!(
            plan.private_packages,
            PrivatePackages {
                version: true,
                tag: true
            }
        );
        assert!(plan.bump_versions_with_workspace_protocol_only);
        assert!(plan.only_update_peer_dependents_when_out_of_range);
        assert_eq!(
            plan.update_internal_dependents,
            UpdateInternalDependents::Always
        );
        assert!(plan.snapshot.use_calculated_version);
        assert_eq!(
            plan.snapshot.prerelease_template.as_deref(),
            Some("{tag}-{datetime}")
        );
        assert_eq!(plan.fixed, config.fixed);
    }

    #[test]
    fn changelog_forms() {
        assert_eq!(
            parse(r#"{"changelog": false}"#).unwrap().changelog,
            Changelog::Disabled
        );
        let config =
            parse(r#"{"changelog": ["@changesets/changelog-github", {"repo": "a/b"}]}"#).unwrap();
        assert_eq!(
            config.changelog,
            Changelog::Generator {
                module: "@changesets/changelog-github".into(),
                options: serde_json::json!({"repo": "a/b"}),
            }
        );
        assert!(!config.changelog.is_default_generator());
        let e = err("{\n  \"changelog\": true\n}");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("`changelog`"), "{e}");
        assert_eq!(err(r#"{"changelog": ["a"]}"#).line, Some(1));
    }

    #[test]
    fn private_packages_forms() {
        let pp = |text: &str| parse(text).unwrap().private_packages;
        assert_eq!(
            pp(r#"{"privatePackages": false}"#),
            PrivatePackages {
                version: false,
                tag: false
            }
        );
        assert_eq!(
            pp(r#"{"privatePackages": true}"#),
            PrivatePackages {
                version: true,
                tag: true
            }
        );
        assert_eq!(
            pp(r#"{"privatePackages": {"version": true}}"#),
            PrivatePackages {
                version: true,
                tag: false
            }
        );
        let e =
            err("{\n  \"privatePackages\": {\n    \"version\": false,\n    \"tag\": true\n  }\n}");
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("privatePackages.tag"), "{e}");
        let e = err("{\n\n  \"privatePackages\": \"yes\"\n}");
        assert_eq!(e.line, Some(3));
        let e = err("{\"privatePackages\": {\n \"version\": 1}}");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("`privatePackages.version` must be true or false, found a number"),
            "{e}"
        );
    }

    #[test]
    fn type_errors_name_key_and_line() {
        let text = "{\n  \"baseBranch\": \"main\",\n  \"fixed\": \"a\"\n}\n";
        let e = err(text);
        assert_eq!(e.line, Some(3));
        assert_eq!(
            e.path.as_deref(),
            Some(Utf8Path::new(".changeset/config.json"))
        );
        assert!(
            e.message.starts_with("`fixed` must be an array of arrays"),
            "{e}"
        );
        assert!(e.hint.is_some());

        let e = err("{\n  \"fixed\": [\n    \"a\"\n  ]\n}");
        assert_eq!(
            e.message,
            "`fixed[0]` must be an array of package names or globs, found a string"
        );
        assert_eq!(e.line, Some(3));

        let e = err("{\"linked\": [[\"a\",\n 3]]}");
        assert_eq!(e.message, "`linked[0][1]` must be a string, found a number");
        assert_eq!(e.line, Some(2));

        let e = err("{\n\"ignore\": [\"a\"],\n\"updateInternalDependencies\": \"major\"}");
        assert_eq!(e.message, "invalid `updateInternalDependencies`: \"major\"");
        assert_eq!(e.line, Some(3));

        let e = err("{\"x\": {\"ignore\": 1},\n\"ignore\": [null]}");
        assert_eq!(e.message, "`ignore[0]` must be a string, found null");
        assert_eq!(e.line, Some(2));

        for (text, line) in [
            ("{\n\"baseBranch\": 1}", 2),
            ("{\n\"changedFilePatterns\": \"**\"}", 2),
            ("{\n\"bumpVersionsWithWorkspaceProtocolOnly\": \"yes\"}", 2),
            ("{\"snapshot\": {\n\"useCalculatedVersion\": 0}}", 2),
            ("{\"snapshot\": {\n\"prereleaseTemplate\": 0}}", 2),
            ("{\"snapshot\": []}", 1),
            ("{\n\"___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH\": {\"updateInternalDependents\": \"never\"}}", 2),
            ("{\"___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH\": {\n\n\"onlyUpdatePeerDependentsWhenOutOfRange\": null}}", 3),
        ] {
            assert_eq!(err(text).line, Some(line), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_blame_the_last() {
        let e = err("{\n\"fixed\": [],\n\"fixed\": {}\n}");
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn syntax_errors_have_lines() {
        let e = err("{\n  \"fixed\": [],\n  \"ignore\": [\"a\",]\n}");
        assert_eq!(e.line, Some(3));
        assert!(e.message.starts_with("invalid JSON: "), "{e}");
        let e = err("\n[1]");
        assert_eq!(e.message, "expected a JSON object, found an array");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn ignored_keys_are_not_validated() {
        let config = parse(
            r#"{"access": "private", "commit": ["x", {}], "prettier": false, "format": 3, "$schema": 1, "unknown": []}"#,
        )
        .unwrap();
        assert_eq!(config.prettier, Some(Value::Bool(false)));
        assert_eq!(config.commit, serde_json::json!(["x", {}]));
    }

    #[test]
    fn v2_only_keys() {
        let text = r#"{"___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH": {"useCalculatedVersionForSnapshots": true}, "prettier": true}"#;
        let config = parse(text).unwrap();
        assert!(config.snapshot.use_calculated_version);
        assert_eq!(config.prettier, Some(Value::Bool(true)));
        // `snapshot.useCalculatedVersion` wins when both are set.
        let text = r#"{"snapshot": {"useCalculatedVersion": false}, "___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH": {"useCalculatedVersionForSnapshots": true}}"#;
        assert!(!parse(text).unwrap().snapshot.use_calculated_version);
        let text = "{\"___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH\": {\n\"useCalculatedVersionForSnapshots\": \"y\"}}";
        assert_eq!(err(text).line, Some(2));
    }

    #[test]
    fn locate_handles_nesting_and_escapes() {
        let text =
            "{\"a\\\"b\": {\"x\": [1, {\"y\": \"}]\"}, [\n2]]}, \"c\": [true, false,\n null]}";
        let key = |k: &str| Seg::Key(k.to_owned());
        assert_eq!(line_of_path(text, &[key("c"), Seg::Index(2)]), Some(3));
        assert_eq!(
            line_of_path(text, &[key("a\"b"), key("x"), Seg::Index(2), Seg::Index(0)]),
            Some(2)
        );
        assert_eq!(
            locate(text, &[key("a\"b"), key("x"), Seg::Index(1), key("y")]),
            Some(20)
        );
        assert_eq!(locate(text, &[key("zz")]), None);
        assert_eq!(locate(text, &[Seg::Index(0)]), None);
    }
}
