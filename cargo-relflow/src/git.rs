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

/// The URL of remote `name` (`None` when there is no such remote).
pub fn remote_url(root: &Utf8Path, name: &str) -> Option<String> {
    git(root, &["remote", "get-url", name])
        .ok()
        .map(|url| url.trim().to_owned())
        .filter(|url| !url.is_empty())
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
///
/// One git process where it can (`git diff --merge-base`, git 2.30 or later); when that fails
/// (an older git, several merge-bases, no common history), the two steps of
/// [`changed_files_in_steps`], whose errors say which step failed.
pub fn changed_files_since(root: &Utf8Path, base: &str) -> anyhow::Result<Vec<Utf8PathBuf>> {
    match diff_from_merge_base(root, base) {
        Some(files) => Ok(files),
        None => changed_files_in_steps(root, base),
    }
}

/// [`changed_files_since`] a user-given `reference`; `None` when it names no commit.
pub fn changed_files_since_ref(
    root: &Utf8Path,
    reference: &str,
) -> anyhow::Result<Option<Vec<Utf8PathBuf>>> {
    if let Some(files) = diff_from_merge_base(root, reference) {
        return Ok(Some(files));
    }
    if !ref_exists(root, reference) {
        return Ok(None);
    }
    changed_files_in_steps(root, reference).map(Some)
}

/// The base ref of `base_branch` ([`resolve_base`]) and the files changed since it
/// ([`changed_files_since`]); `None` when neither the branch nor `origin/<branch>` exists. In the
/// usual case (the branch exists) one git process answers both.
pub fn changed_files_since_base(
    root: &Utf8Path,
    base_branch: &str,
) -> anyhow::Result<Option<(String, Vec<Utf8PathBuf>)>> {
    for candidate in [base_branch.to_owned(), format!("origin/{base_branch}")] {
        if let Some(files) = diff_from_merge_base(root, &candidate) {
            return Ok(Some((candidate, files)));
        }
        if ref_exists(root, &candidate) {
            let files = changed_files_in_steps(root, &candidate)?;
            return Ok(Some((candidate, files)));
        }
    }
    Ok(None)
}

/// `git diff --name-only --merge-base <base>`: `None` when git fails for any reason.
fn diff_from_merge_base(root: &Utf8Path, base: &str) -> Option<Vec<Utf8PathBuf>> {
    let out = git(
        root,
        &[
            "diff",
            "--name-only",
            "--no-relative",
            "--merge-base",
            base,
            "--",
        ],
    )
    .ok()?;
    Some(out.lines().map(Utf8PathBuf::from).collect())
}

/// [`changed_files_since`] as two commands: `git merge-base <base> HEAD`, then `git diff` from it.
fn changed_files_in_steps(root: &Utf8Path, base: &str) -> anyhow::Result<Vec<Utf8PathBuf>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A git repository in a temporary directory, cut off from the user's configuration.
    struct Repo {
        _dir: tempfile::TempDir,
        root: Utf8PathBuf,
    }

    impl Repo {
        fn new() -> Repo {
            let dir = tempfile::tempdir().unwrap();
            let root = Utf8PathBuf::from_path_buf(dir.path().canonicalize().unwrap()).unwrap();
            let repo = Repo { _dir: dir, root };
            repo.git(&["init", "--quiet", "--initial-branch=main"]);
            repo
        }

        fn git(&self, args: &[&str]) -> String {
            let output = crate::test_git::isolated_git(&self.root)
                .args(args)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).unwrap()
        }

        fn commit(&self, path: &str, text: &str) {
            let file = self.root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
            self.git(&["add", path]);
            self.git(&["commit", "--quiet", "-m", path]);
        }
    }

    fn sorted(mut files: Vec<Utf8PathBuf>) -> Vec<Utf8PathBuf> {
        files.sort();
        files
    }

    /// A repository on `feature`, one commit after `main`, with a staged, an unstaged and an
    /// untracked change besides.
    fn feature_repo() -> Repo {
        let repo = Repo::new();
        repo.commit("a/one.txt", "1");
        repo.commit("b/two.txt", "2");
        repo.git(&["checkout", "--quiet", "-b", "feature"]);
        repo.commit("a/committed.txt", "c");
        std::fs::write(repo.root.join("b/two.txt"), "unstaged").unwrap();
        std::fs::write(repo.root.join("a/staged.txt"), "s").unwrap();
        repo.git(&["add", "a/staged.txt"]);
        std::fs::write(repo.root.join("untracked.txt"), "u").unwrap();
        repo
    }

    #[test]
    fn one_process_or_two_steps_give_the_same_paths() {
        let repo = feature_repo();
        let want = ["a/committed.txt", "a/staged.txt", "b/two.txt"].map(Utf8PathBuf::from);
        let fast = diff_from_merge_base(&repo.root, "main").unwrap();
        assert_eq!(sorted(fast), want);
        assert_eq!(
            sorted(changed_files_in_steps(&repo.root, "main").unwrap()),
            want
        );
        assert_eq!(
            sorted(changed_files_since(&repo.root, "main").unwrap()),
            want
        );
        let (base, files) = changed_files_since_base(&repo.root, "main")
            .unwrap()
            .unwrap();
        assert_eq!((base.as_str(), sorted(files)), ("main", want.to_vec()));
        assert_eq!(
            sorted(
                changed_files_since_ref(&repo.root, "HEAD~1")
                    .unwrap()
                    .unwrap()
            ),
            want
        );
        assert_eq!(
            changed_files_since_ref(&repo.root, "no-such-ref").unwrap(),
            None
        );
        // A path named like the branch does not make the branch ambiguous.
        std::fs::write(repo.root.join("main"), "a file").unwrap();
        assert_eq!(
            sorted(diff_from_merge_base(&repo.root, "main").unwrap()),
            want
        );
    }

    #[test]
    fn the_remote_branch_stands_in_for_a_missing_one() {
        let repo = feature_repo();
        assert_eq!(changed_files_since_base(&repo.root, "trunk").unwrap(), None);
        let main = repo.git(&["rev-parse", "main"]);
        repo.git(&["update-ref", "refs/remotes/origin/trunk", main.trim()]);
        let (base, files) = changed_files_since_base(&repo.root, "trunk")
            .unwrap()
            .unwrap();
        assert_eq!(base, "origin/trunk");
        assert_eq!(files.len(), 3);
    }

    #[test]
    fn several_merge_bases_and_unrelated_histories_take_the_two_steps() {
        // A criss-cross merge: `main` and `feature` each merged the other's first commit.
        let repo = Repo::new();
        repo.commit("base.txt", "0");
        repo.git(&["checkout", "--quiet", "-b", "feature"]);
        repo.commit("f1.txt", "f1");
        repo.git(&["checkout", "--quiet", "main"]);
        repo.commit("m1.txt", "m1");
        repo.git(&["branch", "m1"]);
        repo.git(&["merge", "--quiet", "--no-edit", "feature~0"]);
        repo.git(&["checkout", "--quiet", "feature"]);
        repo.git(&["merge", "--quiet", "--no-edit", "m1"]);
        repo.commit("f2.txt", "f2");
        repo.git(&["checkout", "--quiet", "main"]);
        repo.commit("m2.txt", "m2");
        repo.git(&["checkout", "--quiet", "feature"]);
        let bases = repo.git(&["merge-base", "--all", "main", "HEAD"]);
        assert_eq!(bases.lines().count(), 2, "{bases}");
        assert_eq!(diff_from_merge_base(&repo.root, "main"), None);
        let (base, files) = changed_files_since_base(&repo.root, "main")
            .unwrap()
            .unwrap();
        assert_eq!(base, "main");
        assert_eq!(files, changed_files_in_steps(&repo.root, "main").unwrap());
        assert!(files.contains(&Utf8PathBuf::from("f2.txt")), "{files:?}");

        repo.git(&["checkout", "--quiet", "--orphan", "unrelated"]);
        repo.commit("other.txt", "o");
        let error = changed_files_since_base(&repo.root, "main").unwrap_err();
        assert!(error.to_string().contains("merge-base"), "{error}");
    }
}
