//! `fixed`, `linked` and `ignore` resolved against the packages, and Changesets v3's config rules
//! (`packages/config/src/rules.ts`, `utils.ts: globMatch`).

use cargo_relflow_sync::names::{resolve as resolve_name, split_qualified};
use cargo_relflow_sync::{Ecosystem, Package, Publish};
use globset::{GlobBuilder, GlobMatcher};

use super::index::Index;
use super::{graph, PlanError};
use crate::PlanConfig;

const PICOMATCH_NOTE: &str =
    "Note that glob expressions must be defined according to https://npmx.dev/picomatch.";

/// The configuration with every pattern resolved to package indices.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    /// Fixed groups, members in package order.
    pub fixed: Vec<Vec<usize>>,
    /// Linked groups, members in package order.
    pub linked: Vec<Vec<usize>>,
    /// Per package: skipped (ignored, unversioned private, or without a version).
    pub skipped: Vec<bool>,
    /// Config warnings.
    pub warnings: Vec<String>,
}

/// The name shown for a package: plain when no other ecosystem uses it, qualified otherwise.
pub(super) fn display_name(index: &Index, package: usize) -> String {
    let shown = &index.packages()[package];
    if index.name_is_shared(package) {
        shown.qualified_name()
    } else {
        shown.name.clone()
    }
}

/// Whether Changesets' `private` holds: the package is never published.
pub(super) fn is_private(package: &Package) -> bool {
    matches!(package.publish, Publish::No)
}

/// Resolves the patterns and applies the v3 rules: unmatched fixed/linked entries are warnings;
/// duplicates, fixed-and-linked members, invalid trees and `tag` without `version` are errors.
pub(super) fn resolve(index: &Index, config: &PlanConfig) -> Result<Resolved, PlanError> {
    let packages = index.packages();
    let fixed = resolve_groups(packages, &config.fixed)?;
    let linked = resolve_groups(packages, &config.linked)?;
    let ignored = glob_match(packages, &config.ignore)?;
    let mut ignore = vec![false; packages.len()];
    for &i in &ignored {
        ignore[i] = true;
    }
    let skipped: Vec<bool> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            ignore[i]
                || (is_private(p) && !config.private_rule(p.ecosystem).version)
                || p.version.is_none()
        })
        .collect();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for (kind, written, groups) in [
        ("fixed", &config.fixed, &fixed),
        ("linked", &config.linked, &linked),
    ] {
        if groups.is_empty() {
            continue;
        }
        for group in written {
            for pattern in group {
                if !Pattern::new(pattern).matches_any(packages) {
                    warnings.push(format!(
                        "{kind}: Invalid path: The package or glob \"{pattern}\" does not match any package in the project. {PICOMATCH_NOTE}"
                    ));
                }
            }
        }
        let mut found: Vec<usize> = Vec::new();
        let mut duplicated: Vec<usize> = Vec::new();
        for group in groups {
            for &member in group {
                if found.contains(&member) && !duplicated.contains(&member) {
                    duplicated.push(member);
                }
                if !found.contains(&member) {
                    found.push(member);
                }
            }
            // Changesets reports every duplicate found so far after each group.
            for &name in &duplicated {
                errors.push(format!(
                    "{kind}: Invalid group: The package or glob \"{}\" is defined in multiple groups of {kind} packages. Packages can only be belong to a single group. {PICOMATCH_NOTE}",
                    display_name(index, name)
                ));
            }
        }
    }
    if !fixed.is_empty() && !linked.is_empty() {
        let mut seen = Vec::new();
        for &member in fixed.iter().flatten() {
            if seen.contains(&member) {
                continue;
            }
            seen.push(member);
            if linked.iter().flatten().any(|&l| l == member) {
                errors.push(format!(
                    "Invalid group: The package \"{}\" can be found in both fixed and linked groups. A package can only be either fixed or linked.",
                    display_name(index, member)
                ));
            }
        }
    }
    if !ignored.is_empty() || !config.private_packages.version || !config.private_crates.version {
        let dependents = graph::dependents(
            index,
            true,
            config.bump_versions_with_workspace_protocol_only,
        );
        for (skipped_index, _) in skipped.iter().enumerate().filter(|(_, &s)| s) {
            for &dependent in &dependents[skipped_index] {
                if skipped[dependent] || is_private(&packages[dependent]) {
                    continue;
                }
                let (d, s) = (
                    display_name(index, dependent),
                    display_name(index, skipped_index),
                );
                errors.push(format!(
                    "Invalid tree: \"{d}\" depends on the skipped package \"{s}\", but \"{d}\" is not skipped. Please add \"{d}\" to the \"ignore\" option."
                ));
            }
        }
    }
    if !config.private_packages.version && config.private_packages.tag {
        errors.push(
            "privatePackages: Invalid combination: \"tag\" is set to \"true\" but \"version\" is set to \"false\"."
                .to_owned(),
        );
    }
    if !config.private_crates.version && config.private_crates.tag {
        errors.push(
            "relflow.toml: private_packages: Invalid combination: \"tag\" is true but \"version\" is false."
                .to_owned(),
        );
    }
    if !errors.is_empty() {
        return Err(PlanError::Config { errors, warnings });
    }
    Ok(Resolved {
        fixed,
        linked,
        skipped,
        warnings,
    })
}

fn resolve_groups(
    packages: &[Package],
    groups: &[Vec<String>],
) -> Result<Vec<Vec<usize>>, PlanError> {
    groups.iter().map(|g| glob_match(packages, g)).collect()
}

/// Changesets' `globMatch`: the packages (in package order) that a positive pattern matches and
/// no later `!` pattern excludes, unless a later positive pattern matches again.
fn glob_match(packages: &[Package], patterns: &[String]) -> Result<Vec<usize>, PlanError> {
    let matchers: Vec<Pattern> = patterns.iter().map(|p| Pattern::new(p)).collect();
    for m in &matchers {
        m.check_ambiguity(packages)?;
    }
    Ok(packages
        .iter()
        .enumerate()
        .filter(|(_, package)| {
            let mut passed = false;
            for m in &matchers {
                if !passed {
                    passed = !m.negated && m.matches(package);
                } else if m.negated && !m.matches(package) {
                    passed = false;
                }
            }
            passed
        })
        .map(|(i, _)| i)
        .collect())
}

/// One `fixed`/`linked`/`ignore` entry: `[!][ecosystem:]name-or-glob`.
struct Pattern {
    written: String,
    negated: bool,
    ecosystem: Option<Ecosystem>,
    name: String,
    glob: Option<GlobMatcher>,
}

impl Pattern {
    fn new(written: &str) -> Pattern {
        let (negated, rest) = match written.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, written),
        };
        let (ecosystem, name) = split_qualified(rest);
        let glob = name
            .contains(['*', '?', '[', '{'])
            .then(|| {
                GlobBuilder::new(name)
                    .literal_separator(true)
                    .build()
                    .ok()
                    .map(|g| g.compile_matcher())
            })
            .flatten();
        Pattern {
            written: written.to_owned(),
            negated,
            ecosystem,
            name: name.to_owned(),
            glob,
        }
    }

    /// Whether the pattern without its `!` matches the package.
    fn underlying(&self, package: &Package) -> bool {
        if self.ecosystem.is_some_and(|e| e != package.ecosystem) {
            return false;
        }
        match &self.glob {
            Some(glob) => glob.is_match(&package.name),
            None => package.name == self.name,
        }
    }

    /// picomatch's matcher: a `!` pattern matches what its pattern does not.
    fn matches(&self, package: &Package) -> bool {
        self.underlying(package) != self.negated
    }

    fn matches_any(&self, packages: &[Package]) -> bool {
        packages.iter().any(|p| self.matches(p))
    }

    /// A plain name (no glob, no ecosystem) found in several ecosystems is ambiguous.
    fn check_ambiguity(&self, packages: &[Package]) -> Result<(), PlanError> {
        if self.glob.is_some() || self.ecosystem.is_some() {
            return Ok(());
        }
        if packages.iter().filter(|p| self.underlying(p)).count() > 1 {
            if let Err(error) = resolve_name(packages, &self.name) {
                let hint = error.hint.clone();
                let mut error = cargo_relflow_sync::InputError::new(format!(
                    "{} (in config entry `{}`)",
                    error.message, self.written
                ));
                error.hint = hint;
                return Err(PlanError::Input(error));
            }
        }
        Ok(())
    }
}
