//! The Cargo workspace read straight from the manifests, without running cargo: what
//! `changeset check` needs, on every commit, in milliseconds. The members are the ones
//! `cargo metadata` lists: member globs expanded as cargo expands them, `exclude`, and the path
//! dependencies inside the workspace, which cargo makes members too.

use std::collections::{BTreeMap, HashSet};

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};

use super::relative;
use crate::discover::DiscoverError;
use crate::{Ecosystem, InputError, Package, Publish, VersionSource};

/// The crates of the workspace at `root/Cargo.toml`: names, versions, directories and publish
/// settings, but no dependencies. No packages when there is no such file.
pub fn layout_cargo(root: &Utf8Path) -> Result<Vec<Package>, DiscoverError> {
    let manifest = root.join("Cargo.toml");
    let Some((root_doc, root_text)) = read_table(&manifest)? else {
        return Ok(Vec::new());
    };
    let workspace = root_doc.get("workspace");
    let strings = |key: &str| -> Vec<String> {
        workspace
            .and_then(|w| w.get(key))
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let rules = Members {
        root,
        members: strings("members"),
        excluded: strings("exclude"),
    };
    let mut dirs = rules.listed(&root_text)?;
    if root_doc.get("package").is_some() {
        dirs.push(Utf8PathBuf::new());
    }
    let workspace_version = workspace
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    let manifests = rules.with_path_dependencies(dirs, root_doc)?;
    Ok(manifests
        .into_iter()
        .filter_map(|(dir, doc)| package(dir, &doc, workspace_version.as_deref()))
        .collect())
}

/// The package a member's manifest describes; `None` for a manifest without `[package]` or name
/// (the root of a virtual workspace).
fn package(
    dir: Utf8PathBuf,
    doc: &toml::Table,
    workspace_version: Option<&str>,
) -> Option<Package> {
    let package = doc.get("package")?;
    let name = package.get("name").and_then(toml::Value::as_str)?;
    let version = package.get("version");
    let inherits = version
        .and_then(|v| v.get("workspace"))
        .and_then(toml::Value::as_bool)
        == Some(true);
    let version_text = if inherits {
        workspace_version.map(str::to_owned)
    } else {
        version.and_then(toml::Value::as_str).map(str::to_owned)
    };
    let publish = match package.get("publish") {
        Some(item) if item.as_bool() == Some(false) => Publish::No,
        Some(item) => match item.as_array() {
            Some(list) if list.is_empty() => Publish::No,
            Some(list) => Publish::Registries(
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
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

/// The `[workspace]` rules that decide membership.
struct Members<'a> {
    root: &'a Utf8Path,
    members: Vec<String>,
    excluded: Vec<String>,
}

impl Members<'_> {
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

    /// The member directories (relative to the root) that `members` lists, as cargo's
    /// `WorkspaceRootConfig::members_paths` expands them:
    ///
    /// - a member is a glob; what it matches that is not a directory (bevy's
    ///   `examples/no_std/README.md` under `examples/no_std/*`, a `.DS_Store`) is no member;
    /// - a member that matches nothing stands for itself, a literal path;
    /// - a directory under an `exclude` entry is no member (see [`Members::is_excluded`]);
    /// - any other directory must hold a `Cargo.toml`: cargo refuses the workspace otherwise,
    ///   and so does this (exit 2, at the member's line of the root manifest).
    fn listed(&self, root_text: &str) -> Result<Vec<Utf8PathBuf>, DiscoverError> {
        let mut dirs = Vec::new();
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
                // One lookup for a member with its manifest; a match that is no directory is no
                // member (looked at only when the manifest is not there).
                if !self.root.join(&dir).join("Cargo.toml").is_file() {
                    if globbed && !path.is_dir() {
                        continue;
                    }
                    let error = member_error(
                        root_text,
                        member,
                        format!(
                            "failed to load manifest for workspace member `{dir}`: \
                             `{dir}/Cargo.toml` does not exist"
                        ),
                    )
                    .with_hint(format!(
                        "cargo refuses this workspace too; add a Cargo.toml to `{dir}`, remove \
                         the directory, or list it in `[workspace] exclude`"
                    ));
                    return Err(DiscoverError::Input(error));
                }
                dirs.push(dir);
            }
        }
        Ok(dirs)
    }

    /// Every member's manifest by directory: the `listed` ones (the root's already read) and,
    /// as cargo's `find_path_deps` adds them, the path dependencies inside the workspace root
    /// that are not excluded, and theirs in turn. A path dependency whose manifest cannot be
    /// found is left out here (cargo refuses it, and every other command says so).
    fn with_path_dependencies(
        &self,
        listed: Vec<Utf8PathBuf>,
        root_doc: toml::Table,
    ) -> Result<BTreeMap<Utf8PathBuf, toml::Table>, DiscoverError> {
        let workspace_deps = root_doc
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        let mut manifests: BTreeMap<Utf8PathBuf, toml::Table> = BTreeMap::new();
        let mut root_doc = Some(root_doc);
        // The listed members are read anyway: a path dependency on one needs no lookup.
        let mut queued: HashSet<Utf8PathBuf> = listed.iter().cloned().collect();
        let mut pending: Vec<Utf8PathBuf> = listed.into_iter().rev().collect();
        while let Some(dir) = pending.pop() {
            if manifests.contains_key(&dir) {
                continue;
            }
            let doc = if dir.as_str().is_empty() {
                match root_doc.take() {
                    Some(doc) => doc,
                    None => continue,
                }
            } else {
                match read_table(&self.root.join(&dir).join("Cargo.toml"))? {
                    Some((doc, _)) => doc,
                    // A listed member's manifest was there a moment ago: gone since, no member.
                    None => continue,
                }
            };
            for path in path_dependencies(&doc, &workspace_deps) {
                let base = if path.inherited {
                    Utf8PathBuf::new()
                } else {
                    dir.clone()
                };
                let Some(dep) = lexical(&base.join(&path.path)) else {
                    continue; // above the root: outside the workspace
                };
                let absolute = self.root.join(&dep);
                if !queued.contains(&dep)
                    && !self.is_excluded(&absolute)
                    && absolute.join("Cargo.toml").is_file()
                {
                    queued.insert(dep.clone());
                    pending.push(dep);
                }
            }
            manifests.insert(dir, doc);
        }
        Ok(manifests)
    }
}

/// A `path` of a dependency entry; `inherited` when it comes from `[workspace.dependencies]`
/// (relative to the root then, not to the member).
struct PathDependency {
    path: String,
    inherited: bool,
}

/// The `path` of every dependency entry of a manifest, in all dependency tables, target-specific
/// ones included; entries with `workspace = true` take the root's `[workspace.dependencies]`
/// entry's path.
fn path_dependencies(doc: &toml::Table, workspace_deps: &toml::Table) -> Vec<PathDependency> {
    const TABLES: [&str; 5] = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    let mut out = Vec::new();
    let mut collect = |tables: &toml::Table| {
        for table in TABLES {
            let Some(entries) = tables.get(table).and_then(toml::Value::as_table) else {
                continue;
            };
            for (key, entry) in entries {
                let inherited = entry.get("workspace").and_then(toml::Value::as_bool) == Some(true);
                let source = if inherited {
                    workspace_deps.get(key)
                } else {
                    Some(entry)
                };
                if let Some(path) = source
                    .and_then(|s| s.get("path"))
                    .and_then(toml::Value::as_str)
                {
                    out.push(PathDependency {
                        path: path.to_owned(),
                        inherited,
                    });
                }
            }
        }
    };
    collect(doc);
    if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
        for tables in targets.values().filter_map(toml::Value::as_table) {
            collect(tables);
        }
    }
    out
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

/// Reads and parses a manifest with the plain (non-editing) TOML parser, which is what the hot
/// path of `check` can afford, with its text; `None` when the file does not exist.
fn read_table(path: &Utf8Path) -> Result<Option<(toml::Table, String)>, DiscoverError> {
    let text = match crate::diag::read_text_file(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DiscoverError::Input(crate::diag::read_error(path, &e))),
    };
    let table = toml::from_str(&text).map_err(|e| {
        let mut error =
            InputError::in_file(path, format!("invalid Cargo manifest: {}", e.message()));
        if let Some(span) = e.span() {
            error = error.at_offset(&text, span.start);
        }
        DiscoverError::Input(error)
    })?;
    Ok(Some((table, text)))
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
