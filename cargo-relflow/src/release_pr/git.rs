//! The git side of `release-pr`: a detached worktree at the base commit, the release commit, and
//! the push of the release branch with a lease on what `origin` had.

use std::process::Command;

use anyhow::{bail, Context};
use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::InputError;

use crate::error::Failure;
use crate::git::git;
use crate::publish::secrets::Secrets;

/// The identity of the release commit when git has none configured (a fresh CI runner).
const FALLBACK_NAME: &str = "relflow";
const FALLBACK_EMAIL: &str = "relflow@users.noreply.github.com";

/// The commit `base` names: the local branch, else `origin/<base>`.
pub(super) fn resolve_base(root: &Utf8Path, base: &str) -> Result<String, Failure> {
    for candidate in [base.to_owned(), format!("origin/{base}")] {
        if let Ok(sha) = git(
            root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{candidate}^{{commit}}"),
            ],
        ) {
            return Ok(sha.trim().to_owned());
        }
    }
    Err(InputError::new(format!(
        "the base branch `{base}` does not exist (nor `origin/{base}`)"
    ))
    .with_hint("pass `--base BRANCH`, or set `base_branch` in relflow.toml")
    .into())
}

/// A detached worktree in a temporary directory, removed (with its git metadata) when dropped.
pub(super) struct Worktree {
    repo_root: Utf8PathBuf,
    path: Utf8PathBuf,
    _dir: tempfile::TempDir,
}

impl Worktree {
    /// `git worktree add --detach` of `commit`.
    pub fn add(repo_root: &Utf8Path, commit: &str) -> Result<Worktree, Failure> {
        let dir = tempfile::Builder::new()
            .prefix("relflow-release-pr-")
            .tempdir()
            .context("cannot create a temporary directory for the release worktree")?;
        let base = Utf8PathBuf::from_path_buf(dir.path().canonicalize().context("temp dir")?)
            .map_err(|p| {
                anyhow::anyhow!("the temporary directory `{}` is not UTF-8", p.display())
            })?;
        let path = base.join("tree");
        git(
            repo_root,
            &[
                "worktree",
                "add",
                "--quiet",
                "--detach",
                path.as_str(),
                commit,
            ],
        )?;
        Ok(Worktree {
            repo_root: repo_root.to_owned(),
            path,
            _dir: dir,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Utf8Path {
        &self.path
    }

    /// Commits everything in it with `message`; returns the commit.
    pub fn commit(&self, message: &str) -> Result<String, Failure> {
        git(&self.path, &["add", "-A"])?;
        let mut args: Vec<&str> = Vec::new();
        let has_identity = git(&self.path, &["var", "GIT_COMMITTER_IDENT"]).is_ok()
            && git(&self.path, &["var", "GIT_AUTHOR_IDENT"]).is_ok();
        let name = format!("user.name={FALLBACK_NAME}");
        let email = format!("user.email={FALLBACK_EMAIL}");
        if !has_identity {
            args.extend(["-c", &name, "-c", &email]);
        }
        args.extend(["commit", "--quiet", "--no-verify", "-m", message]);
        git(&self.path, &args)?;
        Ok(git(&self.path, &["rev-parse", "HEAD"])?.trim().to_owned())
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = git(
            &self.repo_root,
            &["worktree", "remove", "--force", self.path.as_str()],
        );
        let _ = git(&self.repo_root, &["worktree", "prune"]);
    }
}

/// Pushes `commit` to `remote` as `branch`, with a lease on the commit the remote had (or on
/// its absence). Returns false without pushing when the remote branch already is this release:
/// the same tree on the same base commit.
pub(super) fn push_branch(
    root: &Utf8Path,
    remote: &str,
    commit: &str,
    branch: &str,
    base_commit: &str,
    secrets: &Secrets,
) -> Result<bool, Failure> {
    let reference = format!("refs/heads/{branch}");
    let listed = run_git(root, &["ls-remote", remote, &reference], secrets)?;
    let current = listed
        .lines()
        .find_map(|line| line.split_once('\t').filter(|(_, r)| *r == reference))
        .map(|(sha, _)| sha.to_owned());
    if let Some(current) = &current {
        let fetched = run_git(
            root,
            &["fetch", "--quiet", "--no-tags", remote, &reference],
            secrets,
        )
        .is_ok();
        if fetched && same_release(root, current, commit, base_commit) {
            return Ok(false);
        }
    }
    let lease = format!(
        "--force-with-lease={reference}:{}",
        current.as_deref().unwrap_or("")
    );
    run_git(
        root,
        &[
            "push",
            "--quiet",
            &lease,
            remote,
            &format!("{commit}:{reference}"),
        ],
        secrets,
    )?;
    Ok(true)
}

/// Whether `current` has `commit`'s tree and parent.
fn same_release(root: &Utf8Path, current: &str, commit: &str, base_commit: &str) -> bool {
    let tree = |rev: &str| git(root, &["rev-parse", &format!("{rev}^{{tree}}")]).ok();
    let parent = git(root, &["rev-parse", &format!("{current}^")]).ok();
    tree(current).is_some()
        && tree(current) == tree(commit)
        && parent.as_deref().map(str::trim) == Some(base_commit)
}

/// git with its errors scrubbed of secrets (a remote URL may carry a token).
fn run_git(root: &Utf8Path, args: &[&str], secrets: &Secrets) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .with_context(|| format!("cannot run `git {}`", args[0]))?;
    if !output.status.success() {
        bail!(
            "`git {}` failed: {}",
            args.first().copied().unwrap_or_default(),
            secrets.scrub(String::from_utf8_lossy(&output.stderr).trim())
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
