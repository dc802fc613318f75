//! Which packages a list of changed files touches.

use std::collections::HashMap;

use camino::Utf8Path;
use cargo_relflow_sync::config::{glob_matcher, is_glob};
use cargo_relflow_sync::names::split_qualified;
use cargo_relflow_sync::{Ecosystem, InputError, Package};

use crate::PlanConfig;

/// The package whose directory is the deepest one containing `path` (both relative to the
/// repository root), as Changesets assigns files. A package at the root (`""`) owns every file
/// no deeper package owns.
pub fn owning_package(packages: &[Package], path: &Utf8Path) -> Option<usize> {
    Owners::new(packages).owner(path)
}

/// The packages that own at least one of `paths`, in package order.
pub fn changed_packages<'a>(
    packages: &[Package],
    paths: impl IntoIterator<Item = &'a Utf8Path>,
) -> Vec<usize> {
    let owners = Owners::new(packages);
    let mut owners: Vec<usize> = paths
        .into_iter()
        .filter_map(|path| owners.owner(path))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    owners
}

/// Package directories indexed for [`owning_package`]: one lookup per ancestor of a path instead
/// of a scan of every package.
pub struct Owners {
    /// Directories (components joined by `/`) and the package owning each: the last one in
    /// package order when packages share a directory.
    by_dir: HashMap<String, usize>,
}

impl Owners {
    /// Indexes the directories of `packages`.
    pub fn new(packages: &[Package]) -> Owners {
        let by_dir = packages
            .iter()
            .enumerate()
            .map(|(index, package)| (components(&package.dir), index))
            .collect();
        Owners { by_dir }
    }

    /// [`owning_package`] of `path`.
    pub fn owner(&self, path: &Utf8Path) -> Option<usize> {
        let path = components(path);
        let mut end = path.len();
        loop {
            if let Some(&index) = self.by_dir.get(&path[..end]) {
                return Some(index);
            }
            if end == 0 {
                return None;
            }
            end = path[..end].rfind('/').unwrap_or(0);
        }
    }
}

/// A path's components joined by `/`: the form in which [`Utf8Path::starts_with`] compares
/// paths (`a//b/` is `a/b`; a leading `./` stays).
fn components(path: &Utf8Path) -> String {
    let text = path.as_str();
    if !text.starts_with('/') && text.split('/').all(|c| !matches!(c, "" | ".")) {
        return text.to_owned(); // Already in that form.
    }
    let mut out = String::with_capacity(path.as_str().len());
    for component in path.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(component.as_str());
    }
    out
}

/// Whether Changesets skips a package: ignored (name or glob in `ignore`), unpublished while
/// its ecosystem's private rule ([`PlanConfig::private_rule`]) does not version it, or without a
/// version.
pub fn is_skipped(package: &Package, config: &PlanConfig) -> bool {
    package.version.is_none()
        || (!package.publish.is_published() && !config.private_rule(package.ecosystem).version)
        || is_ignored(config, package.ecosystem, &package.name)
}

/// Whether an `ignore` entry of `config` names the package `name` of `ecosystem`.
pub fn is_ignored(config: &PlanConfig, ecosystem: Ecosystem, name: &str) -> bool {
    config
        .ignore
        .iter()
        .any(|pattern| names_match(pattern, ecosystem, name))
}

/// Whether an `ignore` or group entry (a plain or qualified name, or a glob) names the package
/// `package_name` of `package_ecosystem`.
fn names_match(pattern: &str, package_ecosystem: Ecosystem, package_name: &str) -> bool {
    let (ecosystem, name) = split_qualified(pattern);
    if ecosystem.is_some_and(|e| e != package_ecosystem) {
        return false;
    }
    if is_glob(name) {
        glob_matcher(name).is_ok_and(|m| m.is_match(package_name))
    } else {
        name == package_name
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
    let owning = Owners::new(packages);
    let mut owners: Vec<usize> = paths
        .into_iter()
        .filter_map(|path| {
            let owner = owning.owner(path)?;
            let relative = path.strip_prefix(&packages[owner].dir).unwrap_or(path);
            set.is_match(relative.as_str()).then_some(owner)
        })
        .filter(|&owner| !is_skipped(&packages[owner], config))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    Ok(owners)
}

#[cfg(test)]
mod tests {
    use cargo_relflow_sync::{Ecosystem, Publish, VersionSource};

    use super::*;

    fn package(ecosystem: Ecosystem, dir: &str) -> Package {
        Package {
            ecosystem,
            name: format!("{ecosystem}-{dir}"),
            version: Some(semver::Version::new(1, 0, 0)),
            version_text: Some("1.0.0".to_owned()),
            version_source: VersionSource::Manifest,
            dir: dir.into(),
            manifest: format!("{dir}/manifest").into(),
            publish: Publish::Default,
            deps: Vec::new(),
        }
    }

    /// The definition: the deepest directory containing the path, the last one on a tie.
    fn scanned(packages: &[Package], path: &Utf8Path) -> Option<usize> {
        packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.dir.as_str().is_empty() || path.starts_with(&p.dir))
            .max_by_key(|(_, p)| p.dir.as_str().len())
            .map(|(index, _)| index)
    }

    #[test]
    fn owners_are_the_deepest_directories() {
        let with_root = [
            package(Ecosystem::Cargo, ""),
            package(Ecosystem::Cargo, "crates/core"),
            package(Ecosystem::Npm, "crates/core"),
            package(Ecosystem::Npm, "packages/a"),
            package(Ecosystem::Npm, "packages/a/nested"),
            package(Ecosystem::Python, "py//lib/"),
            package(Ecosystem::Generic, "./svc"),
            package(Ecosystem::Generic, "."),
            package(Ecosystem::Generic, "tools/../x"),
        ];
        let paths = [
            "README.md",
            "crates/core/src/lib.rs",
            "crates/core",
            "crates/core-extra/src/lib.rs",
            "packages/a/index.js",
            "packages/ab/index.js",
            "packages/a/nested/x/y.js",
            "py/lib/mod.py",
            "svc/main.go",
            "tools/../x/y",
            "x/y",
            "/abs/y",
            "",
        ];
        for packages in [&with_root[..], &with_root[1..]] {
            let owners = Owners::new(packages);
            for path in paths {
                let path = Utf8Path::new(path);
                assert_eq!(
                    owners.owner(path),
                    scanned(packages, path),
                    "{path} among {} packages",
                    packages.len()
                );
            }
        }
        let owners = Owners::new(&with_root);
        assert_eq!(
            owners.owner(Utf8Path::new("crates/core/src/lib.rs")),
            Some(2)
        );
        assert_eq!(owners.owner(Utf8Path::new("py/lib/mod.py")), Some(5));
        assert_eq!(
            changed_packages(
                &with_root,
                ["README.md", "packages/a/x", "packages/a/y"].map(Utf8Path::new)
            ),
            [0, 3]
        );
    }
}
