//! Git facts as plain data: changed paths since a ref.

use std::process::Command;

use anyhow::{bail, Context};
use camino::{Utf8Path, Utf8PathBuf};

/// Runs git in `root` and returns its stdout.
fn git(root: &Utf8Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .with_context(|| format!("failed to run `git {}`", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("git printed non-UTF-8 output")
}

/// Whether `reference` names a commit in the repository at `root`.
pub fn ref_exists(root: &Utf8Path, reference: &str) -> bool {
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .is_ok()
}

/// The ref to compare against for a base branch: `base` itself, else `origin/<base>` (CI
/// checkouts often have only the remote branch).
pub fn resolve_base(root: &Utf8Path, base: &str) -> Option<String> {
    [base.to_owned(), format!("origin/{base}")]
        .into_iter()
        .find(|candidate| ref_exists(root, candidate))
}

/// The files staged in the index (added, copied, modified or renamed), relative to `root`.
pub fn staged_files(root: &Utf8Path) -> anyhow::Result<Vec<Utf8PathBuf>> {
    Ok(git(
        root,
        &[
            "diff",
            "--name-only",
            "--no-relative",
            "--cached",
            "--diff-filter=ACMR",
        ],
    )?
    .lines()
    .map(Utf8PathBuf::from)
    .collect())
}

/// The files changed since the merge-base of `base` and HEAD: committed, staged and unstaged
/// changes to tracked files, relative to `root`. As in Changesets, untracked files do not count
/// (`git add` them); leaving them out spares a walk of the whole working tree.
pub fn changed_files_since(root: &Utf8Path, base: &str) -> anyhow::Result<Vec<Utf8PathBuf>> {
    let merge_base = git(root, &["merge-base", base, "HEAD"])?;
    let merge_base = merge_base.trim();
    Ok(
        git(root, &["diff", "--name-only", "--no-relative", merge_base])?
            .lines()
            .map(Utf8PathBuf::from)
            .collect(),
    )
}

/// The commit HEAD points at, as a full hex sha.
pub fn head_commit(root: &Utf8Path) -> anyhow::Result<String> {
    Ok(git(root, &["rev-parse", "HEAD"])?.trim().to_owned())
}
