//! Package names as users write them: plain (`core`) or qualified (`cargo:core`).

use crate::{Ecosystem, InputError, Package};

/// Finds the package a user-written name refers to.
///
/// A qualified name (`npm:@acme/web`) picks that ecosystem. A plain name must be unique across
/// ecosystems; when it is not, the error lists the qualified candidates. Returns the index of the
/// package in `packages`.
pub fn resolve(packages: &[Package], written: &str) -> Result<usize, InputError> {
    let (ecosystem, name) = split_qualified(written);
    let mut candidates = packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name == name && ecosystem.is_none_or(|e| p.ecosystem == e));
    let Some((first, _)) = candidates.next() else {
        return Err(unknown(packages, written));
    };
    let rest: Vec<usize> = candidates.map(|(i, _)| i).collect();
    if rest.is_empty() {
        return Ok(first);
    }
    let listed: Vec<String> = std::iter::once(first)
        .chain(rest)
        .map(|i| format!("`{}`", packages[i].qualified_name()))
        .collect();
    Err(
        InputError::new(format!("package name `{written}` is ambiguous"))
            .with_hint(format!("write one of {} instead", listed.join(", "))),
    )
}

/// Finds the package a name in a changeset file refers to: as [`resolve`], except that a plain
/// name shared by one npm package and packages of other ecosystems means the npm package (a
/// changeset file can only mean it when Changesets, which knows only npm, wrote it; relflow
/// writes `cargo:NAME` for the others).
pub fn resolve_in_changeset(packages: &[Package], written: &str) -> Result<usize, InputError> {
    let (ecosystem, name) = split_qualified(written);
    if ecosystem.is_none() {
        let mut npm = packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name == name && p.ecosystem == Ecosystem::Npm);
        if let (Some((only, _)), None) = (npm.next(), npm.next()) {
            return Ok(only);
        }
    }
    resolve(packages, written)
}

/// Whether a plain name in a changeset file resolves to `package` only because npm wins (see
/// [`resolve_in_changeset`]): an npm package whose name another ecosystem also uses.
pub fn npm_wins_plain_name(packages: &[Package], package: &Package) -> bool {
    package.ecosystem == Ecosystem::Npm
        && packages
            .iter()
            .any(|p| p.name == package.name && p.ecosystem != Ecosystem::Npm)
}

/// Splits `cargo:name` into its ecosystem and name; a plain name has no ecosystem.
///
/// Only the four known prefixes count, so npm names such as `@scope/x` and any name
/// containing a colon for another reason stay whole.
pub fn split_qualified(written: &str) -> (Option<Ecosystem>, &str) {
    if let Some((prefix, rest)) = written.split_once(':') {
        if let Some(ecosystem) = Ecosystem::from_prefix(prefix) {
            return (Some(ecosystem), rest);
        }
    }
    (None, written)
}

fn unknown(packages: &[Package], written: &str) -> InputError {
    let (_, name) = split_qualified(written);
    let error = InputError::new(format!("no package named `{written}` in this repository"));
    let close: Vec<String> = packages
        .iter()
        .filter(|p| is_close(&p.name, name))
        .map(|p| format!("`{}`", p.qualified_name()))
        .collect();
    if close.is_empty() {
        error.with_hint("`cargo relflow list` shows every package relflow found")
    } else {
        error.with_hint(format!("did you mean {}?", close.join(" or ")))
    }
}

/// A cheap similarity test for "did you mean": same name ignoring case, `-`/`_`, a scope, or one
/// character off.
fn is_close(candidate: &str, written: &str) -> bool {
    let normal = |s: &str| {
        s.rsplit('/')
            .next()
            .unwrap_or(s)
            .to_ascii_lowercase()
            .replace('_', "-")
    };
    let (a, b) = (normal(candidate), normal(written));
    if a == b {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    a.len().max(b.len()) - prefix - suffix <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Publish, VersionSource};

    fn package(ecosystem: Ecosystem, name: &str) -> Package {
        Package {
            ecosystem,
            name: name.to_owned(),
            version: None,
            version_text: None,
            version_source: VersionSource::None,
            dir: "".into(),
            manifest: "".into(),
            publish: Publish::Default,
            deps: Vec::new(),
        }
    }

    #[test]
    fn plain_qualified_and_ambiguous() {
        let packages = [
            package(Ecosystem::Cargo, "core"),
            package(Ecosystem::Npm, "core"),
            package(Ecosystem::Npm, "@acme/web"),
        ];
        assert_eq!(resolve(&packages, "@acme/web"), Ok(2));
        assert_eq!(resolve(&packages, "npm:core"), Ok(1));
        assert_eq!(resolve(&packages, "cargo:core"), Ok(0));
        let error = resolve(&packages, "core").unwrap_err();
        assert_eq!(error.message, "package name `core` is ambiguous");
        assert_eq!(
            error.hint.as_deref(),
            Some("write one of `cargo:core`, `npm:core` instead")
        );
        let error = resolve(&packages, "cor").unwrap_err();
        assert_eq!(
            error.hint.as_deref(),
            Some("did you mean `cargo:core` or `npm:core`?")
        );
        assert!(resolve(&packages, "python:core").is_err());
    }
}
