//! Making a commit's files durable before it is marked committed (and a rollback's before its
//! journal goes); the journal itself is fsynced on its own (`journal.rs`).
//!
//! On Linux, one `syncfs` per file system the files live on does it for the whole commit: the
//! disk's cache is flushed once instead of once per file (224 files of the 1,000-package npm
//! `version`: 21-31 ms of parallel `fdatasync` on the bench VM, 4-7 ms for one `syncfs`,
//! unrelated dirty files included). Elsewhere each file is fsynced as it is written and each
//! folder after the removals.

use std::io;

use camino::Utf8Path;

/// Whether each file is fsynced as it is written: where there is no `syncfs`.
pub(super) const PER_FILE: bool = !cfg!(target_os = "linux");

/// Flushes every file system that holds one of `dirs` (all pending writes and removals on them;
/// a folder that is not there is skipped);
/// `None` where that is not available, and the caller syncs the folders one by one.
#[cfg(target_os = "linux")]
pub(super) fn file_systems<'d>(
    dirs: &[&'d Utf8Path],
) -> Option<Result<(), (&'d Utf8Path, io::Error)>> {
    use std::os::unix::fs::MetadataExt;
    let mut flushed = Vec::new();
    let result = dirs.iter().try_for_each(|&dir| {
        let device = match std::fs::metadata(dir) {
            Ok(meta) => meta.dev(),
            // A folder a rolled-back commit was to create a file in may not be there.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err((dir, e)),
        };
        if !flushed.contains(&device) {
            let folder = std::fs::File::open(dir).map_err(|e| (dir, e))?;
            rustix::fs::syncfs(&folder).map_err(|e| (dir, io::Error::from(e)))?;
            flushed.push(device);
        }
        Ok(())
    });
    Some(result)
}

/// Flushes every file system that holds one of `dirs`; `None` where that is not available, and
/// the caller syncs the folders one by one.
#[cfg(not(target_os = "linux"))]
pub(super) fn file_systems<'d>(
    _dirs: &[&'d Utf8Path],
) -> Option<Result<(), (&'d Utf8Path, io::Error)>> {
    None
}
