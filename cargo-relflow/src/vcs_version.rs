//! Versions that git tags give: a Python project built with hatch-vcs, setuptools-scm,
//! uv-dynamic-versioning or pdm's `scm` source takes its version from the release tag, so relflow
//! reads it there. Its current version is the highest version among its release tags (the
//! repository's `tag_format`) that HEAD reaches, or the newer release `version` has written into
//! its CHANGELOG.md and `publish` has not tagged yet. Without either it has no version.
//!
//! [`version_in_tag`] and [`current`] are pure; [`apply`] reads the tags with gix.

use std::collections::HashMap;

use camino::Utf8Path;
use cargo_relflow_sync::pep440::{pep440_to_semver, semver_to_pep440};
use cargo_relflow_sync::VersionSource;
use gix::ObjectId;

use crate::publish::tags::{tag_format, SINGLE_FORMAT};
use crate::repo::Repo;

/// The version a tag names for the package `name` under `format` (`{name}@{version}`,
/// `v{version}`, ...): semver, or PEP 440 as Python tags are often written (`v1.0.0b1`).
pub fn version_in_tag(format: &str, name: &str, tag: &str) -> Option<semver::Version> {
    let format = format.replace("{name}", name);
    let (prefix, suffix) = format.split_once("{version}")?;
    let text = tag.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if text.is_empty() || suffix.contains("{version}") {
        return None;
    }
    semver::Version::parse(text)
        .ok()
        .or_else(|| pep440_to_semver(text).ok())
}

/// The current version of a package whose version the tags give: the highest `tagged` one, or
/// the `changelog` heading's when that is newer (released by `version`, not tagged yet).
pub fn current(
    tagged: Option<semver::Version>,
    changelog: Option<semver::Version>,
) -> Option<semver::Version> {
    match (tagged, changelog) {
        (Some(tag), Some(heading)) => Some(tag.max(heading)),
        (tag, heading) => tag.or(heading),
    }
}

/// Sets the version of every package whose version the tags give ([`VersionSource::Vcs`]) from
/// the tags of the repository (see the module). A directory that is no git repository has no
/// tags; nothing else here fails.
pub fn apply(repo: &mut Repo) {
    let vcs: Vec<usize> = (0..repo.packages().len())
        .filter(|&i| matches!(repo.packages()[i].version_source, VersionSource::Vcs(_)))
        .collect();
    if vcs.is_empty() {
        return;
    }
    let format = tag_format(repo);
    let tags = tag_commits(repo.root()).unwrap_or_default();
    let mut versions = Vec::with_capacity(vcs.len());
    for &index in &vcs {
        let name = &repo.packages()[index].name;
        let mut candidates: Vec<(semver::Version, ObjectId)> = tags
            .iter()
            .filter_map(|(tag, commit)| Some((version_in_tag(&format, name, tag)?, *commit)))
            .collect();
        candidates.sort_by(|a, b| b.0.cmp(&a.0));
        versions.push(highest_reachable(repo.root(), &candidates));
    }
    // Tags the build plugins read (`v1.2.0`) while `tag_format` names others: say what to set.
    let untagged: Vec<&str> = vcs
        .iter()
        .zip(&versions)
        .filter(|(_, v)| v.is_none())
        .map(|(&i, _)| repo.packages()[i].name.as_str())
        .collect();
    if !untagged.is_empty() && format != SINGLE_FORMAT {
        let mut single: Vec<(semver::Version, ObjectId)> = tags
            .iter()
            .filter_map(|(tag, commit)| Some((version_in_tag(SINGLE_FORMAT, "", tag)?, *commit)))
            .collect();
        single.sort_by(|a, b| b.0.cmp(&a.0));
        if let Some(found) = highest_reachable(repo.root(), &single) {
            let warning = format!(
                "{} take their version from git tags, and HEAD reaches the tag `v{found}` but \
                 no `{format}` tag: set `tag_format = \"{SINGLE_FORMAT}\"` in relflow.toml (or \
                 put them in one fixed group) to release them with `v` tags",
                untagged.join(", ")
            );
            repo.warnings.push(warning);
        }
    }
    for (index, tagged) in vcs.into_iter().zip(versions) {
        let package = &mut repo.workspace.packages[index];
        if let Some(version) = current(tagged, package.version.take()) {
            package.version_text = Some(semver_to_pep440(&version));
            package.version = Some(version);
        } else {
            package.version_text = None;
        }
    }
}

/// Every tag of the repository that holds `root` and the commit it points to (through
/// annotated tags); tags that point to no commit are left out.
fn tag_commits(root: &Utf8Path) -> anyhow::Result<Vec<(String, ObjectId)>> {
    let repo = gix::discover(root.as_std_path())?;
    let references = repo.references()?;
    let mut out = Vec::new();
    for reference in references.tags()?.flatten() {
        let mut reference = reference;
        let name = reference.name().shorten().to_string();
        if let Ok(commit) = reference.peel_to_commit() {
            out.push((name, commit.id));
        }
    }
    Ok(out)
}

/// The first of `candidates` (highest version first) whose commit HEAD reaches. The walk from
/// HEAD stops at that commit, so it reads only the commits since the latest release.
fn highest_reachable(
    root: &Utf8Path,
    candidates: &[(semver::Version, ObjectId)],
) -> Option<semver::Version> {
    if candidates.is_empty() {
        return None;
    }
    let repo = gix::discover(root.as_std_path()).ok()?;
    let head = repo.head_id().ok()?.detach();
    let rank: HashMap<ObjectId, usize> = candidates
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (_, commit))| (*commit, i))
        .collect();
    let mut best: Option<usize> = None;
    let walk = repo.rev_walk([head]).all().ok()?;
    for info in walk {
        // A shallow clone ends where its history does.
        let Ok(info) = info else { break };
        if let Some(&at) = rank.get(&info.id) {
            best = Some(best.map_or(at, |b| b.min(at)));
            if at == 0 {
                break;
            }
        }
    }
    best.map(|at| candidates[at].0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn tags_name_versions_under_the_format() {
        assert_eq!(
            version_in_tag("v{version}", "pydantic-ai", "v2.33.0"),
            Some(v("2.33.0"))
        );
        assert_eq!(
            version_in_tag("v{version}", "x", "v1.0.0b1"),
            Some(v("1.0.0-beta.1"))
        );
        assert_eq!(
            version_in_tag("{name}@{version}", "pydantic-graph", "pydantic-graph@1.2.0"),
            Some(v("1.2.0"))
        );
        assert_eq!(
            version_in_tag("{name}@{version}", "pydantic-graph", "pydantic-ai@1.2.0"),
            None
        );
        assert_eq!(version_in_tag("v{version}", "x", "v"), None);
        assert_eq!(version_in_tag("v{version}", "x", "vnext"), None);
        assert_eq!(version_in_tag("release", "x", "release"), None);
    }

    #[test]
    fn a_newer_changelog_release_waits_for_its_tag() {
        assert_eq!(
            current(Some(v("1.2.0")), Some(v("1.3.0"))),
            Some(v("1.3.0"))
        );
        assert_eq!(
            current(Some(v("2.0.0")), Some(v("0.1.0"))),
            Some(v("2.0.0"))
        );
        assert_eq!(current(None, Some(v("0.1.0"))), Some(v("0.1.0")));
        assert_eq!(current(Some(v("1.0.0")), None), Some(v("1.0.0")));
        assert_eq!(current(None, None), None);
    }
}
