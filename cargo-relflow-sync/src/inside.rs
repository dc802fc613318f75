//! Paths that must stay inside the repository.
//!
//! Every path relflow reads from configuration or a manifest (a `[[sync]]` file, a changelog, a
//! generic package's directory, a workspace glob) is relative to the repository root, and
//! relflow writes to it. [`lexical`] refuses what escapes on its face (an absolute path, a `..`
//! that climbs above the root); [`resolve`] follows symlinks on disk and refuses a path that
//! lands outside, or a symlink that points nowhere.

use std::collections::HashMap;

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};

/// Why a path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outside {
    /// An absolute path (or a Windows prefix).
    Absolute,
    /// `..` climbs above the repository root.
    Climbs,
    /// After symlinks, the path is at `resolved`, outside the repository.
    Symlink {
        /// Where the path really is.
        resolved: Utf8PathBuf,
    },
    /// The path (or a directory on the way) is a symlink to `target`, which does not exist.
    Dangling {
        /// The symlink, relative to the root.
        link: Utf8PathBuf,
        /// What it points to.
        target: Utf8PathBuf,
    },
    /// The path could not be examined.
    Unreadable(String),
}

impl Outside {
    /// A sentence about `path` for an error message.
    pub fn describe(&self, path: &str) -> String {
        match self {
            Outside::Absolute => {
                format!("`{path}` is an absolute path; paths are relative to the repository root")
            }
            Outside::Climbs => format!("`{path}` is outside the repository (`..` climbs above the root)"),
            Outside::Symlink { resolved } => format!(
                "`{path}` is outside the repository: through a symlink it is `{resolved}`"
            ),
            Outside::Dangling { link, target } => format!(
                "`{path}` goes through the symlink `{link}`, which points to `{target}`, and that does not exist"
            ),
            Outside::Unreadable(error) => format!("`{path}` cannot be examined: {error}"),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Outside::Dangling { .. } => "fix or remove the symlink",
            _ => "relflow only writes inside the repository; name a path under its root",
        }
    }
}

/// The part of a path or glob before its first component with a wildcard (`packages/*/src` gives
/// `packages`): the part a glob's matches all lie below.
pub fn literal_prefix(pattern: &str) -> String {
    pattern
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[', '{']))
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` without `.` components and with each `..` applied, if it stays inside the root.
pub fn lexical(path: &Utf8Path) -> Result<Utf8PathBuf, Outside> {
    let mut kept: Vec<&str> = Vec::new();
    for component in path.components() {
        match component {
            Utf8Component::Prefix(_) | Utf8Component::RootDir => return Err(Outside::Absolute),
            Utf8Component::CurDir => {}
            Utf8Component::ParentDir => {
                if kept.pop().is_none() {
                    return Err(Outside::Climbs);
                }
            }
            Utf8Component::Normal(name) => kept.push(name),
        }
    }
    Ok(kept.iter().collect())
}

/// Where `rel` (relative to `root`) really is once symlinks are followed, as an absolute path
/// under the canonical `root`; an error when that is outside the root or a symlink dangles.
/// Parts of the path that do not exist yet (a changelog to create) are taken as written.
pub fn resolve(root: &Utf8Path, rel: &Utf8Path) -> Result<Utf8PathBuf, Outside> {
    Resolver::new(root)?.resolve(rel)
}

/// [`resolve`] for many paths of one repository: each directory is resolved once, so a path
/// costs one `lstat` of its own once its directory is known.
#[derive(Debug, Clone)]
pub struct Resolver {
    /// The canonical repository root.
    root: Utf8PathBuf,
    /// Resolved directories, by their lexical path relative to the root.
    dirs: HashMap<Utf8PathBuf, Result<Utf8PathBuf, Outside>>,
}

impl Resolver {
    /// A resolver for the repository at `root`.
    pub fn new(root: &Utf8Path) -> Result<Resolver, Outside> {
        let root = root
            .canonicalize_utf8()
            .map_err(|e| Outside::Unreadable(e.to_string()))?;
        Ok(Resolver {
            root,
            dirs: HashMap::new(),
        })
    }

    /// Where `rel` really is (see [`resolve`]).
    pub fn resolve(&mut self, rel: &Utf8Path) -> Result<Utf8PathBuf, Outside> {
        let rel = lexical(rel)?;
        let resolved = self.resolve_lexical(&rel)?;
        if resolved.starts_with(&self.root) {
            Ok(resolved)
        } else {
            Err(Outside::Symlink { resolved })
        }
    }

    /// `rel` (already lexically inside) with symlinks followed; whether the result is inside is
    /// for the caller to check.
    fn resolve_lexical(&mut self, rel: &Utf8Path) -> Result<Utf8PathBuf, Outside> {
        let Some(name) = rel.file_name() else {
            return Ok(self.root.clone());
        };
        let parent = rel.parent().unwrap_or(Utf8Path::new("")).to_owned();
        let dir = match self.dirs.get(&parent) {
            Some(known) => known.clone()?,
            None => {
                let found = self.resolve_lexical(&parent);
                self.dirs.insert(parent, found.clone());
                found?
            }
        };
        let next = dir.join(name);
        match std::fs::symlink_metadata(&next) {
            Ok(meta) if meta.file_type().is_symlink() => match next.canonicalize_utf8() {
                Ok(target) => Ok(target),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let target = std::fs::read_link(&next)
                        .ok()
                        .and_then(|t| Utf8PathBuf::from_path_buf(t).ok())
                        .unwrap_or_default();
                    let link = next
                        .strip_prefix(&self.root)
                        .map(Utf8Path::to_owned)
                        .unwrap_or(next);
                    Err(Outside::Dangling { link, target })
                }
                Err(e) => Err(Outside::Unreadable(e.to_string())),
            },
            // Not there yet, or not a symlink: as written.
            Ok(_) => Ok(next),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(next),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Ok(next),
            Err(e) => Err(Outside::Unreadable(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root() -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().canonicalize().unwrap()).unwrap();
        (dir, root)
    }

    #[test]
    fn lexical_keeps_inside_paths_and_refuses_the_rest() {
        assert_eq!(
            lexical("a/./b/../c".into()).unwrap(),
            Utf8PathBuf::from("a/c")
        );
        assert_eq!(lexical("./x".into()).unwrap(), Utf8PathBuf::from("x"));
        assert_eq!(lexical("../victim.json".into()), Err(Outside::Climbs));
        assert_eq!(lexical("a/../../b".into()), Err(Outside::Climbs));
        assert_eq!(lexical("/etc/passwd".into()), Err(Outside::Absolute));
    }

    #[test]
    fn resolve_follows_symlinks_and_refuses_escapes() {
        let (_dir, root) = temp_root();
        let (_outside_dir, outside) = temp_root();
        std::fs::create_dir(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/real.md"), "x").unwrap();
        std::os::unix::fs::symlink("real.md", root.join("docs/link.md")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        std::os::unix::fs::symlink("missing.md", root.join("docs/dangling.md")).unwrap();

        assert_eq!(
            resolve(&root, "docs/link.md".into()).unwrap(),
            root.join("docs/real.md")
        );
        assert_eq!(
            resolve(&root, "docs/new/CHANGELOG.md".into()).unwrap(),
            root.join("docs/new/CHANGELOG.md")
        );
        assert_eq!(
            resolve(&root, "out/victim.json".into()),
            Err(Outside::Symlink {
                resolved: outside.join("victim.json")
            })
        );
        assert_eq!(
            resolve(&root, "docs/dangling.md".into()),
            Err(Outside::Dangling {
                link: "docs/dangling.md".into(),
                target: "missing.md".into()
            })
        );
    }
}
