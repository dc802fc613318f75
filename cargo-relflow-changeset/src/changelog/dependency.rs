//! Which released dependencies a package's entry lists under `Updated dependencies`.
//!
//! npm follows `getChangelogEntry` of `@changesets/apply-release-plan` exactly: the dependency
//! must be in `dependencies` (or, when absent or empty there, in `peerDependencies`) with a
//! `workspace:` range or a valid semver range, and `shouldUpdateDependencyBasedOnConfig` must
//! hold. devDependencies and optionalDependencies are never listed.
//!
//! Cargo and Python use the same rule with their own requirement semantics ([`crate::range`]):
//! every dependency kind but dev-dependencies counts; the release is listed when its new version
//! leaves the requirement, or when its bump reaches `updateInternalDependencies`. A Cargo
//! path-only dependency has no requirement: it is never listed (and never cascades).

use cargo_relflow_sync::{DepKind, Ecosystem, Package};

use crate::apply::npm::{reaches_minimum, should_update};
use crate::plan::Release;
use crate::{range, PlanConfig};

/// Whether `dependent`'s entry lists the release `dependency` as an updated dependency.
pub(super) fn is_listed(
    packages: &[Package],
    dependent: &Package,
    dependency: &Release,
    config: &PlanConfig,
) -> bool {
    let target = &packages[dependency.package];
    if target.ecosystem != dependent.ecosystem || !dependency.versioned {
        return false;
    }
    match dependent.ecosystem {
        Ecosystem::Npm => npm_is_listed(dependent, target, dependency, config),
        Ecosystem::Cargo | Ecosystem::Python | Ecosystem::Generic => dependent
            .deps
            .iter()
            .filter(|dep| dep.name == target.name && dep.kind != DepKind::Dev)
            .any(|dep| {
                match range::satisfies(
                    dependent.ecosystem,
                    &dep.requirement,
                    &dependency.new_version,
                ) {
                    None => false,
                    Some(false) => true,
                    Some(true) => reaches_minimum(dependency.bump, config),
                }
            }),
    }
}

/// The npm rule: the range in `dependencies`, else in `peerDependencies` (a JavaScript object
/// lookup: the last entry of a field wins, an empty range counts as absent).
fn npm_is_listed(
    dependent: &Package,
    target: &Package,
    dependency: &Release,
    config: &PlanConfig,
) -> bool {
    let range_in = |kind: DepKind| {
        dependent
            .deps
            .iter()
            .rfind(|dep| dep.kind == kind && dep.name == target.name)
            .map(|dep| dep.requirement.as_str())
            .filter(|range| !range.is_empty())
    };
    let (range, kind) = match (range_in(DepKind::Normal), range_in(DepKind::Peer)) {
        (Some(range), _) => (range, DepKind::Normal),
        (None, Some(range)) => (range, DepKind::Peer),
        (None, None) => return false,
    };
    if !range.starts_with("workspace:") && !valid_range(range) {
        return false;
    }
    should_update(range, kind, dependency, &target.dir, config)
}

/// node-semver's `validRange(range) != null` (no valid range contains a protocol's `:`).
fn valid_range(range: &str) -> bool {
    !range.contains(':') && range::npm_valid_range(range)
}
