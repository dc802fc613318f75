//! The plan of a release set, as data: for each repo in release order, its own release plan
//! (what `changeset status` there says), its staged `version` run, its new version, the tags it
//! creates and the pins it rewrites. Nothing is written.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_changeset::plan::{plan, ReleasePlan};
use cargo_relflow_changeset::{Bump, Changeset};
use cargo_relflow_sync::edit::files::FileSet;
use cargo_relflow_sync::edit::linked::{read_version, set_version};
use cargo_relflow_sync::repo_set::SetVersioning;
use cargo_relflow_sync::{InputError, Package};

use super::journal::{Journal, RepoEntry};
use super::{Member, Pin, ReleaseSet};
use crate::error::Failure;
use crate::publish::tags::{tag_format, tag_name};
use crate::repo::Repo;
use crate::version::{prepare, Released, VersionRequest};

/// What to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanRequest {
    /// `--version X`: the shared version instead of the highest one the plans ask for.
    pub version: Option<semver::Version>,
}

/// The whole set's plan.
#[derive(Debug, Clone)]
pub struct SetPlan {
    /// The one version of a `version = "shared"` set (`None`: independent, or nothing to release).
    pub shared: Option<semver::Version>,
    /// Every repo, in release order.
    pub repos: Vec<RepoPlan>,
}

/// One repo's part of the release.
#[derive(Debug, Clone)]
pub struct RepoPlan {
    /// The repo's name in the set.
    pub name: String,
    /// Its working tree.
    pub root: Utf8PathBuf,
    /// Its level: repos of one level are released together, after the level before.
    pub level: usize,
    /// Its base branch.
    pub branch: String,
    /// Its own release plan; `None` for a repo a resumed run already committed.
    pub status: Option<RepoStatus>,
    /// Its new version: the shared one, else the highest new version of its plan.
    pub version: Option<semver::Version>,
    /// The packages it releases.
    pub released: Vec<Released>,
    /// The tags it creates (its `tag_format`, one per released package that is tagged).
    pub tags: Vec<String>,
    /// The pins it rewrites.
    pub pins: Vec<PinChange>,
    /// Every file edit: the `version` run and the pins.
    pub files: FileSet,
    /// Warnings of its plan.
    pub warnings: Vec<String>,
    /// What an earlier run of this release already did here.
    pub resumed: Option<RepoEntry>,
}

/// A repo's release plan as `changeset status` computes it.
#[derive(Debug, Clone)]
pub struct RepoStatus {
    /// The repo's packages.
    pub packages: Vec<Package>,
    /// The plan.
    pub plan: ReleasePlan,
    /// The changesets it counts.
    pub changesets: Vec<Changeset>,
}

/// A pin whose version changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinChange {
    /// The file, relative to the repo's root.
    pub file: Utf8PathBuf,
    /// The repo whose version it carries.
    pub from: String,
    /// The version written there now.
    pub old: String,
    /// The version written.
    pub new: String,
}

impl RepoPlan {
    /// Whether the release changes anything in this repo.
    pub fn has_work(&self) -> bool {
        self.resumed.is_some() || self.files.changes().next().is_some() || !self.tags.is_empty()
    }

    /// The release commit's message: `chore: release vX.Y.Z`, or for a repo that only rewrites
    /// pins, `chore: pin REPO vX.Y.Z, ...`.
    pub fn commit_message(&self) -> String {
        match &self.version {
            Some(version) => format!("chore: release v{version}"),
            None => {
                let pins: Vec<String> = self
                    .pins
                    .iter()
                    .map(|p| format!("{} v{}", p.from, p.new))
                    .collect();
                format!("chore: pin {}", pins.join(", "))
            }
        }
    }
}

impl SetPlan {
    /// The repos with something to do.
    pub fn working(&self) -> impl Iterator<Item = &RepoPlan> {
        self.repos.iter().filter(|r| r.has_work())
    }

    /// The highest level.
    pub fn max_level(&self) -> usize {
        self.repos.iter().map(|r| r.level).max().unwrap_or(0)
    }
}

/// Plans the release of every repo of `set`. A `journal` of an unfinished run fixes the shared
/// version and the repos it already committed.
pub fn plan_set(
    set: &ReleaseSet,
    request: &PlanRequest,
    journal: Option<&Journal>,
) -> Result<SetPlan, Failure> {
    if request.version.is_some() && set.versioning != SetVersioning::Shared {
        return Err(InputError::in_file(
            &set.source.path,
            "`--version` gives every repo one version, but this set is not `version = \"shared\"`",
        )
        .with_hint("add `version = \"shared\"` to relflow.toml, or drop `--version`")
        .into());
    }
    let order = set.release_order();
    let mut opened: Vec<Option<(Repo, RepoStatus)>> = Vec::new();
    for &at in &order {
        let member = &set.members[at];
        if journal
            .and_then(|j| j.repo(&member.name))
            .is_some_and(|entry| entry.commit.is_some())
        {
            opened.push(None);
            continue;
        }
        let repo = Repo::open(&member.root).map_err(|e| in_repo(member, e))?;
        let status = status(&repo).map_err(|e| in_repo(member, e))?;
        opened.push(Some((repo, status)));
    }
    let shared = match journal {
        Some(journal) => {
            if let (Some(asked), Some(recorded)) = (&request.version, &journal.shared_version) {
                if asked != recorded {
                    return Err(InputError::new(format!(
                        "`--version {asked}` differs from the version {recorded} of the unfinished release"
                    ))
                    .with_path(super::journal::path(&set.root))
                    .with_hint("re-run without `--version` to finish it, or `cargo relflow repos rollback` it first")
                    .into());
                }
            }
            journal.shared_version.clone()
        }
        None if set.versioning == SetVersioning::Shared => request.version.clone().or_else(|| {
            opened
                .iter()
                .flatten()
                .flat_map(|(_, status)| bumped(&status.plan))
                .max()
        }),
        None => None,
    };
    let mut versions: BTreeMap<String, semver::Version> = BTreeMap::new();
    let mut repos = Vec::new();
    for (&at, opened) in order.iter().zip(opened) {
        let member = &set.members[at];
        let planned = match opened {
            None => {
                let entry = journal
                    .and_then(|j| j.repo(&member.name))
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("the journal lost repo `{}`", member.name))?;
                resumed(member, entry)
            }
            Some((repo, status)) => plan_repo(member, &repo, status, shared.as_ref(), &versions)
                .map_err(|e| in_repo(member, e))?,
        };
        if let Some(version) = &planned.version {
            versions.insert(member.name.clone(), version.clone());
        }
        repos.push(planned);
    }
    Ok(SetPlan { shared, repos })
}

/// The plan `changeset status` shows in `repo`.
fn status(repo: &Repo) -> Result<RepoStatus, Failure> {
    let changesets: Vec<Changeset> = if repo.changeset_dir().is_ok() {
        repo.read_changesets()?
            .into_iter()
            .map(|f| f.changeset)
            .collect()
    } else {
        Vec::new()
    };
    let plan = plan(
        repo.packages(),
        &changesets,
        &repo.plan_config(),
        repo.pre.as_ref(),
        None,
    )
    .map_err(InputError::from)?;
    Ok(RepoStatus {
        packages: repo.packages().to_vec(),
        plan,
        changesets,
    })
}

/// The new versions of a plan's releases that have one.
fn bumped(plan: &ReleasePlan) -> impl Iterator<Item = semver::Version> + '_ {
    plan.releases
        .iter()
        .filter(|r| r.versioned && r.bump != Bump::None)
        .map(|r| r.new_version.clone())
}

fn plan_repo(
    member: &Member,
    repo: &Repo,
    status: RepoStatus,
    shared: Option<&semver::Version>,
    versions: &BTreeMap<String, semver::Version>,
) -> Result<RepoPlan, Failure> {
    let request = VersionRequest {
        snapshot: None,
        changelog: true,
        version: shared.cloned(),
        offline: false,
    };
    let run = if bumped(&status.plan).next().is_some() {
        prepare(repo, &request)?.ok()
    } else {
        None
    };
    let (mut files, released, warnings) = match run {
        Some(run) => (run.files, run.released, run.warnings),
        None => (FileSet::new(repo.root()), Vec::new(), Vec::new()),
    };
    let version = released.iter().map(|r| r.new_version.clone()).max();
    let tags = tags(repo, &released);
    let mut pins = Vec::new();
    for pin in &member.pins {
        if let Some(change) = rewrite_pin(&mut files, pin, versions.get(&pin.from))? {
            pins.push(change);
        }
    }
    Ok(RepoPlan {
        name: member.name.clone(),
        root: member.root.clone(),
        level: member.level,
        branch: repo.base_branch(),
        status: Some(status),
        version,
        released,
        tags,
        pins,
        files,
        warnings,
        resumed: None,
    })
}

/// A repo an earlier run already committed: what the journal says.
fn resumed(member: &Member, entry: RepoEntry) -> RepoPlan {
    RepoPlan {
        name: member.name.clone(),
        root: member.root.clone(),
        level: member.level,
        branch: entry.branch.clone(),
        status: None,
        version: entry.version.clone(),
        released: Vec::new(),
        tags: entry.tags.clone(),
        pins: Vec::new(),
        files: FileSet::new(&member.root),
        warnings: Vec::new(),
        resumed: Some(entry),
    }
}

/// The tags of the released packages: the repo's `tag_format` at the new versions, for packages
/// that are published, or all of them when private packages are tagged.
fn tags(repo: &Repo, released: &[Released]) -> Vec<String> {
    let format = tag_format(repo);
    let tag_private = repo.plan_config().private_packages.tag;
    let mut tags: Vec<String> = released
        .iter()
        .filter_map(|release| {
            let package = repo
                .packages()
                .iter()
                .find(|p| p.qualified_name() == release.name)?;
            if !package.publish.is_published() && !tag_private {
                return None;
            }
            let mut at_new = package.clone();
            at_new.version = Some(release.new_version.clone());
            tag_name(&format, &at_new)
        })
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Reads the pinned version (a pin that finds nothing is an error, whether or not it changes) and
/// writes `new` there when it differs.
fn rewrite_pin(
    files: &mut FileSet,
    pin: &Pin,
    new: Option<&semver::Version>,
) -> Result<Option<PinChange>, InputError> {
    let on_line = |mut error: InputError| {
        let hint = error
            .hint
            .take()
            .map_or_else(String::new, |h| format!("{h}; "));
        error.with_hint(format!(
            "{hint}the `pin` is on line {} of the set's configuration",
            pin.line
        ))
    };
    let text = files.read(&pin.file).map_err(on_line)?;
    let old = read_version(text, &pin.file, &pin.locator).map_err(on_line)?;
    let Some(new) = new.map(ToString::to_string) else {
        return Ok(None);
    };
    if old == new {
        return Ok(None);
    }
    files.edit(&pin.file, |text| {
        set_version(text, &pin.file, &pin.locator, &new)
    })?;
    Ok(Some(PinChange {
        file: pin.file.clone(),
        from: pin.from.clone(),
        old,
        new,
    }))
}

/// A failure inside a member repo, with the repo named and its file made absolute.
fn in_repo(member: &Member, failure: Failure) -> Failure {
    match failure {
        Failure::Input(mut input) => {
            input.message = format!("repo `{}`: {}", member.name, input.message);
            input.path = input.path.map(|p| absolute(&member.root, p));
            Failure::Input(input)
        }
        Failure::External(error) => {
            Failure::External(error.context(format!("repo `{}`", member.name)))
        }
    }
}

fn absolute(root: &Utf8Path, path: Utf8PathBuf) -> Utf8PathBuf {
    if path.is_absolute() {
        path
    } else {
        root.join(path)
    }
}
