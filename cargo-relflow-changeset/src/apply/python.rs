//! Python: a dependent's PEP 440 specifier is rewritten only when the new version of its
//! dependency leaves it, and then keeps its shape (operators, precision, spacing).
//!
//! "Leaves" is decided by [`crate::range::satisfies`]: PEP 440 semantics by pep440_rs, with
//! PEP 440's exclusion of pre-releases (a pre-release or `.devN` snapshot matches only a
//! specifier set that names one). When the set is left, each clause is rewritten on its own:
//!
//! | clause            | rule                                                                     |
//! |-------------------|--------------------------------------------------------------------------|
//! | `>=V`, `>V`       | lower bound: `>=NEW` (a `>` becomes `>=`, since `>NEW` excludes NEW)     |
//! | `==V`             | pin: `==NEW`                                                             |
//! | `===V`            | `===NEW` in full PEP 440 form                                            |
//! | `~=V`             | `~=NEW` with V's precision (that sets the compatible window)            |
//! | `==V.*`           | `==NEW.*` with V's precision                                             |
//! | `<V`              | kept while it admits NEW; else moved past NEW at V's step (below)        |
//! | `<=V`             | kept while it admits NEW; else `<=NEW`                                   |
//! | `!=V`, `!=V.*`    | kept while it admits NEW; else dropped                                   |
//!
//! NEW is written with the clause's precision (`>=1.2` becomes `>=2.0`, `==1.2.0` becomes
//! `==2.0.0`) unless that would drop a non-zero part (`==1.2` for `1.2.4` is `==1.2.4`). A
//! pre-release names one exact version, so it is written in full with its PEP 440 suffix
//! (`>=2.0.0b3`, `==2.0.0rc1`, snapshots `>=0.0.0.dev20211213`), except in `~=`, whose
//! precision is its meaning (`~=1.2` for `2.0.0-beta.3` is `~=2.0b3`). A set whose clauses
//! name no pre-release (a `==V.*` prefix cannot, nor can a kept `<3`) would still exclude a
//! pre-release, so `>=NEW` is put in front: `==1.2.*` becomes `>=2.0.0b3,==2.0.*`.
//!
//! **Upper bounds.** The *step* of an upper bound is its last non-zero release part: `<2` and
//! `<2.0` step by majors, `<1.3` and `<1.3.0` by minors. A bound the new version reaches moves
//! to the next step above it, keeping its precision and its own pre-release suffix: `<2` is
//! `<3` for `2.0.0` (so `>=1.2,<2` becomes `>=2.0,<3`), `<1.3.0` is `<1.4.0` for `1.3.0`,
//! `<2.0.0a0` is `<3.0.0a0`. This keeps the window a user chose (a major or a minor series),
//! which is what cargo's and Poetry's caret means, rather than the window's width in versions.
//!
//! Clauses are rewritten in place, in their order, with the spacing between operator and
//! version kept; a `!=` dropped takes its comma with it, and if nothing is left the result is
//! `>=NEW` in full. The result always admits the new version. Specifiers with an epoch (`1!2.0`) or a
//! local version (`==1.0+abc`), and text that is not a PEP 440 specifier set (URLs, Poetry's
//! `^1.2`), are left as written (`None`).

use std::str::FromStr;

use cargo_relflow_sync::pep440::semver_to_pep440;
use cargo_relflow_sync::Ecosystem;
use pep440_rs::{Operator, Version, VersionSpecifier};

use crate::range::satisfies;

/// The specifier to write for a dependency whose new version is `new_version`, or `None` to
/// leave it as written: it is empty, still admits the new version, or cannot be rewritten (see
/// the module docs for the rules).
///
/// ```
/// use cargo_relflow_changeset::apply::python::new_specifier;
/// let v2 = semver::Version::new(2, 0, 0);
/// assert_eq!(new_specifier(">=1.2,<2", &v2).as_deref(), Some(">=2.0,<3"));
/// assert_eq!(new_specifier(">=1.2", &v2), None);
/// ```
pub fn new_specifier(specifier: &str, new_version: &semver::Version) -> Option<String> {
    if specifier.trim().is_empty()
        || satisfies(Ecosystem::Python, specifier, new_version) != Some(false)
    {
        return None;
    }
    let target = Target::new(new_version)?;
    let separator = if specifier.contains(", ") { ", " } else { "," };
    let mut clauses = Vec::new();
    for piece in specifier.trim().split(',') {
        let clause = Clause::parse(piece.trim())?;
        clauses.extend(clause.rewrite(&target));
    }
    // A pre-release is admitted only by a set that names one; a set left empty by dropped
    // exclusions would admit anything.
    if clauses.is_empty()
        || satisfies(Ecosystem::Python, &clauses.join(separator), new_version) != Some(true)
    {
        clauses.insert(0, format!(">={}", target.exact(3)));
    }
    Some(clauses.join(separator))
}

/// The new version in the forms the rules write it.
struct Target {
    /// `major.minor.patch`.
    release: [u64; 3],
    /// The PEP 440 pre-release or dev suffix (`b3`, `rc1`, `.dev5`), empty for a release.
    suffix: String,
    /// The whole PEP 440 text.
    text: String,
    /// The parsed PEP 440 version.
    version: Version,
}

impl Target {
    fn new(new_version: &semver::Version) -> Option<Target> {
        let text = semver_to_pep440(new_version);
        let release = [new_version.major, new_version.minor, new_version.patch];
        let suffix = text
            .strip_prefix(&join(&release))
            .unwrap_or_default()
            .to_owned();
        let version = Version::from_str(&text).ok()?;
        Some(Target {
            release,
            suffix,
            text,
            version,
        })
    }

    /// The release truncated or zero-padded to `precision` parts.
    fn release_at(&self, precision: usize) -> Vec<u64> {
        (0..precision.max(1))
            .map(|i| self.release.get(i).copied().unwrap_or(0))
            .collect()
    }

    /// The version at `precision` parts, in full when that would drop a non-zero part or it is
    /// a pre-release.
    fn exact(&self, precision: usize) -> String {
        let drops_something = self.release.iter().skip(precision).any(|&part| part != 0);
        let precision = if drops_something || !self.suffix.is_empty() {
            precision.max(3)
        } else {
            precision
        };
        format!("{}{}", join(&self.release_at(precision)), self.suffix)
    }

    /// The version truncated to `precision` parts, with its pre-release suffix (for `~=`).
    fn truncated(&self, precision: usize) -> String {
        format!("{}{}", join(&self.release_at(precision)), self.suffix)
    }
}

/// One clause of a specifier set, as written.
struct Clause<'a> {
    /// The parsed clause.
    specifier: VersionSpecifier,
    /// The whitespace between operator and version.
    gap: &'a str,
    /// The clause as written.
    text: &'a str,
}

impl<'a> Clause<'a> {
    /// Parses one trimmed clause; `None` when it is not PEP 440 or has an epoch or local part.
    fn parse(text: &'a str) -> Option<Clause<'a>> {
        const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];
        let operator = OPERATORS.iter().find(|op| text.starts_with(**op))?;
        let rest = &text[operator.len()..];
        let gap = &rest[..rest.len() - rest.trim_start().len()];
        let specifier = VersionSpecifier::from_str(text).ok()?;
        let version = specifier.version();
        if version.epoch() != 0 || !version.local().is_empty() {
            return None;
        }
        Some(Clause {
            specifier,
            gap,
            text,
        })
    }

    /// The clauses that replace this one: none (a dropped `!=`), itself, or rewritten ones.
    fn rewrite(&self, target: &Target) -> Vec<String> {
        let version = self.specifier.version();
        let precision = version.release().len();
        let admits = self.specifier.contains(&target.version);
        let gap = self.gap;
        match self.specifier.operator() {
            Operator::GreaterThanEqual | Operator::GreaterThan => {
                vec![format!(">={gap}{}", target.exact(precision))]
            }
            Operator::Equal => vec![format!("=={gap}{}", target.exact(precision))],
            Operator::ExactEqual => vec![format!("==={gap}{}", target.text)],
            Operator::TildeEqual => vec![format!("~={gap}{}", target.truncated(precision))],
            Operator::EqualStar => {
                vec![format!("=={gap}{}.*", join(&target.release_at(precision)))]
            }
            Operator::NotEqual | Operator::NotEqualStar if !admits => Vec::new(),
            Operator::LessThan if !admits => {
                vec![format!("<{gap}{}", next_step(version, target))]
            }
            Operator::LessThanEqual if !admits => {
                vec![format!("<={gap}{}", target.exact(precision))]
            }
            Operator::NotEqual
            | Operator::NotEqualStar
            | Operator::LessThan
            | Operator::LessThanEqual => vec![self.text.to_owned()],
        }
    }
}

/// The upper bound `bound` moved to the next step above the target (see the module docs).
fn next_step(bound: &Version, target: &Target) -> String {
    let release = bound.release();
    let precision = release.len();
    let step = release
        .iter()
        .rposition(|&part| part != 0)
        .unwrap_or(precision - 1);
    let mut parts = target.release_at(step + 1);
    parts[step] += 1;
    parts.resize(precision, 0);
    let normalized = bound.to_string();
    let suffix = normalized.strip_prefix(&join(release)).unwrap_or_default();
    format!("{}{suffix}", join(&parts))
}

/// Release parts joined with dots.
fn join(parts: &[u64]) -> String {
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[track_caller]
    fn check(specifier: &str, new_version: &str, expected: Option<&str>) {
        assert_eq!(
            new_specifier(specifier, &v(new_version)).as_deref(),
            expected,
            "{specifier} for {new_version}"
        );
    }

    #[test]
    fn satisfied_empty_and_foreign_specifiers_stay() {
        check("", "2.0.0", None);
        check("  ", "2.0.0", None);
        check(">=1.2", "2.0.0", None);
        check(">=1.2,<2", "1.9.0", None);
        check("~=1.2", "1.3.0", None);
        check("==1.*", "1.4.0", None);
        check(">=1.3.0b0,<2", "1.3.0-beta.1", None);
        check("@ file:///tmp/core", "2.0.0", None);
        check("^1.2", "2.0.0", None);
        check(">=1!1.0,<1!2", "2.0.0", None);
        check("==1.0+local", "2.0.0", None);
    }

    #[test]
    fn shapes_are_kept() {
        check(">=1.2,<2", "2.0.0", Some(">=2.0,<3"));
        check("~=1.2", "2.0.0", Some("~=2.0"));
        check("~=1.2.0", "1.3.0", Some("~=1.3.0"));
        check("==1.2.*", "2.0.0", Some("==2.0.*"));
        check("==1.2.*", "1.3.0", Some("==1.3.*"));
        check("==1.2.0", "2.0.0", Some("==2.0.0"));
        check("==1.2.0", "1.2.1", Some("==1.2.1"));
        check("===1.2.0", "1.2.1", Some("===1.2.1"));
        check(">=0.3,<0.4", "0.4.0", Some(">=0.4,<0.5"));
        check(">=1.2.0,<1.3.0", "1.3.0", Some(">=1.3.0,<1.4.0"));
        check("<2", "2.0.0", Some("<3"));
        check("<2.0", "2.1.0", Some("<3.0"));
        check("<=1.9", "2.0.0", Some("<=2.0"));
    }

    #[test]
    fn spacing_and_order_are_kept() {
        check(">= 1.2, < 2", "2.0.0", Some(">= 2.0, < 3"));
        check("<2,>=1.2", "2.0.0", Some("<3,>=2.0"));
        check(" ~= 1.2 ", "2.0.0", Some("~= 2.0"));
    }

    #[test]
    fn precision_never_drops_a_non_zero_part_of_a_pin() {
        check("==1.2", "1.2.4", Some("==1.2.4"));
        check("==1.2", "1.3.0", Some("==1.3"));
        check(">=1.2,<1.3", "1.3.5", Some(">=1.3.5,<1.4"));
        check("==1.2.3.4", "2.0.0", Some("==2.0.0.0"));
    }

    #[test]
    fn upper_bounds_that_still_admit_are_kept() {
        check(">=1.2,<3", "1.3.0-beta.0", Some(">=1.3.0b0,<3"));
        check(">=1.2,<=3", "1.3.0-rc.1", Some(">=1.3.0rc1,<=3"));
        check(">=1.2,!=1.5.0,<2", "2.0.0", Some(">=2.0,!=1.5.0,<3"));
        check("<2.0.0a0,>=1.0", "2.0.0", Some("<3.0.0a0,>=2.0"));
    }

    #[test]
    fn exclusions_of_the_new_version_are_dropped() {
        check(">=1.0,!=2.0.0", "2.0.0", Some(">=2.0"));
        check("!=2.0.*", "2.0.0", Some(">=2.0.0"));
        check(">1.2", "1.3.0-alpha.0", Some(">=1.3.0a0"));
    }

    #[test]
    fn pre_releases_and_snapshots() {
        check(">=1.2,<2", "2.0.0-beta.3", Some(">=2.0.0b3,<3"));
        check("==1.2.0", "2.0.0-rc.1", Some("==2.0.0rc1"));
        check("~=1.2", "2.0.0-beta.3", Some("~=2.0b3"));
        check("~=1.2", "1.3.0-alpha", Some("~=1.3a0"));
        check("==1.2.*", "2.0.0-beta.3", Some(">=2.0.0b3,==2.0.*"));
        check(
            ">=1.0,<2",
            "1.1.0-canary-20211213000730",
            Some(">=1.1.0.dev20211213000730,<2"),
        );
        check(">=1.0", "1.1.0-next.2", Some(">=1.1.0.dev2"));
        check("<2", "1.9.0-dev.4", Some(">=1.9.0.dev4,<2"));
        check("!=1.5.0", "2.0.0-beta.1", Some(">=2.0.0b1,!=1.5.0"));
    }

    /// Whatever the specifier and version, a rewritten specifier admits the new version and an
    /// untouched one already did.
    #[test]
    fn the_result_always_admits_the_new_version() {
        let specifiers = [
            ">=1.2,<2",
            "~=1.2",
            "~=1.2.3",
            "==1.2.*",
            "==1.*",
            "==1.2.3",
            "===1.2.3",
            "<2",
            "<1.3",
            "<=1.9",
            ">1.2",
            "!=2.0.0",
            "!=2.*",
            ">=1.0,!=1.5.*,<2.0",
            "<2.0.0a0",
            "<=0.0",
            "<0.3",
            "==0.0.0",
        ];
        let versions = [
            "1.2.4",
            "1.3.0",
            "1.3.5",
            "2.0.0",
            "2.0.1",
            "2.1.0",
            "3.0.0",
            "0.4.0",
            "2.0.0-beta.3",
            "1.3.0-rc.1",
            "2.0.0-alpha",
            "0.0.0-canary-1",
            "1.9.0-dev.4",
        ];
        for specifier in specifiers {
            for version in versions {
                let new_version = v(version);
                let admitted = satisfies(Ecosystem::Python, specifier, &new_version);
                match new_specifier(specifier, &new_version) {
                    None => assert_eq!(admitted, Some(true), "{specifier} for {version}"),
                    Some(rewritten) => {
                        assert_eq!(admitted, Some(false), "{specifier} for {version}");
                        assert_eq!(
                            satisfies(Ecosystem::Python, &rewritten, &new_version),
                            Some(true),
                            "{specifier} -> {rewritten} for {version}"
                        );
                    }
                }
            }
        }
    }
}
