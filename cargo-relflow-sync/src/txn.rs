//! All-or-nothing file writes: every write of relflow goes through a [`Transaction`].
//!
//! Edits are staged in memory as `(path, new text)`. [`Transaction::commit`] keeps the tree
//! whole through errors, signals and kills:
//! 1. a journal naming every target, its temp file and its backup is written, fsynced and renamed
//!    into place before anything else is touched;
//! 2. each original that is rewritten is kept as a backup beside it (a hard link, a copy where
//!    links fail) and each new text is written to a temp file beside its target (`stage_one`:
//!    each file independent of the others); then all of it is made durable (`flush.rs`: one
//!    `syncfs` on Linux, else an fsync per temp file);
//! 3. the temp files are renamed over their targets (in any order: a rollback restores each
//!    entry on its own), then removed files (consumed changesets) go last, each renamed to its
//!    backup name; then the renames are made durable the same way (else an fsync per folder);
//! 4. the journal is marked committed, then the backups and the journal are removed.
//!
//! An error, or SIGINT/SIGTERM/SIGHUP, before step 4 restores every original from its backup. A
//! process killed outright leaves the journal behind, and [`recover`] (which every command runs
//! before anything else) rolls it back, or finishes it when it was already marked committed.

mod crew;
mod flush;
mod journal;
mod signals;

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use camino::{Utf8Path, Utf8PathBuf};

use journal::Entry;

/// A set of file writes and deletions applied together or not at all.
#[derive(Debug, Default, Clone)]
pub struct Transaction {
    changes: Vec<(Utf8PathBuf, Option<String>)>,
    /// The paths in `changes`, so that staging a new path costs no scan.
    staged: HashSet<Utf8PathBuf>,
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
    /// A file could not be written, and restoring the originals failed as well: the journal and
    /// the backups are left for [`recover`].
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
    /// Every file was already in place: the leftover backups were removed.
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

    /// Applies every staged change, or none, recording the commit in progress at `journal` (see
    /// the module documentation). The caller holds the repository lock.
    pub fn commit(self, journal: &Utf8Path) -> Result<(), CommitError> {
        let pid = std::process::id();
        let journal = absolute(journal).map_err(|error| CommitError::Failed {
            path: journal.to_owned(),
            error,
        })?;
        let (entries, texts) = self.entries(pid)?;
        if entries.is_empty() {
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
        journal::write(&journal, pid, &entries).map_err(|error| CommitError::Failed {
            path: journal.clone(),
            error,
        })?;
        let writes = entries.iter().take_while(|entry| !entry.remove).count();
        let dirs = folders(&entries);
        let clean = AtomicBool::new(true);
        let work = |part: Part, at: usize| -> Result<(), Step> {
            if part != Part::CleanUp {
                if let Some(signal) = signals.received() {
                    return Err(Step::Signal(signal));
                }
            }
            match part {
                Part::Stage => stage_one(&entries[at], texts[at])
                    .map_err(|e| Step::Io(entries[at].target.clone(), e)),
                Part::Rename | Part::Remove => {
                    let first = if part == Part::Remove { writes } else { 0 };
                    let entry = &entries[first + at];
                    apply_one(entry).map_err(|e| Step::Io(entry.target.clone(), e))
                }
                Part::SyncFolders => {
                    journal::sync_dir(dirs[at]);
                    Ok(())
                }
                Part::CleanUp => {
                    clean_up(&entries[at], false, &clean);
                    Ok(())
                }
            }
        };
        crew::with_crew(STAGE_THREADS, PARALLEL_FROM, &work, |crew| {
            // Without `syncfs`, the folders are synced once, after the renames: the links and
            // temp files made while staging reach the disk no later than the renames that
            // follow them in the same folders on a file system that journals metadata in order
            // (ext4, XFS, btrfs, APFS).
            let flushed = || {
                flush::file_systems(&dirs)
                    .map(|done| done.map_err(|(dir, e)| Step::Io(dir.to_owned(), e)))
            };
            let applied = crew
                .run(Part::Stage, entries.len())
                .and_then(|()| flushed().unwrap_or(Ok(())))
                .and_then(|()| crew.run(Part::Rename, writes))
                .and_then(|()| crew.run(Part::Remove, entries.len() - writes))
                .and_then(|()| flushed().unwrap_or_else(|| crew.run(Part::SyncFolders, dirs.len())))
                .and_then(|()| {
                    journal::mark_committed(&journal).map_err(|e| Step::Io(journal.clone(), e))
                });
            if let Err(step) = applied {
                return Err(abandon(&journal, &entries, step));
            }
            let _ = crew.run(Part::CleanUp, entries.len());
            if clean.load(Ordering::Relaxed) {
                let _ = fs::remove_file(&journal);
            }
            Ok(())
        })
    }

    /// The journal entries (writes first, removals last) and the text of each.
    fn entries(&self, pid: u32) -> Result<(Vec<Entry>, Vec<Option<&str>>), CommitError> {
        let writes = self.changes.iter().filter(|(_, t)| t.is_some());
        let removals = self.changes.iter().filter(|(_, t)| t.is_none());
        let mut entries = Vec::new();
        let mut texts = Vec::new();
        for (path, text) in writes.chain(removals) {
            let failed = |error| CommitError::Failed {
                path: path.clone(),
                error,
            };
            let (target, exists) = resolve(path).map_err(failed)?;
            if text.is_none() && !exists {
                continue;
            }
            entries.push(Entry {
                temp: sibling(&target, pid, "tmp"),
                backup: exists.then(|| sibling(&target, pid, "orig")),
                remove: text.is_none(),
                target,
            });
            texts.push(text.as_deref());
        }
        Ok((entries, texts))
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
        left: "Inspect it, restore the files it names from their `.relflow-*.orig` copies, then \
               remove it."
            .to_owned(),
    })?;
    let Some(record) = record else {
        return Ok(None);
    };
    let files = record.entries.len();
    if record.committed {
        finish(journal, &record.entries);
        return Ok(Some(Recovered::Finished {
            pid: record.pid,
            files,
        }));
    }
    match roll_back(&record.entries) {
        Ok(()) => {
            fs::remove_file(journal).map_err(|error| RecoverError {
                journal: journal.to_owned(),
                path: journal.to_owned(),
                error,
                left: "Every file was restored; remove the journal by hand.".to_owned(),
            })?;
            Ok(Some(Recovered::RolledBack {
                pid: record.pid,
                files,
            }))
        }
        Err((path, error)) => Err(RecoverError {
            journal: journal.to_owned(),
            path,
            error,
            left: left_behind(journal, &record.entries),
        }),
    }
}

/// Why a commit stopped before it was complete.
enum Step {
    Io(Utf8PathBuf, io::Error),
    Signal(&'static str),
}

/// Keeps the original of `entry` as its backup and writes its new text to its temp file. Each
/// entry is independent of the others, so entries may be staged in any order or at once.
fn stage_one(entry: &Entry, text: Option<&str>) -> io::Result<()> {
    // A file to remove gets its backup when it is removed: renamed to it (see `apply`).
    if let (Some(backup), false) = (&entry.backup, entry.remove) {
        keep_original(entry, backup)?;
    }
    let Some(text) = text else {
        return Ok(());
    };
    // A file that replaces another has its folder; only a new one may need it made.
    if entry.backup.is_none() {
        fs::create_dir_all(journal::parent(&entry.target))?;
    }
    let mut file = fs::File::create(&entry.temp)?;
    file.write_all(text.as_bytes())?;
    if flush::PER_FILE {
        file.sync_data()?;
    }
    // The new text keeps the original's permissions (an executable script stays executable).
    if let Ok(meta) = fs::metadata(&entry.target) {
        if file.metadata()?.permissions() != meta.permissions() {
            fs::set_permissions(&entry.temp, meta.permissions())?;
        }
    }
    Ok(())
}

/// The backup of `entry`: a hard link to the original, or where the file system has none, a
/// copy made under the temp name and renamed, so a backup is never partial.
fn keep_original(entry: &Entry, backup: &Utf8Path) -> io::Result<()> {
    if fs::hard_link(&entry.target, backup).is_ok() {
        return Ok(());
    }
    fs::copy(&entry.target, &entry.temp)?;
    fs::File::open(&entry.temp)?.sync_all()?;
    fs::rename(&entry.temp, backup)
}

/// A part of a commit with this many items (files, folders) or more runs on the commit's crew of
/// [`STAGE_THREADS`] threads, so that the fsyncs overlap (a workspace release writes
/// thousands); a smaller one, on the calling thread. The crew's threads are started once per
/// commit (`crew.rs`): 37 threads instead of 101 for the 1,000-package npm `version`.
const PARALLEL_FROM: usize = 64;
/// The threads of a large commit: an fsync waits on the disk, not on a core, and the
/// file system commits concurrent fsyncs together. On the 2-core bench machine the whole
/// 1,000-package npm `version` (224 files written) took 47 ms with 32 threads, 52 ms with 16,
/// 55 ms with 8 and 63 ms with 64 (hyperfine means).
const STAGE_THREADS: usize = 32;

/// The parallel parts of a commit, in the order they run (see [`Transaction::commit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Each entry's backup and temp file ([`stage_one`]).
    Stage,
    /// Each temp file renamed over its target ([`apply_one`]).
    Rename,
    /// Each file to remove, renamed to its backup name ([`apply_one`]).
    Remove,
    /// Each folder the entries live in, synced.
    SyncFolders,
    /// Each entry's backup (and stray temp file) removed ([`clean_up`]).
    CleanUp,
}

/// Puts one entry in place: its temp file renamed over the target, or a file to remove renamed
/// to its backup name (which `finish` removes; until then a rollback renames it back).
fn apply_one(entry: &Entry) -> io::Result<()> {
    match (&entry.backup, entry.remove) {
        (_, false) => fs::rename(&entry.temp, &entry.target),
        (Some(backup), true) => fs::rename(&entry.target, backup),
        (None, true) => fs::remove_file(&entry.target),
    }
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
                left: left_behind(journal, entries),
            }
        }
    }
}

/// Restores every original (idempotent: safe to run again on a partial rollback).
fn roll_back(entries: &[Entry]) -> Result<(), (Utf8PathBuf, io::Error)> {
    let mut first = None;
    for entry in entries.iter().rev() {
        if let Err(e) = restore(entry) {
            first.get_or_insert(e);
        }
    }
    first.map_or(Ok(()), Err)
}

/// An error at `path`, for `map_err`.
fn at(path: &Utf8Path) -> impl FnOnce(io::Error) -> (Utf8PathBuf, io::Error) + '_ {
    move |e| (path.to_owned(), e)
}

fn restore(entry: &Entry) -> Result<(), (Utf8PathBuf, io::Error)> {
    let temp_was_there = exists(&entry.temp).map_err(at(&entry.temp))?;
    match &entry.backup {
        // Without a backup, the original was never touched (backups are all made first).
        Some(backup) if exists(backup).map_err(at(backup))? => {
            fs::rename(backup, &entry.target).map_err(at(&entry.target))?;
            // A backup still linked to the untouched target survives its rename.
            remove_if_present(backup).map_err(at(backup))?;
        }
        // A new file: it is ours once its temp file is gone (renamed into place).
        None if !temp_was_there && !entry.remove => {
            remove_if_present(&entry.target).map_err(at(&entry.target))?;
        }
        _ => {}
    }
    remove_if_present(&entry.temp).map_err(at(&entry.temp))
}

/// Removes what an interrupted commit that was complete left: backups, stray temp files, the
/// journal. A failure keeps the journal, so the next command finishes the cleanup.
fn finish(journal: &Utf8Path, entries: &[Entry]) {
    let clean = AtomicBool::new(true);
    let work = |_: Part, at: usize| -> Result<(), Step> {
        clean_up(&entries[at], true, &clean);
        Ok(())
    };
    crew::with_crew(STAGE_THREADS, PARALLEL_FROM, &work, |crew| {
        let _ = crew.run(Part::CleanUp, entries.len());
    });
    if clean.into_inner() {
        let _ = fs::remove_file(journal);
    }
}

/// Removes the backup of a finished entry and, with `temps_left` (a commit that just renamed
/// every temp file has none), its temp file; `clean` is cleared when one stays. Large cleanups
/// run on a crew: removing a file's last link can wait on the disk (online discard).
fn clean_up(entry: &Entry, temps_left: bool, clean: &AtomicBool) {
    let temp = temps_left.then_some(&entry.temp);
    for path in entry.backup.iter().chain(temp) {
        if remove_if_present(path).is_err() {
            clean.store(false, Ordering::Relaxed);
        }
    }
}

/// Where a stranded commit left things, for the error message.
fn left_behind(journal: &Utf8Path, entries: &[Entry]) -> String {
    let kept: Vec<&Utf8Path> = entries
        .iter()
        .filter_map(|e| e.backup.as_deref())
        .filter(|b| b.exists())
        .collect();
    let mut text = format!("The journal `{journal}` lists every file of the release");
    if !kept.is_empty() {
        let shown: Vec<String> = kept.iter().take(3).map(|p| format!("`{p}`")).collect();
        text.push_str(&format!(
            "; {} original(s) are kept beside their files as `.NAME.relflow-PID.orig` ({}{})",
            kept.len(),
            shown.join(", "),
            if kept.len() > 3 { ", ..." } else { "" }
        ));
    }
    text.push_str(
        ". The next relflow command in this repository restores them (consumed changesets \
         included).",
    );
    text
}

/// The folders the entries live in, each once.
fn folders(entries: &[Entry]) -> Vec<&Utf8Path> {
    let mut dirs: Vec<&Utf8Path> = entries.iter().map(|e| journal::parent(&e.target)).collect();
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

/// `.NAME.relflow-PID.KIND` beside `path`.
fn sibling(path: &Utf8Path, pid: u32, kind: &str) -> Utf8PathBuf {
    let name = path.file_name().unwrap_or("file");
    journal::parent(path).join(format!(".{name}.relflow-{pid}.{kind}"))
}

fn exists(path: &Utf8Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn remove_if_present(path: &Utf8Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
