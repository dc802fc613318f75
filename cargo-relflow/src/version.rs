//! `version` as a library call: turn the pending changesets into every file edit of a release.
//!
//! [`prepare`] reads the repository, computes the release plan and stages, in one [`FileSet`],
//! the new manifests, lockfiles, linked files, changelogs and the consumed changesets. Nothing is
//! written: the caller commits the set (all files or none) or prints its diff. A user's own
//! `cargo xtask release` calls the same function.

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::apply::{manifest_changes, npm};
use cargo_relflow_changeset::changed::is_skipped;
use cargo_relflow_changeset::changelog::{self, CliffConfig, Generator};
use cargo_relflow_changeset::changesets_config::Changelog;
use cargo_relflow_changeset::name_index::NameIndex;
use cargo_relflow_changeset::plan::{plan, ReleasePlan, SnapshotRequest};
use cargo_relflow_changeset::pre::{PreMode, PreState};
use cargo_relflow_changeset::{Bump, Changeset, PlanConfig};
use cargo_relflow_sync::edit::files::FileSet;
use cargo_relflow_sync::{InputError, Package};

use crate::changelog_github;
use crate::error::Failure;
use crate::history;
use crate::pre_file::write_pre_state;
use crate::publish::tags::{tag_format, tag_name};
use crate::registry::Environment;
use crate::repo::{ChangesetFile, Repo, CHANGESET_DIR};
use crate::stage::{npm_root_dependencies, stage_versions};

/// What to version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionRequest {
    /// `--snapshot [TAG]`: `Some(None)` for a snapshot without a tag.
    pub snapshot: Option<Option<String>>,
    /// Write changelogs (`--no-changelog` turns them off; so does `changelog: false`).
    pub changelog: bool,
    /// One version for every release with a bump instead of the plan's (a release set's shared
    /// version); it must be higher than each of their versions before.
    pub version: Option<semver::Version>,
    /// Ask no server (`--offline`, or `CARGO_NET_OFFLINE=true`): `@changesets/changelog-github`
    /// then writes the default format.
    pub offline: bool,
}

/// One package's release, as `version` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// The package's qualified name (`cargo:acme-core`).
    pub name: String,
    /// The version before.
    pub old_version: semver::Version,
    /// The version after.
    pub new_version: semver::Version,
    /// The bump.
    pub bump: Bump,
}

/// A prepared `version` run: every edit staged, nothing written.
#[derive(Debug, Clone)]
pub struct VersionRun {
    /// The files to write, remove or create.
    pub files: FileSet,
    /// The releases with a version, in plan order (`none` releases left out).
    pub released: Vec<Released>,
    /// Warnings about the configuration (unmatched groups), Changesets' texts.
    pub warnings: Vec<String>,
    /// The changelogs among [`VersionRun::files`], for config.json's `format`.
    pub changelogs: Vec<Utf8PathBuf>,
}

/// Why `version` has nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nothing {
    /// No unreleased changesets (Changesets v3 exits 1 with `No unreleased changesets found.`).
    NoChangesets,
}

/// The commit of each changeset, read from git history on a thread of its own: started as soon
/// as the repository root is known (see [`crate::repo::Repo::open_alongside`]), so that the walk
/// overlaps package discovery.
#[derive(Debug)]
pub struct History(std::thread::JoinHandle<anyhow::Result<HashMap<String, String>>>);

impl History {
    /// Starts reading, for every changeset file under `root`.
    pub fn start(root: &Utf8Path) -> History {
        let ids = crate::repo::changeset_ids(root);
        History::for_ids(root, ids)
    }

    fn for_ids(root: &Utf8Path, ids: Vec<String>) -> History {
        let root = root.to_owned();
        History(std::thread::spawn(move || {
            history::changeset_commits(&root, &ids)
        }))
    }

    fn wait(self) -> Result<HashMap<String, String>, Failure> {
        let commits = self
            .0
            .join()
            .map_err(|_| anyhow::anyhow!("the thread reading the git history panicked"))??;
        Ok(commits)
    }
}

/// Computes the plan and stages every file edit of the release.
pub fn prepare(
    repo: &Repo,
    request: &VersionRequest,
) -> Result<Result<VersionRun, Nothing>, Failure> {
    prepare_with(repo, request, None, None)
}

/// [`prepare`] with the changesets' history already being read (`None`: read it here), and
/// their files already read ([`crate::repo::read_changeset_files`], while the packages were
/// discovered; `None`: read them here).
pub fn prepare_with(
    repo: &Repo,
    request: &VersionRequest,
    history: Option<History>,
    files: Option<Result<Vec<ChangesetFile>, InputError>>,
) -> Result<Result<VersionRun, Nothing>, Failure> {
    let files_read = match files {
        Some(files) => repo.checked_changesets(files?)?,
        None => repo.read_changesets()?,
    };
    let pre = repo.pre.as_ref();
    if request.snapshot.is_some() && pre.is_some_and(|p| p.mode == PreMode::Pre) {
        return Err(InputError::new("Snapshot release is not allowed in pre mode")
            .with_hint("run `cargo relflow version pre exit` and `version` first, or drop `--snapshot`")
            .into());
    }
    let exiting = pre.is_some_and(|p| p.mode == PreMode::Exit);
    let changesets: Vec<Changeset> = files_read.iter().map(|f| f.changeset.clone()).collect();
    let config = repo.plan_config();
    let snapshot = request.snapshot.as_ref().map(|tag| SnapshotRequest {
        tag: tag.clone(),
        commit: crate::git::head_commit(repo.root()).ok(),
        now_millis: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
    });
    let mut release_plan = plan(
        repo.packages(),
        &changesets,
        &config,
        pre,
        snapshot.as_ref(),
    )
    .map_err(InputError::from)?;
    if let Some(version) = &request.version {
        set_versions(repo.packages(), &mut release_plan, version)?;
    }
    if release_plan.changesets.is_empty() && !exiting {
        return Ok(Err(Nothing::NoChangesets));
    }
    let with_changelogs = request.changelog && changelogs_enabled(repo);
    // The commit of each changeset (for the changelogs) is read from git history on threads of
    // its own while the manifests are staged, when the caller has not started it already.
    let history = with_changelogs.then(|| {
        history.unwrap_or_else(|| History::for_ids(repo.root(), release_plan.changesets.clone()))
    });
    let mut files = FileSet::new(repo.root());
    let changes = manifest_changes(repo.packages(), &release_plan, &config, snapshot.is_some());
    let npm_root = npm::requirement_changes(
        &npm_root_dependencies(&mut files, repo.packages())?,
        &release_plan.releases,
        repo.packages(),
        &config,
        snapshot.is_some(),
    );
    stage_versions(&mut files, &repo.workspace, &changes, &npm_root)?;
    let mut warnings = release_plan.warnings.clone();
    let changelogs = if let Some(history) = history {
        let commits = history.wait()?;
        let env = Environment::from_process();
        let offline = request.offline || env.get("CARGO_NET_OFFLINE") == Some("true");
        let generator = changelog_github::setup(repo, &env, offline)?;
        let (written, note) = stage_changelogs(
            &mut files,
            repo,
            &release_plan,
            &changesets,
            &commits,
            &config,
            generator,
        )?;
        warnings.extend(note);
        written
    } else {
        Vec::new()
    };
    consume_changesets(&mut files, repo, &files_read, &release_plan, &config)?;
    Ok(Ok(VersionRun {
        files,
        released: released(repo.packages(), &release_plan),
        warnings,
        changelogs,
    }))
}

/// Gives every release with a bump `version`; a version that is not higher than a package's
/// version before is an error.
fn set_versions(
    packages: &[Package],
    release_plan: &mut ReleasePlan,
    version: &semver::Version,
) -> Result<(), InputError> {
    for release in &mut release_plan.releases {
        if !release.versioned || release.bump == Bump::None {
            continue;
        }
        if *version <= release.old_version {
            return Err(InputError::new(format!(
                "version {version} is not higher than {} {}",
                packages[release.package].qualified_name(),
                release.old_version
            ))
            .with_hint(format!(
                "pass a version above {} with `--version`",
                release.old_version
            )));
        }
        release.new_version = version.clone();
    }
    Ok(())
}

/// Whether `.changeset/config.json` leaves changelogs on (`"changelog": false` turns them off).
fn changelogs_enabled(repo: &Repo) -> bool {
    repo.changesets_config
        .as_ref()
        .is_none_or(|c| c.changelog != Changelog::Disabled)
}

/// The CHANGELOG.md of each release that is not `none`: Changesets' default format, with the
/// conventional commits since the package's last tag when `[changelog] conventional_commits`.
/// The lines are `generator`'s (`@changesets/changelog-github` asks GitHub first). Returns the
/// changelogs staged, and the note to print when the default format replaced another.
fn stage_changelogs(
    files: &mut FileSet,
    repo: &Repo,
    release_plan: &ReleasePlan,
    changesets: &[Changeset],
    commits: &HashMap<String, String>,
    config: &PlanConfig,
    generator: changelog_github::Setup,
) -> Result<(Vec<Utf8PathBuf>, Option<String>), Failure> {
    let packages = repo.packages();
    let (mut entries, note) = match generator {
        changelog_github::Setup::Default(note) => (
            changelog::entries(packages, release_plan, changesets, commits, config),
            note,
        ),
        changelog_github::Setup::GitHub { mut lines, client } => {
            // A first rendering without answers says what to ask.
            let ask = Generator::GitHub(&lines);
            changelog::entries_with(packages, release_plan, changesets, commits, config, ask);
            let wanted = lines.wanted();
            changelog_github::answer(&mut lines, &client, &wanted)?;
            let github = Generator::GitHub(&lines);
            (
                changelog::entries_with(
                    packages,
                    release_plan,
                    changesets,
                    commits,
                    config,
                    github,
                ),
                None,
            )
        }
    };
    let settings = &repo.workspace.config.config.changelog;
    if settings.conventional_commits {
        let settings_path = repo
            .workspace
            .config
            .source
            .as_ref()
            .map_or_else(|| Utf8PathBuf::from("relflow.toml"), |s| s.path.clone());
        let cliff_toml = match &settings.cliff {
            Some(path) => Some(files.read(Utf8Path::new(path.get_ref()))?.to_owned()),
            None => None,
        };
        let cliff = CliffConfig::parse(settings, &settings_path, cliff_toml.as_deref())?;
        let format = tag_format(repo);
        let tags: Vec<Option<String>> = entries
            .iter()
            .map(|(index, _)| tag_name(&format, &packages[*index]))
            .collect();
        let queries: Vec<history::PackageQuery<'_>> = entries
            .iter()
            .zip(&tags)
            .map(|((index, _), tag)| history::PackageQuery {
                dir: &packages[*index].dir,
                since_tag: tag.as_deref(),
            })
            .collect();
        let dirs: Vec<&Utf8Path> = packages.iter().map(|p| p.dir.as_path()).collect();
        let found = history::package_commits(repo.root(), &queries, &dirs)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let mut new_versions: HashMap<usize, String> = HashMap::new();
        for release in &release_plan.releases {
            new_versions
                .entry(release.package)
                .or_insert_with(|| release.new_version.to_string());
        }
        for ((index, entry), commits) in entries.iter_mut().zip(&found) {
            let release = new_versions.get(index).cloned().unwrap_or_default();
            let section = changelog::conventional_section(&cliff, &release, now, commits)?;
            *entry = changelog::append(entry, &section);
        }
    }
    let configured = configured_changelogs(repo);
    let mut written = Vec::with_capacity(entries.len());
    for (index, entry) in entries {
        let package = &packages[index];
        let path = configured
            .get(&index)
            .cloned()
            .unwrap_or_else(|| package.dir.join("CHANGELOG.md"));
        let existing = files.read_optional(&path)?.map(ToOwned::to_owned);
        let text = changelog::insert(existing.as_deref(), &package.name, &entry);
        files.write(&path, text)?;
        written.push(path);
    }
    Ok((written, note))
}

/// A package's changelog: relflow.toml's `[[package]] changelog`, else `CHANGELOG.md` in its
/// directory.
pub(crate) fn changelog_path(repo: &Repo, index: usize) -> Utf8PathBuf {
    configured_changelogs(repo)
        .remove(&index)
        .unwrap_or_else(|| repo.packages()[index].dir.join("CHANGELOG.md"))
}

/// The changelogs relflow.toml's `[[package]] changelog` names, by package index (the first
/// entry naming a package decides); the others are `CHANGELOG.md` in the package directory.
fn configured_changelogs(repo: &Repo) -> HashMap<usize, Utf8PathBuf> {
    let index = NameIndex::new(repo.packages());
    let mut paths = HashMap::new();
    for entry in &repo.workspace.config.config.packages {
        if let Ok(package) = index.resolve(entry.name.get_ref()) {
            paths.entry(package).or_insert_with(|| {
                entry
                    .changelog
                    .as_ref()
                    .map(|c| Utf8PathBuf::from(c.get_ref()))
            });
        }
    }
    paths
        .into_iter()
        .filter_map(|(package, path)| Some((package, path?)))
        .collect()
}

fn released(packages: &[Package], release_plan: &ReleasePlan) -> Vec<Released> {
    release_plan
        .releases
        .iter()
        .filter(|r| r.versioned && r.bump != Bump::None)
        .map(|r| Released {
            name: packages[r.package].qualified_name(),
            old_version: r.old_version.clone(),
            new_version: r.new_version.clone(),
            bump: r.bump,
        })
        .collect()
}

/// Deletes the changesets the plan used, as Changesets v3 does: changesets naming a skipped
/// package stay; in pre mode they move to `.changeset/pre/` instead; on pre exit, `pre.json` and
/// every changeset go.
fn consume_changesets(
    files: &mut FileSet,
    repo: &Repo,
    changeset_files: &[ChangesetFile],
    release_plan: &ReleasePlan,
    config: &PlanConfig,
) -> Result<(), InputError> {
    let packages = repo.packages();
    let index = NameIndex::new(packages);
    let names_skipped = |file: &ChangesetFile| {
        file.changeset.releases.iter().any(|release| {
            index
                .resolve(&release.name)
                .is_ok_and(|i| is_skipped(&packages[i], config))
        })
    };
    let plan_ids: HashSet<&str> = release_plan.changesets.iter().map(String::as_str).collect();
    let used = |file: &ChangesetFile| plan_ids.contains(file.changeset.id.as_str());
    let dir = Utf8PathBuf::from(CHANGESET_DIR);
    match &repo.pre {
        Some(PreState {
            mode: PreMode::Pre, ..
        }) => {
            // A v2 file is migrated, as Changesets v3 does when it reads one: its bookkeeping is
            // replaced by the files under `.changeset/pre/`. A v3 file is left as it is.
            let state = repo.pre.clone().map(|mut state| {
                state.changesets.retain(|id| !id.starts_with("pre/"));
                state
            });
            if let Some(state) = state.filter(PreState::is_v2) {
                write_pre_state(files, &state)?;
            }
            for file in changeset_files
                .iter()
                .filter(|f| used(f) && !names_skipped(f))
            {
                if file.changeset.id.starts_with("pre/") {
                    continue;
                }
                // The file as read a moment ago; the set does not read it again.
                files.remove_read(&file.path, file.text.clone())?;
                files.write(
                    &dir.join("pre").join(format!("{}.md", file.changeset.id)),
                    file.text.clone(),
                )?;
            }
        }
        Some(PreState {
            mode: PreMode::Exit,
            ..
        }) => {
            files.remove(&dir.join("pre.json"))?;
            for file in changeset_files.iter().filter(|f| !names_skipped(f)) {
                files.remove_read(&file.path, file.text.clone())?;
            }
        }
        None => {
            for file in changeset_files
                .iter()
                .filter(|f| used(f) && !names_skipped(f))
            {
                files.remove_read(&file.path, file.text.clone())?;
            }
        }
    }
    Ok(())
}
