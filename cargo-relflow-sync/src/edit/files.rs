//! The files one `version` or `sync` run touches: each read once, edited in memory however many
//! packages concern it, then staged together in a [`Transaction`].

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};

use crate::diag::InputError;
use crate::txn::Transaction;

/// Files of a repository as read and as edited, keyed by their path relative to the root.
#[derive(Debug, Clone)]
pub struct FileSet {
    root: Utf8PathBuf,
    files: BTreeMap<Utf8PathBuf, Entry>,
    /// Where paths really are (made on the first read).
    resolver: Option<crate::inside::Resolver>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Where the file really is (symlinks followed): reads and writes go there, so a symlinked
    /// manifest or changelog is written through to its target.
    target: Utf8PathBuf,
    /// The text on disk when first read (`None`: the file does not exist).
    original: Option<String>,
    /// The text after the edits so far (`None`: absent or to be removed).
    current: Option<String>,
}

/// One file whose text a run changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileChange<'a> {
    /// The path, relative to the repository root.
    pub path: &'a Utf8Path,
    /// The text on disk (`None`: the file is created).
    pub old: Option<&'a str>,
    /// The new text (`None`: the file is removed).
    pub new: Option<&'a str>,
}

impl FileSet {
    /// An empty set over the repository at `root`.
    pub fn new(root: impl Into<Utf8PathBuf>) -> FileSet {
        FileSet {
            root: root.into(),
            files: BTreeMap::new(),
            resolver: None,
        }
    }

    /// The repository root.
    pub fn root(&self) -> &Utf8Path {
        &self.root
    }

    fn entry(&mut self, path: &Utf8Path) -> Result<&mut Entry, InputError> {
        self.entry_known(path, None)
    }

    /// The entry of `path`, made with `known` as the text on disk when given (the caller read
    /// it already), else read now.
    fn entry_known(
        &mut self,
        path: &Utf8Path,
        known: Option<String>,
    ) -> Result<&mut Entry, InputError> {
        // `./a` and `a` are one file: a generic package at `path = "."` names its version file
        // with the `./`, a `[[sync]]` target or a pin names it without.
        let path: Utf8PathBuf = path
            .components()
            .filter(|c| *c != camino::Utf8Component::CurDir)
            .collect();
        let path = path.as_path();
        match self.files.entry(path.to_owned()) {
            std::collections::btree_map::Entry::Occupied(entry) => Ok(entry.into_mut()),
            std::collections::btree_map::Entry::Vacant(entry) => {
                let outside = |outside: crate::inside::Outside| {
                    InputError::in_file(path, outside.describe(path.as_str()))
                        .with_hint(outside.hint())
                };
                let resolver = match &mut self.resolver {
                    Some(resolver) => resolver,
                    None => self
                        .resolver
                        .insert(crate::inside::Resolver::new(&self.root).map_err(outside)?),
                };
                let target = resolver.resolve(path).map_err(outside)?;
                let original = match known {
                    Some(text) => Some(text),
                    None => match crate::diag::read_text_file(&target) {
                        Ok(text) => Some(text),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                        Err(e) => return Err(crate::diag::read_error(path, &e)),
                    },
                };
                Ok(entry.insert(Entry {
                    target,
                    current: original.clone(),
                    original,
                }))
            }
        }
    }

    /// The current text of `path` (as edited so far), or `None` when it does not exist.
    pub fn read_optional(&mut self, path: &Utf8Path) -> Result<Option<&str>, InputError> {
        Ok(self.entry(path)?.current.as_deref())
    }

    /// The current text of `path`; a missing file is an error.
    pub fn read(&mut self, path: &Utf8Path) -> Result<&str, InputError> {
        self.read_optional(path)?.ok_or_else(|| {
            InputError::in_file(path, format!("`{path}` does not exist")).with_hint(
                "it is named by the workspace or relflow.toml; create it or fix the path",
            )
        })
    }

    /// Replaces the text of an existing `path` with what `edit` makes of it.
    pub fn edit(
        &mut self,
        path: &Utf8Path,
        edit: impl FnOnce(&str) -> Result<String, InputError>,
    ) -> Result<(), InputError> {
        let new = edit(self.read(path)?)?;
        self.entry(path)?.current = Some(new);
        Ok(())
    }

    /// Sets the text of `path`, creating the file if needed.
    pub fn write(&mut self, path: &Utf8Path, text: String) -> Result<(), InputError> {
        self.entry(path)?.current = Some(text);
        Ok(())
    }

    /// Removes `path`.
    pub fn remove(&mut self, path: &Utf8Path) -> Result<(), InputError> {
        self.entry(path)?.current = None;
        Ok(())
    }

    /// Removes `path`, whose text on disk the caller has just read (`text`): it is not read
    /// again (a release consumes thousands of changesets, each parsed already). When the set
    /// holds `path` already, `text` is not used.
    pub fn remove_read(&mut self, path: &Utf8Path, text: String) -> Result<(), InputError> {
        self.entry_known(path, Some(text))?.current = None;
        Ok(())
    }

    /// The files whose text differs from the disk, in path order.
    pub fn changes(&self) -> impl Iterator<Item = FileChange<'_>> {
        self.changed().map(|(path, e)| FileChange {
            path,
            old: e.original.as_deref(),
            new: e.current.as_deref(),
        })
    }

    fn changed(&self) -> impl Iterator<Item = (&Utf8PathBuf, &Entry)> {
        self.files.iter().filter(|(_, e)| e.original != e.current)
    }

    /// Stages every change (written at the files' real, absolute paths) for an all-or-nothing
    /// commit.
    pub fn into_transaction(self) -> Transaction {
        let mut txn = Transaction::new();
        // The set is consumed: its texts move into the transaction, uncopied.
        for (path, entry) in self.files {
            if entry.original == entry.current {
                continue;
            }
            let link = self.root.join(&path);
            match (entry.current, entry.original) {
                (Some(text), original) => txn.write_over(entry.target, original, text),
                (None, Some(original)) if entry.target == link => txn.remove_read(link, original),
                // A removed symlink goes, not what it points to.
                (None, _) => txn.remove(link),
            }
        }
        txn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_a_leading_dot_is_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
        std::fs::write(root.join("v.txt"), "version=1\nffi=1\n").unwrap();
        let mut files = FileSet::new(&root);
        files
            .edit(
                "./v.txt".into(),
                |t| Ok(t.replace("version=1", "version=2")),
            )
            .unwrap();
        files
            .edit("v.txt".into(), |t| Ok(t.replace("ffi=1", "ffi=2")))
            .unwrap();
        let changes: Vec<_> = files.changes().collect();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].new, Some("version=2\nffi=2\n"));
    }

    #[test]
    fn a_removal_with_its_text_read_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
        std::fs::write(root.join("c.md"), "as read\n").unwrap();
        std::fs::write(root.join("d.md"), "on disk\n").unwrap();
        let mut files = FileSet::new(&root);
        // The caller's text is the original (the file is not read: it says otherwise on disk).
        std::fs::write(root.join("c.md"), "changed since\n").unwrap();
        files
            .remove_read("c.md".into(), "as read\n".to_owned())
            .unwrap();
        // A file the set holds already keeps its original.
        files.read("d.md".into()).unwrap();
        files
            .remove_read("d.md".into(), "ignored\n".to_owned())
            .unwrap();
        let changes: Vec<_> = files.changes().collect();
        assert_eq!(
            changes,
            [
                FileChange {
                    path: "c.md".into(),
                    old: Some("as read\n"),
                    new: None
                },
                FileChange {
                    path: "d.md".into(),
                    old: Some("on disk\n"),
                    new: None
                },
            ]
        );
    }

    #[test]
    fn reads_once_and_reports_only_real_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
        std::fs::write(root.join("a.txt"), "one\n").unwrap();
        std::fs::write(root.join("b.txt"), "same\n").unwrap();
        let mut files = FileSet::new(&root);
        files
            .edit("a.txt".into(), |t| Ok(t.replace("one", "two")))
            .unwrap();
        // A second edit sees the first one, not the disk.
        files
            .edit("a.txt".into(), |t| Ok(format!("{t}three\n")))
            .unwrap();
        files.edit("b.txt".into(), |t| Ok(t.to_owned())).unwrap();
        files.write("c.txt".into(), "new\n".to_owned()).unwrap();
        files.remove("b.txt".into()).unwrap();
        let changes: Vec<_> = files.changes().collect();
        assert_eq!(
            changes,
            [
                FileChange {
                    path: "a.txt".into(),
                    old: Some("one\n"),
                    new: Some("two\nthree\n")
                },
                FileChange {
                    path: "b.txt".into(),
                    old: Some("same\n"),
                    new: None
                },
                FileChange {
                    path: "c.txt".into(),
                    old: None,
                    new: Some("new\n")
                },
            ]
        );
        files
            .into_transaction()
            .commit(&root.join(".git/relflow-txn"))
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("a.txt")).unwrap(),
            "two\nthree\n"
        );
        assert!(!root.join("b.txt").exists());
        assert_eq!(
            std::fs::read_to_string(root.join("c.txt")).unwrap(),
            "new\n"
        );
    }

    #[test]
    fn editing_a_missing_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
        let mut files = FileSet::new(&root);
        let err = files
            .edit("pkg/Cargo.toml".into(), |t| Ok(t.to_owned()))
            .unwrap_err();
        assert_eq!(err.path.as_deref(), Some(Utf8Path::new("pkg/Cargo.toml")));
        assert!(err.message.contains("does not exist"), "{err}");
        assert_eq!(files.changes().count(), 0);
    }
}
