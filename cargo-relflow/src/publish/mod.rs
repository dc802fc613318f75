//! `publish` as a library call: every publishable package whose current version is not on its
//! registry yet, in dependency order, then a tag per release and one push.
//!
//! [`publish`] checks the tree, builds the order ([`order`]: guppy's Cargo graph, npm and Python
//! dependencies, `depends_on`), asks every registry about every package in parallel
//! ([`state`]), and, unless [`PublishRequest::dry_run`], publishes ([`run`]: the tools of
//! [`tools`], waits, retries, crates.io pacing from [`pace`]), tags ([`tags`]) and pushes. It
//! returns a [`PublishReport`], which [`report`] renders; progress goes to a [`Progress`].
//! A user's own `cargo xtask release` calls it the same way the CLI does:
//!
//! ```no_run
//! use cargo_relflow::publish::{progress::Progress, publish, PublishRequest};
//! use cargo_relflow::registry::Environment;
//! use cargo_relflow::repo::Repo;
//! use cargo_relflow::ui::{ColorChoice, Ui};
//!
//! let repo = Repo::open(camino::Utf8Path::new("."))?;
//! let mut request = PublishRequest::new(Environment::from_process());
//! request.dry_run = true;
//! let ui = Ui::new(ColorChoice::Auto, 0, false);
//! let report = publish(&repo, &request, &Progress::auto(&ui, false))?;
//! print!("{}", report.plan_text());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Not here: versioning (that is `version`), and printing data (the caller prints the report).

pub mod order;
pub mod pace;
mod plan;
pub mod progress;
pub mod release;
pub mod report;
pub mod run;
pub mod secrets;
pub mod state;
pub mod tags;
pub mod tools;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use cargo_relflow_sync::{Ecosystem, InputError, VersionSource};

use crate::error::Failure;
use crate::registry::http::Client;
use crate::registry::Environment;
use crate::repo::Repo;
use progress::Progress;
use run::{Job, JobResult};
use secrets::Secrets;
use state::Polling;

/// The remote tags are pushed to.
pub const REMOTE: &str = "origin";

/// What to publish and how.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// Only these packages (names as users write them); empty: every package.
    pub packages: Vec<String>,
    /// Print the plan with each package's registry state; publish, tag and push nothing.
    pub dry_run: bool,
    /// How many packages may be published at once.
    pub jobs: usize,
    /// Create release tags.
    pub tag: bool,
    /// Push the release tags to `origin`.
    pub push: bool,
    /// Create a forge release for each pushed tag, with the package's assets (`--no-release`
    /// turns it off).
    pub release: bool,
    /// Publish from a tree with uncommitted changes.
    pub allow_dirty: bool,
    /// Ask no registry (`--offline`, `CARGO_NET_OFFLINE=true`); a real publish then refuses.
    pub offline: bool,
    /// How to wait for a published version to show.
    pub polling: Polling,
    /// How often a rate-limited (429) publish is tried again.
    pub rate_limit_retries: u32,
    /// The wait after a 429 that does not say how long.
    pub rate_limit_wait: Duration,
    /// The environment registry settings and tokens are read from.
    pub env: Environment,
}

impl PublishRequest {
    /// Publish everything, tag and push: one job per CPU, offline when `CARGO_NET_OFFLINE` is
    /// `true` in `env`.
    pub fn new(env: Environment) -> PublishRequest {
        PublishRequest {
            packages: Vec::new(),
            dry_run: false,
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
            tag: true,
            push: true,
            release: true,
            allow_dirty: false,
            offline: env.get("CARGO_NET_OFFLINE") == Some("true"),
            polling: Polling::default(),
            rate_limit_retries: 10,
            rate_limit_wait: Duration::from_secs(60),
            env,
        }
    }
}

/// A package's state before publishing, as the plan shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanState {
    /// Its version is not on its registry.
    Unpublished,
    /// Its version is on its registry.
    Published,
    /// It is never published (private, `publish = false`, generic).
    Private,
    /// No registry was asked (offline), or the registry did not answer (dry run).
    Unknown,
}

impl PlanState {
    /// The SPEC's name: `unpublished`, `published`, `private`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Unpublished => "unpublished",
            PlanState::Published => "published",
            PlanState::Private => "private",
            PlanState::Unknown => "unknown",
        }
    }

    /// Whether the package still has to be published.
    pub fn is_pending(self) -> bool {
        matches!(self, PlanState::Unpublished | PlanState::Unknown)
    }
}

/// How a package fared in a real run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Published by this run.
    Published,
    /// Its registry had this version already.
    AlreadyThere,
    /// Never published (private, generic).
    NotPublished,
    /// Publishing failed, for this reason.
    Failed(String),
    /// Not tried, because a dependency was not published.
    Skipped(String),
}

/// One package of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPackage {
    /// Its name as users write it (qualified when ambiguous).
    pub name: String,
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its current version.
    pub version: semver::Version,
    /// 0 when no dependency of it is still to be published, else one more than the highest
    /// level among those.
    pub level: usize,
    /// Its state before the run.
    pub state: PlanState,
    /// Its registry, for messages (`None` for private packages).
    pub registry: Option<String>,
    /// The release tag it gets (`None`: no tag, e.g. `--no-tag` or a private package without
    /// `privatePackages.tag`).
    pub tag: Option<String>,
    /// Whether that tag exists already.
    pub tag_exists: bool,
    /// What the run did (`None` in a dry run).
    pub outcome: Option<Outcome>,
}

/// What [`publish`] planned and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Every package with a version (those selected with `-p`), in publish order.
    pub packages: Vec<PlannedPackage>,
    /// The tags this run created.
    pub tags_created: Vec<String>,
    /// The tags this run pushed.
    pub tags_pushed: Vec<String>,
    /// The forge releases of the pushed tags, made or completed by this run.
    pub releases: Vec<release::ReleaseOutcome>,
    /// How long the run took.
    pub elapsed: Duration,
    /// How much of it was spent in cargo, npm and the Python tools.
    pub tool_time: Duration,
}

impl PublishReport {
    /// The packages that failed or were skipped.
    pub fn failures(&self) -> Vec<&PlannedPackage> {
        self.packages
            .iter()
            .filter(|p| matches!(p.outcome, Some(Outcome::Failed(_) | Outcome::Skipped(_))))
            .collect()
    }
}

/// Plans the publish of `repo` and, unless `request.dry_run`, carries it out.
pub fn publish(
    repo: &Repo,
    request: &PublishRequest,
    progress: &Progress,
) -> Result<PublishReport, Failure> {
    let started = Instant::now();
    if request.offline && !request.dry_run {
        return Err(InputError::new("cannot publish offline")
            .with_hint(
                "drop `--offline` (and `CARGO_NET_OFFLINE`), or add `--dry-run` to see the order",
            )
            .into());
    }
    if !request.allow_dirty {
        check_clean(repo, request.dry_run, progress)?;
    }
    let client = Client::new();
    let plan = plan::plan(repo, request, &client, progress)?;
    let releases = release::prepare(repo, request, &plan.order, progress)?;
    let mut report = PublishReport {
        packages: plan.packages.clone(),
        ..PublishReport::default()
    };
    if request.dry_run {
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    report.tags_created = tag_vcs_builds(
        repo,
        request,
        &plan.pending,
        &plan.order,
        &mut report,
        progress,
    )?;

    let jobs: Vec<Job<'_>> = plan
        .order
        .iter()
        .filter(|&&at| plan.pending[at])
        .filter_map(|&at| {
            let package = &repo.packages()[at];
            Some(Job {
                package,
                index: at,
                key: format!(
                    "{} {}",
                    repo.written_name(package),
                    package.version.as_ref()?
                ),
                target: plan.targets[at].as_ref()?,
                needs: plan.graph.edges[at]
                    .iter()
                    .map(|edge| edge.to)
                    .filter(|&to| plan.pending[to])
                    .collect(),
                new_package: plan.checks[at].is_some_and(|check| check.new_package),
            })
        })
        .collect();
    warn_about_crates_io(&jobs, progress);
    let context = run::Context {
        root: repo.root(),
        client,
        polling: request.polling,
        rate_limit_retries: request.rate_limit_retries,
        rate_limit_wait: request.rate_limit_wait,
        allow_dirty: request.allow_dirty,
        python_build: repo.workspace.config.config.python.build.as_deref(),
        pre: repo.pre.as_ref(),
        secrets: &plan.secrets,
        progress,
        pacer: Mutex::new(pace::Pacer::new(Instant::now())),
        tool_time: Mutex::new(Duration::ZERO),
    };
    progress.begin(jobs.len());
    let results = run::publish_jobs(&context, &jobs, request.jobs);
    progress.end();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; repo.packages().len()];
    for (job, result) in jobs.iter().zip(results) {
        outcomes[job.index] = Some(match result {
            JobResult::Published => Outcome::Published,
            JobResult::AlreadyThere => Outcome::AlreadyThere,
            JobResult::Failed(reason) => Outcome::Failed(reason),
            JobResult::Skipped(reason) => Outcome::Skipped(reason),
        });
    }
    for (planned, &at) in report.packages.iter_mut().zip(&plan.order) {
        planned.outcome = Some(outcomes[at].take().unwrap_or(match planned.state {
            PlanState::Private => Outcome::NotPublished,
            _ => Outcome::AlreadyThere,
        }));
    }
    tag_and_push(repo, request, &mut report, &plan.secrets, progress)?;
    report.releases = release::create(
        repo,
        &releases,
        &report.packages,
        &plan.order,
        &report.tags_pushed,
        progress,
    )?;
    report.elapsed = started.elapsed();
    report.tool_time = context.tool_time.into_inner().unwrap_or_default();
    Ok(report)
}

/// Refuses a tree with uncommitted changes (untracked files count); a dry run only warns.
fn check_clean(repo: &Repo, dry_run: bool, progress: &Progress) -> Result<(), Failure> {
    let dirty = tags::dirty_files(repo.root())?;
    if dirty.is_empty() {
        return Ok(());
    }
    let mut listed = dirty
        .iter()
        .take(5)
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if dirty.len() > 5 {
        listed.push_str(&format!(" and {} more", dirty.len() - 5));
    }
    let message = format!("the working tree has uncommitted changes: {listed}");
    if dry_run {
        progress.warn(&format!("{message} (a real publish refuses this)"));
        return Ok(());
    }
    Err(InputError::new(message)
        .with_path(repo.root())
        .with_hint(
            "commit or stash them (or ignore them), or pass `--allow-dirty` to publish anyway",
        )
        .into())
}

/// Warns when the run goes over crates.io's publish rate limits (it is then paced).
fn warn_about_crates_io(jobs: &[Job<'_>], progress: &Progress) {
    let to_crates_io = jobs.iter().filter(|job| job.target.is_crates_io());
    let (new_crates, new_versions) = to_crates_io.fold((0u32, 0u32), |(crates, versions), job| {
        if job.new_package {
            (crates + 1, versions)
        } else {
            (crates, versions + 1)
        }
    });
    if let Some(warning) = pace::warning(new_crates, new_versions) {
        progress.warn(&warning);
    }
}

/// Creates, before anything is built, the missing tags of the packages about to be published
/// whose version the tags give (hatch-vcs, setuptools-scm, uv-dynamic-versioning): their build
/// reads the version from the tag at HEAD. An upload that fails leaves its tag local (pushed
/// only once the package is on its registry); the next run finds it and builds from it again.
fn tag_vcs_builds(
    repo: &Repo,
    request: &PublishRequest,
    pending: &[bool],
    order: &[usize],
    report: &mut PublishReport,
    progress: &Progress,
) -> Result<Vec<String>, Failure> {
    let mut names = Vec::new();
    for (planned, &at) in report.packages.iter().zip(order) {
        let package = &repo.packages()[at];
        if !pending[at] || !matches!(package.version_source, VersionSource::Vcs(_)) {
            continue;
        }
        match &planned.tag {
            Some(tag) if request.tag && !planned.tag_exists => names.push(tag.clone()),
            Some(_) => {}
            None => progress.warn(&format!(
                "{} takes its version from git tags, and this run makes no tag: its build gives \
                 the version of HEAD's nearest tag, not {}",
                planned.name, planned.version
            )),
        }
    }
    names.sort();
    names.dedup();
    tags::create_tags(repo.root(), &names)?;
    for tag in &names {
        progress.note("Tagged", tag);
    }
    for planned in &mut report.packages {
        if planned.tag.as_ref().is_some_and(|t| names.contains(t)) {
            planned.tag_exists = true;
        }
    }
    Ok(names)
}

/// Creates the missing tags of every package that is on its registry now (and of private
/// packages, per `privatePackages.tag`), then pushes the release's tags in one atomic push.
fn tag_and_push(
    repo: &Repo,
    request: &PublishRequest,
    report: &mut PublishReport,
    secrets: &Secrets,
    progress: &Progress,
) -> Result<(), Failure> {
    if !request.tag {
        return Ok(());
    }
    let released = |p: &&PlannedPackage| {
        matches!(
            p.outcome,
            Some(Outcome::Published | Outcome::AlreadyThere | Outcome::NotPublished)
        )
    };
    let mut missing: Vec<String> = report
        .packages
        .iter()
        .filter(released)
        .filter(|p| !p.tag_exists)
        .filter_map(|p| p.tag.clone())
        .collect();
    // Packages of one fixed group share a `v{version}` tag.
    missing.sort();
    missing.dedup();
    tags::create_tags(repo.root(), &missing)?;
    for tag in &missing {
        progress.note("Tagged", tag);
    }
    for planned in &mut report.packages {
        if planned.tag.as_ref().is_some_and(|t| missing.contains(t)) {
            planned.tag_exists = true;
        }
    }
    report.tags_created.extend(missing);
    if !request.push {
        return Ok(());
    }
    let mut release_tags: Vec<String> = report
        .packages
        .iter()
        .filter(released)
        .filter(|p| p.tag_exists)
        .filter_map(|p| p.tag.clone())
        .collect();
    release_tags.sort();
    release_tags.dedup();
    if release_tags.is_empty() {
        return Ok(());
    }
    if !tags::has_remote(repo.root(), REMOTE)? {
        progress.warn(&format!(
            "there is no git remote `{REMOTE}`: the tags were not pushed (`--no-push` says this is intended)"
        ));
        return Ok(());
    }
    tags::push_tags(repo.root(), REMOTE, &release_tags, secrets)?;
    progress.note(
        "Pushed",
        &format!("{} tags to `{REMOTE}`", release_tags.len()),
    );
    report.tags_pushed = release_tags;
    Ok(())
}
