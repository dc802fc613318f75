//! All-or-nothing file writes: every write of relflow goes through a [`Transaction`].
//!
//! Edits are staged in memory as `(path, new text)`. [`Transaction::commit`] keeps the tree
//! whole through errors, signals and kills with an undo log:
//! 1. the original bytes of every file to rewrite or remove are read (or taken from the caller
//!    that just read them, [`Transaction::write_over`]), and a journal holding them (and naming
//!    the files to create) is written, fsynced and renamed into place before any file is
//!    touched (`journal.rs`);
//! 2. each new text is written over its file in place, or creates it (each file independent of
//!    the others, so on the commit's crew in any order), then the removed files (consumed
//!    changesets) go, last;
//! 3. all of it is made durable (`flush.rs`: one `syncfs` per file system on Linux, else an
//!    fsync per file and per folder), the journal is marked committed, then removed.
//!
//! An error, or SIGINT/SIGTERM/SIGHUP, before the mark writes every original back from the
//! journal and removes the files created. A process killed outright leaves the journal behind,
//! and [`recover`] (which every command runs before anything else) rolls it back, or removes it
//! when it was already marked committed.
//!
//! Writing in place, rather than renaming a temp file over each target, creates no inode per
//! file: on the bench VM's ext4 creating a file costs about 100 µs and an in-place write 11 µs,
//! and a 1,000-package release writes hundreds. Each file keeps its inode, so its permissions and
//! hard links too. The price: while a commit runs, another program reading one of its files
//! (never relflow, which holds the repository lock) may see it half-written, as it may while
//! Changesets, npm or cargo write theirs.

mod crew;
mod flush;
mod journal;
mod signals;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::sync::OnceLock;

use camino::{Utf8Path, Utf8PathBuf};

use journal::{Change, Entry};

/// A set of file writes and deletions applied together or not at all.
#[derive(Debug, Default, Clone)]
pub struct Transaction {
    changes: Vec<(Utf8PathBuf, Option<String>)>,
    /// The paths in `changes`, so that staging a new path costs no scan.
    staged: HashSet<Utf8PathBuf>,
    /// The text on disk of staged paths the caller has read (`None`: known not to exist): the
    /// commit neither looks them up nor reads them again.
    known: HashMap<Utf8PathBuf, Option<String>>,
}

/// A commit that did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// A file could not be written; every file is as it was.
    #[error("failed to write `{path}`: {error}; no file was changed")]
    Failed {
        /// The file that could not be written.
        path: Utf8PathBuf,
        /// The cause.
        error: io::Error,
    },
    /// A termination signal arrived; every file is as it was.
    #[error("interrupted by {signal}: every file was restored, none changed")]
    Interrupted {
        /// The signal's name (`SIGINT`, ...).
        signal: &'static str,
    },
    /// A file could not be written, and restoring the originals failed as well: the journal
    /// (holding every original) is left for [`recover`].
    #[error(
        "failed to write `{path}`: {error}; restoring the previous files failed too \
         (`{failed}`: {rollback_error}). {left}"
    )]
    Stranded {
        /// The file that could not be written.
        path: Utf8PathBuf,
        /// Why.
        error: io::Error,
        /// The file that could not be restored.
        failed: Utf8PathBuf,
        /// Why.
        rollback_error: io::Error,
        /// Where the originals and the journal are.
        left: String,
    },
}

/// What [`recover`] did with the journal of an interrupted commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The commit had not finished: every original was restored.
    RolledBack {
        /// The process that was interrupted.
        pid: u32,
        /// How many files its commit concerned.
        files: usize,
    },
    /// Every file was already written: the journal was removed.
    Finished {
        /// The process that was interrupted.
        pid: u32,
        /// How many files its commit concerned.
        files: usize,
    },
}

/// A journal that could not be rolled back: it stays for the next attempt.
#[derive(Debug, thiserror::Error)]
#[error(
    "an interrupted relflow run left `{journal}`, and restoring `{path}` failed: {error}. {left}"
)]
pub struct RecoverError {
    /// The journal.
    pub journal: Utf8PathBuf,
    /// The file that could not be restored.
    pub path: Utf8PathBuf,
    /// Why.
    pub error: io::Error,
    /// Where the originals are.
    pub left: String,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Stages `text` as the new contents of `path` (a later stage of the same path wins).
    pub fn write(&mut self, path: impl Into<Utf8PathBuf>, text: impl Into<String>) {
        let path = path.into();
        self.known.remove(&path);
        self.stage(path, Some(text.into()));
    }

    /// Stages the removal of `path`.
    pub fn remove(&mut self, path: impl Into<Utf8PathBuf>) {
        let path = path.into();
        self.known.remove(&path);
        self.stage(path, None);
    }

    /// [`Transaction::write`] over `target`, a path that is no symlink, whose text on disk the
    /// caller has just read as `original` (`None`: it does not exist), under the repository lock:
    /// the commit saves that text in its journal instead of reading the file again.
    pub fn write_over(
        &mut self,
        target: impl Into<Utf8PathBuf>,
        original: Option<String>,
        text: impl Into<String>,
    ) {
        let target = target.into();
        self.known.insert(target.clone(), original);
        self.stage(target, Some(text.into()));
    }

    /// [`Transaction::remove`] of `target`, a path that is no symlink, whose text on disk the
    /// caller has just read as `original` (see [`Transaction::write_over`]).
    pub fn remove_read(&mut self, target: impl Into<Utf8PathBuf>, original: String) {
        let target = target.into();
        self.known.insert(target.clone(), Some(original));
        self.stage(target, None);
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

    /// Applies every staged change, or none, recording the commit in progress at `journal` (see
    /// the module documentation). The caller holds the repository lock.
    pub fn commit(self, journal: &Utf8Path) -> Result<(), CommitError> {
        let pid = std::process::id();
        let journal = absolute(journal).map_err(|error| CommitError::Failed {
            path: journal.to_owned(),
            error,
        })?;
        let Files {
            targets,
            texts,
            known,
        } = self.files()?;
        if targets.is_empty() {
            return Ok(());
        }
        if journal.exists() {
            return Err(CommitError::Failed {
                path: journal.clone(),
                error: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "the journal of another commit is in the way; run any relflow command to \
                     recover it",
                ),
            });
        }
        let signals = signals::Deferred::start();
        // Read here only where the caller did not hand the text over (`known`).
        let originals: Vec<OnceLock<Vec<u8>>> = targets.iter().map(|_| OnceLock::new()).collect();
        let writes = targets
            .iter()
            .take_while(|(_, c)| *c != Change::Remove)
            .count();
        let dirs = folders(targets.iter().map(|(target, _)| target.as_path()));
        let work = |part: Part, at: usize| -> Result<(), Step> {
            if let Some(signal) = signals.received() {
                return Err(Step::Signal(signal));
            }
            let first = if part == Part::Remove { writes } else { 0 };
            let (target, change) = &targets[first + at];
            let io = |e| Step::Io(target.clone(), e);
            match part {
                Part::Read => {
                    if *change != Change::Create && known[at].is_none() {
                        let _ = originals[at].set(fs::read(target).map_err(io)?);
                    }
                    Ok(())
                }
                Part::Write => {
                    write_one(target, *change, texts[at].unwrap_or_default()).map_err(io)
                }
                Part::Remove => fs::remove_file(target).map_err(io),
                Part::SyncFolders => {
                    journal::sync_dir(dirs[at]);
                    Ok(())
                }
            }
        };
        crew::with_crew(STAGE_THREADS, PARALLEL_FROM, &work, |crew| {
            // Nothing is touched until the journal holds every original.
            let untouched = |step| match step {
                Step::Io(path, error) => CommitError::Failed { path, error },
                Step::Signal(signal) => CommitError::Interrupted { signal },
            };
            crew.run(Part::Read, targets.len()).map_err(untouched)?;
            let entries: Vec<Entry> = targets
                .iter()
                .zip(known.iter().zip(&originals))
                .map(|((target, change), (known, read))| Entry {
                    target: target.clone(),
                    change: *change,
                    original: known
                        .map(|t| t.as_bytes().to_vec())
                        .or_else(|| read.get().cloned()),
                })
                .collect();
            journal::write(&journal, pid, &entries)
                .map_err(|e| untouched(Step::Io(journal.clone(), e)))?;
            let flushed = || {
                flush::file_systems(&dirs)
                    .map(|done| done.map_err(|(dir, e)| Step::Io(dir.to_owned(), e)))
            };
            let applied = crew
                .run(Part::Write, writes)
                .and_then(|()| crew.run(Part::Remove, targets.len() - writes))
                .and_then(|()| flushed().unwrap_or_else(|| crew.run(Part::SyncFolders, dirs.len())))
                .and_then(|()| {
                    journal::mark_committed(&journal).map_err(|e| Step::Io(journal.clone(), e))
                });
            if let Err(step) = applied {
                return Err(abandon(&journal, &entries, step));
            }
            let _ = fs::remove_file(&journal);
            Ok(())
        })
    }

    /// Each file to change (symlinks resolved; writes first, removals last, a removal of a
    /// missing file dropped), its new text and, when the caller read it, its text on disk.
    fn files(&self) -> Result<Files<'_>, CommitError> {
        let writes = self.changes.iter().filter(|(_, t)| t.is_some());
        let removals = self.changes.iter().filter(|(_, t)| t.is_none());
        let mut files = Files::default();
        for (path, text) in writes.chain(removals) {
            let failed = |error| CommitError::Failed {
                path: path.clone(),
                error,
            };
            let known = self.known.get(path);
            let (target, exists) = match known {
                Some(original) => (absolute(path).map_err(failed)?, original.is_some()),
                None => resolve(path).map_err(failed)?,
            };
            let change = match (text, exists) {
                (None, false) => continue,
                (None, true) => Change::Remove,
                (Some(_), true) => Change::Rewrite,
                (Some(_), false) => Change::Create,
            };
            files.targets.push((target, change));
            files.texts.push(text.as_deref());
            files.known.push(known.and_then(Option::as_deref));
        }
        Ok(files)
    }
}

/// Rolls back or finishes the commit an interrupted process left at `journal`; `Ok(None)` when
/// there is none. The caller holds the repository lock.
pub fn recover(journal: &Utf8Path) -> Result<Option<Recovered>, RecoverError> {
    // A journal still under its staging name was never complete: nothing was touched yet.
    let _ = fs::remove_file(journal::staging_path(journal));
    let record = journal::read(journal).map_err(|error| RecoverError {
        journal: journal.to_owned(),
        path: journal.to_owned(),
        error,
        left: "Inspect it: it lists each file of an interrupted release, followed by the file's \
               original bytes; restore them, then remove it."
            .to_owned(),
    })?;
    let Some(record) = record else {
        return Ok(None);
    };
    let files = record.entries.len();
    let done = |journal: &Utf8Path| {
        fs::remove_file(journal).map_err(|error| RecoverError {
            journal: journal.to_owned(),
            path: journal.to_owned(),
            error,
            left: "Every file is whole; remove the journal by hand.".to_owned(),
        })
    };
    if record.committed {
        done(journal)?;
        return Ok(Some(Recovered::Finished {
            pid: record.pid,
            files,
        }));
    }
    match roll_back(&record.entries) {
        Ok(()) => {
            done(journal)?;
            Ok(Some(Recovered::RolledBack {
                pid: record.pid,
                files,
            }))
        }
        Err((path, error)) => Err(RecoverError {
            journal: journal.to_owned(),
            path,
            error,
            left: left_behind(journal),
        }),
    }
}

/// A file a commit changes (symlinks resolved), and what it does to it.
type Target = (Utf8PathBuf, Change);

/// The files of a commit, in commit order (see [`Transaction::files`]).
#[derive(Default)]
struct Files<'t> {
    targets: Vec<Target>,
    /// Each new text, `None` for a removal.
    texts: Vec<Option<&'t str>>,
    /// Each text on disk the caller read, `None` where the commit reads it.
    known: Vec<Option<&'t str>>,
}

/// Why a commit stopped before it was complete.
enum Step {
    Io(Utf8PathBuf, io::Error),
    Signal(&'static str),
}

/// Writes `text` over `target` in place, or creates it (and its folder) for [`Change::Create`].
fn write_one(target: &Utf8Path, change: Change, text: &str) -> io::Result<()> {
    let mut file = match change {
        Change::Create => {
            fs::create_dir_all(journal::parent(target))?;
            fs::File::create_new(target)?
        }
        // Not truncated first: ext4 flushes a file truncated to zero and rewritten when it is
        // closed (`auto_da_alloc`), and frees and allocates its blocks again.
        _ => fs::OpenOptions::new().write(true).open(target)?,
    };
    file.write_all(text.as_bytes())?;
    if change == Change::Rewrite {
        file.set_len(text.len() as u64)?;
    }
    if flush::PER_FILE {
        file.sync_data()?;
    }
    Ok(())
}

/// A part of a commit with this many files or more runs on the commit's crew of
/// [`STAGE_THREADS`] threads; a smaller one, on the calling thread. The crew's threads are
/// started once per commit (`crew.rs`).
const PARALLEL_FROM: usize = 64;
/// The threads of a large commit: writing in place mostly waits on the file system's locks and,
/// where `syncfs` is missing, on the disk.
const STAGE_THREADS: usize = 4;

/// The parallel parts of a commit, in the order they run (see [`Transaction::commit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Each original read, for the journal.
    Read,
    /// Each new text written ([`write_one`]).
    Write,
    /// Each file to remove, removed.
    Remove,
    /// Each folder the files live in, synced (where there is no `syncfs`).
    SyncFolders,
}

/// Rolls back a commit stopped at `step` and says what happened.
fn abandon(journal: &Utf8Path, entries: &[Entry], step: Step) -> CommitError {
    match roll_back(entries) {
        Ok(()) => {
            let _ = fs::remove_file(journal);
            match step {
                Step::Io(path, source) => CommitError::Failed {
                    path,
                    error: source,
                },
                Step::Signal(signal) => CommitError::Interrupted { signal },
            }
        }
        Err((failed, rollback_error)) => {
            let (path, error) = match step {
                Step::Io(path, error) => (path, error),
                Step::Signal(signal) => (
                    journal.to_owned(),
                    io::Error::new(io::ErrorKind::Interrupted, signal),
                ),
            };
            CommitError::Stranded {
                path,
                error,
                failed,
                rollback_error,
                left: left_behind(journal),
            }
        }
    }
}

/// Restores every original (idempotent: safe to run again on a partial rollback), then makes
/// that durable.
fn roll_back(entries: &[Entry]) -> Result<(), (Utf8PathBuf, io::Error)> {
    let mut first = None;
    for entry in entries.iter().rev() {
        if let Err(e) = restore(entry) {
            first.get_or_insert(e);
        }
    }
    if let Some(failed) = first {
        return Err(failed);
    }
    let dirs = folders(entries.iter().map(|e| e.target.as_path()));
    match flush::file_systems(&dirs) {
        Some(flushed) => flushed.map_err(|(dir, e)| (dir.to_owned(), e)),
        None => {
            dirs.iter().for_each(|dir| journal::sync_dir(dir));
            Ok(())
        }
    }
}

/// Puts one file back as the journal recorded it: its original bytes, unless they are what it
/// holds, or gone when the commit created it.
fn restore(entry: &Entry) -> Result<(), (Utf8PathBuf, io::Error)> {
    let at = |e| (entry.target.clone(), e);
    let Some(original) = &entry.original else {
        return remove_if_present(&entry.target).map_err(at);
    };
    match fs::read(&entry.target) {
        Ok(current) if current == *original => return Ok(()),
        Ok(_) => {}
        Err(e) if absent(&e) => {}
        Err(e) => return Err(at(e)),
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&entry.target)
        .map_err(at)?;
    file.write_all(original).map_err(at)?;
    if flush::PER_FILE {
        file.sync_data().map_err(at)?;
    }
    Ok(())
}

/// Where a stranded commit left things, for the error message.
fn left_behind(journal: &Utf8Path) -> String {
    format!(
        "The journal `{journal}` holds the original of every file of the release. The next \
         relflow command in this repository restores them (consumed changesets included)."
    )
}

/// The folders the files live in, each once.
fn folders<'a>(files: impl Iterator<Item = &'a Utf8Path>) -> Vec<&'a Utf8Path> {
    let mut dirs: Vec<&Utf8Path> = files.map(journal::parent).collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// `path`, or where it is a symlink, the file it points to (written through, not replaced), and
/// whether that file exists: one `lstat`, since [`FileSet`](crate::edit::files::FileSet) hands
/// over paths it has already resolved.
fn resolve(path: &Utf8Path) -> io::Result<(Utf8PathBuf, bool)> {
    let path = absolute(path)?;
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = fs::canonicalize(&path).map_err(|e| {
                io::Error::new(e.kind(), format!("`{path}` is a symlink to a missing file"))
            })?;
            let target = Utf8PathBuf::from_path_buf(target)
                .map_err(|p| io::Error::other(format!("non-UTF-8 path {}", p.display())))?;
            Ok((target, true))
        }
        Ok(_) => Ok((path, true)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((path, false)),
        Err(e) => Err(e),
    }
}

fn absolute(path: &Utf8Path) -> io::Result<Utf8PathBuf> {
    let full = std::path::absolute(path)?;
    Utf8PathBuf::from_path_buf(full)
        .map_err(|p| io::Error::other(format!("non-UTF-8 path {}", p.display())))
}

fn remove_if_present(path: &Utf8Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if !absent(&e) => Err(e),
        _ => Ok(()),
    }
}

/// Whether `error` says the path is not there (a folder on its way being a file included).
fn absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

#[cfg(test)]
mod tests;
