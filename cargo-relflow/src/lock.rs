//! The repository lock: one writing relflow command at a time in a working tree, and the
//! recovery of a commit that a killed run left half-done.
//!
//! Every command that writes the tree or the registries (`version`, `sync`, `changeset add`,
//! `version pre`, `init`, `publish`, and the commands of other modules that change things) takes
//! [`RepoLock::acquire`] before it reads the repository and holds it until it has written: an
//! exclusive advisory lock (`flock`) on `relflow.lock` in the git directory. A second run waits
//! [`WAIT`] for it, then fails with exit code 2 naming the holder's pid. The lock goes with the
//! process, so a killed run never leaves it held.
//!
//! With the lock held, [`RepoLock::commit`] applies a [`Transaction`] through the journal
//! `relflow-txn` beside the lock file; every command runs [`recover_interrupted`] first, which
//! rolls back (or finishes) the journal of a run that was killed during its commit.

use std::fs;
use std::io::{Read, Seek, Write};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::discover;
use cargo_relflow_sync::txn::{self, Recovered, Transaction};
use cargo_relflow_sync::InputError;
use fs4::FileExt;

use crate::error::Failure;
use crate::ui::Ui;

/// How long a second run waits for the lock before it gives up.
pub const WAIT: Duration = Duration::from_secs(3);

/// The lock file's name, in the git directory.
pub const LOCK_FILE: &str = "relflow.lock";

/// The journal's name, beside the lock file.
pub const JOURNAL_FILE: &str = "relflow-txn";

/// The held lock of one repository; released when dropped.
#[derive(Debug)]
pub struct RepoLock {
    _file: fs::File,
    root: Utf8PathBuf,
    journal: Utf8PathBuf,
}

impl RepoLock {
    /// Takes the lock of the repository containing `start` (waiting up to [`WAIT`]), then rolls
    /// back or finishes the journal an interrupted run left, saying which on stderr.
    pub fn acquire(start: &Utf8Path, ui: &Ui) -> Result<RepoLock, Failure> {
        let root = discover::find_root(start)?;
        let dir = state_dir(&root);
        let path = dir.join(LOCK_FILE);
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open the lock file `{path}`: {e}"))?;
        let deadline = Instant::now() + WAIT;
        loop {
            match FileExt::try_lock(&file) {
                Ok(()) => break,
                Err(fs4::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs4::TryLockError::WouldBlock) => return Err(held(&path).into()),
                Err(fs4::TryLockError::Error(e)) => {
                    return Err(anyhow::anyhow!("cannot lock `{path}`: {e}").into())
                }
            }
        }
        // The holder's pid, for the message of a run that waits in vain.
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "{}", std::process::id()))
            .and_then(|()| file.flush());
        let lock = RepoLock {
            _file: file,
            root,
            journal: dir.join(JOURNAL_FILE),
        };
        lock.recover(ui)?;
        Ok(lock)
    }

    /// The repository root.
    pub fn root(&self) -> &Utf8Path {
        &self.root
    }

    /// The journal path that [`Transaction::commit`] takes.
    pub fn journal(&self) -> &Utf8Path {
        &self.journal
    }

    /// Applies `txn`, all files or none, through the journal.
    pub fn commit(&self, txn: Transaction) -> Result<(), Failure> {
        txn.commit(&self.journal)
            .map_err(|e| anyhow::Error::from(e).into())
    }

    fn recover(&self, ui: &Ui) -> Result<(), Failure> {
        match txn::recover(&self.journal).map_err(anyhow::Error::from)? {
            None => {}
            Some(Recovered::RolledBack { pid, files }) => ui.warn(&format!(
                "rolled back the release an interrupted relflow run (pid {pid}) left half-written: \
                 its {files} files are as they were before it (changesets included)"
            )),
            Some(Recovered::Finished { pid, files }) => ui.warn(&format!(
                "finished the commit of an interrupted relflow run (pid {pid}): its {files} files \
                 were all written; removed its journal"
            )),
        }
        Ok(())
    }
}

/// Recovers the journal of an interrupted run, when there is one, before a command reads the
/// repository; a repository that cannot be found is left to the command to report.
pub fn recover_interrupted(start: &Utf8Path, ui: &Ui) -> Result<(), Failure> {
    let Ok(root) = discover::find_root(start) else {
        return Ok(());
    };
    let journal = state_dir(&root).join(JOURNAL_FILE);
    let staging = journal.with_file_name(format!("{JOURNAL_FILE}.tmp"));
    if journal.exists() || staging.exists() {
        RepoLock::acquire(&root, ui)?;
    }
    Ok(())
}

/// Where the lock and the journal live: the git directory of the working tree (a linked
/// worktree's own), else `.changeset/`, else the root. Never a tracked folder's plain files, so
/// they do not show in `git status`.
fn state_dir(root: &Utf8Path) -> Utf8PathBuf {
    for dir in root.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return dot_git;
        }
        if let Ok(text) = fs::read_to_string(&dot_git) {
            if let Some(git_dir) = text.strip_prefix("gitdir:").map(str::trim) {
                let git_dir = dir.join(git_dir);
                if git_dir.is_dir() {
                    return git_dir;
                }
            }
        }
    }
    let changesets = root.join(crate::repo::CHANGESET_DIR);
    if changesets.is_dir() {
        changesets
    } else {
        root.to_owned()
    }
}

/// The error of a run that waited in vain, naming the holder's pid.
fn held(path: &Utf8Path) -> InputError {
    let mut pid = String::new();
    let _ = fs::File::open(path).and_then(|mut f| f.read_to_string(&mut pid));
    let holder = match pid.trim().parse::<u32>() {
        Ok(pid) => format!("another relflow run (pid {pid})"),
        Err(_) => "another relflow run".to_owned(),
    };
    InputError::new(format!(
        "{holder} is changing this repository: it holds the lock `{path}`"
    ))
    .with_hint(format!(
        "waited {} s for it; run this again when it has finished",
        WAIT.as_secs()
    ))
}
