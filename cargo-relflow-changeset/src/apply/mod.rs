//! What a release plan changes in manifests: each package's new version and the requirements of
//! its dependents, decided per ecosystem with the rules its package manager users expect.
//!
//! npm follows Changesets v3's `apply-release-plan` ([`npm`]); Cargo keeps a requirement while
//! the new version still satisfies it, and otherwise rewrites it with its operator and precision
//! ([`cargo`]); Python specifiers are rewritten only when the new version leaves them
//! ([`python`]).

pub mod cargo;
pub mod npm;
pub mod python;

use std::collections::BTreeMap;

use cargo_relflow_sync::edit::{ManifestChange, RequirementChange};
use cargo_relflow_sync::{Ecosystem, Package};

use crate::plan::{Release, ReleasePlan};
use crate::PlanConfig;

/// What `version` writes into each manifest of the plan, by package index: the new version of
/// every release that has one, and the requirements on released packages that the ecosystem's
/// rule rewrites. Packages outside the plan are not touched (as in Changesets).
pub fn manifest_changes(
    packages: &[Package],
    plan: &ReleasePlan,
    config: &PlanConfig,
    snapshot: bool,
) -> BTreeMap<usize, ManifestChange> {
    let mut by_name: BTreeMap<(Ecosystem, &str), &Release> = BTreeMap::new();
    for release in &plan.releases {
        let package = &packages[release.package];
        by_name.insert((package.ecosystem, package.name.as_str()), release);
    }
    plan.releases
        .iter()
        .map(|release| {
            let package = &packages[release.package];
            let requirements = package
                .deps
                .iter()
                .filter_map(|dep| {
                    let dependency = by_name.get(&(package.ecosystem, dep.name.as_str()))?;
                    if !dependency.versioned {
                        return None;
                    }
                    let requirement = match package.ecosystem {
                        Ecosystem::Cargo => {
                            cargo::new_requirement(&dep.requirement, &dependency.new_version)
                        }
                        Ecosystem::Python => {
                            python::new_specifier(&dep.requirement, &dependency.new_version)
                        }
                        Ecosystem::Npm => {
                            npm::new_range(&dep.requirement, dep.kind, dependency, config, snapshot)
                        }
                        Ecosystem::Generic => None,
                    }?;
                    Some(RequirementChange {
                        dependency: dep.name.clone(),
                        kind: dep.kind,
                        target: dep.target.clone(),
                        rename: dep.rename.clone(),
                        requirement,
                    })
                })
                .collect();
            let change = ManifestChange {
                version: release.versioned.then(|| release.new_version.clone()),
                requirements,
            };
            (release.package, change)
        })
        .collect()
}
