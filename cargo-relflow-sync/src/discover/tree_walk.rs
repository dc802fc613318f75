//! Finding every file of one name in the repository's tree, as git sees the tree: the
//! repository's own `.gitignore` files honoured (no global excludes, no `.git/info/exclude`, no
//! `.gitignore` above the root), hidden entries, `node_modules` and `target` skipped, symlinks
//! not followed.
//!
//! A plain depth-first walk: each folder is listed once, and only its subfolders and the files
//! of the wanted name are matched against the `.gitignore` files above them. (The `ignore`
//! crate's walker, used before, matches every entry; in an npm monorepo of 1,000 packages that
//! cost more than the listing.) The matching itself is the `ignore` crate's [`Gitignore`].

use std::rc::Rc;

use camino::{Utf8Path, Utf8PathBuf};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

/// The folders holding a file named `name`, relative to `root` (`""` for the root itself,
/// `/`-separated), in no particular order. Folders that cannot be read are skipped.
pub(crate) fn dirs_with_file(root: &Utf8Path, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![Folder {
        path: root.to_owned(),
        rel: String::new(),
        ignores: None,
    }];
    let leaves = Leaves::of(root);
    while let Some(folder) = pending.pop() {
        let listing = match leaves.leaf(&folder.path, name) {
            Some(Leaf::Without) => continue,
            Some(Leaf::With) | None => list(&folder.path, name),
        };
        let Some(listing) = listing else {
            continue;
        };
        let ignores = match listing.has_gitignore {
            true => Some(Rc::new(Ignores {
                file: read_gitignore(&folder.path),
                parent: folder.ignores.clone(),
            })),
            false => folder.ignores.clone(),
        };
        if listing.has_file && !ignored(ignores.as_ref(), &folder.path.join(name), false) {
            found.push(folder.rel.clone());
        }
        for sub in listing.subdirs {
            let path = folder.path.join(&sub);
            if ignored(ignores.as_ref(), &path, true) {
                continue;
            }
            let rel = match folder.rel.is_empty() {
                true => sub,
                false => format!("{}/{sub}", folder.rel),
            };
            pending.push(Folder {
                path,
                rel,
                ignores: ignores.clone(),
            });
        }
    }
    found
}

/// A folder without subfolders, told apart without listing it (see [`Leaves`]).
enum Leaf {
    /// It does not hold the wanted file: nothing in it to look at.
    Without,
    /// It holds the wanted file: it is listed, for its `.gitignore`.
    With,
}

/// Folders without subfolders, found from their link count where the file system keeps the
/// Unix convention that a folder's link count is 2 plus its number of subfolders (ext2/3/4, XFS
/// and tmpfs do; btrfs and overlayfs do not, so there every folder is listed). Such a folder
/// needs two lookups, of itself and of the wanted file, instead of a listing (open, two reads,
/// close): in an npm monorepo of 1,000 packages, 2,000 system calls fewer.
///
/// Only folders on the root's own device count (a file system mounted below the root may not
/// keep the convention).
#[cfg(target_os = "linux")]
struct Leaves {
    /// The root's device, when its file system keeps the convention.
    device: Option<(u32, u32)>,
}

#[cfg(target_os = "linux")]
impl Leaves {
    /// The file systems (`statfs` magic numbers) whose folder link counts are known to follow
    /// the convention.
    const COUNTING: [i64; 3] = [
        0xEF53,      // ext2, ext3, ext4
        0x5846_5342, // XFS
        0x0102_1994, // tmpfs
    ];

    fn of(root: &Utf8Path) -> Self {
        // `f_type` is an `i64` here, of another width on other architectures.
        #[allow(clippy::unnecessary_cast)]
        let counting = rustix::fs::statfs(root.as_std_path())
            .is_ok_and(|fs| Self::COUNTING.contains(&(fs.f_type as i64)));
        let device = counting
            .then(|| Self::stat(root).ok())
            .flatten()
            .map(|stat| (stat.stx_dev_major, stat.stx_dev_minor));
        Leaves { device }
    }

    fn stat(path: &Utf8Path) -> rustix::io::Result<rustix::fs::Statx> {
        use rustix::fs::{AtFlags, StatxFlags, CWD};
        rustix::fs::statx(
            CWD,
            path.as_std_path(),
            AtFlags::SYMLINK_NOFOLLOW,
            StatxFlags::TYPE | StatxFlags::NLINK,
        )
    }

    /// Whether `dir` is a folder without subfolders, and whether it holds a regular file
    /// `name`; `None` when that cannot be told without listing it.
    fn leaf(&self, dir: &Utf8Path, name: &str) -> Option<Leaf> {
        let device = self.device?;
        let stat = Self::stat(dir).ok()?;
        let is_dir = rustix::fs::FileType::from_raw_mode(stat.stx_mode.into())
            == rustix::fs::FileType::Directory;
        if !is_dir || stat.stx_nlink != 2 || (stat.stx_dev_major, stat.stx_dev_minor) != device {
            return None;
        }
        let file = Self::stat(&dir.join(name));
        let is_file = file.is_ok_and(|file| {
            rustix::fs::FileType::from_raw_mode(file.stx_mode.into())
                == rustix::fs::FileType::RegularFile
        });
        Some(if is_file { Leaf::With } else { Leaf::Without })
    }
}

/// Elsewhere every folder is listed.
#[cfg(not(target_os = "linux"))]
struct Leaves;

#[cfg(not(target_os = "linux"))]
impl Leaves {
    fn of(_root: &Utf8Path) -> Self {
        Leaves
    }

    fn leaf(&self, _dir: &Utf8Path, _name: &str) -> Option<Leaf> {
        None
    }
}

/// A folder still to list.
struct Folder {
    path: Utf8PathBuf,
    /// `path` relative to the root.
    rel: String,
    /// The `.gitignore` files that apply inside it, the nearest first.
    ignores: Option<Rc<Ignores>>,
}

/// One folder's `.gitignore`, and those of the folders above it.
struct Ignores {
    file: Gitignore,
    parent: Option<Rc<Ignores>>,
}

/// What one folder holds, of what the walk looks at.
struct Listing {
    /// Names of subfolders that are neither hidden nor `node_modules`/`target`.
    subdirs: Vec<String>,
    /// Whether the wanted file is there (a regular file, not a symlink).
    has_file: bool,
    /// Whether there is a `.gitignore`.
    has_gitignore: bool,
}

/// Lists `dir`; `None` when it cannot be read.
fn list(dir: &Utf8Path, name: &str) -> Option<Listing> {
    let mut listing = Listing {
        subdirs: Vec::new(),
        has_file: false,
        has_gitignore: false,
    };
    for_each_entry(dir, |entry_name, kind| {
        if entry_name.starts_with('.') {
            listing.has_gitignore |= entry_name == ".gitignore";
            return;
        }
        match kind {
            Kind::Folder if !matches!(entry_name, "node_modules" | "target") => {
                listing.subdirs.push(entry_name.to_owned());
            }
            Kind::File if entry_name == name => listing.has_file = true,
            _ => {}
        }
    })?;
    Some(listing)
}

/// What a folder entry is, as far as the walk cares (a symlink is `Other`: not followed).
enum Kind {
    Folder,
    File,
    Other,
}

/// Calls `each` with the name and kind of every entry of `dir` whose name is UTF-8; `None` when
/// `dir` cannot be opened. Entries that cannot be read are skipped.
///
/// On Linux the folder is opened and read with `getdents64` directly: `std::fs::read_dir` goes
/// through `opendir`, which also asks for the folder's status (one system call more per
/// folder, a thousand in an npm monorepo of a thousand packages).
#[cfg(target_os = "linux")]
fn for_each_entry(dir: &Utf8Path, mut each: impl FnMut(&str, Kind)) -> Option<()> {
    use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, CWD};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK;
    let fd = rustix::fs::openat(CWD, dir.as_std_path(), flags, Mode::empty()).ok()?;
    let mut entries = Dir::new(fd).ok()?;
    while let Some(Ok(entry)) = entries.read() {
        let Ok(entry_name) = entry.file_name().to_str() else {
            continue;
        };
        let file_type = match entry.file_type() {
            // A file system that does not say: ask, without following a symlink.
            FileType::Unknown => match entries
                .fd()
                .and_then(|fd| rustix::fs::statat(fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW))
            {
                Ok(stat) => FileType::from_raw_mode(stat.st_mode),
                Err(_) => continue,
            },
            known => known,
        };
        let kind = match file_type {
            FileType::Directory => Kind::Folder,
            FileType::RegularFile => Kind::File,
            _ => Kind::Other,
        };
        each(entry_name, kind);
    }
    Some(())
}

/// Calls `each` with the name and kind of every entry of `dir` whose name is UTF-8; `None` when
/// `dir` cannot be opened. Entries that cannot be read are skipped.
#[cfg(not(target_os = "linux"))]
fn for_each_entry(dir: &Utf8Path, mut each: impl FnMut(&str, Kind)) -> Option<()> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let entry_name = entry.file_name();
        let Some(entry_name) = entry_name.to_str() else {
            continue;
        };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let kind = if file_type.is_dir() {
            Kind::Folder
        } else if file_type.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        each(entry_name, kind);
    }
    Some(())
}

/// The `.gitignore` of `dir`; what cannot be read or parsed counts as no pattern, as git
/// skips a pattern it cannot use.
fn read_gitignore(dir: &Utf8Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(dir);
    let _ = builder.add(dir.join(".gitignore"));
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Whether `path` is ignored: the nearest `.gitignore` with a pattern matching it decides
/// (ignored, or re-included with `!`).
fn ignored(mut ignores: Option<&Rc<Ignores>>, path: &Utf8Path, is_dir: bool) -> bool {
    while let Some(level) = ignores {
        match level.file.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => ignores = level.parent.as_ref(),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::Mutex;

    use super::*;

    fn write(root: &Utf8Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// What the `ignore` crate's walker, configured as discovery used it, finds.
    fn ignore_crate_walk(root: &Utf8Path, name: &str) -> Vec<String> {
        let found = Mutex::new(Vec::new());
        ignore::WalkBuilder::new(root)
            .require_git(false)
            .parents(false)
            .ignore(false)
            .git_global(false)
            .git_exclude(false)
            .filter_entry(|e| !matches!(e.file_name().to_str(), Some("node_modules" | "target")))
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    let entry = entry.unwrap();
                    if entry.file_type().is_some_and(|t| t.is_file()) && entry.file_name() == name {
                        let parent = Utf8Path::from_path(entry.path().parent().unwrap()).unwrap();
                        let rel = parent.strip_prefix(root).unwrap().as_str().to_owned();
                        found.lock().unwrap().push(rel);
                    }
                    ignore::WalkState::Continue
                })
            });
        let mut found = found.into_inner().unwrap();
        found.sort();
        found
    }

    #[test]
    fn finds_what_the_ignore_crate_walker_finds() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(tmp.path()).unwrap().to_owned();
        let wanted = [
            "",
            "a",
            "a/b/c",
            "keep/gen",
            "nested/kept",
            "deep/x/y/z",
            "build-tools",
        ];
        let unwanted = [
            "build",
            "a/b/build",
            ".hidden",
            "a/.venv",
            "node_modules/x",
            "a/target",
            "nested/gen",
            "nested/sub/gen",
            "logs/today",
            "deep/x/y/z/out",
            // A folder without subfolders whose own .gitignore ignores the file.
            "leafy",
        ];
        write(
            &root,
            ".gitignore",
            "build/\nlogs\n*.tmp\n# a comment\nkeep/*\n!keep/gen/\n",
        );
        write(&root, "nested/.gitignore", "gen\n!kept\n");
        write(&root, "deep/x/.gitignore", "out/\n");
        write(&root, "leafy/.gitignore", "pyproject.toml\n");
        write(&root, "keep/other/pyproject.toml", "");
        for dir in wanted.iter().chain(&unwanted) {
            let rel = if dir.is_empty() {
                "pyproject.toml".to_owned()
            } else {
                format!("{dir}/pyproject.toml")
            };
            write(&root, &rel, "");
        }
        // A folder named like the file, and a symlink to a file: neither counts.
        fs::create_dir_all(root.join("odd/pyproject.toml")).unwrap();
        #[cfg(unix)]
        {
            fs::create_dir_all(root.join("linked")).unwrap();
            std::os::unix::fs::symlink(
                root.join("pyproject.toml"),
                root.join("linked/pyproject.toml"),
            )
            .unwrap();
        }
        let mut ours = dirs_with_file(&root, "pyproject.toml");
        ours.sort();
        let mut expected: Vec<String> = wanted.iter().map(|d| d.to_string()).collect();
        expected.sort();
        assert_eq!(ours, expected);
        assert_eq!(ours, ignore_crate_walk(&root, "pyproject.toml"));
    }

    #[test]
    fn an_unreadable_root_finds_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(tmp.path()).unwrap().join("missing");
        assert!(dirs_with_file(&root, "pyproject.toml").is_empty());
    }
}
