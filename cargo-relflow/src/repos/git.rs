//! The git commands a release set runs in its repos: clone, fetch, compare with `origin`,
//! commit, push a branch with its tags atomically, delete tags, revert.

use std::process::Command;

use anyhow::{bail, Context};
use camino::Utf8Path;

/// The remote every repo of a set pushes to.
pub const REMOTE: &str = "origin";

/// Runs git in `root` and returns its stdout; a failure names the command and git's message.
pub fn git(root: &Utf8Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "`git {}` in `{root}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Clones `url` into `dir`, or, when `dir` already holds the clone, fast-forwards it to its
/// upstream (the clone is relflow's own cache).
pub fn clone_or_update(url: &str, dir: &Utf8Path) -> anyhow::Result<()> {
    if dir.join(".git").exists() {
        git(dir, &["pull", "--ff-only", "--quiet"]).map(drop)
    } else {
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{parent}`"))?;
        }
        let output = Command::new("git")
            .args(["clone", "--quiet", url])
            .arg(dir)
            .output()
            .context("cannot run git")?;
        if !output.status.success() {
            bail!(
                "`git clone {url}` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }
}

/// The branch HEAD is on, `None` when it is detached.
pub fn current_branch(root: &Utf8Path) -> anyhow::Result<Option<String>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["symbolic-ref", "--quiet", "--short", "HEAD"])
        .output()
        .context("cannot run git")?;
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned()))
}

/// `git fetch origin BRANCH`, then how many commits of `origin/BRANCH` HEAD lacks.
pub fn commits_behind(root: &Utf8Path, branch: &str) -> anyhow::Result<usize> {
    git(root, &["fetch", "--quiet", REMOTE, branch])?;
    let count = git(
        root,
        &["rev-list", "--count", &format!("HEAD..{REMOTE}/{branch}")],
    )?;
    count
        .trim()
        .parse()
        .with_context(|| format!("`git rev-list --count` printed `{}`", count.trim()))
}

/// The tag names on `origin` (`git ls-remote --tags`).
pub fn remote_tags(root: &Utf8Path) -> anyhow::Result<Vec<String>> {
    let listed = git(root, &["ls-remote", "--tags", REMOTE])?;
    Ok(listed
        .lines()
        .filter_map(|line| line.split('\t').nth(1))
        .filter_map(|name| name.strip_prefix("refs/tags/"))
        .filter(|name| !name.ends_with("^{}"))
        .map(ToOwned::to_owned)
        .collect())
}

/// Stages every change and commits it with `message`; returns the new commit.
pub fn commit_all(root: &Utf8Path, message: &str) -> anyhow::Result<String> {
    git(root, &["add", "--all"])?;
    git(root, &["commit", "--quiet", "--message", message])?;
    head(root)
}

/// The commit HEAD points at.
pub fn head(root: &Utf8Path) -> anyhow::Result<String> {
    Ok(git(root, &["rev-parse", "HEAD"])?.trim().to_owned())
}

/// `git push --atomic origin HEAD:refs/heads/BRANCH refs/tags/TAG...`: the branch and its tags,
/// all or nothing.
pub fn push_branch_and_tags(root: &Utf8Path, branch: &str, tags: &[String]) -> anyhow::Result<()> {
    let mut args = vec![
        "push".to_owned(),
        "--atomic".to_owned(),
        "--quiet".to_owned(),
        REMOTE.to_owned(),
        format!("HEAD:refs/heads/{branch}"),
    ];
    args.extend(tags.iter().map(|tag| format!("refs/tags/{tag}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    git(root, &args).map(drop)
}

/// Deletes `tags` on `origin` in one push; tags not there are left out first.
pub fn delete_remote_tags(root: &Utf8Path, tags: &[String]) -> anyhow::Result<()> {
    let present = remote_tags(root)?;
    let mut args = vec!["push".to_owned(), "--quiet".to_owned(), REMOTE.to_owned()];
    args.extend(
        tags.iter()
            .filter(|tag| present.contains(tag))
            .map(|tag| format!(":refs/tags/{tag}")),
    );
    if args.len() == 3 {
        return Ok(());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    git(root, &args).map(drop)
}

/// Deletes the local tags of `tags` that exist.
pub fn delete_local_tags(root: &Utf8Path, tags: &[String]) -> anyhow::Result<()> {
    let present = crate::publish::tags::existing_tags(root)?;
    for tag in tags.iter().filter(|tag| present.contains(*tag)) {
        git(root, &["tag", "--delete", tag])?;
    }
    Ok(())
}

/// `git revert --no-edit COMMIT`: a new commit that undoes it; returns the new commit.
pub fn revert(root: &Utf8Path, commit: &str) -> anyhow::Result<String> {
    git(root, &["revert", "--no-edit", commit])?;
    head(root)
}

/// `git push origin HEAD:refs/heads/BRANCH` (never forced).
pub fn push_branch(root: &Utf8Path, branch: &str) -> anyhow::Result<()> {
    git(
        root,
        &[
            "push",
            "--quiet",
            REMOTE,
            &format!("HEAD:refs/heads/{branch}"),
        ],
    )
    .map(drop)
}
