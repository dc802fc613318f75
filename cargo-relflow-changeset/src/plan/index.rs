//! The packages indexed by name ([`NameIndex`]), and requirements parsed once: the plan looks
//! names up and tests ranges for every dependency edge, so neither may cost a scan or a parse
//! each time.

use std::cell::RefCell;
use std::collections::HashMap;

use cargo_relflow_sync::{Ecosystem, InputError, Package};

use crate::name_index::NameIndex;
use crate::range::Requirement;

/// The packages with a name index and a cache of parsed requirements.
pub(super) struct Index<'a> {
    names: NameIndex<'a>,
    /// Requirements parsed so far, per ecosystem ([`slot`]) and text (`None`: not a range).
    requirements: RefCell<[HashMap<String, Option<Requirement>>; 4]>,
}

impl<'a> Index<'a> {
    /// Indexes `packages`.
    pub(super) fn new(packages: &'a [Package]) -> Index<'a> {
        Index {
            names: NameIndex::new(packages),
            requirements: RefCell::default(),
        }
    }

    /// The packages.
    pub(super) fn packages(&self) -> &'a [Package] {
        self.names.packages()
    }

    /// [`NameIndex::lookup`].
    pub(super) fn lookup(&self, ecosystem: Ecosystem, name: &str) -> Option<usize> {
        self.names.lookup(ecosystem, name)
    }

    /// [`NameIndex::resolve`].
    pub(super) fn resolve(&self, written: &str) -> Result<usize, InputError> {
        self.names.resolve(written)
    }

    /// [`NameIndex::name_is_shared`].
    pub(super) fn name_is_shared(&self, index: usize) -> bool {
        self.names.name_is_shared(index)
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
        let texts = &mut cache[slot(ecosystem)];
        if !texts.contains_key(text) {
            texts.insert(text.to_owned(), Requirement::parse(ecosystem, text));
        }
        f(texts.get(text).and_then(Option::as_ref))
    }
}

/// The place of an ecosystem's requirements in [`Index`]'s cache.
fn slot(ecosystem: Ecosystem) -> usize {
    match ecosystem {
        Ecosystem::Npm => 0,
        Ecosystem::Cargo => 1,
        Ecosystem::Python => 2,
        Ecosystem::Generic => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name_index::tests::package;

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
        assert_eq!(cache[slot(Ecosystem::Npm)].len(), 4);
        assert_eq!(cache[slot(Ecosystem::Cargo)].len(), 2);
    }
}
