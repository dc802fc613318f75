//! Git history as data, read in-process with gix (no `git` process): the commit that added each
//! changeset file, and the commits that touched each package since its last release tag. Both
//! are one walk over history, whatever the number of changesets or packages.
//!
//! Paths are relative to the relflow root, which may lie below the git work tree. A repository
//! without commits has no history; a broken one (a missing or corrupt object, an unreadable
//! reference) is an error, which the CLI reports as an external failure (exit code 3).

mod graph;
#[cfg(test)]
mod tests;
mod trees;

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use gix::bstr::{BString, ByteSlice};
use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;
use gix::ObjectId;

use graph::Graph;

/// The commit that added `.changeset/<id>.md` for each id (the full sha), as Changesets finds it
/// with `git log --diff-filter=AC --follow --max-count=1 -- .changeset/<id>.md`: walking from
/// HEAD newest first, the first commit whose diff to its parent adds the file; merges show no
/// diff, and a file that was renamed without changes (`git mv`, or Changesets v3 moving a
/// versioned changeset to `.changeset/pre/`) is followed to the commit that added it under its
/// old name. Ids whose file no commit added (not committed yet) are left out.
///
/// Unlike git, renames with edits are not followed, and a shallow clone is not deepened: its
/// oldest commits count as adding everything they hold.
pub fn changeset_commits(root: &Utf8Path, ids: &[String]) -> Result<HashMap<String, String>> {
    let repo = open(root)?;
    let mut found = HashMap::new();
    let Some(head) = repo.head_commit()? else {
        return Ok(found);
    };
    let changeset_dir = repo.path_in_tree(Utf8Path::new(".changeset"));
    // The ids looked for under each path, relative to `.changeset/`: a renamed file is followed
    // under its old name, which another id may also be looking for.
    let mut tracked: HashMap<BString, Vec<&str>> = HashMap::new();
    for id in ids {
        tracked
            .entry(BString::from(format!("{id}.md")))
            .or_default()
            .push(id);
    }
    let mut walk = repo
        .inner
        .rev_walk([head])
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .all()
        .context("cannot walk the git history")?;
    // Commits are diffed a batch at a time (the batches growing, since most changesets were
    // added recently), each batch on several threads, then read in walk order.
    let mut batch: Vec<(ObjectId, Option<ObjectId>)> = Vec::new();
    let mut batch_size = FIRST_BATCH;
    while !tracked.is_empty() {
        batch.clear();
        while batch.len() < batch_size {
            let Some(info) = walk.next() else { break };
            let info = info.context("cannot walk the git history")?;
            if info.parent_ids.len() <= 1 {
                batch.push((info.id, info.parent_ids.first().copied()));
            }
        }
        if batch.is_empty() {
            break;
        }
        let diffs = changeset_diffs(root, &repo, &batch, &changeset_dir)?;
        for ((commit, _), diff) in batch.iter().zip(diffs) {
            let Some(diff) = diff else { continue };
            for (path, oid) in &diff.added {
                let Some(waiting) = tracked.remove(path) else {
                    continue;
                };
                match rename_source(path, oid, &diff.removed) {
                    Some(source) => tracked.entry(source).or_default().extend(waiting),
                    None => {
                        for id in waiting {
                            found.insert(id.to_owned(), commit.to_string());
                        }
                    }
                }
            }
            if tracked.is_empty() {
                break;
            }
        }
        batch_size = (batch_size * 2).min(LAST_BATCH);
    }
    Ok(found)
}

/// The first batch of commits [`changeset_commits`] diffs, and the largest.
const FIRST_BATCH: usize = 8;
const LAST_BATCH: usize = 512;
/// Batches at least this large are diffed on several threads. Each thread opens its own handle,
/// with cold object and delta caches: below this size that costs more than it saves (the
/// 1,000-package npm bench repository, 302 commits: history 14-17 ms from 32 on, 6-8 ms on one
/// thread, while discovery competes for the same two cores).
const PARALLEL_BATCH: usize = 256;

/// For each `(commit, parent)`, how the directory `dir` changed (`None`: it did not), on up to
/// four threads for a large batch, each with its own handle on the repository at `root`.
fn changeset_diffs(
    root: &Utf8Path,
    repo: &Repo,
    commits: &[(ObjectId, Option<ObjectId>)],
    dir: &[BString],
) -> Result<Vec<Option<trees::FileChanges>>> {
    let diff_all = |repo: &Repo, commits: &[(ObjectId, Option<ObjectId>)]| {
        let mut dirs = DirOfCommit {
            repo,
            dir,
            known: HashMap::new(),
        };
        // Oldest first: in a pack written by `git fast-import` or grown by fetches, a tree is
        // stored as a delta against its previous version, and the pack cache keeps the trees
        // decoded, so each tree is then one delta away from the last one. Newest first, every
        // tree resolved its whole delta chain again (scale bench repository, 1,502 commits:
        // 1.0 s -> 0.3 s; a pack repacked with `git repack -f` takes as long either way).
        let mut diffs = commits
            .iter()
            .rev()
            .map(|&(commit, parent)| changeset_diff(&mut dirs, commit, parent))
            .collect::<Result<Vec<_>>>()?;
        diffs.reverse();
        Ok(diffs)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if commits.len() < PARALLEL_BATCH || threads == 1 {
        return diff_all(repo, commits);
    }
    let part = commits.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = commits
            .chunks(part)
            .map(|chunk| scope.spawn(move || diff_all(&open(root)?, chunk)))
            .collect();
        let mut diffs = Vec::with_capacity(commits.len());
        for worker in workers {
            let part = worker
                .join()
                .map_err(|_| anyhow::anyhow!("a thread reading the git history panicked"))??;
            diffs.extend(part);
        }
        Ok(diffs)
    })
}

/// How the directory of `dirs` changed from `parent` to `commit`, `None` when it did not.
fn changeset_diff(
    dirs: &mut DirOfCommit<'_>,
    commit: ObjectId,
    parent: Option<ObjectId>,
) -> Result<Option<trees::FileChanges>> {
    let new_dir = dirs.of(commit)?;
    let old_dir = match dirs.repo.readable_parent(commit, parent) {
        Some(parent) => dirs.of(parent)?,
        None => None,
    };
    if new_dir == old_dir {
        return Ok(None);
    }
    dirs.repo.file_changes(new_dir, old_dir).map(Some)
}

/// The tree at one directory in each commit, read once per commit: in a walk, a commit's parent
/// is its neighbour, so reading both sides of each step would read every commit twice.
struct DirOfCommit<'r> {
    repo: &'r Repo,
    dir: &'r [BString],
    known: HashMap<ObjectId, Option<ObjectId>>,
}

impl DirOfCommit<'_> {
    fn of(&mut self, commit: ObjectId) -> Result<Option<ObjectId>> {
        if let Some(&tree) = self.known.get(&commit) {
            return Ok(tree);
        }
        let root = self.repo.tree_of(commit)?;
        let tree = self.repo.subtree(Some(root), self.dir)?;
        self.known.insert(commit, tree);
        Ok(tree)
    }
}

/// The file a file added as `path` was renamed from: one deleted in the same commit with the
/// same content, preferring the same file name (Changesets' move to `.changeset/pre/`).
fn rename_source(
    path: &BString,
    oid: &ObjectId,
    removed: &[(BString, ObjectId)],
) -> Option<BString> {
    let file_name = |p: &BString| p.rsplit_str("/").next().map(<[u8]>::to_owned);
    let mut candidates: Vec<&BString> = removed
        .iter()
        .filter(|(_, old_oid)| old_oid == oid)
        .map(|(old, _)| old)
        .collect();
    candidates.sort_by_key(|old| (file_name(old) != file_name(path), (*old).clone()));
    candidates.first().map(|old| (*old).clone())
}

/// One package whose commits [`package_commits`] lists.
#[derive(Debug, Clone, Copy)]
pub struct PackageQuery<'a> {
    /// The package directory, relative to the relflow root (`""` for the root).
    pub dir: &'a Utf8Path,
    /// The tag of its last release (`core@1.2.0`); the commits it reaches are left out. `None`,
    /// or a tag that does not exist, lists the whole history.
    pub since_tag: Option<&'a str>,
}

/// For each query, the non-merge commits reachable from HEAD and not from its tag whose diff to
/// their parent changes a file of the package, as `(sha, message)`, newest first: `git log
/// --date-order --full-history --no-merges <tag>..HEAD -- <dir>`, except that a file under
/// another package directory of `package_dirs` nested in `<dir>` belongs to that package, not
/// this one.
///
/// `package_dirs` are the directories of every package (relative to the relflow root); the
/// commits of all queries come from one walk over history.
pub fn package_commits(
    root: &Utf8Path,
    queries: &[PackageQuery<'_>],
    package_dirs: &[&Utf8Path],
) -> Result<Vec<Vec<(String, String)>>> {
    let repo = open(root)?;
    let mut found: Vec<Vec<(String, String)>> = vec![Vec::new(); queries.len()];
    let Some(head) = repo.head_commit()? else {
        return Ok(found);
    };
    let mut tips: Vec<ObjectId> = Vec::new();
    let mut tag_of_query: Vec<Option<usize>> = Vec::with_capacity(queries.len());
    for query in queries {
        let tip = match query.since_tag {
            Some(tag) => repo.tag_commit(tag)?,
            None => None,
        };
        tag_of_query.push(tip.map(|tip| match tips.iter().position(|t| *t == tip) {
            Some(index) => index,
            None => {
                tips.push(tip);
                tips.len() - 1
            }
        }));
    }
    let graph = Graph::walk(&repo, head, &tips)?;
    let packages = Packages::new(&repo, queries, package_dirs);
    for &index in &graph.order {
        let commit = &graph.commits[index];
        if !graph.from_head[index] || commit.parents.len() > 1 {
            continue;
        }
        let wanted: Vec<bool> = (0..queries.len())
            .map(|q| tag_of_query[q].is_none_or(|tag| !graph.reaches(tag, index)))
            .collect();
        if !wanted.contains(&true) {
            continue;
        }
        let (new_root, old_root) = repo.trees_of(commit.id, commit.parents.first().copied())?;
        let changed = repo.changed_packages(new_root, old_root, &packages, &wanted)?;
        if changed.is_empty() {
            continue;
        }
        let message = repo.message(commit.id)?;
        for q in changed {
            found[q].push((commit.id.to_string(), message.clone()));
        }
    }
    Ok(found)
}

/// The queried package directories as a tree of path components, so that a commit's trees are
/// read only along the paths that lead to a package, and only where they changed.
struct Packages {
    /// Node 0 is the work tree's root.
    nodes: Vec<DirNode>,
    /// For each query, the directories of the packages nested in its own, relative to it: their
    /// files are not its files.
    nested: Vec<Vec<Vec<BString>>>,
}

#[derive(Default)]
struct DirNode {
    children: HashMap<BString, usize>,
    /// The queries whose package directory this is.
    queries: Vec<usize>,
}

impl Packages {
    fn new(repo: &Repo, queries: &[PackageQuery<'_>], package_dirs: &[&Utf8Path]) -> Packages {
        let mut nodes = vec![DirNode::default()];
        let mut nested = Vec::with_capacity(queries.len());
        for (q, query) in queries.iter().enumerate() {
            let mut node = 0;
            for component in repo.path_in_tree(query.dir) {
                node = match nodes[node].children.get(&component) {
                    Some(&child) => child,
                    None => {
                        nodes.push(DirNode::default());
                        let child = nodes.len() - 1;
                        nodes[node].children.insert(component, child);
                        child
                    }
                };
            }
            nodes[node].queries.push(q);
            let own = components(query.dir);
            nested.push(
                package_dirs
                    .iter()
                    .map(|other| components(other))
                    .filter(|other| other.len() > own.len() && other.starts_with(&own))
                    .map(|other| other[own.len()..].to_vec())
                    .collect(),
            );
        }
        Packages { nodes, nested }
    }
}

/// A repository and where the relflow root is inside its work tree.
struct Repo {
    inner: gix::Repository,
    /// The relflow root relative to the work tree, as tree path components.
    prefix: Vec<BString>,
    /// A shallow clone's oldest commits, whose parents it lacks.
    shallow: HashSet<ObjectId>,
}

/// Opens the repository that holds `root`.
fn open(root: &Utf8Path) -> Result<Repo> {
    let mut inner = gix::discover(root.as_std_path())
        .with_context(|| format!("cannot open the git repository at `{root}`"))?;
    let Some(workdir) = inner.workdir() else {
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
    let relative = Utf8PathBuf::from_path_buf(relative.to_owned())
        .map_err(|path| anyhow::anyhow!("`{}` is not UTF-8", path.display()))?;
    // Trees are read many times over: keep recently decoded objects, and the delta bases of
    // packed ones (without a pack cache every read inflates its whole delta chain again).
    inner.object_cache_size_if_unset(32 * 1024 * 1024);
    inner.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            64 * 1024 * 1024,
        ))
    });
    let shallow = inner
        .shallow_commits()
        .context("cannot read the list of shallow commits")?
        .map(|commits| commits.iter().copied().collect())
        .unwrap_or_default();
    Ok(Repo {
        inner,
        prefix: components(&relative),
        shallow,
    })
}

/// A relative path as tree path components (`""` has none).
fn components(path: &Utf8Path) -> Vec<BString> {
    path.as_str()
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .map(BString::from)
        .collect()
}

impl Repo {
    /// The commit HEAD points to, `None` in a repository without commits.
    fn head_commit(&self) -> Result<Option<ObjectId>> {
        let head = self.inner.head().context("cannot read HEAD")?;
        let id = head
            .try_into_peeled_id()
            .context("cannot resolve HEAD to a commit")?;
        Ok(id.map(gix::Id::detach))
    }

    /// The commit `refs/tags/<tag>` points to (through annotated tags), if the tag exists.
    fn tag_commit(&self, tag: &str) -> Result<Option<ObjectId>> {
        let name = format!("refs/tags/{tag}");
        let reference = self
            .inner
            .try_find_reference(name.as_str())
            .with_context(|| format!("cannot read the tag `{tag}`"))?;
        let Some(mut reference) = reference else {
            return Ok(None);
        };
        let commit = reference
            .peel_to_commit()
            .with_context(|| format!("the tag `{tag}` does not point to a commit"))?;
        Ok(Some(commit.id))
    }

    /// `path` (relative to the relflow root) as tree path components from the work tree.
    fn path_in_tree(&self, path: &Utf8Path) -> Vec<BString> {
        let mut full = self.prefix.clone();
        full.extend(components(path));
        full
    }

    /// The full message of a commit, lossily decoded as UTF-8.
    fn message(&self, commit: ObjectId) -> Result<String> {
        let commit = self
            .inner
            .find_commit(commit)
            .with_context(|| format!("cannot read commit {commit}"))?;
        let message = commit
            .message_raw()
            .with_context(|| format!("cannot read the message of commit {}", commit.id))?;
        Ok(message.to_str_lossy().into_owned())
    }
}
