//! The dependents graph (`@changesets/get-dependents-graph`) and the requirements a dependent
//! has on a released dependency (`determine-dependents.ts: getDependencyVersionRanges`).
//!
//! npm follows Changesets exactly. Cargo and Python have an edge where a requirement accepts the
//! dependency's current version; a Cargo path-only dependency (no version) has no requirement
//! and makes no edge: it never cascades (cargo publishes no crate with one in its normal
//! dependencies and strips it from dev-dependencies, so only unpublished crates such as bevy's
//! `compile_fail` tests have them). A Python dependency without a specifier accepts any version.

use cargo_relflow_sync::{DepKind, Dependency, Ecosystem, Package};

use super::index::Index;

/// The npm field order: dependencies, devDependencies, peerDependencies, optionalDependencies.
fn field_rank(kind: DepKind) -> u8 {
    match kind {
        DepKind::Normal | DepKind::Build => 0,
        DepKind::Dev => 1,
        DepKind::Peer => 2,
        DepKind::Optional => 3,
    }
}

/// A package's dependencies, npm ones in field order (manifest order within a field).
fn ordered_deps(package: &Package) -> Vec<&Dependency> {
    let mut deps: Vec<&Dependency> = package.deps.iter().collect();
    if package.ecosystem == Ecosystem::Npm {
        deps.sort_by_key(|d| field_rank(d.kind));
    }
    deps
}

/// Whether `range` (after `workspace:`) names the directory of `dependency`.
pub(crate) fn is_workspace_path(range: &str, dependency: &Package) -> bool {
    crate::posix_path::normalize(range) == dependency.dir.as_str().replace('\\', "/")
}

/// For each package, the packages that depend on it, in package order.
///
/// `ignore_dev` leaves out dev-dependencies (the config validation graph); `workspace_only` is
/// `bumpVersionsWithWorkspaceProtocolOnly` (npm).
pub(super) fn dependents(index: &Index, ignore_dev: bool, workspace_only: bool) -> Vec<Vec<usize>> {
    let packages = index.packages();
    let mut result: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
    for (dependent, package) in packages.iter().enumerate() {
        let mut depends_on: Vec<usize> = Vec::new();
        if package.ecosystem == Ecosystem::Npm {
            // Later fields overwrite earlier ones, keeping the first position (a JS Map).
            let mut ranges: Vec<(&str, &str)> = Vec::new();
            for dep in ordered_deps(package) {
                let requirement = dep.requirement.as_str();
                if dep.kind == DepKind::Dev
                    && (ignore_dev
                        || requirement.starts_with("link:")
                        || requirement.starts_with("file:"))
                {
                    continue;
                }
                match ranges.iter_mut().find(|(n, _)| *n == dep.name) {
                    Some(entry) => entry.1 = requirement,
                    None => ranges.push((dep.name.as_str(), requirement)),
                }
            }
            for (name, requirement) in ranges {
                let Some(target) = index.lookup(Ecosystem::Npm, name) else {
                    continue;
                };
                if npm_edge(index, requirement, &packages[target], workspace_only) {
                    depends_on.push(target);
                }
            }
        } else {
            for dep in &package.deps {
                let path_only =
                    package.ecosystem == Ecosystem::Cargo && dep.requirement.trim().is_empty();
                if path_only || (dep.kind == DepKind::Dev && ignore_dev) {
                    continue;
                }
                let Some(target) = index.lookup(package.ecosystem, &dep.name) else {
                    continue;
                };
                if depends_on.contains(&target) {
                    continue;
                }
                let accepted = match &packages[target].version {
                    Some(version) => {
                        index.satisfies(package.ecosystem, &dep.requirement, version) == Some(true)
                    }
                    None => false,
                };
                if accepted {
                    depends_on.push(target);
                }
            }
        }
        for target in depends_on {
            result[target].push(dependent);
        }
    }
    result
}

/// Whether an npm requirement makes an edge (`getDependencyGraph`).
fn npm_edge(index: &Index, requirement: &str, dependency: &Package, workspace_only: bool) -> bool {
    let mut range = requirement;
    if let Some(rest) = requirement.strip_prefix("workspace:") {
        range = rest;
        if matches!(range, "*" | "^" | "~") || is_workspace_path(range, dependency) {
            return true;
        }
    } else if workspace_only {
        return false;
    }
    // `getValidRange`: no protocol, and node-semver parses it (tags, protocols and invalid
    // ranges make no edge; `satisfies` is `None` for an invalid one).
    if range.contains(':') {
        return false;
    }
    match &dependency.version {
        Some(version) => index.satisfies(Ecosystem::Npm, range, version) == Some(true),
        None => false,
    }
}

/// One requirement a dependent has on a released dependency, resolved for the range check.
#[derive(Debug, Clone)]
pub(super) struct Requirement {
    /// The dependency kind.
    pub kind: DepKind,
    /// The requirement as written.
    pub written: String,
    /// The range to test the dependency's next version against (in the dependent's ecosystem).
    pub range: String,
}

/// The requirements `dependent` has on `dependency`, whose release starts from `old_version`.
pub(super) fn requirements(
    index: &Index,
    dependent: &Package,
    dependency: &Package,
    old_version: Option<&semver::Version>,
) -> Vec<Requirement> {
    let old = old_version.map(ToString::to_string).unwrap_or_default();
    let mut out = Vec::new();
    for dep in ordered_deps(dependent) {
        if dep.name != dependency.name {
            continue;
        }
        let written = dep.requirement.clone();
        let range = match dependent.ecosystem {
            Ecosystem::Npm => {
                if written.is_empty() {
                    continue;
                }
                match written.strip_prefix("workspace:") {
                    Some("*") => old.clone(),
                    Some(prefix @ ("^" | "~")) => format!("{prefix}{old}"),
                    Some(rest) if !index.npm_valid_range(rest) => {
                        if is_workspace_path(rest, dependency) {
                            old.clone()
                        } else {
                            continue;
                        }
                    }
                    Some(rest) => rest.to_owned(),
                    None => written.clone(),
                }
            }
            Ecosystem::Cargo if written.trim().is_empty() => continue,
            _ => written.clone(),
        };
        out.push(Requirement {
            kind: dep.kind,
            written,
            range,
        });
    }
    out
}
