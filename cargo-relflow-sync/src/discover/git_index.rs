//! The files git tracks, read straight from the index file (`.git/index`): listing them costs one
//! read instead of a walk of the working tree, and no git process.
//!
//! Index versions 2, 3 and 4 are read, with SHA-1 or SHA-256 object ids (told apart by which one
//! parses the whole file), in a repository's main worktree, a linked worktree or a submodule
//! (`.git` as a `gitdir:` file). A split index (`core.splitIndex`), a missing index or anything
//! that does not parse gives `None`, and the caller walks the tree instead.

use std::ffi::OsString;
use std::fs;

use camino::{Utf8Path, Utf8PathBuf};

/// The regular files git tracks under `root` for which `keep` holds, as `/`-separated paths
/// relative to `root`, in index order (sorted, a path once per merge stage). `None` when `root`
/// is in no git worktree or its index cannot be read.
///
/// Inside a git hook, `GIT_INDEX_FILE` names the index being committed; it is used when it lies
/// in the repository's git directory.
pub(crate) fn tracked_files(root: &Utf8Path, keep: impl Fn(&str) -> bool) -> Option<Vec<String>> {
    let (top, git_dir) = repository(root)?;
    let prefix = root.strip_prefix(&top).ok()?;
    let index = index_file(&top, &git_dir, std::env::var_os("GIT_INDEX_FILE"));
    let bytes = fs::read(index).ok()?;
    let prefix = if prefix.as_str().is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let mut files = Vec::new();
    let parsed = [20, 32].into_iter().any(|hash_len| {
        files.clear();
        parse(&bytes, hash_len, |path| {
            if let Some(rel) = path.strip_prefix(prefix.as_str()) {
                if keep(rel) {
                    files.push(rel.to_owned());
                }
            }
        })
        .is_some()
    });
    parsed.then_some(files)
}

/// The worktree top holding `root` and its git directory: the nearest ancestor with a `.git`
/// directory, or a `.git` file reading `gitdir: <path>`.
fn repository(root: &Utf8Path) -> Option<(Utf8PathBuf, Utf8PathBuf)> {
    for dir in root.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(metadata) = fs::metadata(&dot_git) else {
            continue;
        };
        if metadata.is_dir() {
            return Some((dir.to_owned(), dot_git));
        }
        let text = fs::read_to_string(&dot_git).ok()?;
        let target = text.strip_prefix("gitdir:")?.trim();
        // Often relative (`../.git/modules/x`): resolved, to compare with `GIT_INDEX_FILE`.
        let git_dir = dir.join(target).canonicalize_utf8().ok()?;
        return Some((dir.to_owned(), git_dir));
    }
    None
}

/// The index file: `GIT_INDEX_FILE` (relative to the worktree top, as git reads it) when it lies
/// in `git_dir`, else `git_dir/index`.
fn index_file(top: &Utf8Path, git_dir: &Utf8Path, from_env: Option<OsString>) -> Utf8PathBuf {
    from_env
        .and_then(|value| value.into_string().ok())
        .map(|value| top.join(value))
        .filter(|path| path.starts_with(git_dir))
        .unwrap_or_else(|| git_dir.join("index"))
}

/// Reads a big-endian `u32` at `at`.
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(word.try_into().ok()?))
}

/// Reads a big-endian `u16` at `at`.
fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let word = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes(word.try_into().ok()?))
}

/// The stat data before an entry's object id: ctime, mtime, dev, ino, mode, uid, gid, size.
const STAT_LEN: usize = 40;
/// The mode's object type of a regular file (`0o100644`, `0o100755`).
const REGULAR_FILE: u32 = 0b1000;
/// The flag of an entry with a second flags word (version 3 and later).
const EXTENDED: u16 = 0x4000;
/// The name length when the name is that long or longer.
const LONG_NAME: u16 = 0xFFF;

/// Calls `file` with the path of every regular-file entry of the index `bytes` whose object ids
/// are `hash_len` bytes long. `None` when the bytes are not such an index (or a split one); every
/// entry and extension must parse and the checksum must end the file exactly.
fn parse(bytes: &[u8], hash_len: usize, mut file: impl FnMut(&str)) -> Option<()> {
    if bytes.get(..4)? != b"DIRC" {
        return None;
    }
    let version = u32_at(bytes, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32_at(bytes, 8)?;
    let mut at = 12;
    let mut path: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let mode = u32_at(bytes, start + 24)?;
        let flags = u16_at(bytes, start + STAT_LEN + hash_len)?;
        at = start + STAT_LEN + hash_len + 2;
        if flags & EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            at += 2;
        }
        if version == 4 {
            let (strip, after) = varint(bytes, at)?;
            let keep = path.len().checked_sub(usize::try_from(strip).ok()?)?;
            path.truncate(keep);
            let end = after + bytes.get(after..)?.iter().position(|&b| b == 0)?;
            path.extend_from_slice(&bytes[after..end]);
            at = end + 1;
        } else {
            let end = at + bytes.get(at..)?.iter().position(|&b| b == 0)?;
            path.clear();
            path.extend_from_slice(&bytes[at..end]);
            // 1 to 8 NUL bytes pad the entry to a multiple of 8.
            let padded = start + ((end - start + 8) & !7);
            if !bytes.get(end..padded)?.iter().all(|&b| b == 0) {
                return None;
            }
            at = padded;
        }
        let name_len = flags & LONG_NAME;
        if name_len < LONG_NAME && usize::from(name_len) != path.len() {
            return None;
        }
        if mode >> 12 == REGULAR_FILE {
            file(std::str::from_utf8(&path).ok()?);
        }
    }
    // Extensions (a 4-byte signature and a 32-bit size each), then the checksum.
    while bytes.len().checked_sub(at)? > hash_len {
        let signature = bytes.get(at..at + 4)?;
        if signature == b"link" {
            return None; // A split index: most entries live in another file.
        }
        let size = usize::try_from(u32_at(bytes, at + 4)?).ok()?;
        at = at.checked_add(8 + size)?;
    }
    (bytes.len().checked_sub(at)? == hash_len).then_some(())
}

/// Git's offset varint (`decode_varint`): 7 bits a byte, most significant first, each
/// continuation adding one. Returns the value and the offset after it.
fn varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut byte = *bytes.get(at)?;
    at += 1;
    let mut value = u64::from(byte & 0x7F);
    while byte & 0x80 != 0 {
        byte = *bytes.get(at)?;
        at += 1;
        value = value.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7F);
    }
    Some((value, at))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;
    use crate::discover::test_support::{repo, write};

    /// Runs git in `dir`, cut off from the user's configuration.
    fn git(dir: &Utf8Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// The regular files `git ls-files --stage` lists under `dir`, relative to it.
    fn git_regular_files(dir: &Utf8Path) -> Vec<String> {
        git(dir, &["ls-files", "--stage", "-z"])
            .split('\0')
            .filter_map(|line| {
                let (meta, path) = line.split_once('\t')?;
                meta.starts_with("100").then(|| path.to_owned())
            })
            .collect()
    }

    /// A repository with nested, long, non-ASCII, executable, symlinked and submodule-like
    /// entries, every file added.
    fn populated(init: &[&str]) -> (tempfile::TempDir, Utf8PathBuf) {
        let (tmp, root) = repo();
        let mut args = vec!["init", "--quiet"];
        args.extend_from_slice(init);
        git(&root, &args);
        write(&root, "pyproject.toml", "");
        write(&root, "a/b/c/pyproject.toml", "");
        write(&root, "a/b/c/pyproject.toml.bak", "");
        write(&root, "a/b/d.py", "");
        write(&root, "a/bb/pyproject.toml", "");
        write(&root, "ünïcode/pyproject.toml", "");
        let long = format!(
            "{}/pyproject.toml",
            ["segment-of-some-length"; 12].join("/")
        );
        write(&root, &long, "");
        write(&root, "tool.sh", "#!/bin/sh\n");
        git(&root, &["update-index", "--add", "--chmod=+x", "tool.sh"]);
        std::os::unix::fs::symlink("pyproject.toml", root.join("link.toml")).unwrap();
        git(&root, &["add", "-A"]);
        // A submodule's entry (a gitlink) is no file.
        let head = git(&root, &["hash-object", "-w", "--stdin"]);
        let gitlink = format!("160000,{},vendored", head.trim());
        git(&root, &["update-index", "--add", "--cacheinfo", &gitlink]);
        (tmp, root)
    }

    #[test]
    fn lists_what_git_lists_in_every_index_version() {
        let (_tmp, root) = populated(&[]);
        write(&root, "intent/pyproject.toml", "");
        // Intent-to-add entries carry the extended flags of version 3.
        git(&root, &["add", "--intent-to-add", "intent/pyproject.toml"]);
        for version in ["2", "3", "4", "2"] {
            git(&root, &["update-index", "--index-version", version]);
            let ours = tracked_files(&root, |_| true).unwrap();
            assert_eq!(ours, git_regular_files(&root), "index version {version}");
            assert!(ours.contains(&"intent/pyproject.toml".to_owned()));
            assert!(
                !ours.contains(&"link.toml".to_owned()),
                "symlinks are not files"
            );
        }
        let toml = tracked_files(&root, |p| p.ends_with("/pyproject.toml")).unwrap();
        assert_eq!(toml.len(), 5, "{toml:?}");
    }

    #[test]
    fn sha256_repositories() {
        let (_tmp, root) = populated(&["--object-format=sha256"]);
        git(&root, &["update-index", "--index-version", "4"]);
        assert_eq!(
            tracked_files(&root, |_| true).unwrap(),
            git_regular_files(&root)
        );
    }

    #[test]
    fn subdirectory_roots_and_linked_worktrees() {
        let (tmp, root) = populated(&[]);
        git(&root, &["commit", "--quiet", "-m", "initial"]);
        let sub = root.join("a/b");
        assert_eq!(
            tracked_files(&sub, |_| true).unwrap(),
            ["c/pyproject.toml", "c/pyproject.toml.bak", "d.py"]
        );
        let linked = Utf8Path::from_path(tmp.path()).unwrap().join("linked");
        git(&root, &["worktree", "add", "--quiet", linked.as_str()]);
        write(&linked, "new/pyproject.toml", "");
        git(&linked, &["add", "new/pyproject.toml"]);
        let files = tracked_files(&linked, |_| true).unwrap();
        assert_eq!(files, git_regular_files(&linked));
        assert!(files.contains(&"new/pyproject.toml".to_owned()));
        assert!(!tracked_files(&root, |_| true)
            .unwrap()
            .contains(&"new/pyproject.toml".to_owned()));
    }

    #[test]
    fn relative_gitdir_files() {
        // As in a submodule: `.git` is a file naming the git directory relative to it.
        let (_tmp, root) = populated(&[]);
        fs::create_dir_all(root.join("store")).unwrap();
        fs::rename(root.join(".git"), root.join("store/x.git")).unwrap();
        fs::write(root.join(".git"), "gitdir: store/../store/x.git\n").unwrap();
        let (top, git_dir) = repository(&root.join("a/b")).unwrap();
        assert_eq!(top, root);
        assert_eq!(
            git_dir,
            root.join("store/x.git").canonicalize_utf8().unwrap()
        );
        assert_eq!(
            tracked_files(&root, |_| true).unwrap(),
            git_regular_files(&root)
        );
    }

    #[test]
    fn split_missing_and_foreign_indexes_are_none() {
        let (_tmp, root) = populated(&[]);
        git(&root, &["update-index", "--split-index"]);
        assert_eq!(tracked_files(&root, |_| true), None);
        let (_tmp, plain) = repo();
        assert_eq!(tracked_files(&plain, |_| true), None, "no repository");
        git(&plain, &["init", "--quiet"]);
        assert_eq!(tracked_files(&plain, |_| true), None, "no index yet");
        assert_eq!(parse(b"DIRC\0\0\0\x02\0\0\0\0", 20, |_| {}), None);
        assert_eq!(parse(b"not an index at all", 20, |_| {}), None);
    }

    #[test]
    fn git_index_file_is_used_inside_the_git_dir_only() {
        let top = Utf8Path::new("/repo");
        let git_dir = Utf8Path::new("/repo/.git");
        let env = |s: &str| Some(OsString::from(s));
        assert_eq!(index_file(top, git_dir, None), "/repo/.git/index");
        assert_eq!(
            index_file(top, git_dir, env(".git/index.lock")),
            "/repo/.git/index.lock"
        );
        assert_eq!(
            index_file(top, git_dir, env("/repo/.git/next-index-1.lock")),
            "/repo/.git/next-index-1.lock"
        );
        assert_eq!(
            index_file(top, git_dir, env("/other/.git/index")),
            "/repo/.git/index"
        );
    }

    #[test]
    fn varints_like_git() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x80, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0x81, 0x7F], 0), Some((383, 2)));
        assert_eq!(varint(&[0x80], 0), None);
    }
}
