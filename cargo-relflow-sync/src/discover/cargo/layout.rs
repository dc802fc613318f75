//! The Cargo workspace read straight from the manifests, without running cargo: what
//! `changeset check` needs, on every commit, in milliseconds. The members are the ones
//! `cargo metadata` lists: member globs expanded as cargo expands them, `exclude`, and the path
//! dependencies inside the workspace, which cargo makes members too.

use std::collections::{BTreeMap, HashSet};
use std::io::ErrorKind;

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};
use toml::de::{DeTable, DeValue};

use super::relative;
use crate::discover::DiscoverError;
use crate::{Ecosystem, InputError, Package, Publish, VersionSource};

/// The crates of the workspace at `root/Cargo.toml`: names, versions, directories and publish
/// settings, but no dependencies. No packages when there is no such file.
///
/// Each manifest is read once, parsed into the parser's borrowed tree (no owned copy of it is
/// built), and dropped as soon as its package and path dependencies are taken from it.
pub fn layout_cargo(root: &Utf8Path) -> Result<Vec<Package>, DiscoverError> {
    let manifest = root.join("Cargo.toml");
    let root_text = match read_if_present(&manifest) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(Vec::new()),
        Err(e) => return Err(DiscoverError::Input(crate::diag::read_error(&manifest, &e))),
    };
    let root_doc = parse_manifest(&manifest, &root_text)?;
    let workspace = table(&root_doc, "workspace");
    let strings = |key: &str| -> Vec<String> {
        workspace
            .and_then(|w| get(w, key))
            .and_then(DeValue::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.get_ref().as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let rules = Members {
        root,
        members: strings("members"),
        excluded: strings("exclude"),
        workspace_version: workspace
            .and_then(|w| table(w, "package"))
            .and_then(|p| string(p, "version")),
        workspace_deps: workspace.and_then(|w| table(w, "dependencies")),
    };
    let mut listed: Vec<(Utf8PathBuf, Manifest)> = rules
        .listed(&root_text)?
        .into_iter()
        .map(|(dir, text)| (dir, Manifest::Text(text)))
        .collect();
    if root_doc.get("package").is_some() {
        listed.push((Utf8PathBuf::new(), Manifest::Root(&root_doc)));
    }
    Ok(rules
        .with_path_dependencies(listed)?
        .into_values()
        .flatten()
        .collect())
}

/// A member's manifest waiting to be read: the root's, parsed already, or another's text.
enum Manifest<'r, 't> {
    Root(&'r DeTable<'t>),
    Text(String),
}

/// The package a member's manifest describes; `None` for a manifest without `[package]` or name
/// (the root of a virtual workspace).
fn package(
    dir: Utf8PathBuf,
    doc: &DeTable<'_>,
    workspace_version: Option<&str>,
) -> Option<Package> {
    let package = table(doc, "package")?;
    let name = string(package, "name")?;
    let version = get(package, "version");
    let inherits = version
        .and_then(DeValue::as_table)
        .and_then(|v| get(v, "workspace"))
        .and_then(DeValue::as_bool)
        == Some(true);
    let version_text = if inherits {
        workspace_version.map(str::to_owned)
    } else {
        version.and_then(DeValue::as_str).map(str::to_owned)
    };
    let publish = match get(package, "publish") {
        Some(item) if item.as_bool() == Some(false) => Publish::No,
        Some(item) => match item.as_array() {
            Some(list) if list.is_empty() => Publish::No,
            Some(list) => Publish::Registries(
                list.iter()
                    .filter_map(|v| v.get_ref().as_str().map(str::to_owned))
                    .collect(),
            ),
            None => Publish::Default,
        },
        None => Publish::Default,
    };
    Some(Package {
        ecosystem: Ecosystem::Cargo,
        name: name.to_owned(),
        version: version_text
            .as_deref()
            .and_then(|v| semver::Version::parse(v).ok()),
        version_text,
        version_source: if version.is_none() {
            VersionSource::None
        } else if inherits {
            VersionSource::CargoWorkspace
        } else {
            VersionSource::Manifest
        },
        manifest: dir.join("Cargo.toml"),
        dir,
        publish,
        deps: Vec::new(),
    })
}

/// The `[workspace]` rules that decide membership, and what members inherit from it.
struct Members<'a, 'r, 't> {
    root: &'a Utf8Path,
    members: Vec<String>,
    excluded: Vec<String>,
    /// `[workspace.package] version`.
    workspace_version: Option<&'r str>,
    /// `[workspace.dependencies]`.
    workspace_deps: Option<&'r DeTable<'t>>,
}

impl<'r, 't> Members<'_, 'r, 't> {
    /// Whether the absolute directory `dir` is excluded, as cargo's `is_excluded`: under an
    /// `exclude` entry and not under a `members` entry taken literally.
    fn is_excluded(&self, dir: &Utf8Path) -> bool {
        self.excluded
            .iter()
            .any(|e| dir.starts_with(self.root.join(e)))
            && !self
                .members
                .iter()
                .any(|m| dir.starts_with(self.root.join(m)))
    }

    /// The member directories (relative to the root) that `members` lists, with their
    /// manifests' text, as cargo's `WorkspaceRootConfig::members_paths` expands them:
    ///
    /// - a member is a glob; what it matches that is not a directory (bevy's
    ///   `examples/no_std/README.md` under `examples/no_std/*`, a `.DS_Store`) is no member;
    /// - a member that matches nothing stands for itself, a literal path;
    /// - a directory under an `exclude` entry is no member (see [`Members::is_excluded`]);
    /// - any other directory must hold a `Cargo.toml`: cargo refuses the workspace otherwise,
    ///   and so does this (exit 2, at the member's line of the root manifest).
    fn listed(&self, root_text: &str) -> Result<Vec<(Utf8PathBuf, String)>, DiscoverError> {
        let mut listed = Vec::new();
        for member in &self.members {
            let pattern = self.root.join(member);
            let matches: Vec<Utf8PathBuf> = glob::glob(pattern.as_str())
                .map_err(|e| {
                    member_error(
                        root_text,
                        member,
                        format!("invalid workspace member glob `{member}`: {e}"),
                    )
                })?
                .filter_map(Result::ok)
                .filter_map(|p| Utf8PathBuf::from_path_buf(p).ok())
                .collect();
            let globbed = !matches.is_empty();
            let candidates = if globbed { matches } else { vec![pattern] };
            for path in candidates {
                if self.is_excluded(&path) {
                    continue;
                }
                let dir = normalized(&relative(self.root, &path));
                // Reading the manifest is the lookup; a match that is no directory is no member
                // (looked at only when the manifest is not there).
                let manifest = self.root.join(&dir).join("Cargo.toml");
                let text = match read_if_present(&manifest) {
                    Ok(Some(text)) => text,
                    Ok(None) if globbed && !path.is_dir() => continue,
                    Ok(None) => {
                        let error = member_error(
                            root_text,
                            member,
                            format!(
                                "failed to load manifest for workspace member `{dir}`: \
                                 `{dir}/Cargo.toml` does not exist"
                            ),
                        )
                        .with_hint(format!(
                            "cargo refuses this workspace too; add a Cargo.toml to `{dir}`, \
                             remove the directory, or list it in `[workspace] exclude`"
                        ));
                        return Err(DiscoverError::Input(error));
                    }
                    Err(e) => {
                        return Err(DiscoverError::Input(crate::diag::read_error(&manifest, &e)));
                    }
                };
                listed.push((dir, text));
            }
        }
        Ok(listed)
    }

    /// Every member's package by directory (`None` for a manifest without one): the `listed`
    /// ones and, as cargo's `find_path_deps` adds them, the path dependencies inside the
    /// workspace root that are not excluded, and theirs in turn. A path dependency whose
    /// manifest cannot be found is left out here (cargo refuses it, and every other command
    /// says so).
    fn with_path_dependencies(
        &self,
        listed: Vec<(Utf8PathBuf, Manifest<'r, 't>)>,
    ) -> Result<BTreeMap<Utf8PathBuf, Option<Package>>, DiscoverError> {
        let mut members: BTreeMap<Utf8PathBuf, Option<Package>> = BTreeMap::new();
        // The listed members are read anyway: a path dependency on one needs no lookup.
        let mut queued: HashSet<Utf8PathBuf> = listed.iter().map(|(dir, _)| dir.clone()).collect();
        let mut pending: Vec<(Utf8PathBuf, Manifest<'r, 't>)> = listed.into_iter().rev().collect();
        while let Some((dir, manifest)) = pending.pop() {
            if members.contains_key(&dir) {
                continue;
            }
            let parsed;
            let doc = match &manifest {
                Manifest::Root(doc) => *doc,
                Manifest::Text(text) => {
                    parsed = parse_manifest(&self.root.join(&dir).join("Cargo.toml"), text)?;
                    &parsed
                }
            };
            for path in path_dependencies(doc, self.workspace_deps) {
                let base = if path.inherited {
                    Utf8PathBuf::new()
                } else {
                    dir.clone()
                };
                let Some(dep) = lexical(&base.join(path.path)) else {
                    continue; // above the root: outside the workspace
                };
                let absolute = self.root.join(&dep);
                if queued.contains(&dep) || self.is_excluded(&absolute) {
                    continue;
                }
                let dep_manifest = absolute.join("Cargo.toml");
                match read_if_present(&dep_manifest) {
                    Ok(Some(text)) => {
                        queued.insert(dep.clone());
                        pending.push((dep, Manifest::Text(text)));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        return Err(DiscoverError::Input(crate::diag::read_error(
                            &dep_manifest,
                            &e,
                        )));
                    }
                }
            }
            let package = package(dir.clone(), doc, self.workspace_version);
            members.insert(dir, package);
        }
        Ok(members)
    }
}

/// A `path` of a dependency entry; `inherited` when it comes from `[workspace.dependencies]`
/// (relative to the root then, not to the member).
struct PathDependency<'a> {
    path: &'a str,
    inherited: bool,
}

/// The `path` of every dependency entry of a manifest, in all dependency tables, target-specific
/// ones included; entries with `workspace = true` take the root's `[workspace.dependencies]`
/// entry's path.
fn path_dependencies<'a>(
    doc: &'a DeTable<'_>,
    workspace_deps: Option<&'a DeTable<'_>>,
) -> Vec<PathDependency<'a>> {
    const TABLES: [&str; 5] = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    let mut out = Vec::new();
    let mut collect = |tables: &'a DeTable<'_>| {
        for name in TABLES {
            let Some(entries) = table(tables, name) else {
                continue;
            };
            for (key, entry) in entries {
                let entry = entry.get_ref().as_table();
                let inherited = entry
                    .and_then(|e| get(e, "workspace"))
                    .and_then(DeValue::as_bool)
                    == Some(true);
                let source = if inherited {
                    workspace_deps.and_then(|deps| table(deps, key.get_ref()))
                } else {
                    entry
                };
                if let Some(path) = source.and_then(|s| string(s, "path")) {
                    out.push(PathDependency { path, inherited });
                }
            }
        }
    };
    collect(doc);
    if let Some(targets) = table(doc, "target") {
        for tables in targets.values().filter_map(|t| t.get_ref().as_table()) {
            collect(tables);
        }
    }
    out
}

/// The value at `key` of `table`.
fn get<'a, 't>(table: &'a DeTable<'t>, key: &str) -> Option<&'a DeValue<'t>> {
    table.get(key).map(|value| value.get_ref())
}

/// The table at `key` of `table`, if that is a table.
fn table<'a, 't>(table: &'a DeTable<'t>, key: &str) -> Option<&'a DeTable<'t>> {
    get(table, key)?.as_table()
}

/// The string at `key` of `table`, if that is a string.
fn string<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    get(table, key)?.as_str()
}

/// An error about the workspace member `member` of the root Cargo.toml, at the line that
/// writes it.
fn member_error(root_text: &str, member: &str, message: String) -> InputError {
    let error = InputError::in_file("Cargo.toml", message);
    let quoted = [format!("\"{member}\""), format!("'{member}'")];
    let offset = root_text.find("members").and_then(|start| {
        quoted
            .iter()
            .filter_map(|q| root_text[start..].find(q.as_str()))
            .min()
            .map(|found| start + found)
    });
    match offset {
        Some(offset) => error.at_offset(root_text, offset),
        None => error,
    }
}

/// `path` without `.` components (`./crates/a` is `crates/a`).
fn normalized(path: &Utf8Path) -> Utf8PathBuf {
    path.components()
        .filter(|c| !matches!(c, Utf8Component::CurDir))
        .collect()
}

/// A relative path with `.` and `..` resolved lexically, as cargo's `normalize_path`; `None`
/// when it leads above its start or is absolute.
fn lexical(path: &Utf8Path) -> Option<Utf8PathBuf> {
    let mut out = Utf8PathBuf::new();
    for component in path.components() {
        match component {
            Utf8Component::CurDir => {}
            Utf8Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Utf8Component::Normal(part) => out.push(part),
            Utf8Component::RootDir | Utf8Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The text of the manifest at `path`; `None` when there is none (the path, or a directory on
/// the way to it, does not exist, or a file stands where a directory should).
fn read_if_present(path: &Utf8Path) -> std::io::Result<Option<String>> {
    match crate::diag::read_text_file(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Parses a manifest with the plain (non-editing) TOML parser, into the tree it builds while
/// parsing, borrowed from `text`: what the hot path of `check` can afford.
fn parse_manifest<'t>(path: &Utf8Path, text: &'t str) -> Result<DeTable<'t>, DiscoverError> {
    DeTable::parse(text)
        .map(toml::Spanned::into_inner)
        .map_err(|e| {
            let mut error =
                InputError::in_file(path, format!("invalid Cargo manifest: {}", e.message()));
            if let Some(span) = e.span() {
                error = error.at_offset(text, span.start);
            }
            DiscoverError::Input(error)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::test_support::{repo, write};

    fn crate_manifest(name: &str, extra: &str) -> String {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n{extra}")
    }

    fn dirs(packages: &[Package]) -> Vec<(&str, &str)> {
        packages
            .iter()
            .map(|p| (p.dir.as_str(), p.name.as_str()))
            .collect()
    }

    #[test]
    fn a_file_matched_by_a_member_glob_is_no_member() {
        let (_dir, root) = repo();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\", \"examples/no_std/*\"]\n",
        );
        write(&root, "crates/a/Cargo.toml", &crate_manifest("a", ""));
        write(&root, "crates/README.md", "crates\n");
        write(&root, "examples/no_std/README.md", "no_std\n");
        write(
            &root,
            "examples/no_std/library/Cargo.toml",
            &crate_manifest("no_std_library", ""),
        );
        let packages = layout_cargo(&root).unwrap();
        assert_eq!(
            dirs(&packages),
            [
                ("crates/a", "a"),
                ("examples/no_std/library", "no_std_library")
            ]
        );
    }

    #[test]
    fn a_matched_directory_without_a_manifest_is_refused_at_its_line() {
        let (_dir, root) = repo();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\n  \"tools\",\n  \"crates/*\",\n]\n",
        );
        write(&root, "tools/Cargo.toml", &crate_manifest("tools", ""));
        write(&root, "crates/a/Cargo.toml", &crate_manifest("a", ""));
        std::fs::create_dir_all(root.join("crates/empty")).unwrap();
        let Err(DiscoverError::Input(error)) = layout_cargo(&root) else {
            panic!("not refused");
        };
        assert_eq!(error.location().as_deref(), Some("Cargo.toml:4"));
        assert!(
            error
                .to_string()
                .contains("`crates/empty/Cargo.toml` does not exist"),
            "{error}"
        );
    }

    #[test]
    fn excluded_directories_are_skipped_unless_listed_literally() {
        let (_dir, root) = repo();
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\", \"crates/old/keep\"]\n\
             exclude = [\"crates/old\", \"crates/scratch\"]\n",
        );
        write(&root, "crates/a/Cargo.toml", &crate_manifest("a", ""));
        write(
            &root,
            "crates/old/keep/Cargo.toml",
            &crate_manifest("keep", ""),
        );
        // Excluded before its manifest is looked for, as cargo does.
        std::fs::create_dir_all(root.join("crates/scratch")).unwrap();
        write(&root, "crates/old/Cargo.toml", &crate_manifest("old", ""));
        let packages = layout_cargo(&root).unwrap();
        assert_eq!(
            dirs(&packages),
            [("crates/a", "a"), ("crates/old/keep", "keep")]
        );
    }

    #[test]
    fn path_dependencies_inside_the_root_are_members() {
        let (_dir, root) = repo();
        write(
            &root,
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\
             [dependencies]\nshared = { workspace = true }\n\
             [workspace]\nmembers = [\"crates/ecs\"]\nexclude = [\"vendor\"]\n\
             [workspace.dependencies]\nshared = { path = \"libs/shared\" }\n",
        );
        write(
            &root,
            "crates/ecs/Cargo.toml",
            &crate_manifest(
                "ecs",
                "[dependencies]\necs_macros = { path = \"macros\" }\n\
                 [target.'cfg(unix)'.dev-dependencies]\nvendored = { path = \"../../vendor/v\" }\n\
                 outside = { path = \"../../../outside\" }\n",
            ),
        );
        write(
            &root,
            "crates/ecs/macros/Cargo.toml",
            &crate_manifest(
                "ecs_macros",
                "[build-dependencies]\nlogic = { path = \"../logic\" }\n",
            ),
        );
        write(
            &root,
            "crates/ecs/logic/Cargo.toml",
            &crate_manifest("logic", ""),
        );
        write(
            &root,
            "libs/shared/Cargo.toml",
            &crate_manifest("shared", ""),
        );
        write(
            &root,
            "vendor/v/Cargo.toml",
            &crate_manifest("vendored", ""),
        );
        let packages = layout_cargo(&root).unwrap();
        assert_eq!(
            dirs(&packages),
            [
                ("", "app"),
                ("crates/ecs", "ecs"),
                ("crates/ecs/logic", "logic"),
                ("crates/ecs/macros", "ecs_macros"),
                ("libs/shared", "shared"),
            ]
        );
    }
}
