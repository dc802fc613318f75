//! The journal of a commit in progress: one JSON object a line, a header, one line per file, and
//! a last `{"committed":true}` once every file is in place. It is written to a temporary name,
//! fsynced and renamed, so it is either whole or absent.

use std::fs;
use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

/// The format version in the header.
const FORMAT: u32 = 1;

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Entry {
    /// The file changed (symlinks resolved).
    pub target: Utf8PathBuf,
    /// The new text's temporary file beside the target (a scratch file for a removal).
    pub temp: Utf8PathBuf,
    /// The original, kept beside the target (`None`: the file did not exist).
    pub backup: Option<Utf8PathBuf>,
    /// Whether the target is removed rather than written.
    pub remove: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    relflow_txn: u32,
    pid: u32,
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
    /// Whether every file was in place.
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
    let mut text = line(&Header {
        relflow_txn: FORMAT,
        pid,
    })?;
    for entry in entries {
        text.push_str(&line(entry)?);
    }
    let staging = staging_path(journal);
    let result = (|| {
        let mut file = fs::File::create(&staging)?;
        file.write_all(text.as_bytes())?;
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
    file.write_all(line(&Committed { committed: true })?.as_bytes())?;
    file.sync_all()
}

/// Reads the journal at `journal`, `None` when there is none.
pub(super) fn read(journal: &Utf8Path) -> io::Result<Option<Journal>> {
    let text = match fs::read_to_string(journal) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let mut lines = text.lines();
    let header: Header = lines
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| invalid("not a relflow journal"))?;
    if header.relflow_txn != FORMAT {
        return Err(invalid("a relflow journal of another format version"));
    }
    let mut journal = Journal {
        pid: header.pid,
        entries: Vec::new(),
        committed: false,
    };
    for l in lines {
        if let Ok(entry) = serde_json::from_str::<Entry>(l) {
            journal.entries.push(entry);
        } else if let Ok(mark) = serde_json::from_str::<Committed>(l) {
            journal.committed = mark.committed;
        } else {
            return Err(invalid("a damaged relflow journal line"));
        }
    }
    Ok(Some(journal))
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

fn line(value: &impl Serialize) -> io::Result<String> {
    let mut text = serde_json::to_string(value).map_err(io::Error::other)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_the_committed_mark() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("relflow-txn")).unwrap();
        let entries = vec![Entry {
            target: "/r/a.txt".into(),
            temp: "/r/.a.txt.relflow-1.tmp".into(),
            backup: Some("/r/.a.txt.relflow-1.orig".into()),
            remove: false,
        }];
        write(&path, 7, &entries).unwrap();
        assert!(!staging_path(&path).exists());
        let read_back = read(&path).unwrap().unwrap();
        assert_eq!((read_back.pid, read_back.committed), (7, false));
        assert_eq!(read_back.entries, entries);
        mark_committed(&path).unwrap();
        assert!(read(&path).unwrap().unwrap().committed);
        fs::write(&path, "garbage\n").unwrap();
        assert!(read(&path).is_err());
    }
}
