//! `release-pr` as a library call: the release pull request. `version` runs on a commit of the
//! base branch in a detached worktree (the user's checkout is left alone), the result is
//! committed, pushed to `origin` as the release branch (created or reset from the base, with
//! `--force-with-lease` against what the remote had), and one pull request from that branch
//! into the base is opened or updated with the plan's markdown table and each package's new
//! changelog section.
//!
//! [`plan`] does everything that decides (the worktree, `version`, the message and body) and
//! returns a [`ReleasePrPlan`]; [`apply`] does the effects (commit, push, pull request). A dry
//! run stops after the plan. With no changesets there is nothing to plan, and nothing is closed.

mod body;
mod git;

use camino::Utf8Path;
use cargo_relflow_changeset::plan::plan as release_plan;
use cargo_relflow_changeset::Changeset;
use cargo_relflow_sync::InputError;

use crate::error::Failure;
use crate::forge::remote::Unresolved;
use crate::forge::{self, Forge, ForgeSpec, NewPullRequest};
use crate::lock::RepoLock;
use crate::publish::secrets::Secrets;
use crate::publish::REMOTE;
use crate::registry::Environment;
use crate::repo::Repo;
use crate::ui::Ui;
use crate::version::{prepare, Nothing, Released, VersionRequest};

/// The default commit message and pull request title.
pub const DEFAULT_MESSAGE: &str = "chore: release versions";
/// The default release branch.
pub const DEFAULT_BRANCH: &str = "relflow/release";

/// What to do.
#[derive(Debug, Clone)]
pub struct ReleasePrRequest {
    /// The release branch.
    pub branch: String,
    /// The base branch (`None`: relflow.toml's / config.json's base branch, else `main`).
    pub base: Option<String>,
    /// Plan only: push nothing, ask no forge.
    pub dry_run: bool,
    /// Where the forge token is read from.
    pub env: Environment,
}

/// The release pull request as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasePrPlan {
    /// The release branch.
    pub branch: String,
    /// The base branch.
    pub base: String,
    /// The base commit the branch starts from.
    pub base_commit: String,
    /// The commit message, also the pull request's title.
    pub message: String,
    /// The pull request's description.
    pub body: String,
    /// The releases `version` makes.
    pub released: Vec<Released>,
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasePrOutcome {
    /// The release commit.
    pub commit: String,
    /// Whether the branch was pushed (false: `origin` had the same release already).
    pub pushed: bool,
    /// The pull request's number.
    pub number: u64,
    /// Its page.
    pub url: String,
    /// `created`, `updated` or `unchanged`.
    pub action: &'static str,
}

/// A plan and the worktree it was made in (removed when dropped).
pub struct Planned {
    /// The plan.
    pub plan: ReleasePrPlan,
    worktree: git::Worktree,
    files: cargo_relflow_sync::edit::files::FileSet,
    forge: Option<(ForgeSpec, Box<dyn Forge>)>,
}

/// Plans the release pull request of `repo`; `Ok(None)` when there are no changesets.
///
/// A real run resolves the forge and its token first: a missing token is bad input, before
/// anything is made.
pub fn plan(repo: &Repo, request: &ReleasePrRequest) -> Result<Option<Planned>, Failure> {
    let base = request.base.clone().unwrap_or_else(|| repo.base_branch());
    let forge = if request.dry_run {
        None
    } else {
        Some(open_forge(repo, &request.env)?)
    };
    let base_commit = git::resolve_base(repo.root(), &base)?;
    let worktree = git::Worktree::add(repo.root(), &base_commit)?;
    let branch_repo = Repo::open(worktree.path())?;
    let version_request = VersionRequest {
        snapshot: None,
        changelog: true,
        version: None,
        offline: false,
    };
    let run = match prepare(&branch_repo, &version_request)? {
        Ok(run) => run,
        Err(Nothing::NoChangesets) => return Ok(None),
    };
    let changesets: Vec<Changeset> = branch_repo
        .read_changesets()?
        .into_iter()
        .map(|f| f.changeset)
        .collect();
    let plan_of_base = release_plan(
        branch_repo.packages(),
        &changesets,
        &branch_repo.plan_config(),
        branch_repo.pre.as_ref(),
        None,
    )
    .map_err(InputError::from)?;
    let message = repo
        .workspace
        .config
        .config
        .release_pr
        .commit_message
        .clone()
        .unwrap_or_else(|| DEFAULT_MESSAGE.to_owned());
    let body = body::render(&branch_repo, &plan_of_base, &run);
    Ok(Some(Planned {
        plan: ReleasePrPlan {
            branch: request.branch.clone(),
            base,
            base_commit,
            message,
            body,
            released: run.released.clone(),
        },
        worktree,
        files: run.files,
        forge,
    }))
}

/// Commits the plan's files on the release branch, pushes it and opens or updates the pull
/// request.
pub fn apply(planned: Planned, env: &Environment, ui: &Ui) -> Result<ReleasePrOutcome, Failure> {
    let Planned {
        plan,
        worktree,
        files,
        forge,
    } = planned;
    let Some((_, forge)) = forge else {
        return Err(anyhow::anyhow!("a dry-run plan cannot be applied").into());
    };
    RepoLock::acquire(worktree.path(), ui)?.commit(files.into_transaction())?;
    let commit = worktree.commit(&plan.message)?;
    let secrets = Secrets::new(env, []);
    let pushed = git::push_branch(
        worktree.path(),
        REMOTE,
        &commit,
        &plan.branch,
        &plan.base_commit,
        &secrets,
    )?;
    let new = NewPullRequest {
        head: plan.branch.clone(),
        base: plan.base.clone(),
        title: plan.message.clone(),
        body: plan.body.clone(),
    };
    let (pull, action) = match forge.find_pull_request(&plan.branch, &plan.base)? {
        Some(pull) if pull.title == new.title && pull.body.trim_end() == new.body.trim_end() => {
            (pull, "unchanged")
        }
        Some(pull) => (forge.update_pull_request(pull.number, &new)?, "updated"),
        None => (forge.create_pull_request(&new)?, "created"),
    };
    Ok(ReleasePrOutcome {
        commit,
        pushed,
        number: pull.number,
        url: pull.url,
        action,
    })
}

/// The forge of `repo` with its token; anything missing is bad input.
fn open_forge(repo: &Repo, env: &Environment) -> Result<(ForgeSpec, Box<dyn Forge>), Failure> {
    if crate::git::remote_url(repo.root(), REMOTE).is_none() {
        return Err(InputError::new(format!(
            "`release-pr` pushes the release branch to `{REMOTE}`, and there is no such remote"
        ))
        .with_hint("add it with `git remote add origin URL`")
        .into());
    }
    let spec = match forge::of_repo(repo) {
        Ok(spec) => spec,
        Err(Unresolved::Input(error)) => return Err(error.into()),
        Err(Unresolved::NotAForge(why)) => {
            return Err(InputError::new(format!(
                "`release-pr` opens a pull request on a forge, and {why}"
            ))
            .with_hint("set `[forge] kind`, `api_url` and `repository` in relflow.toml")
            .into())
        }
    };
    let Some(token) = forge::token(&spec, env) else {
        return Err(forge::missing_token(&spec, "`release-pr`").into());
    };
    let client = forge::open(&spec, Some(token));
    Ok((spec, client))
}

impl Planned {
    /// The worktree `version` ran in.
    pub fn worktree(&self) -> &Utf8Path {
        self.worktree.path()
    }
}
