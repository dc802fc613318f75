//! Cargo workspace discovery through `cargo metadata`.
//!
//! `cargo metadata --no-deps --offline` gives the members, their publish settings and their
//! dependencies with kind, target, rename and path, exactly as cargo resolves them (member globs,
//! `exclude`, workspace inheritance). The raw manifests add what cargo normalises away: whether a
//! version is inherited from `[workspace.package]`, and whether a path dependency carries a
//! `version` at all.

use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_metadata::{DependencyKind, Metadata};
use toml_edit::{DocumentMut, Item};

mod layout;

pub use layout::layout_cargo;

use super::DiscoverError;
use crate::edit::cargo::same_target;
use crate::{DepKind, Dependency, Ecosystem, InputError, Package, Publish, VersionSource};

/// Finds the crates of the Cargo workspace whose root manifest is `root/Cargo.toml`.
/// Returns no packages when there is no such file.
pub fn discover_cargo(root: &Utf8Path) -> Result<Vec<Package>, DiscoverError> {
    let manifest = root.join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(Vec::new());
    }
    let metadata = cargo_metadata(root, &manifest)?;
    packages_from_metadata(root, &metadata)
}

fn cargo_metadata(root: &Utf8Path, manifest: &Utf8Path) -> Result<Metadata, DiscoverError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .current_dir(root)
        .output()
        .map_err(|e| DiscoverError::External(format!("failed to run `cargo metadata`: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(cargo_error(&stderr, root));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| DiscoverError::External(format!("`cargo metadata` printed invalid JSON: {e}")))
}

/// Classifies a failed `cargo metadata`. A complaint that names a manifest (a `-->` location or a
/// `Cargo.toml` path) is bad input; anything else is cargo itself failing (rustup's "toolchain
/// is not installed" for a `rust-toolchain.toml` pin, a broken installation), an external
/// failure reported with cargo's own `error:` and `help:` lines.
fn cargo_error(stderr: &str, root: &Utf8Path) -> DiscoverError {
    let names_manifest = stderr.lines().any(|l| {
        l.trim_start().starts_with("--> ") || l.split('`').any(|s| s.ends_with("Cargo.toml"))
    });
    if names_manifest {
        DiscoverError::Input(manifest_error(stderr, root))
    } else {
        DiscoverError::External(tool_error(stderr))
    }
}

/// Cargo's own message: its `error:`, `help:` and `note:` lines, without rustup's backtrace.
fn tool_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .take_while(|l| !l.starts_with("Stack backtrace:"))
        .map(str::trim_end)
        .filter(|l| {
            ["error: ", "help: ", "note: "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    let first = lines
        .first()
        .map_or("", |l| l.trim_start_matches("error: "));
    let mut message = format!("`cargo metadata` failed: {first}");
    if first.is_empty() {
        message.push_str(stderr.trim());
    }
    for line in lines.iter().skip(1) {
        message.push('\n');
        message.push_str(line);
    }
    message
}

/// Turns cargo's complaint about a manifest into an input error with file and line. Cargo prints
/// `error: <what>` and then ` --> <path>:<line>:<column>` relative to the directory it ran in,
/// the repository root; or, for a workspace member it cannot load, `failed to load manifest for
/// workspace member `<dir>`` and the causes under `Caused by:`, which the message keeps (with
/// the root's path taken out) and which point at that member's Cargo.toml, at the dependency
/// they name when there is one.
fn manifest_error(stderr: &str, root: &Utf8Path) -> InputError {
    let relative = |text: &str| text.replace(&format!("{root}/"), "");
    let first = stderr
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or("`cargo metadata` failed");
    let causes = caused_by(stderr);
    let mut message = format!("invalid Cargo manifest: {}", relative(first));
    for cause in &causes {
        message.push_str(": ");
        message.push_str(&relative(cause));
    }
    let mut error = InputError::new(message)
        .with_hint("run `cargo metadata --no-deps` to see cargo's full message");
    let location = stderr
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "));
    let member = first
        .strip_prefix("failed to load manifest for workspace member `")
        .and_then(|rest| rest.split('`').next());
    if let Some(location) = location {
        let mut parts = location.rsplitn(3, ':');
        let (_column, line, path) = (parts.next(), parts.next(), parts.next());
        if let (Some(path), Some(line)) = (path, line.and_then(|l| l.parse().ok())) {
            let path = Utf8Path::new(path);
            error = error
                .with_path(path.strip_prefix(root).unwrap_or(path))
                .with_line(line);
        }
    } else if let Some(member) = member {
        let manifest = Utf8Path::new(member).join("Cargo.toml");
        let shown = manifest.strip_prefix(root).unwrap_or(&manifest).to_owned();
        let dependency = causes.iter().find_map(|cause| {
            cause
                .strip_prefix("failed to load manifest for dependency `")
                .and_then(|rest| rest.split('`').next())
        });
        let line = dependency.and_then(|name| {
            let text = std::fs::read_to_string(root.join(&shown)).ok()?;
            dependency_line(&text, name)
        });
        error = error.with_path(shown);
        if let Some(line) = line {
            error = error.with_line(line);
        }
    } else if let Some(path) = stderr.split('`').find(|s| s.ends_with("Cargo.toml")) {
        let path = Utf8Path::new(path);
        error = error.with_path(path.strip_prefix(root).unwrap_or(path));
    }
    error
}

/// The lines under each `Caused by:` of cargo's error, in order.
fn caused_by(stderr: &str) -> Vec<String> {
    let mut causes = Vec::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "Caused by:" {
            if let Some(cause) = lines.by_ref().map(str::trim).find(|l| !l.is_empty()) {
                causes.push(cause.to_owned());
            }
        }
    }
    causes
}

/// The line of a manifest where dependency `name` is declared (`name = ...` or a
/// `[...dependencies.name]` table).
fn dependency_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
                || (line.starts_with('[')
                    && line.trim_end().ends_with(&format!("dependencies.{name}]")))
        })
        .map(|at| at + 1)
}

fn packages_from_metadata(
    root: &Utf8Path,
    metadata: &Metadata,
) -> Result<Vec<Package>, DiscoverError> {
    let members = metadata.workspace_packages();
    let member_names: Vec<&str> = members.iter().map(|p| p.name.as_str()).collect();
    let root_manifest = metadata.workspace_root.join("Cargo.toml");
    let root_doc = read_manifest(&root_manifest)?;
    let mut packages = Vec::with_capacity(members.len());
    for member in members {
        let doc = if member.manifest_path == root_manifest {
            root_doc.clone()
        } else {
            read_manifest(&member.manifest_path)?
        };
        let inherits_version = doc
            .get("package")
            .and_then(|p| p.get("version"))
            .and_then(|v| v.get("workspace"))
            .and_then(Item::as_bool)
            == Some(true);
        // A manifest without `version` is 0.0.0 to cargo (and unpublished): relflow gives it no
        // version, so it is never released and never gets a `version` key written.
        let versionless = doc.get("package").and_then(|p| p.get("version")).is_none();
        let written = written_requirements(&doc, &root_doc);
        let deps = member
            .dependencies
            .iter()
            .filter(|d| d.path.is_some() && member_names.contains(&d.name.as_str()))
            .map(|d| {
                let key = d.rename.as_deref().unwrap_or(&d.name);
                let kind = match d.kind {
                    DependencyKind::Development => DepKind::Dev,
                    DependencyKind::Build => DepKind::Build,
                    _ => DepKind::Normal,
                };
                let target = d.target.as_ref().map(ToString::to_string);
                // The text as written (`0.3`, not cargo's `^0.3`), so `version` can rewrite it
                // keeping its operator; cargo's form where the entry is not found.
                let requirement = match written.iter().find(|w| {
                    w.key == key
                        && w.kind == kind
                        && match (&w.target, &target) {
                            (Some(written), Some(target)) => same_target(written, target),
                            (written, target) => written == target,
                        }
                }) {
                    Some(w) => w.requirement.clone().unwrap_or_default(),
                    None => d.req.to_string(),
                };
                Dependency {
                    name: d.name.clone(),
                    kind,
                    requirement,
                    target,
                    rename: d.rename.clone(),
                }
            })
            .collect();
        let dir = relative(root, member.manifest_path.parent().unwrap_or(root));
        packages.push(Package {
            ecosystem: Ecosystem::Cargo,
            name: member.name.to_string(),
            version: (!versionless).then(|| member.version.clone()),
            version_text: (!versionless).then(|| member.version.to_string()),
            version_source: if versionless {
                VersionSource::None
            } else if inherits_version {
                VersionSource::CargoWorkspace
            } else {
                VersionSource::Manifest
            },
            manifest: relative(root, &member.manifest_path),
            dir,
            publish: match &member.publish {
                None => Publish::Default,
                Some(registries) if registries.is_empty() => Publish::No,
                Some(registries) => Publish::Registries(registries.clone()),
            },
            deps,
        });
    }
    packages.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(packages)
}

fn read_manifest(path: &Utf8Path) -> Result<DocumentMut, DiscoverError> {
    let text = crate::diag::read_text_file(path)
        .map_err(|e| DiscoverError::Input(crate::diag::read_error(path, &e)))?;
    crate::edit::cargo::parse_document(path, &text, "invalid Cargo manifest")
        .map_err(DiscoverError::Input)
}

/// A dependency entry as written in a manifest.
struct WrittenDependency {
    key: String,
    kind: DepKind,
    target: Option<String>,
    /// The `version` it writes or inherits, as written; `None` for a path-only entry.
    requirement: Option<String>,
}

/// Every dependency entry of a manifest, with the `version` it writes or inherits.
fn written_requirements(doc: &DocumentMut, root_doc: &DocumentMut) -> Vec<WrittenDependency> {
    let mut out = Vec::new();
    let tables = [
        ("dependencies", DepKind::Normal),
        ("dev-dependencies", DepKind::Dev),
        ("dev_dependencies", DepKind::Dev),
        ("build-dependencies", DepKind::Build),
        ("build_dependencies", DepKind::Build),
    ];
    let mut collect = |item: &Item, target: Option<String>| {
        for (table, kind) in tables {
            let Some(entries) = item.get(table).and_then(Item::as_table_like) else {
                continue;
            };
            for (key, value) in entries.iter() {
                out.push(WrittenDependency {
                    key: key.to_owned(),
                    kind,
                    target: target.clone(),
                    requirement: entry_requirement(key, value, root_doc),
                });
            }
        }
    };
    collect(doc.as_item(), None);
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (target, item) in targets.iter() {
            collect(item, Some(target.to_owned()));
        }
    }
    out
}

/// The `version` of a dependency entry (`name = "1.2"` or `{ version = "1.2", .. }`), or of the
/// root's `[workspace.dependencies]` entry it inherits with `{ workspace = true }`.
fn entry_requirement(key: &str, value: &Item, root_doc: &DocumentMut) -> Option<String> {
    let version = |entry: &Item| {
        entry
            .as_str()
            .or_else(|| entry.get("version").and_then(Item::as_str))
            .map(str::to_owned)
    };
    if value.get("workspace").and_then(Item::as_bool) == Some(true) {
        return root_doc
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(|d| d.get(key))
            .and_then(version);
    }
    version(value)
}

fn relative(root: &Utf8Path, path: &Utf8Path) -> Utf8PathBuf {
    path.strip_prefix(root)
        .map_or_else(|_| path.to_owned(), Utf8Path::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_toolchain_is_cargo_failing_with_rustups_hint() {
        let stderr = "error: toolchain '1.999.0-x86_64-unknown-linux-gnu' is not installed\n\
                      help: run `rustup toolchain install` to install it\n\
                      \nStack backtrace:\n   0: anyhow::error\n";
        let DiscoverError::External(message) = cargo_error(stderr, Utf8Path::new("/r")) else {
            panic!("not external");
        };
        assert_eq!(
            message,
            "`cargo metadata` failed: toolchain '1.999.0-x86_64-unknown-linux-gnu' is not \
             installed\nhelp: run `rustup toolchain install` to install it"
        );
    }

    #[test]
    fn a_complaint_naming_a_manifest_is_bad_input_with_its_line() {
        let stderr =
            "error: invalid type: integer `1`, expected a string\n --> core/Cargo.toml:3:11\n";
        let DiscoverError::Input(error) = cargo_error(stderr, Utf8Path::new("/r")) else {
            panic!("not input");
        };
        assert_eq!(error.location().as_deref(), Some("core/Cargo.toml:3"));
        let stderr = "error: failed to parse manifest at `/r/core/Cargo.toml`\n";
        let DiscoverError::Input(error) = cargo_error(stderr, Utf8Path::new("/r")) else {
            panic!("not input");
        };
        assert_eq!(error.location().as_deref(), Some("core/Cargo.toml"));
    }

    #[test]
    fn a_member_that_cannot_load_is_named_with_cargos_causes() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
        std::fs::create_dir_all(root.join("crates/b")).unwrap();
        std::fs::write(
            root.join("crates/b/Cargo.toml"),
            "[package]\nname = \"b\"\nversion = \"1.0.0\"\n\n[dependencies]\nc = { path = \"../c\" }\n",
        )
        .unwrap();
        let stderr = format!(
            "error: failed to load manifest for workspace member `{root}/crates/b`\n\
             referenced via `crates/*` by workspace at `{root}/Cargo.toml`\n\n\
             Caused by:\n  failed to load manifest for dependency `c`\n\n\
             Caused by:\n  failed to read `{root}/crates/c/Cargo.toml`\n\n\
             Caused by:\n  No such file or directory (os error 2)\n"
        );
        let DiscoverError::Input(error) = cargo_error(&stderr, &root) else {
            panic!("not input");
        };
        assert_eq!(error.location().as_deref(), Some("crates/b/Cargo.toml:6"));
        assert_eq!(
            error.message,
            "invalid Cargo manifest: failed to load manifest for workspace member `crates/b`: \
             failed to load manifest for dependency `c`: failed to read `crates/c/Cargo.toml`: \
             No such file or directory (os error 2)"
        );
    }
}
