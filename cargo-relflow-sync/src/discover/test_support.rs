//! Helpers shared by the discovery unit tests.

use std::fs;

use camino::{Utf8Path, Utf8PathBuf};

/// Writes `text` to `root/rel`, creating parent directories.
pub fn write(root: &Utf8Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A temporary directory and its UTF-8 path.
pub fn repo() -> (tempfile::TempDir, Utf8PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Utf8PathBuf::from_path_buf(dir.path().to_owned()).unwrap();
    (dir, root)
}
