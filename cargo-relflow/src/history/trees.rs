//! Reading trees: the trees of a commit and its parent, a subtree by path, the files below a
//! tree, and which packages' files differ between two trees.

use std::cmp::Ordering;
use std::collections::HashMap;

use anyhow::{Context, Result};
use gix::bstr::{BStr, BString, ByteSlice};
use gix::objs::tree::{name_order, EntryMode, EntryRef};
use gix::ObjectId;

use super::{Packages, Repo};

impl Repo {
    /// The root tree of `commit`, and that of its `parent`: none for a root commit, and none for
    /// the oldest commits of a shallow clone, which lacks their parents.
    pub(super) fn trees_of(
        &self,
        commit: ObjectId,
        parent: Option<ObjectId>,
    ) -> Result<(ObjectId, Option<ObjectId>)> {
        let new = self.tree_of(commit)?;
        let old = self
            .readable_parent(commit, parent)
            .map(|parent| self.tree_of(parent))
            .transpose()?;
        Ok((new, old))
    }

    /// The `parent` of `commit` to diff against: none for a root commit, and none for the
    /// oldest commits of a shallow clone, which lacks their parents (they added what they hold).
    pub(super) fn readable_parent(
        &self,
        commit: ObjectId,
        parent: Option<ObjectId>,
    ) -> Option<ObjectId> {
        parent.filter(|_| !self.shallow.contains(&commit))
    }

    /// The root tree of `commit`.
    pub(super) fn tree_of(&self, commit: ObjectId) -> Result<ObjectId> {
        let commit = self
            .inner
            .find_commit(commit)
            .with_context(|| format!("cannot read commit {commit}"))?;
        let tree = commit
            .tree_id()
            .with_context(|| format!("cannot read the tree of commit {}", commit.id))?;
        Ok(tree.detach())
    }

    /// Reads a tree (`None` for `None`).
    fn tree(&self, tree: Option<ObjectId>) -> Result<Option<gix::Tree<'_>>> {
        tree.map(|id| {
            self.inner
                .find_tree(id)
                .with_context(|| format!("cannot read tree {id}"))
        })
        .transpose()
    }

    /// The tree at `path` below `tree`; `None` where a component is missing or not a directory.
    pub(super) fn subtree(
        &self,
        tree: Option<ObjectId>,
        path: &[BString],
    ) -> Result<Option<ObjectId>> {
        let mut current = tree;
        for component in path {
            let tree = self.tree(current)?;
            current = match &tree {
                Some(tree) => decode(tree)?
                    .entries
                    .iter()
                    .find(|entry| entry.filename == component && entry.mode.is_tree())
                    .map(|entry| entry.oid.to_owned()),
                None => None,
            };
        }
        Ok(current)
    }

    /// Every file below `tree`, by path relative to it (`/`-separated).
    pub(super) fn files(&self, tree: Option<ObjectId>) -> Result<HashMap<BString, ObjectId>> {
        let mut files = HashMap::new();
        let mut pending = vec![(BString::default(), tree)];
        while let Some((prefix, tree)) = pending.pop() {
            let Some(tree) = self.tree(tree)? else {
                continue;
            };
            for entry in decode(&tree)?.entries {
                let mut path = prefix.clone();
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(entry.filename);
                if entry.mode.is_tree() {
                    pending.push((path, Some(entry.oid.to_owned())));
                } else {
                    files.insert(path, entry.oid.to_owned());
                }
            }
        }
        Ok(files)
    }

    /// The files added and removed from tree `old` to tree `new`, by path relative to them: one
    /// pass over the entries of each directory that differs, none over those that do not (a
    /// file whose content changed is neither).
    pub(super) fn file_changes(
        &self,
        new: Option<ObjectId>,
        old: Option<ObjectId>,
    ) -> Result<FileChanges> {
        let mut found = FileChanges::default();
        self.collect_changes(BString::default(), new, old, &mut found)?;
        Ok(found)
    }

    fn collect_changes(
        &self,
        prefix: BString,
        new: Option<ObjectId>,
        old: Option<ObjectId>,
        found: &mut FileChanges,
    ) -> Result<()> {
        if new == old {
            return Ok(());
        }
        let (old_tree, new_tree) = (self.tree(old)?, self.tree(new)?);
        for change in changes(&old_tree, &new_tree)? {
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(change.name);
            match (change.a, change.b) {
                (Some((a_mode, _)), Some((b_mode, _))) if a_mode.is_tree() && b_mode.is_tree() => {
                    self.collect_changes(path, subtree(change.b), subtree(change.a), found)?;
                }
                (Some((a_mode, _)), Some((b_mode, _)))
                    if !a_mode.is_tree() && !b_mode.is_tree() => {}
                (a, b) => {
                    for (side, list) in [(b, &mut found.added), (a, &mut found.removed)] {
                        match side {
                            Some((mode, oid)) if mode.is_tree() => {
                                for (below, oid) in self.files(Some(oid))? {
                                    let mut full = path.clone();
                                    full.push(b'/');
                                    full.extend_from_slice(&below);
                                    list.push((full, oid));
                                }
                            }
                            Some((_, oid)) => list.push((path.clone(), oid)),
                            None => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The queries of `packages` marked in `wanted` whose files differ between the root trees
    /// `new` and `old`, in query order.
    pub(super) fn changed_packages(
        &self,
        new: ObjectId,
        old: Option<ObjectId>,
        packages: &Packages,
        wanted: &[bool],
    ) -> Result<Vec<usize>> {
        let mut changed = Vec::new();
        self.visit(packages, 0, Some(new), old, wanted, &mut changed)?;
        changed.sort_unstable();
        Ok(changed)
    }

    /// Visits the directory `node` of `packages`, whose trees are `a` and `b`: an unchanged
    /// directory is not read, and only the changed entries are followed.
    fn visit(
        &self,
        packages: &Packages,
        node: usize,
        a: Option<ObjectId>,
        b: Option<ObjectId>,
        wanted: &[bool],
        changed: &mut Vec<usize>,
    ) -> Result<()> {
        if a == b {
            return Ok(());
        }
        let dir = &packages.nodes[node];
        for &q in &dir.queries {
            let nested: Vec<&[BString]> = packages.nested[q].iter().map(Vec::as_slice).collect();
            if wanted[q] && self.differs(a, b, &nested)? {
                changed.push(q);
            }
        }
        if dir.children.is_empty() {
            return Ok(());
        }
        let (a_tree, b_tree) = (self.tree(a)?, self.tree(b)?);
        for change in changes(&a_tree, &b_tree)? {
            if let Some(&child) = dir.children.get(change.name) {
                let (a, b) = (subtree(change.a), subtree(change.b));
                self.visit(packages, child, a, b, wanted, changed)?;
            }
        }
        Ok(())
    }

    /// Whether a file below the trees `a` and `b` differs, except below the `nested` paths.
    fn differs(
        &self,
        a: Option<ObjectId>,
        b: Option<ObjectId>,
        nested: &[&[BString]],
    ) -> Result<bool> {
        if a == b {
            return Ok(false);
        }
        if nested.is_empty() {
            return Ok(true);
        }
        let (a_tree, b_tree) = (self.tree(a)?, self.tree(b)?);
        for change in changes(&a_tree, &b_tree)? {
            let below: Vec<&[BString]> = nested
                .iter()
                .filter(|path| path.first().is_some_and(|first| first == change.name))
                .map(|path| &path[1..])
                .collect();
            if below.iter().any(|rest| rest.is_empty()) {
                // A nested package's directory: its files are not ours.
                continue;
            }
            let is_file = |side: Option<Side>| side.is_some_and(|(mode, _)| !mode.is_tree());
            if below.is_empty() || is_file(change.a) || is_file(change.b) {
                return Ok(true);
            }
            if self.differs(subtree(change.a), subtree(change.b), &below)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// What [`Repo::file_changes`] finds.
#[derive(Debug, Default)]
pub(super) struct FileChanges {
    /// Files that are new, with their blobs.
    pub(super) added: Vec<(BString, ObjectId)>,
    /// Files that are gone, with their blobs.
    pub(super) removed: Vec<(BString, ObjectId)>,
}

/// An entry on one side of a comparison.
type Side = (EntryMode, ObjectId);

/// A name whose entry differs between two trees, with the entry on each side.
struct Change<'a> {
    name: &'a BStr,
    a: Option<Side>,
    b: Option<Side>,
}

/// The directory an entry is, if it is one.
fn subtree(side: Option<Side>) -> Option<ObjectId> {
    side.filter(|(mode, _)| mode.is_tree()).map(|(_, oid)| oid)
}

fn decode<'a>(tree: &'a gix::Tree<'_>) -> Result<gix::objs::TreeRef<'a>> {
    decode_from(tree, 0)
}

/// The entries of `tree` from byte `at` of its raw data on (`at` starts an entry).
fn decode_from<'a>(tree: &'a gix::Tree<'_>, at: usize) -> Result<gix::objs::TreeRef<'a>> {
    gix::objs::TreeRef::from_bytes(&tree.data[at..], tree.id.kind())
        .with_context(|| format!("cannot decode tree {}", tree.id))
}

/// The entries that differ between two trees (a missing tree has none), by one pass over both:
/// entries are sorted in git's tree order. A name that is a directory on one side and a file on
/// the other gives two changes. The entries both trees start with, byte for byte, are skipped
/// unparsed: in a `.changeset` folder of thousands of files a commit adds or removes a few.
fn changes<'a>(
    a: &'a Option<gix::Tree<'_>>,
    b: &'a Option<gix::Tree<'_>>,
) -> Result<Vec<Change<'a>>> {
    let head = match (a, b) {
        (Some(a), Some(b)) => shared_head(&a.data, &b.data, a.id.kind().len_in_bytes()),
        _ => 0,
    };
    let entries = |tree: &'a Option<gix::Tree<'_>>| -> Result<Vec<EntryRef<'a>>> {
        Ok(match tree {
            Some(tree) => decode_from(tree, head)?.entries,
            None => Vec::new(),
        })
    };
    let (a, b) = (entries(a)?, entries(b)?);
    let side = |entry: &EntryRef<'_>| (entry.mode, entry.oid.to_owned());
    let mut changes = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => {
                name_order(x.filename, x.mode.is_tree(), y.filename, y.mode.is_tree())
            }
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                changes.push(Change {
                    name: a[i].filename,
                    a: Some(side(&a[i])),
                    b: None,
                });
                i += 1;
            }
            Ordering::Greater => {
                changes.push(Change {
                    name: b[j].filename,
                    a: None,
                    b: Some(side(&b[j])),
                });
                j += 1;
            }
            Ordering::Equal => {
                if (a[i].mode, a[i].oid) != (b[j].mode, b[j].oid) {
                    changes.push(Change {
                        name: a[i].filename,
                        a: Some(side(&a[i])),
                        b: Some(side(&b[j])),
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
    Ok(changes)
}

/// The length of the whole entries that the raw trees `a` and `b` both start with, byte for
/// byte (an entry is `<mode> <name>\0<hash>`; a name holds no NUL).
fn shared_head(a: &[u8], b: &[u8], hash_len: usize) -> usize {
    let same = common_prefix(a, b);
    let mut at = 0;
    while let Some(nul) = a[at..].find_byte(0) {
        let end = at + nul + 1 + hash_len;
        if end > same {
            break;
        }
        at = end;
    }
    at
}

/// The length of the longest common prefix of `a` and `b`, compared a block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let max = a.len().min(b.len());
    let mut n = 0;
    while n + BLOCK <= max && a[n..n + BLOCK] == b[n..n + BLOCK] {
        n += BLOCK;
    }
    n + a[n..max]
        .iter()
        .zip(&b[n..max])
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::shared_head;

    fn entry(name: &str, hash: u8) -> Vec<u8> {
        let mut raw = format!("100644 {name}\0").into_bytes();
        // Hashes hold any byte, NUL among them.
        raw.extend([
            hash, 0, hash, 0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, hash,
        ]);
        raw
    }

    fn tree(entries: &[(&str, u8)]) -> Vec<u8> {
        entries.iter().flat_map(|&(n, h)| entry(n, h)).collect()
    }

    #[test]
    fn the_shared_head_ends_at_the_first_entry_that_differs() {
        let old = tree(&[("a.md", 1), ("b.md", 2), ("d.md", 4)]);
        let added = tree(&[("a.md", 1), ("b.md", 2), ("c.md", 3), ("d.md", 4)]);
        let head = entry("a.md", 1).len() + entry("b.md", 2).len();
        assert_eq!(shared_head(&old, &added, 20), head);
        assert_eq!(shared_head(&added, &old, 20), head);
        // A changed hash stops the head before its entry.
        let edited = tree(&[("a.md", 1), ("b.md", 9), ("d.md", 4)]);
        assert_eq!(shared_head(&old, &edited, 20), entry("a.md", 1).len());
        // A tree that the other extends is all head; identical trees too; none shared: 0.
        let appended = tree(&[("a.md", 1), ("b.md", 2), ("d.md", 4), ("e.md", 5)]);
        assert_eq!(shared_head(&old, &appended, 20), old.len());
        assert_eq!(shared_head(&old, &old, 20), old.len());
        assert_eq!(shared_head(&old, &tree(&[("0.md", 1)]), 20), 0);
        assert_eq!(shared_head(&[], &old, 20), 0);
    }
}
