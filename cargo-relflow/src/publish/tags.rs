//! Release tags: their names (`tag_format`), the ones that exist (read with gix), new ones
//! (annotated, on HEAD, written with gix), and one atomic push of them; for `yank`, the tags a
//! remote has, deleting tags (with gix) and one atomic push of the deletions.

use std::collections::BTreeSet;
use std::process::Command;

use anyhow::{bail, Context};
use camino::Utf8Path;
use cargo_relflow_changeset::plan::fixed_groups;
use cargo_relflow_sync::{Package, VersionSource};

use super::secrets::Secrets;
use crate::repo::Repo;

/// The tag format of a repository with several packages.
pub const MONOREPO_FORMAT: &str = "{name}@{version}";
/// The tag format of a repository with one package or one fixed group.
pub const SINGLE_FORMAT: &str = "v{version}";

/// The tag format: relflow.toml's `tag_format`, else `v{version}` when the repository has one
/// package with a version, or one fixed group that holds all of them, else `{name}@{version}`.
pub fn tag_format(repo: &Repo) -> String {
    if let Some(format) = &repo.workspace.config.config.tag_format {
        return format.get_ref().clone();
    }
    let versioned: Vec<usize> = repo
        .packages()
        .iter()
        .enumerate()
        // A version that the tags give counts before its first tag.
        .filter(|(_, p)| p.version.is_some() || matches!(p.version_source, VersionSource::Vcs(_)))
        .map(|(i, _)| i)
        .collect();
    // An invalid group is reported by the plan; here it only means "not one group".
    let fixed = fixed_groups(repo.packages(), &repo.plan_config()).unwrap_or_default();
    let one_group = match fixed.as_slice() {
        [group] => versioned.iter().all(|i| group.contains(i)),
        _ => false,
    };
    if versioned.len() == 1 || one_group {
        SINGLE_FORMAT.to_owned()
    } else {
        MONOREPO_FORMAT.to_owned()
    }
}

/// The tag of `package` at its current version: `{name}` and `{version}` (semver) filled in.
pub fn tag_name(format: &str, package: &Package) -> Option<String> {
    let version = package.version.as_ref()?;
    Some(tag_name_at(format, &package.name, version))
}

/// The tag of the package `name` at `version`: `{name}` and `{version}` (semver) filled in.
pub fn tag_name_at(format: &str, name: &str, version: &semver::Version) -> String {
    format
        .replace("{name}", name)
        .replace("{version}", &version.to_string())
}

/// The names of every tag of the git repository that holds `root`.
pub fn existing_tags(root: &Utf8Path) -> anyhow::Result<BTreeSet<String>> {
    let repo = open(root)?;
    let references = repo
        .references()
        .context("cannot read the git references")?;
    let tags = references.tags().context("cannot read the git tags")?;
    let mut names = BTreeSet::new();
    for reference in tags {
        let reference =
            reference.map_err(|error| anyhow::anyhow!("cannot read a git tag: {error}"))?;
        names.insert(reference.name().shorten().to_string());
    }
    Ok(names)
}

/// Creates each tag of `names` on HEAD: annotated (message = the name, as Changesets' `git tag
/// -a`) when a committer is configured, else lightweight.
pub fn create_tags(root: &Utf8Path, names: &[String]) -> anyhow::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let repo = open(root)?;
    let head = repo.head_id().context("HEAD does not point at a commit")?;
    let tagger = repo
        .committer()
        .transpose()
        .context("cannot read the git committer (`GIT_COMMITTER_DATE`?)")?;
    for name in names {
        let created = match tagger {
            Some(tagger) => repo
                .tag(
                    name,
                    head,
                    gix::object::Kind::Commit,
                    Some(tagger),
                    name,
                    gix::refs::transaction::PreviousValue::MustNotExist,
                )
                .map(drop),
            None => repo
                .tag_reference(
                    name,
                    head,
                    gix::refs::transaction::PreviousValue::MustNotExist,
                )
                .map(drop),
        };
        created.map_err(|error| anyhow::anyhow!("cannot create tag `{name}`: {error}"))?;
    }
    Ok(())
}

/// Whether the repository has a remote called `name`.
pub fn has_remote(root: &Utf8Path, name: &str) -> anyhow::Result<bool> {
    let repo = open(root)?;
    Ok(repo
        .remote_names()
        .iter()
        .any(|remote| AsRef::<[u8]>::as_ref(remote) == name.as_bytes()))
}

/// `git push --atomic <remote> refs/tags/<name>...`: all tags or none. Tags already on the remote
/// with the same target are no change for git.
pub fn push_tags(
    root: &Utf8Path,
    remote: &str,
    names: &[String],
    secrets: &Secrets,
) -> anyhow::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["push", "--atomic", "--quiet", remote])
        .args(names.iter().map(|name| format!("refs/tags/{name}")))
        .output()
        .context("cannot run `git push`")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`git push --atomic {remote}` of {} tags failed: {}",
            names.len(),
            secrets.scrub(stderr.trim())
        );
    }
    Ok(())
}

/// The tags the remote `remote` has: `git ls-remote --tags --refs`.
pub fn remote_tags(
    root: &Utf8Path,
    remote: &str,
    secrets: &Secrets,
) -> anyhow::Result<BTreeSet<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-remote", "--tags", "--refs", "--quiet", remote])
        .output()
        .context("cannot run `git ls-remote`")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`git ls-remote --tags {remote}` failed: {}",
            secrets.scrub(stderr.trim())
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once("refs/tags/"))
        .map(|(_, name)| name.trim().to_owned())
        .collect())
}

/// Deletes each tag of `names` from the repository; a tag that is not there is no error.
pub fn delete_tags(root: &Utf8Path, names: &[String]) -> anyhow::Result<()> {
    let repo = open(root)?;
    for name in names {
        let reference = repo
            .try_find_reference(format!("refs/tags/{name}").as_str())
            .map_err(|error| anyhow::anyhow!("cannot read tag `{name}`: {error}"))?;
        if let Some(reference) = reference {
            reference
                .delete()
                .map_err(|error| anyhow::anyhow!("cannot delete tag `{name}`: {error}"))?;
        }
    }
    Ok(())
}

/// `git push --atomic <remote> :refs/tags/<name>...`: deletes all the tags on the remote, or
/// none.
pub fn push_tag_deletions(
    root: &Utf8Path,
    remote: &str,
    names: &[String],
    secrets: &Secrets,
) -> anyhow::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["push", "--atomic", "--quiet", remote])
        .args(names.iter().map(|name| format!(":refs/tags/{name}")))
        .output()
        .context("cannot run `git push`")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`git push --atomic {remote}` deleting {} tags failed: {}",
            names.len(),
            secrets.scrub(stderr.trim())
        );
    }
    Ok(())
}

/// The files `git status` lists: modified, staged, deleted, and untracked but not ignored.
pub fn dirty_files(root: &Utf8Path) -> anyhow::Result<Vec<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ])
        .output()
        .context("cannot run `git status`")?;
    if !output.status.success() {
        bail!(
            "`git status` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut files = Vec::new();
    let mut entries = text.split('\0').filter(|entry| !entry.is_empty());
    while let Some(entry) = entries.next() {
        let (status, path) = entry.split_at(entry.len().min(3));
        files.push(path.to_owned());
        if status.starts_with(['R', 'C']) {
            // A rename or copy is followed by its source path.
            entries.next();
        }
    }
    Ok(files)
}

fn open(root: &Utf8Path) -> anyhow::Result<gix::Repository> {
    gix::discover(root.as_std_path())
        .map_err(|error| anyhow::anyhow!("cannot open the git repository at `{root}`: {error}"))
}

#[cfg(test)]
mod tests {
    use camino::Utf8PathBuf;
    use cargo_relflow_sync::{Ecosystem, Publish, VersionSource};

    use super::*;

    fn package(name: &str, version: &str) -> Package {
        Package {
            ecosystem: Ecosystem::Npm,
            name: name.to_owned(),
            version: Some(semver::Version::parse(version).unwrap()),
            version_text: Some(version.to_owned()),
            version_source: VersionSource::Manifest,
            dir: Utf8PathBuf::from(name),
            manifest: Utf8PathBuf::from(format!("{name}/package.json")),
            publish: Publish::Default,
            deps: Vec::new(),
        }
    }

    #[test]
    fn tag_names() {
        let web = package("@acme/web", "1.2.0-beta.1");
        assert_eq!(
            tag_name(MONOREPO_FORMAT, &web).as_deref(),
            Some("@acme/web@1.2.0-beta.1")
        );
        assert_eq!(
            tag_name(SINGLE_FORMAT, &web).as_deref(),
            Some("v1.2.0-beta.1")
        );
        assert_eq!(
            tag_name("release/{name}/{version}", &web).as_deref(),
            Some("release/@acme/web/1.2.0-beta.1")
        );
        let mut none = web.clone();
        none.version = None;
        assert_eq!(tag_name(MONOREPO_FORMAT, &none), None);
    }
}
