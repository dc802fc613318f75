//! [`CargoLockMut`]: a Cargo.lock as text, with the versions of workspace members changed as
//! `cargo update --workspace` would change them, without running cargo.
//!
//! A member is a `[[package]]` without `source` (path packages are never given one). Besides its
//! `version`, the `dependencies = [..]` entries that point at it may change: cargo writes an entry
//! as `name` when the lock holds one version of that name, `name version` when it holds several,
//! and `name version (source)` when several packages share that name and version
//! (`cargo/src/cargo/core/resolver/encode.rs`, `encodable_package_id`). Changing a version can
//! change which form every entry for that name needs, so they are all resolved before the
//! change (with cargo's lookup rules) and written again after it. Lock files of the first format
//! (no `version` marker, checksums under `[metadata]`) spell every entry in full and keep doing so.
//!
//! Cargo also sorts: `[[package]]` tables by name, version and source, `dependencies` entries as
//! text. A version change can move either, so both are put back in cargo's order; a lock edited
//! here is the text cargo itself would write (the tests check that cargo leaves it unchanged).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use camino::Utf8Path;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use super::cargo::{parse_document, set_str, set_str_value, with_line_endings};
use crate::InputError;

/// A Cargo.lock being edited.
#[derive(Debug, Clone)]
pub struct CargoLockMut {
    doc: DocumentMut,
    crlf: bool,
}

impl CargoLockMut {
    /// Parses the text of the Cargo.lock at `path` (used in errors).
    pub fn parse(path: impl AsRef<Utf8Path>, text: &str) -> Result<Self, InputError> {
        let path = path.as_ref();
        let doc = parse_document(path, text, "invalid Cargo.lock")?;
        if doc.get("package").is_some_and(|p| !p.is_array_of_tables()) {
            return Err(InputError::in_file(
                path,
                "invalid Cargo.lock: `package` is not `[[package]]`",
            )
            .with_hint("run `cargo generate-lockfile` to write it again"));
        }
        Ok(CargoLockMut {
            doc,
            crlf: text.contains("\r\n"),
        })
    }

    /// Changes the version of the path package `name` from `old` to `new`, and every
    /// `dependencies` entry that points at a package called `name` to the form cargo would write.
    /// Returns `false`, changing nothing, when the lock has no path package `name` at `old`.
    pub fn set_version(
        &mut self,
        name: &str,
        old: &semver::Version,
        new: &semver::Version,
    ) -> bool {
        self.set_versions(&[(name, old, new)])[0]
    }

    /// [`CargoLockMut::set_version`] for each `(name, old, new)`, in order, reading the lock's
    /// packages and dependency entries once for all of them (a workspace release changes
    /// hundreds of crates in one lock). Returns, for each, whether it changed anything.
    pub fn set_versions(
        &mut self,
        updates: &[(&str, &semver::Version, &semver::Version)],
    ) -> Vec<bool> {
        let full_entries = self.is_first_format();
        let Some(packages) = self
            .doc
            .get_mut("package")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return vec![false; updates.len()];
        };
        let mut entries = locked_packages(packages);
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (at, entry) in entries.iter().enumerate() {
            by_name.entry(entry.name.clone()).or_default().push(at);
        }
        let mut references = dependency_entries(packages);
        let mut arrays = BTreeSet::new();
        let mut renamed = BTreeSet::new();
        let mut changed = Vec::with_capacity(updates.len());
        for (name, old, new) in updates {
            let named = by_name.get(*name).map(Vec::as_slice).unwrap_or_default();
            let old = old.to_string();
            let Some(&target) = named.iter().find(|&&at| {
                let e = &entries[at];
                e.version == old && e.source.is_none()
            }) else {
                changed.push(false);
                continue;
            };
            let resolved: Vec<(usize, usize, usize)> = references
                .get_mut(*name)
                .map(|found| {
                    found
                        .iter()
                        .filter_map(|r| {
                            let package = resolve(
                                &entries,
                                named,
                                r.version.as_deref(),
                                r.source.as_deref(),
                            )?;
                            Some((r.table, r.index, package))
                        })
                        .collect()
                })
                .unwrap_or_default();
            entries[target].version = new.to_string();
            if let Some(version) = packages.get_mut(target).and_then(|t| t.get_mut("version")) {
                set_str(version, &entries[target].version);
            }
            for (table, index, package) in resolved {
                let encoded = encode(&entries, named, package, full_entries);
                let value = dependencies_mut(packages, table).and_then(|a| a.get_mut(index));
                if let Some(value) = value.filter(|v| v.as_str() != Some(&encoded)) {
                    set_str_value(value, &encoded);
                    arrays.insert(table);
                }
            }
            // The entries as now written, for a later update of the same name.
            if let Some(found) = references.get_mut(*name) {
                for r in found.iter_mut() {
                    let text = dependencies_mut(packages, r.table)
                        .and_then(|a| a.get(r.index))
                        .and_then(Value::as_str)
                        .map(DependencyEntry::parse);
                    if let Some(parsed) = text {
                        r.version = parsed.version;
                        r.source = parsed.source;
                    }
                }
            }
            renamed.insert((*name).to_owned());
            changed.push(true);
        }
        for table in arrays {
            if let Some(array) = dependencies_mut(packages, table) {
                sort_dependencies(array);
            }
        }
        for name in renamed {
            sort_packages(packages, &entries, &by_name[&name]);
        }
        changed
    }

    /// The edited text.
    pub fn finish(self) -> String {
        with_line_endings(self.doc.to_string(), self.crlf)
    }

    /// Whether the lock is in cargo's first format, where every entry names a version.
    fn is_first_format(&self) -> bool {
        self.doc.get("version").is_none()
            && self
                .doc
                .get("metadata")
                .and_then(Item::as_table_like)
                .is_some_and(|m| m.iter().any(|(k, _)| k.starts_with("checksum ")))
    }
}

/// The `dependencies` array of the `table`-th `[[package]]`.
fn dependencies_mut(packages: &mut ArrayOfTables, table: usize) -> Option<&mut Array> {
    packages
        .get_mut(table)?
        .get_mut("dependencies")
        .and_then(Item::as_array_mut)
}

/// Puts a `dependencies` array back in cargo's order: by name, then by version *as text*, then
/// path before other sources (cargo sorts `EncodablePackageId`s, whose version is a string).
/// Entries equal on that key keep their order, and each position keeps its spacing.
fn sort_dependencies(array: &mut Array) {
    let key = |value: &Value| {
        let mut parts = value.as_str().unwrap_or_default().splitn(3, ' ');
        let name = parts.next().map(str::to_owned);
        let version = parts.next().map(str::to_owned);
        (name, version, parts.next().is_some())
    };
    let values: Vec<Value> = array.iter().cloned().collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by_key(|&i| key(&values[i]));
    for (slot, &from) in order.iter().enumerate() {
        if slot == from {
            continue;
        }
        let mut value = values[from].clone();
        *value.decor_mut() = values[slot].decor().clone();
        if let Some(target) = array.get_mut(slot) {
            *target = value;
        }
    }
}

/// Puts the `[[package]]` tables named `name` back in cargo's order: by semver version, then
/// path before other sources (cargo sorts `PackageId`s). Each slot keeps its place in the file
/// and its spacing.
fn sort_packages(packages: &mut ArrayOfTables, entries: &[Locked], slots: &[usize]) {
    let slots = slots.to_vec();
    let key = |i: usize| {
        let entry = &entries[i];
        (
            semver::Version::parse(&entry.version).ok(),
            entry.source.is_some(),
        )
    };
    let mut order = slots.clone();
    order.sort_by_key(|&i| key(i));
    if order == slots {
        return;
    }
    let tables: BTreeMap<usize, Table> = slots
        .iter()
        .filter_map(|&i| Some((i, packages.get(i)?.clone())))
        .collect();
    for (slot, from) in slots.iter().zip(&order) {
        let (Some(old), Some(new)) = (tables.get(slot), tables.get(from)) else {
            continue;
        };
        let mut table = new.clone();
        *table.decor_mut() = old.decor().clone();
        if let Some(position) = old.position() {
            table.set_position(position);
        }
        if let Some(target) = packages.get_mut(*slot) {
            *target = table;
        }
    }
}

/// A `[[package]]` of the lock.
struct Locked {
    name: String,
    version: String,
    /// The source without its `#commit` part, as dependency entries spell it.
    source: Option<String>,
}

fn locked_packages(packages: &ArrayOfTables) -> Vec<Locked> {
    packages
        .iter()
        .map(|t| {
            let text = |key: &str| t.get(key).and_then(Item::as_str);
            Locked {
                name: text("name").unwrap_or_default().to_owned(),
                version: text("version").unwrap_or_default().to_owned(),
                source: text("source").map(|s| s.split('#').next().unwrap_or(s).to_owned()),
            }
        })
        .collect()
}

/// A `dependencies` entry: where it is written, and the version and source it names.
struct Reference {
    /// The `[[package]]` whose `dependencies` hold it.
    table: usize,
    /// Its position in that array.
    index: usize,
    /// The version it spells, if any.
    version: Option<String>,
    /// The source it spells, if any.
    source: Option<String>,
}

/// The parts of a `dependencies` entry: `name [version [(source)]]`.
struct DependencyEntry<'a> {
    name: &'a str,
    version: Option<String>,
    source: Option<String>,
}

impl<'a> DependencyEntry<'a> {
    fn parse(text: &'a str) -> DependencyEntry<'a> {
        let mut parts = text.splitn(3, ' ');
        DependencyEntry {
            name: parts.next().unwrap_or_default(),
            version: parts.next().map(str::to_owned),
            source: parts
                .next()
                .and_then(|s| s.strip_prefix('(')?.strip_suffix(')'))
                .map(str::to_owned),
        }
    }
}

/// Every `dependencies` entry of the lock, by the name it points at: one pass over the file.
fn dependency_entries(packages: &ArrayOfTables) -> HashMap<String, Vec<Reference>> {
    let mut found: HashMap<String, Vec<Reference>> = HashMap::new();
    for (table, package) in packages.iter().enumerate() {
        let Some(dependencies) = package.get("dependencies").and_then(Item::as_array) else {
            continue;
        };
        for (index, value) in dependencies.iter().enumerate() {
            let Some(text) = value.as_str() else { continue };
            let entry = DependencyEntry::parse(text);
            found
                .entry(entry.name.to_owned())
                .or_default()
                .push(Reference {
                    table,
                    index,
                    version: entry.version,
                    source: entry.source,
                });
        }
    }
    found
}

/// The package an entry `name [version [(source)]]` points at, by cargo's rules: a missing
/// version means the only version of that name, a missing source the only path package (or the
/// only package) with that name and version. `None` where cargo would find none either.
fn resolve(
    entries: &[Locked],
    named: &[usize],
    version: Option<&str>,
    source: Option<&str>,
) -> Option<usize> {
    let named = || named.iter().map(|&at| (at, &entries[at]));
    let version = match version {
        Some(version) => version,
        None => {
            let mut versions = named().map(|(_, e)| e.version.as_str());
            let first = versions.next()?;
            if versions.any(|v| v != first) {
                return None;
            }
            first
        }
    };
    let candidates: Vec<(usize, &Locked)> = named().filter(|(_, e)| e.version == version).collect();
    match source {
        Some(source) => candidates
            .iter()
            .find(|(_, e)| e.source.as_deref() == Some(source))
            .map(|(i, _)| *i),
        None => {
            let paths: Vec<usize> = candidates
                .iter()
                .filter(|(_, e)| e.source.is_none())
                .map(|(i, _)| *i)
                .collect();
            match (paths.as_slice(), candidates.as_slice()) {
                ([only], _) => Some(*only),
                ([], [(only, _)]) => Some(*only),
                _ => None,
            }
        }
    }
}

/// How cargo writes a `dependencies` entry for `entries[index]`; `named` are the entries with
/// its name.
fn encode(entries: &[Locked], named: &[usize], index: usize, full_entries: bool) -> String {
    let entry = &entries[index];
    let with_source = |text: String| match &entry.source {
        Some(source) => format!("{text} ({source})"),
        None => text,
    };
    let with_version = format!("{} {}", entry.name, entry.version);
    if full_entries {
        return with_source(with_version);
    }
    let named: Vec<&Locked> = named.iter().map(|&at| &entries[at]).collect();
    let same_version = named.iter().filter(|e| e.version == entry.version).count();
    if same_version > 1 {
        with_source(with_version)
    } else if named.iter().any(|e| e.version != entry.version) {
        with_version
    } else {
        entry.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[track_caller]
    fn bump(text: &str, name: &str, old: &str, new: &str) -> String {
        let mut lock = CargoLockMut::parse("Cargo.lock", text).unwrap();
        assert!(
            lock.set_version(name, &v(old), &v(new)),
            "{name} {old} not found"
        );
        lock.finish()
    }

    const HEADER: &str = "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n";
    const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

    #[test]
    fn one_version_of_a_name_is_written_without_version() {
        let text = format!(
            "{HEADER}\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"core\",\n \"serde\",\n]\n\n[[package]]\nname = \"core\"\nversion = \"0.3.1\"\n\n[[package]]\nname = \"serde\"\nversion = \"0.3.1\"\nsource = \"{REGISTRY}\"\nchecksum = \"abc\"\n"
        );
        let out = bump(&text, "core", "0.3.1", "0.4.0");
        assert_eq!(
            out,
            text.replace(
                "name = \"core\"\nversion = \"0.3.1\"",
                "name = \"core\"\nversion = \"0.4.0\""
            )
        );
    }

    #[test]
    fn several_versions_of_a_name_spell_the_version() {
        // A member `base` and an older `base` from a path outside the workspace.
        let text = format!(
            "{HEADER}\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"base 0.1.0\",\n \"base 0.3.1\",\n]\n\n[[package]]\nname = \"base\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"base\"\nversion = \"0.3.1\"\n"
        );
        // The old one is found by its version too.
        let out = bump(&text, "base", "0.3.1", "0.4.0");
        assert_eq!(
            out,
            text.replace("\"base 0.3.1\"", "\"base 0.4.0\"")
                .replace("version = \"0.3.1\"", "version = \"0.4.0\"")
        );
    }

    #[test]
    fn a_version_shared_with_another_source_adds_sources() {
        // Before: the registry's `base 0.4.0` is alone at its version, the member is at 0.3.1.
        let text = format!(
            "{HEADER}\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"base 0.3.1\",\n \"base 0.4.0\",\n]\n\n[[package]]\nname = \"base\"\nversion = \"0.3.1\"\n\n[[package]]\nname = \"base\"\nversion = \"0.4.0\"\nsource = \"{REGISTRY}\"\nchecksum = \"abc\"\n"
        );
        let out = bump(&text, "base", "0.3.1", "0.4.0");
        assert_eq!(
            out,
            text.replace("\"base 0.4.0\"", &format!("\"base 0.4.0 ({REGISTRY})\""))
                .replace("\"base 0.3.1\"", "\"base 0.4.0\"")
                .replace("version = \"0.3.1\"", "version = \"0.4.0\"")
        );
        // And back: leaving the shared version drops the sources again.
        assert_eq!(bump(&out, "base", "0.4.0", "0.3.1"), text);
    }

    #[test]
    fn entries_and_packages_are_sorted_as_cargo_sorts_them() {
        let lock = |deps: [&str; 2], versions: [&str; 2]| {
            format!(
                "{HEADER}\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"{}\",\n \"{}\",\n]\n\n[[package]]\nname = \"base\"\nversion = \"{}\"\n\n[[package]]\nname = \"base\"\nversion = \"{}\"\n\n[[package]]\nname = \"zed\"\nversion = \"1.0.0\"\n",
                deps[0], deps[1], versions[0], versions[1]
            )
        };
        // The member passes the other `base`: both lists change order.
        let before = lock(["base 0.2.0", "base 0.3.0"], ["0.2.0", "0.3.0"]);
        let after = lock(["base 0.3.0", "base 0.4.0"], ["0.3.0", "0.4.0"]);
        assert_eq!(bump(&before, "base", "0.2.0", "0.4.0"), after);
        // `0.10.0` sorts before `0.3.0` as text (entries) but after it as a version (packages).
        let before = lock(["base 0.3.0", "base 0.9.0"], ["0.3.0", "0.9.0"]);
        let after = lock(["base 0.10.0", "base 0.3.0"], ["0.3.0", "0.10.0"]);
        assert_eq!(bump(&before, "base", "0.9.0", "0.10.0"), after);
    }

    #[test]
    fn first_format_keeps_full_entries() {
        let text = "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"core 0.3.1\",\n]\n\n[[package]]\nname = \"core\"\nversion = \"0.3.1\"\n\n[metadata]\n\"checksum serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)\" = \"abc\"\n";
        let out = bump(text, "core", "0.3.1", "0.4.0");
        assert_eq!(out, text.replace("0.3.1", "0.4.0"));
    }

    #[test]
    fn unknown_packages_change_nothing() {
        let text = format!(
            "{HEADER}\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"{REGISTRY}\"\n"
        );
        let mut lock = CargoLockMut::parse("Cargo.lock", &text).unwrap();
        // Registry packages are not members; wrong versions are not found.
        assert!(!lock.set_version("serde", &v("1.0.0"), &v("2.0.0")));
        assert!(!lock.set_version("app", &v("0.1.0"), &v("0.2.0")));
        assert_eq!(lock.finish(), text);
        let mut empty = CargoLockMut::parse("Cargo.lock", HEADER).unwrap();
        assert!(!empty.set_version("app", &v("0.1.0"), &v("0.2.0")));
    }

    #[test]
    fn crlf_and_bad_input() {
        let text = "version = 4\r\n\r\n[[package]]\r\nname = \"a\"\r\nversion = \"1.0.0\"\r\n";
        assert_eq!(
            bump(text, "a", "1.0.0", "1.1.0"),
            text.replace("1.0.0", "1.1.0")
        );
        let error = CargoLockMut::parse("Cargo.lock", "version = 4\n[[package]\n").unwrap_err();
        assert_eq!(error.location().as_deref(), Some("Cargo.lock:2"));
        let error = CargoLockMut::parse("Cargo.lock", "package = 3\n").unwrap_err();
        assert!(error.message.contains("`package` is not `[[package]]`"));
    }

    #[test]
    fn entries_resolve_like_cargo() {
        let entries = [
            ("base", "0.1.0", None),
            ("base", "0.4.0", None),
            ("base", "0.4.0", Some(REGISTRY)),
            ("solo", "1.0.0", Some(REGISTRY)),
        ]
        .map(|(name, version, source)| Locked {
            name: name.to_owned(),
            version: version.to_owned(),
            source: source.map(str::to_owned),
        });
        let (base, solo): (&[usize], &[usize]) = (&[0, 1, 2], &[3]);
        assert_eq!(resolve(&entries, base, None, None), None);
        assert_eq!(resolve(&entries, base, Some("0.1.0"), None), Some(0));
        assert_eq!(resolve(&entries, base, Some("0.4.0"), None), Some(1));
        assert_eq!(
            resolve(&entries, base, Some("0.4.0"), Some(REGISTRY)),
            Some(2)
        );
        assert_eq!(resolve(&entries, solo, None, None), Some(3));
        assert_eq!(resolve(&entries, &[], None, None), None);
    }
}
