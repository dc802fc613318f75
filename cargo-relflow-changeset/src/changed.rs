//! Which packages a list of changed files touches.

use camino::Utf8Path;
use cargo_relflow_sync::config::{glob_matcher, is_glob};
use cargo_relflow_sync::names::split_qualified;
use cargo_relflow_sync::{InputError, Package};

use crate::PlanConfig;

/// The package whose directory is the deepest one containing `path` (both relative to the
/// repository root), as Changesets assigns files. A package at the root (`""`) owns every file
/// no deeper package owns.
pub fn owning_package(packages: &[Package], path: &Utf8Path) -> Option<usize> {
    packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.dir.as_str().is_empty() || path.starts_with(&p.dir))
        .max_by_key(|(_, p)| p.dir.as_str().len())
        .map(|(index, _)| index)
}

/// The packages that own at least one of `paths`, in package order.
pub fn changed_packages<'a>(
    packages: &[Package],
    paths: impl IntoIterator<Item = &'a Utf8Path>,
) -> Vec<usize> {
    let mut owners: Vec<usize> = paths
        .into_iter()
        .filter_map(|path| owning_package(packages, path))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    owners
}

/// Whether Changesets skips a package: ignored (name or glob in `ignore`), unpublished while
/// `privatePackages.version` is false, or without a version.
pub fn is_skipped(package: &Package, config: &PlanConfig) -> bool {
    package.version.is_none()
        || (!package.publish.is_published() && !config.private_packages.version)
        || config
            .ignore
            .iter()
            .any(|pattern| names_match(pattern, package))
}

/// Whether an `ignore` or group entry (a plain or qualified name, or a glob) names `package`.
fn names_match(pattern: &str, package: &Package) -> bool {
    let (ecosystem, name) = split_qualified(pattern);
    if ecosystem.is_some_and(|e| e != package.ecosystem) {
        return false;
    }
    if is_glob(name) {
        glob_matcher(name).is_ok_and(|m| m.is_match(&package.name))
    } else {
        name == package.name
    }
}

/// The packages that changed in a way that needs a release: each path goes to its owning package
/// ([`owning_package`]), is kept when it matches one of `patterns` (`changedFilePatterns`, globs
/// relative to the package directory), and skipped packages ([`is_skipped`]) are dropped.
pub fn packages_needing_release<'a>(
    packages: &[Package],
    config: &PlanConfig,
    patterns: &[String],
    paths: impl IntoIterator<Item = &'a Utf8Path>,
) -> Result<Vec<usize>, InputError> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                InputError::new(format!(
                    "invalid `changedFilePatterns` entry `{pattern}`: {e}"
                ))
            })?;
        builder.add(glob);
    }
    let set = builder
        .build()
        .map_err(|e| InputError::new(format!("invalid `changedFilePatterns`: {e}")))?;
    let mut owners: Vec<usize> = paths
        .into_iter()
        .filter_map(|path| {
            let owner = owning_package(packages, path)?;
            let relative = path.strip_prefix(&packages[owner].dir).unwrap_or(path);
            set.is_match(relative.as_str()).then_some(owner)
        })
        .filter(|&owner| !is_skipped(&packages[owner], config))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    Ok(owners)
}
