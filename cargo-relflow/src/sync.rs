//! `sync` as a library call: make every file that repeats a version agree with the manifests.
//!
//! Members of a fixed group are raised to the group's highest version (with everything that
//! carries their versions); then every `[[sync]]` target and lockfile is set to its package's
//! version. [`prepare`] stages the edits and lists each disagreement it fixed, so `sync --check`
//! can report them without writing.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::plan::fixed_groups;
use cargo_relflow_sync::edit::cargo_lock::CargoLockMut;
use cargo_relflow_sync::edit::files::FileSet;
use cargo_relflow_sync::edit::linked;
use cargo_relflow_sync::edit::npm_lock::{
    package_lock_changes, pnpm_lock_changes, LockChange, WorkspaceManifest,
};
use cargo_relflow_sync::edit::uv_lock::UvLockMut;
use cargo_relflow_sync::edit::version_map;
use cargo_relflow_sync::edit::ManifestChange;
use cargo_relflow_sync::{names, Ecosystem, InputError, Package};

use crate::error::Failure;
use crate::repo::Repo;
use crate::stage::{stage_versions, Changes};

/// A file that does not carry the version it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The file, relative to the repository root.
    pub file: Utf8PathBuf,
    /// What in the file (`version of acme-core`, `FFI_VERSION regex`).
    pub what: String,
    /// The version it should carry.
    pub expected: String,
    /// The version it carries (`(missing)` when it has none).
    pub found: String,
}

/// A prepared `sync`: the edits staged, and what disagreed.
#[derive(Debug, Clone)]
pub struct SyncRun {
    /// The files to write.
    pub files: FileSet,
    /// Every disagreement found, in the order found.
    pub disagreements: Vec<Disagreement>,
}

/// Stages every edit that makes the repository agree with its manifests.
pub fn prepare(repo: &Repo) -> Result<SyncRun, Failure> {
    let packages = repo.packages();
    let mut files = FileSet::new(repo.root());
    let mut disagreements = Vec::new();

    // Fixed groups: every member at the group's highest version.
    let groups = fixed_groups(packages, &repo.plan_config()).map_err(InputError::from)?;
    let mut changes = Changes::new();
    for group in groups {
        let Some(highest) = group
            .iter()
            .filter_map(|&i| packages[i].version.as_ref())
            .max()
            .cloned()
        else {
            continue;
        };
        for &index in &group {
            let package = &packages[index];
            if let Some(version) = package.version.as_ref().filter(|v| **v != highest) {
                disagreements.push(Disagreement {
                    file: package.manifest.clone(),
                    what: format!("version of {} (fixed group)", package.qualified_name()),
                    expected: highest.to_string(),
                    found: version.to_string(),
                });
                changes.insert(
                    index,
                    ManifestChange {
                        version: Some(highest.clone()),
                        requirements: Vec::new(),
                    },
                );
            }
        }
    }
    stage_versions(&mut files, &repo.workspace, &changes, &[])?;
    let version_of = |index: usize| -> Option<semver::Version> {
        changes
            .get(&index)
            .and_then(|c| c.version.clone())
            .or_else(|| packages[index].version.clone())
    };

    for target in &repo.workspace.config.config.sync {
        let index = names::resolve(packages, target.package.get_ref())?;
        let (Some(version), Some(locator)) = (version_of(index), target.locator()) else {
            continue;
        };
        let path = Utf8PathBuf::from(target.file.get_ref());
        let text = files.read(&path)?.to_owned();
        if let Some(entry) = &target.insert {
            // A version map agrees once it has the current version's entry.
            let version = version.to_string();
            let edited =
                version_map::insert_entry(&text, &path, &locator, entry.get_ref(), &version)?;
            if edited != text {
                disagreements.push(Disagreement {
                    file: path.clone(),
                    what: format!("version map of {}", packages[index].qualified_name()),
                    expected: format!("an entry for {version}"),
                    found: "(missing)".to_owned(),
                });
                files.write(&path, edited)?;
            }
            continue;
        }
        let found = linked::read_version(&text, &path, &locator)?;
        let edited = linked::set_version(&text, &path, &locator, &version.to_string())?;
        if edited != text {
            disagreements.push(Disagreement {
                file: path.clone(),
                what: format!("[[sync]] of {}", packages[index].qualified_name()),
                expected: version.to_string(),
                found,
            });
            files.write(&path, edited)?;
        }
    }

    sync_cargo_lock(&mut files, packages, &version_of, &mut disagreements)?;
    sync_uv_lock(&mut files, packages, &version_of, &mut disagreements)?;
    sync_npm_locks(&mut files, packages, &mut disagreements)?;
    Ok(SyncRun {
        files,
        disagreements,
    })
}

/// package-lock.json and pnpm-lock.yaml: the workspace entries follow every package.json (as
/// staged so far). Each entry that changes is one disagreement.
fn sync_npm_locks(
    files: &mut FileSet,
    packages: &[Package],
    disagreements: &mut Vec<Disagreement>,
) -> Result<(), InputError> {
    let mut manifests: Vec<(Utf8PathBuf, String)> = Vec::new();
    for package in packages.iter().filter(|p| p.ecosystem == Ecosystem::Npm) {
        let text = files.read(&package.manifest)?.to_owned();
        manifests.push((package.dir.clone(), text));
    }
    let root_manifest = Utf8Path::new("package.json");
    if !packages.iter().any(|p| p.manifest == root_manifest) {
        if let Some(text) = files.read_optional(root_manifest)?.map(ToOwned::to_owned) {
            manifests.push((Utf8PathBuf::new(), text));
        }
    }
    if manifests.is_empty() {
        return Ok(());
    }
    let views: Vec<WorkspaceManifest<'_>> = manifests
        .iter()
        .map(|(dir, text)| WorkspaceManifest { dir, text })
        .collect();
    type Update = fn(
        &str,
        &Utf8Path,
        &[WorkspaceManifest<'_>],
    ) -> Result<(String, Vec<LockChange>), InputError>;
    let locks: [(&str, Update); 2] = [
        ("package-lock.json", package_lock_changes),
        ("pnpm-lock.yaml", pnpm_lock_changes),
    ];
    for (name, update) in locks {
        let path = Utf8Path::new(name);
        let Some(text) = files.read_optional(path)?.map(ToOwned::to_owned) else {
            continue;
        };
        let (edited, changes) = update(&text, path, &views)?;
        if edited != text {
            disagreements.extend(changes.into_iter().map(|change| Disagreement {
                file: path.to_owned(),
                what: change.entry,
                expected: change.expected,
                found: change.found,
            }));
            files.write(path, edited)?;
        }
    }
    Ok(())
}

/// The versions a TOML lock file (Cargo.lock, uv.lock) records for the workspace's own packages
/// (`is_local` tells them apart by their `[[package]]` entry), by name.
fn locked_versions(
    text: &str,
    is_local: fn(&toml::Value) -> bool,
) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        return found;
    };
    for entry in doc
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|entry| is_local(entry))
    {
        if let (Some(name), Some(version)) = (
            entry.get("name").and_then(toml::Value::as_str),
            entry.get("version").and_then(toml::Value::as_str),
        ) {
            found
                .entry(name.to_owned())
                .or_default()
                .push(version.to_owned());
        }
    }
    found
}

fn sync_cargo_lock(
    files: &mut FileSet,
    packages: &[Package],
    version_of: &dyn Fn(usize) -> Option<semver::Version>,
    disagreements: &mut Vec<Disagreement>,
) -> Result<(), InputError> {
    let path = Utf8Path::new("Cargo.lock");
    let Some(text) = files.read_optional(path)?.map(ToOwned::to_owned) else {
        return Ok(());
    };
    // Path packages have no `source`.
    let locked = locked_versions(&text, |entry| entry.get("source").is_none());
    let mut lock = CargoLockMut::parse(path, &text)?;
    for (index, package) in packages.iter().enumerate() {
        if package.ecosystem != Ecosystem::Cargo {
            continue;
        }
        let Some(version) = version_of(index) else {
            continue;
        };
        let Some(recorded) = locked.get(&package.name) else {
            continue;
        };
        // A lock with this crate at its version already agrees.
        if recorded.iter().any(|v| *v == version.to_string()) || recorded.len() != 1 {
            continue;
        }
        let Ok(old) = semver::Version::parse(&recorded[0]) else {
            continue;
        };
        if lock.set_version(&package.name, &old, &version) {
            disagreements.push(Disagreement {
                file: path.to_owned(),
                what: format!("locked version of {}", package.name),
                expected: version.to_string(),
                found: old.to_string(),
            });
        }
    }
    files.write(path, lock.finish())
}

fn sync_uv_lock(
    files: &mut FileSet,
    packages: &[Package],
    version_of: &dyn Fn(usize) -> Option<semver::Version>,
    disagreements: &mut Vec<Disagreement>,
) -> Result<(), InputError> {
    let path = Utf8Path::new("uv.lock");
    let Some(text) = files.read_optional(path)?.map(ToOwned::to_owned) else {
        return Ok(());
    };
    let locked = locked_versions(&text, |entry| {
        entry.get("source").is_some_and(|source| {
            ["editable", "virtual", "directory"]
                .iter()
                .any(|kind| source.get(kind).is_some())
        })
    });
    let mut lock = UvLockMut::parse(&text, path)?;
    for (index, package) in packages.iter().enumerate() {
        if package.ecosystem != Ecosystem::Python {
            continue;
        }
        let (Some(version), Some(recorded)) = (version_of(index), locked.get(&package.name)) else {
            continue;
        };
        let expected = cargo_relflow_sync::pep440::semver_to_pep440(&version);
        if recorded.iter().all(|v| *v != expected) && lock.set_version(&package.name, &version)? {
            disagreements.push(Disagreement {
                file: path.to_owned(),
                what: format!("locked version of {}", package.name),
                expected,
                found: recorded.join(", "),
            });
        }
    }
    files.write(path, lock.finish())
}
