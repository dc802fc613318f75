//! [`CargoTomlMut`]: a Cargo.toml as text, with the edits `version` makes to it.
//!
//! Built on toml_edit, so everything it does not change stays byte for byte: comments (also
//! the one after an edited value), key order, indentation, quote style and line endings. It
//! sets `[package] version`, `[workspace.package] version`, and the `version` of internal
//! dependencies wherever Cargo lets them be written: `[dependencies]`, `[dev-dependencies]`,
//! `[build-dependencies]` (and their `_` spellings), `[target.'cfg(..)'.*]`, renamed entries
//! (`alias = { package = "name" }`), inline tables, dotted tables (`[dependencies.name]`) and the
//! plain string form (`name = "1.2"`). Entries written `{ workspace = true }` and entries
//! without a `version` (path-only dev-dependencies) are never touched: the first take their
//! requirement from the root's `[workspace.dependencies]`, which
//! [`CargoTomlMut::workspace_dependencies`] lists and
//! [`CargoTomlMut::set_workspace_dependency`] edits.

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};
use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::{ManifestChange, RequirementChange};
use crate::diag::{line_of, line_of_offset};
use crate::{DepKind, InputError};

/// A Cargo.toml being edited.
#[derive(Debug, Clone)]
pub struct CargoTomlMut {
    path: Utf8PathBuf,
    doc: DocumentMut,
    crlf: bool,
}

/// An entry of the root `[workspace.dependencies]` with both a `path` and a `version`: the
/// requirement that members written `name = { workspace = true }` inherit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceDependency {
    /// The key in `[workspace.dependencies]` (also the key members use).
    pub key: String,
    /// The package it names: its `package` field, or the key.
    pub package: String,
    /// Its `path`, relative to the workspace root and normalised (`./crates/../core` is `core`),
    /// comparable with [`crate::Package::dir`].
    pub dir: Utf8PathBuf,
    /// Its `version` as written.
    pub requirement: String,
}

impl CargoTomlMut {
    /// Parses the text of the Cargo.toml at `path` (used in errors).
    pub fn parse(path: impl AsRef<Utf8Path>, text: &str) -> Result<Self, InputError> {
        let path = path.as_ref();
        Ok(CargoTomlMut {
            doc: parse_document(path, text, "invalid Cargo manifest")?,
            path: path.to_owned(),
            crlf: text.contains("\r\n"),
        })
    }

    /// `[package] name`, when the manifest has a package.
    pub fn package_name(&self) -> Option<&str> {
        self.doc.get("package")?.get("name")?.as_str()
    }

    /// Sets `[package] version`. Returns `false`, changing nothing, when the version is
    /// inherited (`version.workspace = true`): it is then set by
    /// [`CargoTomlMut::set_workspace_version`] on the root manifest. A `[package]` without a
    /// version (Cargo reads it as `0.0.0`) gets one, right after `name`.
    pub fn set_package_version(&mut self, version: &semver::Version) -> Result<bool, InputError> {
        let path = self.path.clone();
        let package = self
            .doc
            .get_mut("package")
            .filter(|p| p.is_table_like())
            .ok_or_else(|| {
                InputError::in_file(&path, "no `[package]` table to set the version in")
            })?;
        match child_mut(package, "version") {
            Some(item) if item.is_str() => {
                set_str(item, &version.to_string());
                return Ok(true);
            }
            Some(item) if item.get("workspace").and_then(Item::as_bool) == Some(true) => {
                return Ok(false)
            }
            Some(_) => {
                return Err(
                    InputError::in_file(&path, "`package.version` is not a string").with_hint(
                        "write it as `version = \"1.2.3\"` or `version.workspace = true`",
                    ),
                )
            }
            None => {}
        }
        insert_after(package, "name", "version", &version.to_string());
        Ok(true)
    }

    /// Sets `[workspace.package] version`, which members with `version.workspace = true` inherit.
    pub fn set_workspace_version(&mut self, version: &semver::Version) -> Result<(), InputError> {
        let item = self
            .doc
            .get_mut("workspace")
            .and_then(|w| child_mut(w, "package"))
            .and_then(|p| child_mut(p, "version"))
            .filter(|v| v.is_str())
            .ok_or_else(|| {
                InputError::in_file(
                    &self.path,
                    "no `[workspace.package] version` string to set the version in",
                )
            })?;
        set_str(item, &version.to_string());
        Ok(())
    }

    /// Sets the requirement of one internal dependency in the table its kind and target name.
    /// Returns whether an entry was changed: `false` when there is no such entry, or it is
    /// `{ workspace = true }`, or it has no `version`, or it names another package.
    pub fn set_requirement(&mut self, change: &RequirementChange) -> bool {
        let key = change.rename.as_deref().unwrap_or(&change.dependency);
        let tables: &[&str] = match change.kind {
            DepKind::Normal => &["dependencies"],
            DepKind::Dev => &["dev-dependencies", "dev_dependencies"],
            DepKind::Build => &["build-dependencies", "build_dependencies"],
            DepKind::Peer | DepKind::Optional => return false,
        };
        let root = self.doc.as_table_mut();
        let mut containers: Vec<&mut dyn TableLike> = Vec::new();
        match &change.target {
            None => containers.push(root),
            Some(target) => {
                if let Some(targets) = root.get_mut("target").and_then(Item::as_table_like_mut) {
                    containers.extend(
                        targets
                            .iter_mut()
                            .filter(|(written, _)| same_target(written.get(), target))
                            .filter_map(|(_, item)| item.as_table_like_mut()),
                    );
                }
            }
        }
        let mut changed = false;
        for container in containers {
            for table in tables {
                let entry = container
                    .get_mut(table)
                    .and_then(Item::as_table_like_mut)
                    .and_then(|deps| deps.get_mut(key));
                if let Some(entry) = entry {
                    changed |= set_entry_requirement(entry, key, change);
                }
            }
        }
        changed
    }

    /// The `[workspace.dependencies]` entries with a `path` and a `version`, in file order.
    pub fn workspace_dependencies(&self) -> Vec<WorkspaceDependency> {
        let Some(entries) = self
            .doc
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(Item::as_table_like)
        else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|(key, item)| {
                let text = |field: &str| item.get(field).and_then(Item::as_str);
                Some(WorkspaceDependency {
                    key: key.to_owned(),
                    package: text("package").unwrap_or(key).to_owned(),
                    dir: normalize(Utf8Path::new(text("path")?)),
                    requirement: text("version")?.to_owned(),
                })
            })
            .collect()
    }

    /// Sets the `version` of the `[workspace.dependencies]` entry `key`. Returns `false` when
    /// there is no such entry with a `version`.
    pub fn set_workspace_dependency(&mut self, key: &str, requirement: &str) -> bool {
        let item = self
            .doc
            .get_mut("workspace")
            .and_then(|w| child_mut(w, "dependencies"))
            .and_then(|d| child_mut(d, key))
            .and_then(|entry| child_mut(entry, "version"))
            .filter(|v| v.is_str());
        match item {
            Some(item) => {
                set_str(item, requirement);
                true
            }
            None => false,
        }
    }

    /// Applies a [`ManifestChange`]: the package version (unless inherited, see
    /// [`CargoTomlMut::set_package_version`]) and every requirement that is written in this
    /// manifest (see [`CargoTomlMut::set_requirement`]).
    pub fn apply(&mut self, change: &ManifestChange) -> Result<(), InputError> {
        if let Some(version) = &change.version {
            self.set_package_version(version)?;
        }
        for requirement in &change.requirements {
            self.set_requirement(requirement);
        }
        Ok(())
    }

    /// The edited text.
    pub fn finish(self) -> String {
        with_line_endings(self.doc.to_string(), self.crlf)
    }
}

/// Parses a TOML file into an editable document; a syntax error names `path` and the line.
pub(crate) fn parse_document(
    path: &Utf8Path,
    text: &str,
    what: &str,
) -> Result<DocumentMut, InputError> {
    text.parse::<DocumentMut>().map_err(|e| {
        let line = e
            .span()
            .map(|s| line_of_offset(text, s.start))
            .or_else(|| line_of(text, "["));
        let mut error = InputError::in_file(path, format!("{what}: {}", e.message().trim_end()));
        error.line = line;
        error
    })
}

/// `text` (which toml_edit writes with `\n`) with `\r\n` line endings when the file had them.
pub(crate) fn with_line_endings(text: String, crlf: bool) -> String {
    if crlf {
        text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        text
    }
}

/// The entry `key` of a table or inline table. (`Item::get_mut` would insert an empty one.)
pub(crate) fn child_mut<'a>(item: &'a mut Item, key: &str) -> Option<&'a mut Item> {
    item.as_table_like_mut()?.get_mut(key)
}

/// Replaces the string `item` with `new`, keeping its quote style and its decor (the spaces
/// around it and a comment after it).
pub(crate) fn set_str(item: &mut Item, new: &str) {
    if let Some(value) = item.as_value_mut() {
        set_str_value(value, new);
    }
}

/// [`set_str`] for a value (an element of an array).
pub(crate) fn set_str_value(value: &mut Value, new: &str) {
    let literal = match &*value {
        Value::String(s) => s
            .as_repr()
            .and_then(|r| r.as_raw().as_str())
            .is_some_and(|raw| raw.starts_with('\'')),
        _ => false,
    };
    let mut replacement = if literal && !new.contains(['\'', '\n']) {
        format!("'{new}'")
            .parse::<Value>()
            .unwrap_or_else(|_| Value::from(new))
    } else {
        Value::from(new)
    };
    *replacement.decor_mut() = value.decor().clone();
    *value = replacement;
}

/// Sets `version` in one dependency entry (a string or a table) if it is an entry relflow may
/// change for `change`.
fn set_entry_requirement(entry: &mut Item, key: &str, change: &RequirementChange) -> bool {
    if entry.is_str() {
        // `name = "1.2"` cannot rename.
        if key != change.dependency {
            return false;
        }
        set_str(entry, &change.requirement);
        return true;
    }
    let Some(table) = entry.as_table_like_mut() else {
        return false;
    };
    let inherited = table.get("workspace").and_then(Item::as_bool) == Some(true);
    let package = table.get("package").and_then(Item::as_str).unwrap_or(key);
    if inherited || package != change.dependency {
        return false;
    }
    match table.get_mut("version").filter(|v| v.is_str()) {
        Some(version) => {
            set_str(version, &change.requirement);
            true
        }
        None => false,
    }
}

/// Whether a `[target.KEY]` key names `target` as cargo metadata prints it. Cargo re-renders
/// `cfg(..)` expressions with its own spacing (`cfg(target_os = "linux")`), so spaces are ignored.
pub(crate) fn same_target(written: &str, target: &str) -> bool {
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    strip(written) == strip(target)
}

/// Inserts `key = "value"` into `table` right after `after` (or last), keeping the other entries
/// in order.
fn insert_after(table: &mut Item, after: &str, key: &str, value: &str) {
    let Some(table) = table.as_table_mut() else {
        // An inline `package = { .. }`: append.
        if let Some(inline) = table.as_table_like_mut() {
            inline.insert(key, toml_edit::value(value));
        }
        return;
    };
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).collect();
    let start = keys
        .iter()
        .position(|k| k == after)
        .map_or(keys.len(), |i| i + 1);
    let moved: Vec<_> = keys[start..]
        .iter()
        .filter_map(|k| table.remove_entry(k))
        .collect();
    table.insert(key, toml_edit::value(value));
    for (moved_key, item) in moved {
        table.insert_formatted(&moved_key, item);
    }
}

/// `path` without `.` components and with `..` applied where it can be.
fn normalize(path: &Utf8Path) -> Utf8PathBuf {
    let mut out = Utf8PathBuf::new();
    for component in path.components() {
        match component {
            Utf8Component::CurDir => {}
            Utf8Component::ParentDir => {
                let can_pop =
                    matches!(out.components().next_back(), Some(Utf8Component::Normal(_)));
                if !(can_pop && out.pop()) {
                    out.push("..");
                }
            }
            other => out.push(other.as_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    fn req(dependency: &str, kind: DepKind, requirement: &str) -> RequirementChange {
        RequirementChange {
            dependency: dependency.to_owned(),
            kind,
            target: None,
            rename: None,
            requirement: requirement.to_owned(),
        }
    }

    #[track_caller]
    fn edit(text: &str, f: impl FnOnce(&mut CargoTomlMut)) -> String {
        let mut doc = CargoTomlMut::parse("crates/app/Cargo.toml", text).unwrap();
        f(&mut doc);
        doc.finish()
    }

    const APP: &str = r#"# The application.
[package]
name = "app"
version = '0.1.0'   # keep in step with the docs
edition = "2021"

[dependencies]
core = { path = "../core", version = "0.3" } # the engine
engine = { package = "core-engine", version = "=1.2.3", path = "../engine" }
plain = "1.2"
inherited = { workspace = true }

[dependencies.dotted]
path = "../dotted"
version = "~0.5.1"  # dotted table

[dev-dependencies]
core = { path = "../core" }
testkit = { path = "../testkit", version = "2" }

[build-dependencies]
gen.path = "../gen"
gen.version = "0.1"

[target.'cfg(target_os = "linux")'.dependencies]
core = { path = "../core", version = "0.3.1" }

[target."x86_64-pc-windows-msvc".dev-dependencies]
core = { version = "0.3", path = "../core" }
"#;

    #[test]
    fn package_version_keeps_quotes_and_comment() {
        let out = edit(APP, |d| {
            assert!(d.set_package_version(&v("0.2.0-beta.1")).unwrap())
        });
        assert_eq!(
            out,
            APP.replace("'0.1.0'   # keep", "'0.2.0-beta.1'   # keep")
        );
    }

    #[test]
    fn requirements_in_every_table_form() {
        let out = edit(APP, |d| {
            assert!(d.set_requirement(&req("core", DepKind::Normal, "0.4")));
            assert!(d.set_requirement(&RequirementChange {
                rename: Some("engine".to_owned()),
                ..req("core-engine", DepKind::Normal, "=1.3.0")
            }));
            assert!(d.set_requirement(&req("plain", DepKind::Normal, "2.0")));
            assert!(d.set_requirement(&req("dotted", DepKind::Normal, "~0.6.0")));
            assert!(d.set_requirement(&req("testkit", DepKind::Dev, "3")));
            assert!(d.set_requirement(&req("gen", DepKind::Build, "0.2")));
            assert!(d.set_requirement(&RequirementChange {
                target: Some(r#"cfg(target_os="linux")"#.to_owned()),
                ..req("core", DepKind::Normal, "0.4.0")
            }));
            assert!(d.set_requirement(&RequirementChange {
                target: Some("x86_64-pc-windows-msvc".to_owned()),
                ..req("core", DepKind::Dev, "0.4")
            }));
        });
        let expected = APP
            .replace(
                r#"version = "0.3" } # the engine"#,
                r#"version = "0.4" } # the engine"#,
            )
            .replace(r#""=1.2.3""#, r#""=1.3.0""#)
            .replace(r#"plain = "1.2""#, r#"plain = "2.0""#)
            .replace(r#""~0.5.1"  # dotted"#, r#""~0.6.0"  # dotted"#)
            .replace(r#"version = "2" }"#, r#"version = "3" }"#)
            .replace(r#"gen.version = "0.1""#, r#"gen.version = "0.2""#)
            .replace(r#"version = "0.3.1" }"#, r#"version = "0.4.0" }"#)
            .replace(r#"{ version = "0.3", path"#, r#"{ version = "0.4", path"#);
        assert_eq!(out, expected);
    }

    #[test]
    fn inherited_path_only_and_mismatched_entries_are_left_alone() {
        let out = edit(APP, |d| {
            // `{ workspace = true }`.
            assert!(!d.set_requirement(&req("inherited", DepKind::Normal, "9")));
            // The path-only dev-dependency (the normal one is another table).
            assert!(!d.set_requirement(&req("core", DepKind::Dev, "0.4")));
            // `engine` is `core-engine`, not `engine`; `plain` cannot be a rename.
            assert!(!d.set_requirement(&req("engine", DepKind::Normal, "9")));
            assert!(!d.set_requirement(&RequirementChange {
                rename: Some("plain".to_owned()),
                ..req("other", DepKind::Normal, "9")
            }));
            // No such target, no such kind in the ecosystem.
            assert!(!d.set_requirement(&RequirementChange {
                target: Some("cfg(windows)".to_owned()),
                ..req("core", DepKind::Normal, "9")
            }));
            assert!(!d.set_requirement(&req("core", DepKind::Peer, "9")));
        });
        assert_eq!(out, APP);
    }

    #[test]
    fn inherited_version_and_workspace_root() {
        let member = "[package]\nname = \"util\"\nversion.workspace = true\n";
        let out = edit(member, |d| {
            assert!(!d.set_package_version(&v("2.0.0")).unwrap())
        });
        assert_eq!(out, member);

        let root = "[workspace]\nmembers = [\"*\"]\n\n[workspace.package]\nversion = \"1.2.0\" # all\nedition = \"2021\"\n\n[workspace.dependencies]\n# Internal.\ncore = { path = \"./crates/../core\", version = \"1.2\" }\nrenamed = { package = \"util\", path = \"util/\", version = \"=1.2.0\" }\nextern = \"1\"\npath-only = { path = \"p\" }\n";
        let mut doc = CargoTomlMut::parse("Cargo.toml", root).unwrap();
        assert_eq!(
            doc.workspace_dependencies(),
            vec![
                WorkspaceDependency {
                    key: "core".to_owned(),
                    package: "core".to_owned(),
                    dir: "core".into(),
                    requirement: "1.2".to_owned(),
                },
                WorkspaceDependency {
                    key: "renamed".to_owned(),
                    package: "util".to_owned(),
                    dir: "util".into(),
                    requirement: "=1.2.0".to_owned(),
                },
            ]
        );
        doc.set_workspace_version(&v("2.0.0")).unwrap();
        assert!(doc.set_workspace_dependency("core", "2.0"));
        assert!(doc.set_workspace_dependency("renamed", "=2.0.0"));
        assert!(!doc.set_workspace_dependency("path-only", "2"));
        assert!(!doc.set_workspace_dependency("missing", "2"));
        assert_eq!(
            doc.finish(),
            root.replace("\"1.2.0\" # all", "\"2.0.0\" # all")
                .replace("version = \"1.2\" }", "version = \"2.0\" }")
                .replace("\"=1.2.0\"", "\"=2.0.0\"")
        );
        let mut no_workspace = CargoTomlMut::parse("a/Cargo.toml", member).unwrap();
        let error = no_workspace.set_workspace_version(&v("1.0.0")).unwrap_err();
        assert_eq!(error.location().as_deref(), Some("a/Cargo.toml"));
    }

    #[test]
    fn missing_version_is_inserted_after_name() {
        let text = "[package]\nname = \"svc\"\n# Not published.\nedition = \"2021\"\npublish = false\n\n[dependencies]\n";
        let out = edit(text, |d| {
            assert!(d.set_package_version(&v("0.1.0")).unwrap())
        });
        assert_eq!(
            out,
            text.replace("name = \"svc\"\n", "name = \"svc\"\nversion = \"0.1.0\"\n")
        );
    }

    #[test]
    fn apply_sets_version_and_requirements() {
        let change = ManifestChange {
            version: Some(v("0.2.0")),
            requirements: vec![
                req("core", DepKind::Normal, "0.4"),
                req("inherited", DepKind::Normal, "9"),
            ],
        };
        let out = edit(APP, |d| d.apply(&change).unwrap());
        assert_eq!(
            out,
            APP.replace("'0.1.0'", "'0.2.0'")
                .replace(r#""0.3" } # the engine"#, r#""0.4" } # the engine"#)
        );
    }

    #[test]
    fn crlf_line_endings_are_kept() {
        let text = "[package]\r\nname = \"a\"\r\nversion = \"1.0.0\"\r\n\r\n[dependencies]\r\nb = { path = \"../b\", version = \"1\" }\r\n";
        let out = edit(text, |d| {
            d.set_package_version(&v("2.0.0")).unwrap();
            d.set_requirement(&req("b", DepKind::Normal, "2"));
        });
        assert_eq!(
            out,
            text.replace("\"1.0.0\"", "\"2.0.0\"")
                .replace("version = \"1\" }", "version = \"2\" }")
        );
    }

    #[test]
    fn bad_input_is_an_input_error() {
        let error = CargoTomlMut::parse("a/Cargo.toml", "[package]\nname = \"a\"\nversion = \n")
            .unwrap_err();
        assert_eq!(error.location().as_deref(), Some("a/Cargo.toml:3"));
        assert!(
            error.message.starts_with("invalid Cargo manifest: "),
            "{error}"
        );

        let mut doc = CargoTomlMut::parse("a/Cargo.toml", "[package]\nversion = 3\n").unwrap();
        let error = doc.set_package_version(&v("1.0.0")).unwrap_err();
        assert_eq!(error.message, "`package.version` is not a string");
        let mut doc = CargoTomlMut::parse("Cargo.toml", "[workspace]\n").unwrap();
        assert!(doc.set_package_version(&v("1.0.0")).is_err());
    }

    #[test]
    fn paths_are_normalised() {
        for (written, expected) in [
            ("core", "core"),
            ("./core/", "core"),
            ("crates/../core", "core"),
            ("../outside", "../outside"),
            ("a/./b/../../c", "c"),
        ] {
            assert_eq!(normalize(Utf8Path::new(written)), expected, "{written}");
        }
    }
}
