//! `changeset check`: every changed package must be named by a changeset.
//!
//! Unlike Changesets' `status`, which is satisfied by any one changeset, coverage is per package:
//! each package with changed files (after `changedFilePatterns` and skipped packages) must be
//! named by some changeset, with any bump including `none`. An empty changeset (no releases)
//! declares that the change needs no release and satisfies the check.

use camino::Utf8Path;
use cargo_relflow_sync::{InputError, Package};

use crate::changed::packages_needing_release;
use crate::name_index::NameIndex;
use crate::{Changeset, PlanConfig};

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    /// Packages with changes that need a release, in package order.
    pub changed: Vec<usize>,
    /// The changed packages that no changeset names (empty when an empty changeset exists).
    pub uncovered: Vec<usize>,
    /// Ids of empty changesets, which satisfy the check on their own.
    pub empty_changesets: Vec<String>,
}

impl CheckReport {
    /// Whether the check passes.
    pub fn passes(&self) -> bool {
        self.uncovered.is_empty()
    }
}

/// Checks that every package touched by `changed_paths` is named by one of `changesets`.
pub fn check<'a>(
    packages: &[Package],
    config: &PlanConfig,
    changed_file_patterns: &[String],
    changed_paths: impl IntoIterator<Item = &'a Utf8Path>,
    changesets: &[Changeset],
) -> Result<CheckReport, InputError> {
    let changed = packages_needing_release(packages, config, changed_file_patterns, changed_paths)?;
    let empty_changesets: Vec<String> = changesets
        .iter()
        .filter(|c| c.releases.is_empty())
        .map(|c| c.id.clone())
        .collect();
    let names = NameIndex::new(packages);
    let mut named = vec![false; packages.len()];
    for changeset in changesets {
        for release in &changeset.releases {
            named[names.resolve(&release.name)?] = true;
        }
    }
    let uncovered = if empty_changesets.is_empty() {
        changed.iter().copied().filter(|&i| !named[i]).collect()
    } else {
        Vec::new()
    };
    Ok(CheckReport {
        changed,
        uncovered,
        empty_changesets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bump, ChangesetRelease};
    use cargo_relflow_sync::{Ecosystem, Publish, VersionSource};

    fn package(name: &str, dir: &str) -> Package {
        Package {
            ecosystem: Ecosystem::Npm,
            name: name.to_owned(),
            version: Some(semver::Version::new(1, 0, 0)),
            version_text: Some("1.0.0".to_owned()),
            version_source: VersionSource::Manifest,
            dir: dir.into(),
            manifest: format!("{dir}/package.json").into(),
            publish: Publish::Default,
            deps: Vec::new(),
        }
    }

    fn changeset(id: &str, names: &[&str]) -> Changeset {
        Changeset {
            id: id.to_owned(),
            releases: names
                .iter()
                .map(|n| ChangesetRelease {
                    name: (*n).to_owned(),
                    bump: Bump::None,
                    line: 2,
                })
                .collect(),
            summary: String::new(),
        }
    }

    fn run(paths: &[&str], changesets: &[Changeset], patterns: &[&str]) -> CheckReport {
        let packages = [
            package("a", "packages/a"),
            package("b", "packages/b"),
            package("c", "packages/c"),
        ];
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        check(
            &packages,
            &PlanConfig {
                ignore: vec!["c".to_owned()],
                ..PlanConfig::default()
            },
            &patterns,
            paths.iter().map(|p| Utf8Path::new(*p)),
            changesets,
        )
        .unwrap()
    }

    #[test]
    fn coverage_is_per_package() {
        let paths = [
            "packages/a/index.js",
            "packages/b/src/x.js",
            "packages/c/y.js",
            "README.md",
        ];
        let report = run(&paths, &[changeset("one", &["a"])], &["**"]);
        assert_eq!(
            report.changed,
            [0, 1],
            "c is ignored, README.md belongs to no package"
        );
        assert_eq!(report.uncovered, [1]);
        assert!(!report.passes());
        let report = run(
            &paths,
            &[changeset("one", &["a"]), changeset("two", &["b"])],
            &["**"],
        );
        assert!(report.passes());
    }

    #[test]
    fn empty_changeset_satisfies_and_patterns_filter() {
        let paths = ["packages/a/index.js"];
        let report = run(&paths, &[changeset("docs", &[])], &["**"]);
        assert!(report.passes());
        assert_eq!(report.empty_changesets, ["docs"]);
        let report = run(&paths, &[], &["src/**"]);
        assert!(report.changed.is_empty());
        let report = run(&["packages/b/src/x.js"], &[], &["src/**"]);
        assert_eq!(report.uncovered, [1]);
    }
}
