//! Stages new versions into every file that carries them: the manifests of each ecosystem, the
//! root Cargo.toml (`[workspace.package]` and `[workspace.dependencies]`), lockfiles, generic
//! packages' version files and `[[sync]]` targets. Used by `version` and `sync`.
//!
//! Each file is read once through the [`FileSet`], however many packages touch it; the editors of
//! `cargo_relflow_sync::edit` change only the values, and the ecosystem rules of
//! `cargo_relflow_changeset::apply` decide which requirements change.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::apply::cargo::{new_requirement, unsatisfied};
use cargo_relflow_sync::discover::Workspace;
use cargo_relflow_sync::dynamic_version::write_version;
use cargo_relflow_sync::edit::cargo::CargoTomlMut;
use cargo_relflow_sync::edit::cargo_lock::CargoLockMut;
use cargo_relflow_sync::edit::files::FileSet;
use cargo_relflow_sync::edit::linked;
use cargo_relflow_sync::edit::npm::PackageJsonMut;
use cargo_relflow_sync::edit::npm_lock::{
    update_package_lock, update_pnpm_lock, WorkspaceManifest,
};
use cargo_relflow_sync::edit::python::PyprojectMut;
use cargo_relflow_sync::edit::uv_lock::UvLockMut;
use cargo_relflow_sync::edit::version_map;
use cargo_relflow_sync::edit::{ManifestChange, RequirementChange};
use cargo_relflow_sync::pep440::semver_to_pep440;
use cargo_relflow_sync::{names, Dependency, Ecosystem, InputError, Package, VersionSource};

/// The manifest changes of a run, by index into the packages.
pub type Changes = BTreeMap<usize, ManifestChange>;

/// Stages `changes` for the packages of `workspace`, whose files `files` holds. `npm_root` are
/// the ranges to rewrite in the root package.json when it is not itself a package (Changesets v3
/// rewrites them there too, never its version).
pub fn stage_versions(
    files: &mut FileSet,
    workspace: &Workspace,
    changes: &Changes,
    npm_root: &[RequirementChange],
) -> Result<(), InputError> {
    let packages = &workspace.packages;
    if let Some(problem) = unsatisfied(packages, changes).first() {
        return Err(problem.to_input_error(packages));
    }
    stage_cargo(files, packages, changes)?;
    stage_npm(files, packages, changes, npm_root)?;
    stage_python(files, packages, changes)?;
    stage_generic(files, workspace, changes)?;
    stage_sync_targets(files, workspace, changes)?;
    Ok(())
}

/// The dependencies written in the root package.json, when there is one that is not a package
/// itself (a workspace root).
pub fn npm_root_dependencies(
    files: &mut FileSet,
    packages: &[Package],
) -> Result<Vec<Dependency>, InputError> {
    let path = Utf8Path::new("package.json");
    let is_package = packages
        .iter()
        .any(|p| p.ecosystem == Ecosystem::Npm && p.manifest == path);
    match files.read_optional(path)? {
        Some(text) if !is_package => Ok(PackageJsonMut::parse(text, path)?.dependencies()),
        _ => Ok(Vec::new()),
    }
}

/// package.json versions and ranges (byte-preserving, as Changesets v3 edits them), and the
/// package-lock.json and pnpm-lock.yaml entries of the edited packages.
fn stage_npm(
    files: &mut FileSet,
    packages: &[Package],
    changes: &Changes,
    npm_root: &[RequirementChange],
) -> Result<(), InputError> {
    let mut edited: Vec<(Utf8PathBuf, String)> = Vec::new();
    let root_change = ManifestChange {
        version: None,
        requirements: npm_root.to_vec(),
    };
    let root = (!npm_root.is_empty()).then_some((
        Utf8Path::new("package.json"),
        Utf8Path::new(""),
        &root_change,
    ));
    let members = changes.iter().filter_map(|(&index, change)| {
        let package = &packages[index];
        (package.ecosystem == Ecosystem::Npm).then_some((
            package.manifest.as_path(),
            package.dir.as_path(),
            change,
        ))
    });
    for (manifest, dir, change) in members.chain(root) {
        let text = files.read(manifest)?.to_owned();
        let mut doc = PackageJsonMut::parse(&text, manifest)?;
        doc.apply(change)?;
        let new = doc.finish();
        files.write(manifest, new.clone())?;
        edited.push((dir.to_owned(), new));
    }
    if edited.is_empty() {
        return Ok(());
    }
    let manifests: Vec<WorkspaceManifest<'_>> = edited
        .iter()
        .map(|(dir, text)| WorkspaceManifest { dir, text })
        .collect();
    let package_lock = Utf8Path::new("package-lock.json");
    if let Some(text) = files.read_optional(package_lock)?.map(ToOwned::to_owned) {
        let new = update_package_lock(&text, package_lock, &manifests)?;
        files.write(package_lock, new)?;
    }
    let pnpm_lock = Utf8Path::new("pnpm-lock.yaml");
    if let Some(text) = files.read_optional(pnpm_lock)?.map(ToOwned::to_owned) {
        let new = update_pnpm_lock(&text, pnpm_lock, &manifests)?;
        files.write(pnpm_lock, new)?;
    }
    Ok(())
}

/// pyproject.toml versions (PEP 440) and specifiers, and the uv.lock files that record them.
fn stage_python(
    files: &mut FileSet,
    packages: &[Package],
    changes: &Changes,
) -> Result<(), InputError> {
    let mut locked: Vec<(&str, &semver::Version)> = Vec::new();
    let mut lock_paths = vec![Utf8PathBuf::from("uv.lock")];
    for (&index, change) in changes {
        let package = &packages[index];
        if package.ecosystem != Ecosystem::Python {
            continue;
        }
        let own_change = match &package.version_source {
            // The version of a maturin project is its Cargo.toml's (see `stage_cargo`); one
            // derived from git tags is written nowhere (the tag is the version).
            VersionSource::Maturin { .. } | VersionSource::Vcs(_) => ManifestChange {
                version: None,
                requirements: change.requirements.clone(),
            },
            VersionSource::PythonFile { file, assignment } => {
                if let Some(version) = &change.version {
                    let text = files.read(file)?.to_owned();
                    let new = semver_to_pep440(version);
                    let edited =
                        write_version(&text, assignment.as_deref(), &new).ok_or_else(|| {
                            InputError::in_file(file, "the version to rewrite is gone")
                        })?;
                    files.write(file, edited)?;
                }
                ManifestChange {
                    version: None,
                    requirements: change.requirements.clone(),
                }
            }
            _ => change.clone(),
        };
        if own_change.version.is_some() || !own_change.requirements.is_empty() {
            let text = files.read(&package.manifest)?.to_owned();
            let mut doc = PyprojectMut::parse(&text, &package.manifest)?;
            doc.apply(&own_change)?;
            files.write(&package.manifest, doc.finish())?;
        }
        if let Some((_, new)) = new_version(packages, changes, index) {
            locked.push((&package.name, new));
            lock_paths.push(package.dir.join("uv.lock"));
        }
    }
    if locked.is_empty() {
        return Ok(());
    }
    lock_paths.sort();
    lock_paths.dedup();
    for path in lock_paths {
        let Some(text) = files.read_optional(&path)?.map(ToOwned::to_owned) else {
            continue;
        };
        let mut lock = UvLockMut::parse(&text, &path)?;
        for (name, version) in &locked {
            lock.set_version(name, version)?;
        }
        files.write(&path, lock.finish())?;
    }
    Ok(())
}

/// The version files of generic packages.
fn stage_generic(
    files: &mut FileSet,
    workspace: &Workspace,
    changes: &Changes,
) -> Result<(), InputError> {
    let packages = &workspace.packages;
    for &index in changes.keys() {
        let package = &packages[index];
        let Some((_, new)) = new_version(packages, changes, index) else {
            continue;
        };
        if package.ecosystem != Ecosystem::Generic {
            continue;
        }
        let Some(locator) = workspace
            .config
            .config
            .generic_packages()
            .find(|entry| *entry.name.get_ref() == package.name)
            .and_then(|entry| entry.locator())
        else {
            continue;
        };
        let text = files.read(&package.manifest)?.to_owned();
        let edited = linked::set_version(&text, &package.manifest, &locator, &new.to_string())?;
        files.write(&package.manifest, edited)?;
    }
    Ok(())
}

/// `[[sync]]` targets of the packages that get a new version (written as semver); a version map
/// (`insert`) gets the new version's entry.
fn stage_sync_targets(
    files: &mut FileSet,
    workspace: &Workspace,
    changes: &Changes,
) -> Result<(), InputError> {
    let packages = &workspace.packages;
    for target in &workspace.config.config.sync {
        let index = names::resolve(packages, target.package.get_ref())?;
        let Some((_, new)) = new_version(packages, changes, index) else {
            continue;
        };
        let Some(locator) = target.locator() else {
            continue;
        };
        let path = Utf8PathBuf::from(target.file.get_ref());
        let text = files.read(&path)?.to_owned();
        let edited = match &target.insert {
            Some(entry) => version_map::insert_entry(
                &text,
                &path,
                &locator,
                entry.get_ref(),
                &new.to_string(),
            )?,
            None => linked::set_version(&text, &path, &locator, &new.to_string())?,
        };
        files.write(&path, edited)?;
    }
    Ok(())
}

/// The new version of a package, when the run gives it one that differs from its current one.
fn new_version<'a>(
    packages: &'a [Package],
    changes: &'a Changes,
    index: usize,
) -> Option<(&'a semver::Version, &'a semver::Version)> {
    let new = changes.get(&index)?.version.as_ref()?;
    let old = packages[index].version.as_ref()?;
    (old != new).then_some((old, new))
}

/// Cargo manifests (and maturin projects' Cargo.toml), the root's inherited version and
/// workspace dependencies, and Cargo.lock.
fn stage_cargo(
    files: &mut FileSet,
    packages: &[Package],
    changes: &Changes,
) -> Result<(), InputError> {
    let root_manifest = Utf8Path::new("Cargo.toml");
    let workspace_version = inherited_version(packages, changes)?;
    let has_cargo = packages.iter().any(|p| p.ecosystem == Ecosystem::Cargo);
    if has_cargo {
        let text = files.read(root_manifest)?.to_owned();
        let mut root = CargoTomlMut::parse(root_manifest, &text)?;
        if let Some(version) = &workspace_version {
            root.set_workspace_version(version)?;
        }
        for entry in root.workspace_dependencies() {
            let Some(member) = packages
                .iter()
                .position(|p| p.ecosystem == Ecosystem::Cargo && p.dir == entry.dir)
            else {
                continue;
            };
            if let Some((_, new)) = new_version(packages, changes, member) {
                if let Some(requirement) = new_requirement(&entry.requirement, new) {
                    root.set_workspace_dependency(&entry.key, &requirement);
                }
            }
        }
        let edited = root.finish();
        files.write(root_manifest, edited)?;
    }

    // Lock files to update, with the (name, old, new) of each path package in them.
    let mut locks: BTreeMap<Utf8PathBuf, Vec<(String, semver::Version, semver::Version)>> =
        BTreeMap::new();
    for (&index, change) in changes {
        let package = &packages[index];
        let manifest = match (&package.ecosystem, &package.version_source) {
            (Ecosystem::Cargo, _) => package.manifest.clone(),
            (Ecosystem::Python, VersionSource::Maturin { cargo_manifest }) => {
                cargo_manifest.clone()
            }
            _ => continue,
        };
        let text = files.read(&manifest)?.to_owned();
        let mut doc = CargoTomlMut::parse(&manifest, &text)?;
        let own_change = if package.ecosystem == Ecosystem::Cargo {
            change.clone()
        } else {
            // A maturin project: only its version goes to the Cargo.toml.
            ManifestChange {
                version: change.version.clone(),
                requirements: Vec::new(),
            }
        };
        doc.apply(&own_change)?;
        let crate_name = doc.package_name().unwrap_or(&package.name).to_owned();
        files.write(&manifest, doc.finish())?;
        if let Some((old, new)) = new_version(packages, changes, index) {
            let Some(lock) = lock_for(files, &manifest)? else {
                continue;
            };
            locks
                .entry(lock)
                .or_default()
                .push((crate_name, old.clone(), new.clone()));
        }
    }
    for (lock, updates) in locks {
        let text = files.read(&lock)?.to_owned();
        let mut doc = CargoLockMut::parse(&lock, &text)?;
        let updates: Vec<(&str, &semver::Version, &semver::Version)> = updates
            .iter()
            .map(|(name, old, new)| (name.as_str(), old, new))
            .collect();
        doc.set_versions(&updates);
        files.write(&lock, doc.finish())?;
    }
    Ok(())
}

/// The Cargo.lock that records the crate of `manifest`: the one beside it, else the root's;
/// `None` when there is none (a library that does not commit its lock file).
fn lock_for(files: &mut FileSet, manifest: &Utf8Path) -> Result<Option<Utf8PathBuf>, InputError> {
    let beside = manifest
        .parent()
        .unwrap_or_else(|| Utf8Path::new(""))
        .join("Cargo.lock");
    for candidate in [beside, Utf8PathBuf::from("Cargo.lock")] {
        if files.read_optional(&candidate)?.is_some() {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// The new `[workspace.package] version`, when crates that inherit it are released. Every crate
/// that inherits it must then get that same version: anything else cannot be written.
fn inherited_version(
    packages: &[Package],
    changes: &Changes,
) -> Result<Option<semver::Version>, InputError> {
    let inheriting: Vec<usize> = packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.version_source == VersionSource::CargoWorkspace)
        .map(|(i, _)| i)
        .collect();
    let mut chosen: Option<&semver::Version> = None;
    for &index in &inheriting {
        if let Some((_, new)) = new_version(packages, changes, index) {
            chosen = Some(chosen.map_or(new, |c| c.max(new)));
        }
    }
    let Some(version) = chosen else {
        return Ok(None);
    };
    let lagging: Vec<&str> = inheriting
        .iter()
        .filter(|&&i| {
            changes
                .get(&i)
                .and_then(|c| c.version.as_ref())
                .or(packages[i].version.as_ref())
                != Some(version)
        })
        .map(|&i| packages[i].name.as_str())
        .collect();
    if !lagging.is_empty() {
        return Err(InputError::in_file(
            "Cargo.toml",
            format!(
                "crates that inherit `[workspace.package] version` would get different versions: {version} for some, but not for {}",
                lagging.join(", ")
            ),
        )
        .with_hint(format!(
            "put every crate with `version.workspace = true` in one `fixed` group in relflow.toml: fixed = [[{}]]",
            inheriting
                .iter()
                .map(|&i| format!("\"{}\"", packages[i].name))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(Some(version.clone()))
}
