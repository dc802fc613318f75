//! The journal of a commit in progress, an undo log: a header line, then one line per file, each
//! file that existed followed by its original bytes, and a last `{"committed":true}` line once
//! every file is written. It is written to a temporary name, fsynced and renamed, so it is either
//! whole or absent.
//!
//! ```text
//! {"relflow_txn":2,"pid":4242}
//! {"target":"/repo/package.json","change":"rewrite","len":35}
//! {"name":"a","version":"1.0.0"}  (35 bytes, then a newline)
//! {"target":"/repo/CHANGELOG.md","change":"create"}
//! {"target":"/repo/.changeset/brave-cats.md","change":"remove","len":52}
//! ...
//! {"committed":true}
//! ```

use std::fs;
use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

/// The format version in the header (1 was a redo log of temp files and backups).
const FORMAT: u32 = 2;

/// What a commit does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Change {
    /// An existing file gets a new text, written in place.
    Rewrite,
    /// A file that did not exist is written.
    Create,
    /// An existing file is removed.
    Remove,
}

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The file changed (symlinks resolved).
    pub target: Utf8PathBuf,
    /// What happens to it.
    pub change: Change,
    /// Its bytes before the commit (`None` for a file created).
    pub original: Option<Vec<u8>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    relflow_txn: u32,
    pid: u32,
}

/// An entry's line; its `len` original bytes and a newline follow it.
#[derive(Debug, Serialize, Deserialize)]
struct EntryLine {
    target: Utf8PathBuf,
    change: Change,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    len: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Committed {
    committed: bool,
}

/// A journal read back.
#[derive(Debug)]
pub(super) struct Journal {
    /// The process that wrote it.
    pub pid: u32,
    /// Its files, in commit order.
    pub entries: Vec<Entry>,
    /// Whether every file was written.
    pub committed: bool,
}

/// The temporary name the journal is written under before its rename.
pub(super) fn staging_path(journal: &Utf8Path) -> Utf8PathBuf {
    let mut name = journal.file_name().unwrap_or("relflow-txn").to_owned();
    name.push_str(".tmp");
    journal.with_file_name(name)
}

/// Writes the journal of `entries` durably: temp file, fsync, rename, fsync of the folder.
pub(super) fn write(journal: &Utf8Path, pid: u32, entries: &[Entry]) -> io::Result<()> {
    let dir = parent(journal);
    fs::create_dir_all(dir)?;
    let size: usize = entries
        .iter()
        .map(|e| e.target.as_str().len() + e.original.as_ref().map_or(0, Vec::len) + 64)
        .sum();
    let mut bytes = Vec::with_capacity(size + 64);
    push_line(
        &mut bytes,
        &Header {
            relflow_txn: FORMAT,
            pid,
        },
    )?;
    for entry in entries {
        let line = EntryLine {
            target: entry.target.clone(),
            change: entry.change,
            len: entry.original.as_ref().map(Vec::len),
        };
        push_line(&mut bytes, &line)?;
        if let Some(original) = &entry.original {
            bytes.extend_from_slice(original);
            bytes.push(b'\n');
        }
    }
    let staging = staging_path(journal);
    let result = (|| {
        let mut file = fs::File::create(&staging)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&staging, journal)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&staging);
    }
    result
}

/// Appends the committed mark and fsyncs it.
pub(super) fn mark_committed(journal: &Utf8Path) -> io::Result<()> {
    let mut file = fs::OpenOptions::new().append(true).open(journal)?;
    let mut line = Vec::new();
    push_line(&mut line, &Committed { committed: true })?;
    file.write_all(&line)?;
    file.sync_all()
}

/// Reads the journal at `journal`, `None` when there is none.
pub(super) fn read(journal: &Utf8Path) -> io::Result<Option<Journal>> {
    let bytes = match fs::read(journal) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    parse(&bytes).map(Some)
}

/// The journal in `bytes`.
fn parse(bytes: &[u8]) -> io::Result<Journal> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let first = bytes.iter().position(|&b| b == b'\n');
    let header: Header = first
        .and_then(|end| serde_json::from_slice(&bytes[..end]).ok())
        .ok_or_else(|| invalid("not a relflow journal"))?;
    if header.relflow_txn != FORMAT {
        return Err(invalid("a relflow journal of another format version"));
    }
    let mut journal = Journal {
        pid: header.pid,
        entries: Vec::new(),
        committed: false,
    };
    let mut rest = &bytes[first.map_or(bytes.len(), |end| end + 1)..];
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let (line, after) = (&rest[..end], &rest[end + 1..]);
        rest = after;
        if let Ok(entry) = serde_json::from_slice::<EntryLine>(line) {
            let original = match entry.len {
                Some(len) if rest.len() > len && rest[len] == b'\n' => {
                    let original = rest[..len].to_vec();
                    rest = &rest[len + 1..];
                    Some(original)
                }
                Some(_) => return Err(invalid("a relflow journal cut short")),
                None => None,
            };
            journal.entries.push(Entry {
                target: entry.target,
                change: entry.change,
                original,
            });
        } else if let Ok(mark) = serde_json::from_slice::<Committed>(line) {
            journal.committed = mark.committed;
        } else {
            return Err(invalid("a damaged relflow journal line"));
        }
    }
    if !rest.is_empty() {
        return Err(invalid("a relflow journal cut short"));
    }
    Ok(journal)
}

/// The folder of `path` (`.` for a bare name).
pub(super) fn parent(path: &Utf8Path) -> &Utf8Path {
    path.parent()
        .filter(|d| !d.as_str().is_empty())
        .unwrap_or(Utf8Path::new("."))
}

/// Makes the renames in `dir` durable; a file system that cannot fsync folders is not an error.
pub(super) fn sync_dir(dir: &Utf8Path) {
    if let Ok(file) = fs::File::open(dir) {
        let _ = file.sync_all();
    }
}

fn push_line(bytes: &mut Vec<u8>, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *bytes, value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_bytes_and_reads_the_committed_mark() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("relflow-txn")).unwrap();
        let entries = vec![
            Entry {
                target: "/r/a.txt".into(),
                change: Change::Rewrite,
                original: Some(b"line one\n{\"committed\":true}\n\xff\n".to_vec()),
            },
            Entry {
                target: "/r/new.txt".into(),
                change: Change::Create,
                original: None,
            },
            Entry {
                target: "/r/empty.md".into(),
                change: Change::Remove,
                original: Some(Vec::new()),
            },
        ];
        write(&path, 7, &entries).unwrap();
        assert!(!staging_path(&path).exists());
        let read_back = read(&path).unwrap().unwrap();
        assert_eq!((read_back.pid, read_back.committed), (7, false));
        assert_eq!(read_back.entries, entries);
        mark_committed(&path).unwrap();
        assert!(read(&path).unwrap().unwrap().committed);
        let whole = fs::read(&path).unwrap();
        // Cut anywhere inside an original, the journal is refused rather than half-read.
        fs::write(&path, &whole[..whole.len() - 40]).unwrap();
        assert!(read(&path).is_err());
        fs::write(&path, "garbage\n").unwrap();
        assert!(read(&path).is_err());
    }
}
