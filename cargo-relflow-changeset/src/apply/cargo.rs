//! Cargo requirements after a release: [`new_requirement`] rewrites one, [`unsatisfied`] lists
//! those that would still reject the new version.
//!
//! The rule is cargo-release's default (`dependent-version = "fix"`): a requirement that the new
//! version still satisfies, as Cargo decides (`semver::VersionReq`, pre-release rules included),
//! is left as written; one that it leaves is rewritten to the new version with the same operator
//! and the same precision (`0.3` becomes `0.4`, `=1.2.3` becomes `=1.3.0`, `~1.2.3` becomes
//! `~1.3.0`, `1.*` becomes `2.*`). A pre-release needs every field to be matched at all, so it is
//! written in full (`1.2` becomes `1.3.0-beta.0`).
//!
//! Requirements with `<`, `<=`, `>` or `>=` comparators (`>=1.2, <2`) are not rewritten:
//! there is no single spelling that keeps what the author meant. cargo-release
//! (`ops/version.rs::upgrade_requirement`) and release-plz (`cargo_utils::upgrade_requirement`)
//! both give up on them ("support for modifying >=1.2 is currently unsupported"): cargo-release
//! then leaves the requirement as it was and lets `cargo update` fail later, release-plz stops with
//! that error. relflow leaves it too, and [`unsatisfied`] reports it, so `version` refuses before
//! it writes anything and names the manifest to fix.

use std::collections::BTreeMap;

use cargo_relflow_sync::edit::ManifestChange;
use cargo_relflow_sync::{DepKind, Ecosystem, InputError, Package};
use semver::{Comparator, Op, Version, VersionReq};

/// The requirement to write for a dependency whose new version is `new_version`, or `None` to
/// keep `requirement` as written.
///
/// `None` when the requirement is empty (a path-only dependency), `*`, still satisfied by the new
/// version, not a valid Cargo requirement, or uses `<`, `<=`, `>`, `>=` (see the module docs).
/// Spacing around operators and commas is kept.
///
/// ```
/// # use cargo_relflow_changeset::apply::cargo::new_requirement;
/// let v = |s| semver::Version::parse(s).unwrap();
/// assert_eq!(new_requirement("0.3", &v("0.4.0")).as_deref(), Some("0.4"));
/// assert_eq!(new_requirement("=1.2.3", &v("1.3.0")).as_deref(), Some("=1.3.0"));
/// assert_eq!(new_requirement("^1", &v("1.5.0")), None);
/// assert_eq!(new_requirement("1.2", &v("1.3.0-beta.0")).as_deref(), Some("1.3.0-beta.0"));
/// ```
pub fn new_requirement(requirement: &str, new_version: &Version) -> Option<String> {
    let parsed = VersionReq::parse(requirement.trim()).ok()?;
    if parsed.comparators.is_empty() || parsed.matches(new_version) {
        return None;
    }
    let rewritten = requirement
        .split(',')
        .map(|part| rewrite_comparator(part, new_version))
        .collect::<Option<Vec<_>>>()?
        .join(",");
    // The rewrite is built to match; a requirement it cannot make match is left to `unsatisfied`.
    let matches = VersionReq::parse(rewritten.trim()).is_ok_and(|req| req.matches(new_version));
    matches.then_some(rewritten)
}

/// Rewrites one comparator of a requirement (`^1.2`, ` =0.3.1 `, `1.*`), keeping the spaces
/// around it and its operator as written.
fn rewrite_comparator(part: &str, new_version: &Version) -> Option<String> {
    let body = part.trim_start();
    let leading = &part[..part.len() - body.len()];
    let body = body.trim_end();
    let trailing = &part[leading.len() + body.len()..];
    let comparator = Comparator::parse(body).ok()?;
    let op_len = body
        .find(|c: char| !matches!(c, '=' | '<' | '>' | '~' | '^' | ' '))
        .unwrap_or(body.len());
    let (op_text, version_text) = body.split_at(op_len);
    let new_text = match comparator.op {
        Op::Exact | Op::Tilde | Op::Caret => {
            format!("{op_text}{}", with_precision(&comparator, new_version))
        }
        Op::Wildcard if new_version.pre.is_empty() => {
            format!("{op_text}{}", with_wildcards(version_text, new_version))
        }
        // A wildcard cannot name a pre-release: `1.*` becomes the caret requirement it stands
        // for (`2.0.0-beta.0`), `1.0.*` the tilde one (`~1.1.0-beta.0`).
        Op::Wildcard if comparator.minor.is_none() => full(new_version),
        Op::Wildcard => format!("~{}", full(new_version)),
        _ => return None,
    };
    Some(format!("{leading}{new_text}{trailing}"))
}

/// The new version with as many fields as the comparator wrote, or all of them (and the
/// pre-release) for a pre-release.
fn with_precision(comparator: &Comparator, version: &Version) -> String {
    if !version.pre.is_empty() || comparator.patch.is_some() {
        full(version)
    } else if comparator.minor.is_some() {
        format!("{}.{}", version.major, version.minor)
    } else {
        version.major.to_string()
    }
}

/// `version_text` (`1.*`, `1.0.x`) with its numbers replaced by the new version's.
fn with_wildcards(version_text: &str, version: &Version) -> String {
    let fields = [version.major, version.minor, version.patch];
    version_text
        .split('.')
        .zip(fields)
        .map(|(written, new)| {
            if matches!(written, "*" | "x" | "X") {
                written.to_owned()
            } else {
                new.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `major.minor.patch[-pre]`, without build metadata (Cargo ignores it in requirements).
fn full(version: &Version) -> String {
    let core = format!("{}.{}.{}", version.major, version.minor, version.patch);
    if version.pre.is_empty() {
        core
    } else {
        format!("{core}-{}", version.pre)
    }
}

/// An internal Cargo requirement that the new version of its dependency does not satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsatisfied {
    /// Index in `packages` of the package whose manifest has the requirement.
    pub dependent: usize,
    /// Index in `packages` of the package it requires.
    pub dependency: usize,
    /// The kind of the dependency (the table it is written in).
    pub kind: DepKind,
    /// The Cargo target of that table, if any.
    pub target: Option<String>,
    /// The Cargo key when the dependency is renamed.
    pub rename: Option<String>,
    /// The requirement after rewriting.
    pub requirement: String,
    /// The dependency's new version.
    pub version: Version,
}

impl Unsatisfied {
    /// The error `version` reports: the dependent's manifest, the requirement and the version.
    ///
    /// A dependency written `{ workspace = true }` takes its requirement from the root
    /// `[workspace.dependencies]`; the caller knows that and may point the error there instead.
    pub fn to_input_error(&self, packages: &[Package]) -> InputError {
        let dependent = &packages[self.dependent];
        let dependency = &packages[self.dependency].name;
        let mut error = InputError::new(format!(
            "`{}` requires `{dependency} {}`, which its new version {} does not satisfy",
            dependent.name, self.requirement, self.version
        ))
        .with_path(&dependent.manifest)
        .with_hint(format!(
            "relflow rewrites `^`, `~`, `=` and wildcard requirements only; change this one so \
             that it accepts {} and run `cargo relflow version` again",
            self.version
        ));
        if let Some(target) = &self.target {
            error.message.push_str(&format!(" (target `{target}`)"));
        }
        error
    }
}

/// Every internal requirement between Cargo packages that the new versions would leave
/// unsatisfied, in package and dependency order.
///
/// `changes` maps an index of `packages` to what `version` writes into that package's manifest:
/// its new version, and its requirements after rewriting (matched by dependency, kind, target and
/// rename). Packages and requirements without a change keep their current version and their
/// requirement as written. Path-only dependencies (empty requirement) are always satisfied; a
/// requirement Cargo cannot parse never is.
pub fn unsatisfied(
    packages: &[Package],
    changes: &BTreeMap<usize, ManifestChange>,
) -> Vec<Unsatisfied> {
    let version_of = |index: usize| {
        changes
            .get(&index)
            .and_then(|change| change.version.as_ref())
            .or(packages[index].version.as_ref())
    };
    let mut found = Vec::new();
    for (dependent, package) in packages.iter().enumerate() {
        if package.ecosystem != Ecosystem::Cargo {
            continue;
        }
        for dep in &package.deps {
            let Some(dependency) = packages
                .iter()
                .position(|p| p.ecosystem == Ecosystem::Cargo && p.name == dep.name)
            else {
                continue;
            };
            let Some(version) = version_of(dependency) else {
                continue;
            };
            let rewritten = changes.get(&dependent).and_then(|change| {
                change.requirements.iter().find(|r| {
                    r.dependency == dep.name
                        && r.kind == dep.kind
                        && r.target == dep.target
                        && r.rename == dep.rename
                })
            });
            let requirement = rewritten.map_or(dep.requirement.as_str(), |r| &r.requirement);
            if requirement.trim().is_empty() {
                continue;
            }
            if crate::range::satisfies(Ecosystem::Cargo, requirement, version) != Some(true) {
                found.push(Unsatisfied {
                    dependent,
                    dependency,
                    kind: dep.kind,
                    target: dep.target.clone(),
                    rename: dep.rename.clone(),
                    requirement: requirement.to_owned(),
                    version: version.clone(),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use cargo_relflow_sync::edit::RequirementChange;
    use cargo_relflow_sync::{Dependency, Publish, VersionSource};

    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    /// Each case: requirement, new version, expected rewrite (`None`: keep).
    #[track_caller]
    fn check(cases: &[(&str, &str, Option<&str>)]) {
        for &(requirement, version, expected) in cases {
            let version = v(version);
            let actual = new_requirement(requirement, &version);
            assert_eq!(
                actual.as_deref(),
                expected,
                "new_requirement({requirement:?}, {version})"
            );
            if let Some(actual) = actual {
                let req = VersionReq::parse(&actual).unwrap();
                assert!(req.matches(&version), "{actual} must match {version}");
            }
        }
    }

    #[test]
    fn path_only_star_and_invalid_are_kept() {
        check(&[
            ("", "2.0.0", None),
            ("  ", "2.0.0", None),
            ("*", "2.0.0", None),
            ("not a requirement", "2.0.0", None),
        ]);
    }

    #[test]
    fn satisfied_requirements_are_kept() {
        check(&[
            ("^1", "1.9.0", None),
            ("1", "1.9.0", None),
            ("0.3.1", "0.3.2", None),
            ("0.3", "0.3.7", None),
            ("~1.2.3", "1.2.9", None),
            ("=1.2.3", "1.2.3", None),
            ("1.*", "1.4.0", None),
            (">=1.2, <2", "1.9.9", None),
            ("1.3.0-beta.0", "1.3.0-beta.1", None),
            ("^1.3.0-beta.1", "1.3.0", None),
        ]);
    }

    #[test]
    fn operator_and_precision_are_kept() {
        check(&[
            ("=1.2.3", "1.3.0", Some("=1.3.0")),
            ("0.3", "0.4.0", Some("0.4")),
            ("0.3.1", "0.4.0", Some("0.4.0")),
            ("^0.3", "0.4.0", Some("^0.4")),
            ("1.2", "2.0.0", Some("2.0")),
            ("1", "2.0.0", Some("2")),
            ("^1", "2.0.0", Some("^2")),
            ("~1.2.3", "1.3.0", Some("~1.3.0")),
            ("~1.2", "1.3.0", Some("~1.3")),
            ("~1", "2.0.0", Some("~2")),
            ("=1.2", "1.3.0", Some("=1.3")),
            ("0.0.3", "0.0.4", Some("0.0.4")),
            ("= 1.2.3", "1.3.0", Some("= 1.3.0")),
            ("1.2.3+build.5", "2.0.0", Some("2.0.0")),
        ]);
    }

    #[test]
    fn wildcards_keep_their_wildcards() {
        check(&[
            ("1.*", "2.0.0", Some("2.*")),
            ("1.x", "2.0.0", Some("2.x")),
            ("1.0.*", "1.1.0", Some("1.1.*")),
            ("1.*.*", "2.1.0", Some("2.*.*")),
        ]);
    }

    #[test]
    fn prerelease_versions_are_written_in_full() {
        check(&[
            ("1.2", "1.3.0-beta.0", Some("1.3.0-beta.0")),
            ("^1", "1.3.0-beta.0", Some("^1.3.0-beta.0")),
            ("1", "1.0.1-rc.1", Some("1.0.1-rc.1")),
            ("=1.2.3", "1.2.4-alpha.1", Some("=1.2.4-alpha.1")),
            ("~1.2", "1.2.5-beta.0", Some("~1.2.5-beta.0")),
            ("1.3.0-beta.0", "1.3.0", None),
            ("1.3.0-beta.0", "1.4.0-beta.0", Some("1.4.0-beta.0")),
            ("1.*", "2.0.0-beta.0", Some("2.0.0-beta.0")),
            ("1.0.*", "1.1.0-beta.0", Some("~1.1.0-beta.0")),
        ]);
    }

    #[test]
    fn several_comparators_are_each_rewritten_unless_ranged() {
        check(&[
            ("^1.2, ~1.2.3", "1.3.0", Some("^1.3, ~1.3.0")),
            (">=1.2, <2", "2.0.0", None),
            (">=1.2", "0.9.0", None),
            ("<2", "2.0.0", None),
            ("^1.2, <1.3", "1.3.0", None),
        ]);
    }

    fn cargo(name: &str, version: &str, deps: &[(&str, &str)]) -> Package {
        Package {
            ecosystem: Ecosystem::Cargo,
            name: name.to_owned(),
            version: Some(v(version)),
            version_text: Some(version.to_owned()),
            version_source: VersionSource::Manifest,
            dir: name.into(),
            manifest: format!("{name}/Cargo.toml").into(),
            publish: Publish::Default,
            deps: deps
                .iter()
                .map(|&(name, requirement)| Dependency {
                    name: name.to_owned(),
                    kind: DepKind::Normal,
                    requirement: requirement.to_owned(),
                    target: None,
                    rename: None,
                })
                .collect(),
        }
    }

    fn bump(version: &str, requirements: &[(&str, &str)]) -> ManifestChange {
        ManifestChange {
            version: (!version.is_empty()).then(|| v(version)),
            requirements: requirements
                .iter()
                .map(|&(dependency, requirement)| RequirementChange {
                    dependency: dependency.to_owned(),
                    kind: DepKind::Normal,
                    target: None,
                    rename: None,
                    requirement: requirement.to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn unsatisfied_lists_what_the_rewrite_leaves_behind() {
        let packages = vec![
            cargo("core", "1.2.0", &[]),
            cargo("ranged", "0.1.0", &[("core", ">=1.2, <2")]),
            cargo("caret", "0.1.0", &[("core", "1.2")]),
            cargo("path-only", "0.1.0", &[("core", "")]),
        ];
        let new_core = v("2.0.0");
        let mut changes = BTreeMap::new();
        changes.insert(0, bump("2.0.0", &[]));
        // What `version` computes: each requirement through `new_requirement`.
        for (index, package) in packages.iter().enumerate().skip(1) {
            let rewritten: Vec<_> = package
                .deps
                .iter()
                .filter_map(|d| new_requirement(&d.requirement, &new_core).map(|r| (d, r)))
                .map(|(d, r)| (d.name.as_str(), r))
                .collect();
            let pairs: Vec<_> = rewritten.iter().map(|(d, r)| (*d, r.as_str())).collect();
            changes.insert(index, bump("", &pairs));
        }
        assert_eq!(changes[&2].requirements[0].requirement, "2.0");
        let found = unsatisfied(&packages, &changes);
        assert_eq!(
            found,
            vec![Unsatisfied {
                dependent: 1,
                dependency: 0,
                kind: DepKind::Normal,
                target: None,
                rename: None,
                requirement: ">=1.2, <2".to_owned(),
                version: new_core,
            }]
        );
        let error = found[0].to_input_error(&packages);
        assert_eq!(
            error.message,
            "`ranged` requires `core >=1.2, <2`, which its new version 2.0.0 does not satisfy"
        );
        assert_eq!(error.location().as_deref(), Some("ranged/Cargo.toml"));
    }

    #[test]
    fn unsatisfied_uses_current_versions_and_written_requirements_by_default() {
        let packages = vec![
            cargo("core", "1.2.0", &[]),
            cargo("stale", "0.1.0", &[("core", "=1.1.0")]),
            cargo("fine", "0.1.0", &[("core", "1")]),
        ];
        let found = unsatisfied(&packages, &BTreeMap::new());
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].dependent, found[0].version.clone()),
            (1, v("1.2.0"))
        );
        // Rewriting the stale requirement to the current version fixes it.
        let changes = BTreeMap::from([(1, bump("", &[("core", "=1.2.0")]))]);
        assert!(unsatisfied(&packages, &changes).is_empty());
    }
}
