//! npm: how `version` rewrites a dependent's range on a released package, with the rules of
//! Changesets v3 (`@changesets/apply-release-plan` 8.1, the one `@changesets/cli` 3.0.3 uses:
//! `getDependencyVersionEdits` and `shouldUpdateDependencyBasedOnConfig`).
//!
//! For each package of the plan (whatever its bump, `none` included) and for the root
//! package.json (whose version is never written), every range on a released package
//! ([`requirement_changes`]) is decided by [`new_range`]:
//!
//! - a dependency released with `none`, or without a version, changes nothing;
//! - `""`, `file:` and `link:` ranges, tags and other non-ranges are left alone, and so are all
//!   but `workspace:` ranges with `bumpVersionsWithWorkspaceProtocolOnly`;
//! - `workspace:*`, `workspace:^`, `workspace:~` and `workspace:<path>` are never rewritten;
//! - otherwise the range is rewritten when the new version leaves it, or else when the bump is
//!   at least `updateInternalDependencies` (peer ranges instead: unless
//!   `onlyUpdatePeerDependentsWhenOutOfRange`) ([`should_update`]);
//! - a range that accepts any version (`*`, `x`, `>=0.0.0`) stays unless the new version is a
//!   pre-release;
//! - the new range is the old operator (`^`, `~`, `>=`, `<=`, `>` or none) and the new version;
//!   a two-sided range `>=A <B` keeps its upper bound while the new version is below it
//!   (`>=1.1.0 <2.0.0`), and otherwise gets `<inc(new, bump)`; `1.x` becomes exactly `1.1.0`;
//!   with `--snapshot` the range is exactly the new version; a `workspace:` prefix is kept.
//!
//! Two differences from the prose of the Changesets reference (section 5), both as the code
//! of 3.0.3 does it: an empty range is left alone even for a pre-release, and `>=1.0.0 <2.0.0`
//! keeps its upper bound (older releases wrote `>=1.1.0`).

use camino::Utf8Path;
use cargo_relflow_sync::edit::RequirementChange;
use cargo_relflow_sync::{DepKind, Dependency, Ecosystem, Package};

use crate::plan::versions::inc;
use crate::plan::Release;
use crate::plan_config::UpdateInternalDependencies;
use crate::posix_path;
use crate::range::{npm_comparator_sets, npm_valid_range, satisfies};
use crate::{Bump, PlanConfig};

/// The ranges to rewrite in one package.json: `deps` are its dependencies (those of a package of
/// the plan, or of the root package.json), `releases` and `packages` the release plan and the
/// packages it was made from, `snapshot` whether this is a `--snapshot` run.
///
/// A range names a release when the release is of an npm package with the dependency's name.
/// Entries come in the order of `deps`; a new range may equal the old one (Changesets rewrites
/// it all the same, which also normalises JSON escapes).
pub fn requirement_changes(
    deps: &[Dependency],
    releases: &[Release],
    packages: &[Package],
    config: &PlanConfig,
    snapshot: bool,
) -> Vec<RequirementChange> {
    deps.iter()
        .filter_map(|dep| {
            let release = releases.iter().find(|release| {
                packages.get(release.package).is_some_and(|package| {
                    package.ecosystem == Ecosystem::Npm && package.name == dep.name
                })
            })?;
            let requirement = new_range(&dep.requirement, dep.kind, release, config, snapshot)?;
            Some(RequirementChange {
                dependency: dep.name.clone(),
                kind: dep.kind,
                target: None,
                rename: None,
                requirement,
            })
        })
        .collect()
}

/// The range that replaces `range` (listed under `kind`) when `dependency` is released, or
/// `None` to leave it as written. See the module docs for the rules.
pub fn new_range(
    range: &str,
    kind: DepKind,
    dependency: &Release,
    config: &PlanConfig,
    snapshot: bool,
) -> Option<String> {
    if dependency.bump == Bump::None || !dependency.versioned || range.is_empty() {
        return None;
    }
    if range.starts_with("file:") || range.starts_with("link:") {
        return None;
    }
    let (workspace, bare) = match range.strip_prefix("workspace:") {
        Some(bare) => (true, bare),
        None => (false, range),
    };
    if workspace && matches!(bare, "*" | "^" | "~") {
        return None;
    }
    if !npm_valid_range(bare) || (!workspace && config.bump_versions_with_workspace_protocol_only) {
        return None;
    }
    if !update_wanted(bare, kind, dependency, config) {
        return None;
    }
    let new_version = &dependency.new_version;
    let accepts_any = npm_comparator_sets(bare).is_some_and(|sets| sets == [[""]]);
    if accepts_any && new_version.pre.is_empty() {
        return None;
    }
    let new = if snapshot {
        new_version.to_string()
    } else {
        new_dependency_range(bare, new_version, dependency.bump)
    };
    Some(if workspace {
        format!("workspace:{new}")
    } else {
        new
    })
}

/// Changesets' `shouldUpdateDependencyBasedOnConfig`: whether a range on `dependency` (in
/// `dependency_dir`, relative to the repository root) counts as updated by its release. Besides
/// [`new_range`], Changesets uses it for the "Updated dependencies" changelog entry, where
/// `workspace:*` and a matching `workspace:<path>` count although they are never rewritten.
pub fn should_update(
    range: &str,
    kind: DepKind,
    dependency: &Release,
    dependency_dir: &Utf8Path,
    config: &PlanConfig,
) -> bool {
    if !dependency.versioned {
        return false;
    }
    let Some(bare) = range.strip_prefix("workspace:") else {
        return update_wanted(range, kind, dependency, config);
    };
    match bare {
        "*" => true,
        "^" | "~" => update_wanted(
            &format!("{bare}{}", dependency.old_version),
            kind,
            dependency,
            config,
        ),
        path if !npm_valid_range(path) => posix_path::normalize(path) == dependency_dir.as_str(),
        valid => update_wanted(valid, kind, dependency, config),
    }
}

/// The part of `shouldUpdateDependencyBasedOnConfig` after `workspace:` is resolved: out of
/// range, or else the bump level (or, for peers, the setting).
fn update_wanted(range: &str, kind: DepKind, dependency: &Release, config: &PlanConfig) -> bool {
    if satisfies(Ecosystem::Npm, range, &dependency.new_version) != Some(true) {
        return true;
    }
    if kind == DepKind::Peer {
        return !config.only_update_peer_dependents_when_out_of_range;
    }
    reaches_minimum(dependency.bump, config)
}

/// Whether `bump` is at least `updateInternalDependencies`: a release that still satisfies a
/// range rewrites it (and is listed in the dependent's changelog) only then.
pub(crate) fn reaches_minimum(bump: Bump, config: &PlanConfig) -> bool {
    let minimum = match config.update_internal_dependencies {
        UpdateInternalDependencies::Patch => Bump::Patch,
        UpdateInternalDependencies::Minor => Bump::Minor,
    };
    bump >= minimum
}

/// Changesets' `getNewDependencyRange`.
fn new_dependency_range(range: &str, new_version: &semver::Version, bump: Bump) -> String {
    let sets = npm_comparator_sets(range).unwrap_or_default();
    if let [comparators] = sets.as_slice() {
        if comparators.len() == 2 && range.contains('>') && range.contains('<') {
            let lower = comparators.iter().position(|c| c.starts_with('>'));
            let upper = comparators.iter().position(|c| c.starts_with('<'));
            if let (Some(lower), Some(upper)) = (lower, upper) {
                let mut new_upper = comparators[upper].clone();
                if satisfies(Ecosystem::Npm, &new_upper, new_version) != Some(true) {
                    new_upper = format!("<{}", inc(new_version, bump));
                }
                return if lower == 0 {
                    format!(">={new_version} {new_upper}")
                } else {
                    format!("{new_upper} >={new_version}")
                };
            }
        }
    }
    format!("{}{new_version}", operator_prefix(range))
}

/// Changesets' `getVersionRangeType`: the operator a range starts with, as written.
fn operator_prefix(range: &str) -> &'static str {
    ["^", "~", ">=", "<=", ">"]
        .into_iter()
        .find(|operator| range.starts_with(operator))
        .unwrap_or("")
}

#[cfg(test)]
mod tests;
