//! Package names looked up by hash. The plan, `check` and the CLI resolve every name every
//! changeset writes, and the plan looks up every dependency: a scan of all packages each time
//! would cost more than the rest of the work on a large repository.

use std::collections::HashMap;

use cargo_relflow_sync::names::{resolve_in_changeset, split_qualified};
use cargo_relflow_sync::{Ecosystem, InputError, Package};

/// The packages indexed by name.
pub struct NameIndex<'a> {
    packages: &'a [Package],
    /// Every package index per name, in package order, across ecosystems.
    by_name: HashMap<&'a str, Vec<usize>>,
}

impl<'a> NameIndex<'a> {
    /// Indexes `packages`.
    pub fn new(packages: &'a [Package]) -> NameIndex<'a> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::with_capacity(packages.len());
        for (index, package) in packages.iter().enumerate() {
            by_name
                .entry(package.name.as_str())
                .or_default()
                .push(index);
        }
        NameIndex { packages, by_name }
    }

    /// The packages.
    pub fn packages(&self) -> &'a [Package] {
        self.packages
    }

    /// The packages named `name`, in any ecosystem, in package order.
    fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The index of the first package named `name` in `ecosystem`.
    pub fn lookup(&self, ecosystem: Ecosystem, name: &str) -> Option<usize> {
        self.named(name)
            .iter()
            .copied()
            .find(|&i| self.packages[i].ecosystem == ecosystem)
    }

    /// A name in a changeset file: [`cargo_relflow_sync::names::resolve_in_changeset`] (a
    /// plain name shared with other ecosystems means the npm package), answered from the index
    /// when the name is found exactly once (the errors come from `resolve` itself).
    pub fn resolve(&self, written: &str) -> Result<usize, InputError> {
        let (ecosystem, name) = split_qualified(written);
        let mut candidates = self
            .named(name)
            .iter()
            .copied()
            .filter(|&i| ecosystem.is_none_or(|e| self.packages[i].ecosystem == e));
        match (candidates.next(), candidates.next()) {
            (Some(only), None) => Ok(only),
            _ => resolve_in_changeset(self.packages, written),
        }
    }

    /// Whether some package of another ecosystem has the same name as package `index`.
    pub fn name_is_shared(&self, index: usize) -> bool {
        let package = &self.packages[index];
        self.named(&package.name)
            .iter()
            .any(|&i| self.packages[i].ecosystem != package.ecosystem)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use cargo_relflow_sync::{Publish, VersionSource};

    use super::*;

    /// A package at 1.0.0 in its own directory (`NAME-ECOSYSTEM`), with no dependencies.
    pub(crate) fn package(ecosystem: Ecosystem, name: &str) -> Package {
        Package {
            ecosystem,
            name: name.to_owned(),
            version: Some(semver::Version::new(1, 0, 0)),
            version_text: Some("1.0.0".to_owned()),
            version_source: VersionSource::Manifest,
            dir: format!("{name}-{ecosystem}").into(),
            manifest: format!("{name}-{ecosystem}/manifest").into(),
            publish: Publish::Default,
            deps: Vec::new(),
        }
    }

    #[test]
    fn lookups_and_resolution_agree_with_the_scans() {
        let packages = [
            package(Ecosystem::Cargo, "core"),
            package(Ecosystem::Npm, "core"),
            package(Ecosystem::Npm, "web"),
            package(Ecosystem::Python, "py"),
        ];
        let index = NameIndex::new(&packages);
        assert_eq!(index.lookup(Ecosystem::Npm, "core"), Some(1));
        assert_eq!(index.lookup(Ecosystem::Cargo, "core"), Some(0));
        assert_eq!(index.lookup(Ecosystem::Python, "core"), None);
        assert!(index.name_is_shared(0));
        assert!(!index.name_is_shared(2));
        for written in [
            "core",
            "cargo:core",
            "npm:core",
            "python:core",
            "web",
            "npm:web",
            "wbe",
            "py",
            "generic:py",
        ] {
            let indexed = index.resolve(written).map_err(|e| e.to_string());
            let scanned = resolve_in_changeset(&packages, written).map_err(|e| e.to_string());
            assert_eq!(indexed, scanned, "{written}");
        }
        // A plain name shared with another ecosystem means the npm package in a changeset.
        assert_eq!(index.resolve("core").ok(), Some(1));
    }
}
