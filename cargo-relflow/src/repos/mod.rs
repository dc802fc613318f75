//! Releases that span repositories: the `[[repo]]` release set of a coordinating repository.
//!
//! [`ReleaseSet::open`] reads the set from the coordinating repository's relflow.toml (cloning
//! `url` repos into `.relflow/repos/`); [`plan::plan_set`] opens every repo with
//! [`Repo::open`](crate::repo::Repo::open) and stages its `version` run and its pins, as data;
//! [`checks::check`] looks at every repo before anything changes; [`run::release`] versions,
//! commits, tags and pushes level by level, recording each step in the [`journal`]
//! (`.relflow/repos-run.json`) so a re-run resumes; [`rollback::rollback`] undoes a run with
//! new commits. The command is `cmd::repos`.

pub mod checks;
pub mod git;
pub mod journal;
pub mod plan;
pub mod rollback;
pub mod run;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::config::{self, ConfigSource, Locator};
use cargo_relflow_sync::discover;
use cargo_relflow_sync::repo_set::{self, RepoSource, SetVersioning};
use cargo_relflow_sync::InputError;

use crate::error::Failure;

/// The folder of the coordinating repository that holds relflow's run state and clones.
pub const STATE_DIR: &str = ".relflow";

/// A release set, read from the coordinating repository.
#[derive(Debug, Clone)]
pub struct ReleaseSet {
    /// The coordinating repository's root.
    pub root: Utf8PathBuf,
    /// Its configuration file and text, for messages.
    pub source: ConfigSource,
    /// How the repos are versioned.
    pub versioning: SetVersioning,
    /// The repos, in the order of the file.
    pub members: Vec<Member>,
}

/// One repo of the set.
#[derive(Debug, Clone)]
pub struct Member {
    /// Its name in the set.
    pub name: String,
    /// Its working tree.
    pub root: Utf8PathBuf,
    /// 0 for repos released first, else one more than the highest repo it waits for.
    pub level: usize,
    /// The files it pins to other repos' versions.
    pub pins: Vec<Pin>,
}

/// A file of a repo that carries another repo's version.
#[derive(Debug, Clone)]
pub struct Pin {
    /// The repo whose version it carries.
    pub from: String,
    /// The file, relative to the pinning repo's root.
    pub file: Utf8PathBuf,
    /// Where the version is in the file.
    pub locator: Locator,
    /// The line of the pin in the configuration file.
    pub line: usize,
}

impl ReleaseSet {
    /// Reads the set of the repository containing `start`: every `[[repo]]` of its relflow.toml,
    /// each a git working tree (`url` repos are cloned, or brought up to date, in
    /// `.relflow/repos/NAME`).
    pub fn open(start: &Utf8Path) -> Result<ReleaseSet, Failure> {
        let root = discover::find_root(start)?;
        let loaded = config::load(&root)?;
        let source = match loaded.source {
            Some(source) if !loaded.config.repos.is_empty() => source,
            _ => {
                return Err(InputError::new(format!(
                    "`{root}` declares no release set: relflow.toml has no `[[repo]]`"
                ))
                .with_path(root.join(config::CONFIG_FILE))
                .with_hint("add a `[[repo]]` with `name` and `path` or `url` for each repository")
                .into())
            }
        };
        let entries = &loaded.config.repos;
        let levels = repo_set::levels(entries).unwrap_or_else(|_| vec![0; entries.len()]);
        let line = |offset: usize| cargo_relflow_sync::diag::line_of_offset(&source.text, offset);
        let config_dir = source
            .path
            .parent()
            .map_or_else(|| root.clone(), |dir| root.join(dir));
        let mut members = Vec::new();
        for (entry, level) in entries.iter().zip(levels) {
            let name = entry.name.get_ref().clone();
            let member_root = match entry.source() {
                RepoSource::Path(path) => {
                    let at = entry.path.as_ref().map_or(0, |p| p.span().start);
                    let dir = config_dir.join(&path);
                    if gix::open(dir.as_std_path()).is_err() {
                        return Err(InputError::in_file(
                            &source.path,
                            format!(
                                "the `path` of repo `{name}`, `{dir}`, is not a git repository"
                            ),
                        )
                        .with_line(line(at))
                        .with_hint("point `path` at the root of a clone, relative to relflow.toml")
                        .into());
                    }
                    dir.canonicalize_utf8().unwrap_or(dir)
                }
                RepoSource::Url(url) => {
                    let dir = root.join(STATE_DIR).join("repos").join(&name);
                    git::clone_or_update(&url, &dir)?;
                    dir
                }
            };
            let pins = entry
                .pin
                .iter()
                .filter_map(|pin| {
                    Some(Pin {
                        from: pin.from.get_ref().clone(),
                        file: Utf8PathBuf::from(&pin.file),
                        locator: pin.locator()?,
                        line: line(pin.from.span().start),
                    })
                })
                .collect();
            members.push(Member {
                name,
                root: member_root,
                level,
                pins,
            });
        }
        Ok(ReleaseSet {
            root,
            versioning: loaded.config.version.unwrap_or_default(),
            source,
            members,
        })
    }

    /// The member indices in release order: by level, then as written.
    pub fn release_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.members.len()).collect();
        order.sort_by_key(|&at| self.members[at].level);
        order
    }
}
