//! All-or-nothing file writes: every write of relflow goes through a [`Transaction`].
//!
//! Edits are staged in memory as `(path, new text)`. [`Transaction::commit`] writes each to a
//! temporary file beside its target, then renames them into place one by one; if any step fails,
//! the files already replaced are restored from their saved contents (or removed when they did
//! not exist), so the repository is as it was.

use std::collections::HashSet;
use std::io::Write;

use camino::{Utf8Path, Utf8PathBuf};

/// A set of file writes and deletions applied together or not at all.
#[derive(Debug, Default, Clone)]
pub struct Transaction {
    changes: Vec<(Utf8PathBuf, Option<String>)>,
    /// The paths in `changes`, so that staging a new path costs no scan.
    staged: HashSet<Utf8PathBuf>,
}

/// A failed commit: which file, and what went wrong. Nothing was left changed.
#[derive(Debug, thiserror::Error)]
#[error("failed to write `{path}`: {source}")]
pub struct CommitError {
    /// The file that could not be written.
    pub path: Utf8PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Stages `text` as the new contents of `path` (a later stage of the same path wins).
    pub fn write(&mut self, path: impl Into<Utf8PathBuf>, text: impl Into<String>) {
        self.stage(path.into(), Some(text.into()));
    }

    /// Stages the removal of `path`.
    pub fn remove(&mut self, path: impl Into<Utf8PathBuf>) {
        self.stage(path.into(), None);
    }

    fn stage(&mut self, path: Utf8PathBuf, text: Option<String>) {
        if !self.staged.insert(path.clone()) {
            self.changes.retain(|(p, _)| *p != path);
        }
        self.changes.push((path, text));
    }

    /// The staged changes in order: a path and its new text, `None` for a removal.
    pub fn changes(&self) -> impl Iterator<Item = (&Utf8Path, Option<&str>)> {
        self.changes
            .iter()
            .map(|(p, t)| (p.as_path(), t.as_deref()))
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Applies every staged change, or none.
    pub fn commit(self) -> Result<(), CommitError> {
        let mut done: Vec<(Utf8PathBuf, Option<Vec<u8>>)> = Vec::new();
        for (path, text) in &self.changes {
            let previous = match std::fs::read(path) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => return Err(rollback(done, path, source)),
            };
            let result = match text {
                Some(text) => replace(path, text.as_bytes()),
                None if previous.is_some() => std::fs::remove_file(path),
                None => Ok(()),
            };
            if let Err(source) = result {
                return Err(rollback(done, path, source));
            }
            done.push((path.clone(), previous));
        }
        Ok(())
    }
}

/// Writes `bytes` to a temporary file next to `path`, then renames it over `path`.
fn replace(path: &Utf8Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_str().is_empty())
        .unwrap_or(Utf8Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or("file");
    let temp = dir.join(format!(".{name}.relflow-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, meta.permissions())?;
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn rollback(
    done: Vec<(Utf8PathBuf, Option<Vec<u8>>)>,
    path: &Utf8Path,
    source: std::io::Error,
) -> CommitError {
    for (path, previous) in done.into_iter().rev() {
        let _ = match previous {
            Some(bytes) => replace(&path, &bytes),
            None => std::fs::remove_file(&path),
        };
    }
    CommitError {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_all_or_restores_all() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::write(root.join("a.txt"), "old a").unwrap();
        let mut txn = Transaction::new();
        txn.write(root.join("a.txt"), "new a");
        txn.write(root.join("sub/b.txt"), "new b");
        txn.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("a.txt")).unwrap(),
            "new a"
        );
        assert_eq!(
            std::fs::read_to_string(root.join("sub/b.txt")).unwrap(),
            "new b"
        );

        // The second write fails (its parent is a file), so the first is rolled back.
        let mut txn = Transaction::new();
        txn.write(root.join("a.txt"), "newer a");
        txn.write(root.join("c.txt"), "c");
        txn.write(root.join("a.txt/inside"), "impossible");
        assert!(txn.commit().is_err());
        assert_eq!(
            std::fs::read_to_string(root.join("a.txt")).unwrap(),
            "new a"
        );
        assert!(!root.join("c.txt").exists());
    }
}
