//! `.relflow/repos-run.json`: what a `repos release` run has done, step by step, so a re-run
//! after a failure continues with what is left and `repos rollback` knows what to undo.
//!
//! The file is written (a temporary file renamed over it) before the first change and after every
//! finished step.

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::InputError;
use serde::{Deserialize, Serialize};

use super::STATE_DIR;
use crate::error::Failure;

/// The journal's file, relative to the coordinating repository's root.
pub const FILE: &str = "repos-run.json";

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    /// Started and not finished: a re-run resumes it.
    Running,
    /// Every step done.
    Done,
    /// Undone by `repos rollback`.
    RolledBack,
}

/// One run of `repos release`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// Where the run stands.
    pub state: RunState,
    /// The shared version, when the set has one.
    pub shared_version: Option<semver::Version>,
    /// Whether the run publishes.
    pub publish: bool,
    /// The repos with something to do, in release order.
    pub repos: Vec<RepoEntry>,
}

/// What the run does and did in one repo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoEntry {
    /// The repo's name in the set.
    pub name: String,
    /// Its working tree.
    pub root: Utf8PathBuf,
    /// Its level.
    pub level: usize,
    /// Its base branch.
    pub branch: String,
    /// Its new version (`None`: it only rewrites pins).
    pub version: Option<semver::Version>,
    /// The tags it creates.
    pub tags: Vec<String>,
    /// The release commit, once made.
    pub commit: Option<String>,
    /// Whether the tags exist locally.
    pub tagged: bool,
    /// Whether the commit and the tags are on `origin`.
    pub pushed: bool,
    /// The packages published (`name@version`), once `publish` ran here.
    pub published: Option<Vec<String>>,
    /// Whether `repos rollback --yank` rolled back what was published.
    #[serde(default)]
    pub yanked: bool,
    /// The revert commit, once rolled back.
    pub reverted: Option<String>,
}

/// The journal's path under the coordinating repository's `root`.
pub fn path(root: &Utf8Path) -> Utf8PathBuf {
    root.join(STATE_DIR).join(FILE)
}

/// Reads the journal of the coordinating repository at `root`, if any.
pub fn load(root: &Utf8Path) -> Result<Option<Journal>, Failure> {
    let path = path(root);
    let Some(text) = cargo_relflow_sync::config::read_optional(&path)? else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        InputError::in_file(&path, format!("cannot read the release journal: {e}"))
            .with_line(e.line())
            .with_hint("it is written by `cargo relflow repos release`; delete it to start afresh")
            .into()
    })
}

impl Journal {
    /// Writes the journal (temp file and rename).
    pub fn save(&self, root: &Utf8Path) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(self).map_err(anyhow::Error::from)?;
        let path = path(root);
        let temp = path.with_extension("json.tmp");
        std::fs::create_dir_all(root.join(STATE_DIR))
            .and_then(|()| std::fs::write(&temp, format!("{text}\n")))
            .and_then(|()| std::fs::rename(&temp, &path))
            .map_err(|e| anyhow::anyhow!("cannot write `{path}`: {e}"))?;
        Ok(())
    }

    /// The entry of the repo called `name`.
    pub fn repo(&self, name: &str) -> Option<&RepoEntry> {
        self.repos.iter().find(|r| r.name == name)
    }

    /// The entry of the repo called `name`, to update.
    pub fn repo_mut(&mut self, name: &str) -> Option<&mut RepoEntry> {
        self.repos.iter_mut().find(|r| r.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_round_trips_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8Path::from_path(dir.path()).unwrap();
        assert_eq!(load(root).unwrap(), None);
        let journal = Journal {
            state: RunState::Running,
            shared_version: Some(semver::Version::new(1, 3, 0)),
            publish: false,
            repos: vec![RepoEntry {
                name: "core".into(),
                root: root.to_owned(),
                level: 0,
                branch: "main".into(),
                version: Some(semver::Version::new(1, 3, 0)),
                tags: vec!["v1.3.0".into()],
                commit: Some("abc".into()),
                tagged: true,
                pushed: false,
                published: None,
                yanked: false,
                reverted: None,
            }],
        };
        journal.save(root).unwrap();
        assert_eq!(load(root).unwrap(), Some(journal));
        std::fs::write(path(root), "{\n  \"state\": 3\n}").unwrap();
        let error = load(root).unwrap_err();
        assert_eq!(error.exit_code(), 2);
    }
}
