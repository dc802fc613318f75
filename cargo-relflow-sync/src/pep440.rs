//! Version text per ecosystem: semver <-> PEP 440.
//!
//! relflow works with semver everywhere; Python manifests hold PEP 440 versions. The mapping:
//!
//! | semver              | PEP 440          |
//! |---------------------|------------------|
//! | `1.2.0`             | `1.2.0`          |
//! | `1.2.0-alpha.N`     | `1.2.0aN`        |
//! | `1.2.0-beta.N`      | `1.2.0bN`        |
//! | `1.2.0-rc.N`        | `1.2.0rcN`       |
//! | `1.2.0-beta`        | `1.2.0b0`        |
//! | `1.2.0-dev.N`       | `1.2.0.devN`     |
//! | `1.2.0-post.N`      | `1.2.0.postN`    |
//! | `1.2.0-beta.1.dev.2`| `1.2.0b1.dev2`   |
//! | `1.2.0+build`       | `1.2.0`          |
//! | other (snapshots)   | `.devN`          |
//!
//! Pre-release tags that are not PEP 440 phases (`canary-20211213000730`, `next.2`) become
//! `.devN`, with `N` the trailing number of the tag (`0` when it has none or it does not fit
//! in a `u64`); the tag itself is lost, so those do not round-trip.
//!
//! The other way, PEP 440 post releases become the pre-release `-post.N`. That keeps the
//! conversion reversible but semver orders `1.2.0-post.1` *before* `1.2.0`, unlike PEP 440;
//! relflow never produces post releases, it only reads them. A PEP 440 local version
//! (`+abc.5`) becomes semver build metadata. Epochs (`1!2.0`) and releases of four or more
//! parts (`1.2.3.4`) have no semver form and are errors.

use std::str::FromStr;

use pep440_rs::PrereleaseKind;

/// The PEP 440 text for a semver version (see the module docs for the mapping).
///
/// Build metadata is dropped. Never fails: unknown pre-release tags become `.devN`.
pub fn semver_to_pep440(v: &semver::Version) -> String {
    let release = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if v.pre.is_empty() {
        return release;
    }
    match structured_pre(v.pre.as_str()) {
        Some(suffix) => format!("{release}{suffix}"),
        None => format!("{release}.dev{}", trailing_number(v.pre.as_str())),
    }
}

/// The PEP 440 suffix for a pre-release made of an optional phase (`alpha`, `beta`, `rc`, with
/// an optional number, separate or attached), an optional `post[.N]` and an optional `dev[.N]`,
/// in that order; `None` for anything else.
fn structured_pre(pre: &str) -> Option<String> {
    let idents: Vec<&str> = pre.split('.').collect();
    let mut i = 0;
    let mut out = String::new();
    if let Some((kind, attached)) = idents.first().and_then(|first| phase(first)) {
        i = 1;
        let number = match attached {
            Some(n) => n,
            None => take_number(&idents, &mut i),
        };
        out.push_str(&format!("{kind}{number}"));
    }
    for word in ["post", "dev"] {
        if idents.get(i) == Some(&word) {
            i += 1;
            let number = take_number(&idents, &mut i);
            out.push_str(&format!(".{word}{number}"));
        }
    }
    (i == idents.len() && !out.is_empty()).then_some(out)
}

/// Reads a numeric identifier at `idents[*i]`, advancing past it; `0` if there is none.
fn take_number(idents: &[&str], i: &mut usize) -> u64 {
    match idents.get(*i).and_then(|s| numeric(s)) {
        Some(n) => {
            *i += 1;
            n
        }
        None => 0,
    }
}

/// A number made of ASCII digits only.
fn numeric(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A phase identifier (`alpha`, `a`, `beta`, `b`, `rc`), possibly with digits attached (`rc1`).
fn phase(ident: &str) -> Option<(PrereleaseKind, Option<u64>)> {
    let split = ident
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(ident.len());
    let (word, digits) = ident.split_at(split);
    let kind = match word {
        "alpha" | "a" => PrereleaseKind::Alpha,
        "beta" | "b" => PrereleaseKind::Beta,
        "rc" => PrereleaseKind::Rc,
        _ => return None,
    };
    if digits.is_empty() {
        Some((kind, None))
    } else {
        numeric(digits).map(|n| (kind, Some(n)))
    }
}

/// The trailing run of digits of `s` as a number, `0` when there is none or it overflows.
fn trailing_number(s: &str) -> u64 {
    let start = s.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    s[start..].parse().unwrap_or(0)
}

/// Parses a PEP 440 version (with pep440_rs) into semver (see the module docs for the mapping).
///
/// `1.2` is `1.2.0`, `1.2.0b3` is `1.2.0-beta.3`, `1.2.0.dev1` is `1.2.0-dev.1`, `1.2.0.post1`
/// is `1.2.0-post.1`. Errors (as a one-line message) on text that is not PEP 440, on epochs
/// and on releases of more than three parts.
pub fn pep440_to_semver(text: &str) -> Result<semver::Version, String> {
    let text = text.trim();
    let version = pep440_rs::Version::from_str(text)
        .map_err(|e| format!("`{text}` is not a PEP 440 version: {e}"))?;
    if version.epoch() != 0 {
        return Err(format!(
            "`{text}` has an epoch, which has no semver equivalent"
        ));
    }
    let release = version.release();
    if release.len() > 3 {
        return Err(format!(
            "`{text}` has {} release parts; relflow supports at most three (major.minor.patch)",
            release.len()
        ));
    }
    let part = |i: usize| release.get(i).copied().unwrap_or(0);
    let mut pre: Vec<String> = Vec::new();
    if let Some(p) = version.pre() {
        let word = match p.kind {
            PrereleaseKind::Alpha => "alpha",
            PrereleaseKind::Beta => "beta",
            PrereleaseKind::Rc => "rc",
        };
        pre.push(format!("{word}.{}", p.number));
    }
    if let Some(n) = version.post() {
        pre.push(format!("post.{n}"));
    }
    if let Some(n) = version.dev() {
        pre.push(format!("dev.{n}"));
    }
    let mut out = semver::Version::new(part(0), part(1), part(2));
    if !pre.is_empty() {
        out.pre = semver::Prerelease::new(&pre.join("."))
            .map_err(|e| format!("`{text}`: cannot form a semver pre-release: {e}"))?;
    }
    let local: Vec<String> = version.local().iter().map(ToString::to_string).collect();
    if !local.is_empty() {
        out.build = semver::BuildMetadata::new(&local.join("."))
            .map_err(|e| format!("`{text}`: cannot form semver build metadata: {e}"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn semver_to_pep440_phases() {
        let cases = [
            ("1.2.0", "1.2.0"),
            ("1.2.0-beta.3", "1.2.0b3"),
            ("1.2.0-alpha.1", "1.2.0a1"),
            ("1.2.0-rc.2", "1.2.0rc2"),
            ("1.2.0-beta", "1.2.0b0"),
            ("1.2.0-rc1", "1.2.0rc1"),
            ("1.2.0-dev.4", "1.2.0.dev4"),
            ("1.2.0-post.1", "1.2.0.post1"),
            ("1.2.0-beta.1.dev.2", "1.2.0b1.dev2"),
            ("1.2.0+build.5", "1.2.0"),
            ("1.2.0-rc.1+sha.abc", "1.2.0rc1"),
        ];
        for (semver, pep) in cases {
            assert_eq!(semver_to_pep440(&sv(semver)), pep, "{semver}");
        }
    }

    #[test]
    fn semver_snapshots_become_dev() {
        assert_eq!(
            semver_to_pep440(&sv("0.0.0-canary-20211213000730")),
            "0.0.0.dev20211213000730"
        );
        assert_eq!(semver_to_pep440(&sv("1.1.0-next.2")), "1.1.0.dev2");
        assert_eq!(semver_to_pep440(&sv("1.1.0-snapshot")), "1.1.0.dev0");
        assert_eq!(semver_to_pep440(&sv("1.1.0-beta.x")), "1.1.0.dev0");
        assert_eq!(
            semver_to_pep440(&sv("1.0.0-canary.99999999999999999999999")),
            "1.0.0.dev0"
        );
    }

    #[test]
    fn pep440_to_semver_forms() {
        let cases = [
            ("1.2", "1.2.0"),
            ("1", "1.0.0"),
            ("1.2.0", "1.2.0"),
            ("1.2.0b3", "1.2.0-beta.3"),
            ("1.2.0a1", "1.2.0-alpha.1"),
            ("1.2.0rc2", "1.2.0-rc.2"),
            ("1.2.0.dev5", "1.2.0-dev.5"),
            ("1.2.0.post1", "1.2.0-post.1"),
            ("1.2.0b1.dev2", "1.2.0-beta.1.dev.2"),
            ("1.2.0-beta.3", "1.2.0-beta.3"),
            ("1.2.0+local.7", "1.2.0+local.7"),
            (" 2.0.0 ", "2.0.0"),
        ];
        for (pep, semver) in cases {
            assert_eq!(pep440_to_semver(pep).unwrap(), sv(semver), "{pep}");
        }
    }

    #[test]
    fn pep440_errors() {
        assert!(pep440_to_semver("1!2.0").unwrap_err().contains("epoch"));
        assert!(pep440_to_semver("1.2.3.4")
            .unwrap_err()
            .contains("release parts"));
        assert!(pep440_to_semver("not a version")
            .unwrap_err()
            .contains("not a PEP 440 version"));
    }

    #[test]
    fn round_trips() {
        for text in [
            "1.2.0",
            "1.2.0-alpha.1",
            "1.2.0-beta.3",
            "1.2.0-rc.10",
            "1.2.0-dev.1",
            "1.2.0-post.2",
            "1.2.0-rc.1.post.2.dev.3",
        ] {
            let v = sv(text);
            assert_eq!(
                pep440_to_semver(&semver_to_pep440(&v)).unwrap(),
                v,
                "{text}"
            );
        }
        for text in [
            "1.2.0",
            "1.2.0a1",
            "1.2.0b3",
            "1.2.0rc1",
            "1.2.0.dev0",
            "1.2.0.post1",
        ] {
            assert_eq!(
                semver_to_pep440(&pep440_to_semver(text).unwrap()),
                text,
                "{text}"
            );
        }
    }
}
