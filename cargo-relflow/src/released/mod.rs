//! `released` as a library call: which packages a commit released, from the manifests
//! themselves. A package is released by a commit when its version there differs from its
//! version in the commit's first parent (a merge is compared with its first parent, a root
//! commit releases every package it has). The files are read from the two trees with gix
//! ([`commits`]), the versions with the rules discovery uses ([`versions`]); [`render`] prints
//! the report.
//!
//! The packages are those of the working tree, their manifests read in the two commits: a
//! package that no longer exists is not reported.

mod commits;
pub mod render;
mod versions;

use cargo_relflow_sync::Ecosystem;

use crate::error::Failure;
use crate::publish::tags;
use crate::repo::Repo;
use commits::History;

/// A package whose version changed in the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedPackage {
    /// Its index among the repository's packages.
    pub index: usize,
    /// Its name as users write it (qualified when ambiguous).
    pub name: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its version in the first parent, as written (`None`: it had none, or did not exist).
    pub old_version: Option<String>,
    /// Its version in the commit, as written (PEP 440 text for Python).
    pub new_version: String,
    /// The same as semver.
    pub version: semver::Version,
    /// Its release tag (`None` for a private package when `privatePackages.tag` is false).
    pub tag: Option<String>,
    /// Whether that tag exists in the repository.
    pub tag_exists: bool,
}

/// What a commit released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedReport {
    /// The commit (full sha).
    pub commit: String,
    /// Its first parent (`None` for a root commit).
    pub parent: Option<String>,
    /// The packages it released, in the repository's order.
    pub packages: Vec<ReleasedPackage>,
}

/// The packages commit `spec` (`HEAD`, a branch, a tag, a sha) released. An unknown `spec` and a
/// shallow clone without the parent are bad input; an unreadable repository or a manifest that
/// cannot be parsed in either commit is an external failure.
pub fn released(repo: &Repo, spec: &str) -> Result<ReleasedReport, Failure> {
    let id = commits::resolve(repo.root(), spec)?;
    let mut history = History::open(repo.root())?;
    let trees = history.commit(id)?;
    let config = &repo.workspace.config.config;
    let format = tags::tag_format(repo);
    let tag_private = repo.plan_config().private_packages.tag;
    let existing = tags::existing_tags(repo.root())?;
    let mut packages = Vec::new();
    for (index, package) in repo.packages().iter().enumerate() {
        let mut read_new = |path: &camino::Utf8Path| history.read(trees.tree, path);
        let new = versions::version_of(package, config, &mut read_new)
            .map_err(|error| error.context(format!("in commit {}", commits::short(id))))?;
        let Some(new) = new else {
            continue;
        };
        let old = match trees.parent {
            Some((parent, tree)) => {
                let mut read_old = |path: &camino::Utf8Path| history.read(tree, path);
                versions::version_of(package, config, &mut read_old).map_err(|error| {
                    error.context(format!("in commit {}", commits::short(parent)))
                })?
            }
            None => None,
        };
        if old.as_ref().is_some_and(|old| old.semver == new.semver) {
            continue;
        }
        let tagged = package.publish.is_published() || tag_private;
        let tag = tagged.then(|| tags::tag_name_at(&format, &package.name, &new.semver));
        packages.push(ReleasedPackage {
            index,
            name: repo.written_name(package),
            ecosystem: package.ecosystem,
            old_version: old.map(|old| old.text),
            new_version: new.text,
            version: new.semver,
            tag_exists: tag.as_ref().is_some_and(|tag| existing.contains(tag)),
            tag,
        });
    }
    Ok(ReleasedReport {
        commit: id.to_string(),
        parent: trees.parent.map(|(parent, _)| parent.to_string()),
        packages,
    })
}
