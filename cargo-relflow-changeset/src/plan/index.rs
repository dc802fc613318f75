//! The packages indexed by name, and requirements parsed once: the plan looks names up and tests
//! ranges for every dependency edge, so neither may cost a scan or a parse each time.

use std::cell::RefCell;
use std::collections::HashMap;

use cargo_relflow_sync::names::{resolve as resolve_name, split_qualified};
use cargo_relflow_sync::{Ecosystem, InputError, Package};

use crate::range::Requirement;

/// The packages with a name index and a cache of parsed requirements.
pub(super) struct Index<'a> {
    packages: &'a [Package],
    /// Every package index per name, in package order, across ecosystems.
    by_name: HashMap<&'a str, Vec<usize>>,
    /// Requirements parsed so far, per ecosystem and text (`None`: not a range).
    requirements: RefCell<HashMap<Ecosystem, HashMap<String, Option<Requirement>>>>,
}

impl<'a> Index<'a> {
    /// Indexes `packages`.
    pub(super) fn new(packages: &'a [Package]) -> Index<'a> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::with_capacity(packages.len());
        for (index, package) in packages.iter().enumerate() {
            by_name
                .entry(package.name.as_str())
                .or_default()
                .push(index);
        }
        Index {
            packages,
            by_name,
            requirements: RefCell::default(),
        }
    }

    /// The packages.
    pub(super) fn packages(&self) -> &'a [Package] {
        self.packages
    }

    /// The packages named `name`, in any ecosystem, in package order.
    fn named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The index of the package named `name` in `ecosystem`.
    pub(super) fn lookup(&self, ecosystem: Ecosystem, name: &str) -> Option<usize> {
        self.named(name)
            .iter()
            .copied()
            .find(|&i| self.packages[i].ecosystem == ecosystem)
    }

    /// [`cargo_relflow_sync::names::resolve`], answered from the index when the name is found
    /// exactly once (the errors come from `resolve` itself).
    pub(super) fn resolve(&self, written: &str) -> Result<usize, InputError> {
        let (ecosystem, name) = split_qualified(written);
        let mut candidates = self
            .named(name)
            .iter()
            .copied()
            .filter(|&i| ecosystem.is_none_or(|e| self.packages[i].ecosystem == e));
        match (candidates.next(), candidates.next()) {
            (Some(only), None) => Ok(only),
            _ => resolve_name(self.packages, written),
        }
    }

    /// Whether some package of another ecosystem has the same name as package `index`.
    pub(super) fn name_is_shared(&self, index: usize) -> bool {
        let package = &self.packages[index];
        self.named(&package.name)
            .iter()
            .any(|&i| self.packages[i].ecosystem != package.ecosystem)
    }

    /// [`crate::range::satisfies`], parsing each requirement text once.
    pub(super) fn satisfies(
        &self,
        ecosystem: Ecosystem,
        requirement: &str,
        version: &semver::Version,
    ) -> Option<bool> {
        self.with_requirement(ecosystem, requirement, |parsed| parsed?.matches(version))
    }

    /// [`crate::range::npm_valid_range`], parsing each range once. (No valid range holds a `:`,
    /// so a `workspace:` prefix is never removed here.)
    pub(super) fn npm_valid_range(&self, range: &str) -> bool {
        !range.contains(':') && self.with_requirement(Ecosystem::Npm, range, |p| p.is_some())
    }

    fn with_requirement<T>(
        &self,
        ecosystem: Ecosystem,
        text: &str,
        f: impl FnOnce(Option<&Requirement>) -> T,
    ) -> T {
        let mut cache = self.requirements.borrow_mut();
        let texts = cache.entry(ecosystem).or_default();
        if !texts.contains_key(text) {
            texts.insert(text.to_owned(), Requirement::parse(ecosystem, text));
        }
        f(texts.get(text).and_then(Option::as_ref))
    }
}

#[cfg(test)]
mod tests {
    use cargo_relflow_sync::{Publish, VersionSource};

    use super::*;

    fn package(ecosystem: Ecosystem, name: &str) -> Package {
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
        let index = Index::new(&packages);
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
            let scanned = resolve_name(&packages, written).map_err(|e| e.to_string());
            assert_eq!(indexed, scanned, "{written}");
        }
    }

    #[test]
    fn requirements_are_parsed_once_and_answer_like_satisfies() {
        let packages = [package(Ecosystem::Npm, "a")];
        let index = Index::new(&packages);
        let cases = [
            (Ecosystem::Npm, "^1.2.0"),
            (Ecosystem::Npm, "workspace:^1.0.0"),
            (Ecosystem::Npm, "latest"),
            (Ecosystem::Cargo, "1.2"),
            (Ecosystem::Cargo, ""),
            (Ecosystem::Python, ">=1.0,<2"),
            (Ecosystem::Generic, "^1"),
        ];
        for version in ["1.0.0", "1.3.0", "2.0.0", "1.3.0-beta.1"] {
            let version = semver::Version::parse(version).unwrap();
            for (ecosystem, requirement) in cases {
                assert_eq!(
                    index.satisfies(ecosystem, requirement, &version),
                    crate::range::satisfies(ecosystem, requirement, &version),
                    "{ecosystem} {requirement} {version}"
                );
            }
        }
        for range in ["^1.2.0", "latest", "workspace:^1.0.0", "1 - 2", "foo:bar"] {
            assert_eq!(
                index.npm_valid_range(range),
                crate::range::npm_valid_range(range),
                "{range}"
            );
        }
        let cache = index.requirements.borrow();
        assert_eq!(cache[&Ecosystem::Npm].len(), 4);
        assert_eq!(cache[&Ecosystem::Cargo].len(), 2);
    }
}
