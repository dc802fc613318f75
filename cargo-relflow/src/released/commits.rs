//! One commit and its first parent, read with gix: their trees and the files in them, without a
//! checkout.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::InputError;
use gix::ObjectId;

use crate::error::Failure;

/// The tree of a commit, and its first parent with that commit's tree.
#[derive(Debug, Clone, Copy)]
pub(super) struct CommitTrees {
    /// Its tree.
    pub tree: ObjectId,
    /// Its first parent and that commit's tree (`None` for a root commit).
    pub parent: Option<(ObjectId, ObjectId)>,
}

/// The git repository holding a relflow root, for reading files of any commit.
pub(super) struct History {
    repo: gix::Repository,
    /// The relflow root relative to the work tree (`""` when they are the same).
    prefix: Utf8PathBuf,
    /// Files already read, by tree and path relative to the relflow root.
    cache: HashMap<(ObjectId, Utf8PathBuf), Option<String>>,
}

impl History {
    /// Opens the repository that holds `root`.
    pub(super) fn open(root: &Utf8Path) -> Result<History> {
        let repo = gix::discover(root.as_std_path())
            .with_context(|| format!("cannot open the git repository at `{root}`"))?;
        let Some(workdir) = repo.workdir() else {
            bail!("the git repository at `{root}` has no work tree");
        };
        let workdir = workdir
            .canonicalize()
            .with_context(|| format!("cannot resolve `{}`", workdir.display()))?;
        let root_dir = root
            .as_std_path()
            .canonicalize()
            .with_context(|| format!("cannot resolve `{root}`"))?;
        let relative = root_dir.strip_prefix(&workdir).with_context(|| {
            format!(
                "`{root}` is not inside the work tree `{}`",
                workdir.display()
            )
        })?;
        let prefix = Utf8PathBuf::from_path_buf(relative.to_owned())
            .map_err(|path| anyhow::anyhow!("`{}` is not UTF-8", path.display()))?;
        Ok(History {
            repo,
            prefix,
            cache: HashMap::new(),
        })
    }

    /// Commit `id`, its tree and its first parent. A shallow clone that lacks the parent is
    /// refused: without it, every package would look new.
    pub(super) fn commit(&self, id: ObjectId) -> Result<CommitTrees, Failure> {
        let commit = self
            .repo
            .find_commit(id)
            .with_context(|| format!("cannot read commit {id}"))?;
        let tree = commit
            .tree_id()
            .with_context(|| format!("cannot read the tree of commit {id}"))?
            .detach();
        let Some(parent) = commit.parent_ids().next().map(gix::Id::detach) else {
            return Ok(CommitTrees { tree, parent: None });
        };
        let shallow: HashSet<ObjectId> = self
            .repo
            .shallow_commits()
            .context("cannot read the list of shallow commits")?
            .map(|commits| commits.iter().copied().collect())
            .unwrap_or_default();
        if shallow.contains(&id) {
            return Err(InputError::new(format!(
                "commit {} is the oldest one of a shallow clone: its parent {} is not here",
                short(id),
                short(parent)
            ))
            .with_hint("fetch one more commit (`git fetch --deepen=1`, or `fetch-depth: 2` in actions/checkout)")
            .into());
        }
        let parent_tree = self
            .repo
            .find_commit(parent)
            .with_context(|| format!("cannot read commit {parent}, the parent of {id}"))?
            .tree_id()
            .with_context(|| format!("cannot read the tree of commit {parent}"))?
            .detach();
        Ok(CommitTrees {
            tree,
            parent: Some((parent, parent_tree)),
        })
    }

    /// The text of the file at `path` (relative to the relflow root) in `tree`; `None` when
    /// there is no such file.
    pub(super) fn read(&mut self, tree: ObjectId, path: &Utf8Path) -> Result<Option<String>> {
        let key = (tree, path.to_owned());
        if let Some(text) = self.cache.get(&key) {
            return Ok(text.clone());
        }
        let text = self.read_uncached(tree, path)?;
        self.cache.insert(key, text.clone());
        Ok(text)
    }

    fn read_uncached(&self, tree: ObjectId, path: &Utf8Path) -> Result<Option<String>> {
        let full = self.prefix.join(path);
        let tree_object = self
            .repo
            .find_tree(tree)
            .with_context(|| format!("cannot read tree {tree}"))?;
        let entry = tree_object
            .lookup_entry_by_path(full.as_std_path())
            .with_context(|| format!("cannot look up `{full}` in tree {tree}"))?;
        let Some(entry) = entry.filter(|entry| entry.mode().is_blob()) else {
            return Ok(None);
        };
        let blob = entry
            .object()
            .with_context(|| format!("cannot read `{full}` in tree {tree}"))?;
        let text = String::from_utf8(blob.detach().data)
            .map_err(|_| anyhow::anyhow!("`{full}` in tree {tree} is not UTF-8"))?;
        Ok(Some(text))
    }
}

/// The commit `spec` names (`HEAD`, a branch, a tag, a sha, `HEAD~2`, ...), with git's own
/// revision syntax: `git rev-parse --verify`. A name git does not know is bad input.
pub(super) fn resolve(root: &Utf8Path, spec: &str) -> Result<ObjectId, Failure> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{spec}^{{commit}}"))
        .output()
        .context("cannot run `git rev-parse`")?;
    if !output.status.success() {
        return Err(InputError::new(format!("`{spec}` does not name a commit"))
            .with_hint(
                "pass a commit, branch or tag: `--commit HEAD`, `--commit main`, `--commit v1.2.0`",
            )
            .into());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(ObjectId::from_hex(text.trim().as_bytes())
        .with_context(|| format!("`git rev-parse` printed `{}`", text.trim()))?)
}

/// The first seven hex digits of a commit id.
pub(super) fn short(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}
