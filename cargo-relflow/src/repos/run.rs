//! The effects of a release set's release: level by level (the repos of a level in parallel),
//! write each repo's `version` run and pins, commit `chore: release vX.Y.Z`, tag, and push the
//! branch with its tags atomically; with `publish`, run `publish` in each repo of the level
//! before the next level starts. Each finished step is recorded in the [`journal`](super::journal)
//! so a re-run continues with what is left and never tags twice.

use std::collections::VecDeque;
use std::sync::Mutex;

use anyhow::Context;
use camino::Utf8Path;

use super::git;
use super::journal::{Journal, RepoEntry, RunState};
use super::plan::{RepoPlan, SetPlan};
use crate::error::Failure;
use crate::lock::RepoLock;
use crate::publish::progress::Progress;
use crate::publish::{publish, tags, Outcome as PublishOutcome, PublishRequest};
use crate::registry::Environment;
use crate::repo::Repo;
use crate::ui::Ui;

/// How to run the release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunRequest {
    /// How many repos of a level are released at once.
    pub jobs: usize,
    /// Run `publish` in each repo after it is pushed.
    pub publish: bool,
}

/// The journal of a new run of `plan`: every repo with work, nothing done yet.
pub fn new_journal(plan: &SetPlan, publish: bool) -> Journal {
    let mut journal = Journal {
        state: RunState::Running,
        shared_version: plan.shared.clone(),
        publish,
        repos: Vec::new(),
    };
    add_new_repos(&mut journal, plan);
    journal
}

/// Adds to an unfinished run's journal the repos of `plan` that have work and no entry yet (a
/// repo that got changesets since the run started).
pub fn add_new_repos(journal: &mut Journal, plan: &SetPlan) {
    for repo in plan.working() {
        if journal.repo(&repo.name).is_some() {
            continue;
        }
        journal.repos.push(RepoEntry {
            name: repo.name.clone(),
            root: repo.root.clone(),
            level: repo.level,
            branch: repo.branch.clone(),
            version: repo.version.clone(),
            tags: repo.tags.clone(),
            commit: None,
            tagged: false,
            pushed: false,
            published: None,
            yanked: false,
            reverted: None,
        });
    }
}

/// Runs the release of `plan` (already checked), recording each step in `journal`, which is saved
/// under the coordinating repository's `set_root`.
pub fn execute(
    set_root: &Utf8Path,
    plan: SetPlan,
    journal: Journal,
    request: RunRequest,
    ui: &Ui,
) -> Result<(), Failure> {
    journal.save(set_root)?;
    let max_level = plan.max_level();
    let journal = Mutex::new(journal);
    let mut repos: Vec<RepoPlan> = plan.repos.into_iter().filter(RepoPlan::has_work).collect();
    for level in 0..=max_level {
        let (this_level, later): (Vec<RepoPlan>, Vec<RepoPlan>) =
            repos.into_iter().partition(|r| r.level == level);
        repos = later;
        let names: Vec<String> = this_level.iter().map(|r| r.name.clone()).collect();
        let results = in_parallel(this_level, request.jobs, |repo| {
            let name = repo.name.clone();
            release_repo(set_root, repo, &journal, ui).map_err(|e| (name, e))
        });
        let failed: Vec<(String, Failure)> = results.into_iter().filter_map(Result::err).collect();
        if !failed.is_empty() {
            let lines: Vec<String> = failed
                .iter()
                .map(|(name, error)| format!("repo `{name}`: {error}"))
                .collect();
            return Err(anyhow::anyhow!(
                "level {level} failed, later levels were not started (re-run `cargo relflow repos release` to continue):\n  {}",
                lines.join("\n  ")
            )
            .into());
        }
        if request.publish {
            for name in &names {
                publish_repo(set_root, name, &journal, request.jobs, ui)?;
            }
        }
    }
    let mut journal = journal.into_inner().unwrap_or_else(|p| p.into_inner());
    journal.state = RunState::Done;
    journal.save(set_root)
}

/// One repo's steps, each skipped when the journal has it done.
fn release_repo(
    set_root: &Utf8Path,
    repo: RepoPlan,
    journal: &Mutex<Journal>,
    ui: &Ui,
) -> Result<(), Failure> {
    let done = entry(journal, &repo.name)?;
    let root = repo.root.clone();
    if done.commit.is_none() {
        let message = repo.commit_message();
        RepoLock::acquire(&root, ui)?.commit(repo.files.into_transaction())?;
        let commit = git::commit_all(&root, &message)?;
        ui.status("Committed", &format!("{}: {message}", repo.name));
        record(set_root, journal, &repo.name, |e| e.commit = Some(commit))?;
    }
    if !done.tagged {
        // A tag made just before an interruption is not made again.
        let existing = tags::existing_tags(&root)?;
        let missing: Vec<String> = repo
            .tags
            .iter()
            .filter(|t| !existing.contains(*t))
            .cloned()
            .collect();
        tags::create_tags(&root, &missing)?;
        if !repo.tags.is_empty() {
            ui.status(
                "Tagged",
                &format!("{}: {}", repo.name, repo.tags.join(", ")),
            );
        }
        record(set_root, journal, &repo.name, |e| e.tagged = true)?;
    }
    if !done.pushed {
        git::push_branch_and_tags(&root, &repo.branch, &repo.tags)?;
        ui.status(
            "Pushed",
            &format!("{}: {} to origin", repo.name, repo.branch),
        );
        record(set_root, journal, &repo.name, |e| e.pushed = true)?;
    }
    Ok(())
}

/// `publish` in the repo called `name`, unless the journal has it done.
fn publish_repo(
    set_root: &Utf8Path,
    name: &str,
    journal: &Mutex<Journal>,
    jobs: usize,
    ui: &Ui,
) -> Result<(), Failure> {
    let done = entry(journal, name)?;
    if done.published.is_some() {
        return Ok(());
    }
    let repo = Repo::open(&done.root)?;
    let mut request = PublishRequest::new(Environment::from_process());
    request.jobs = jobs;
    // The release already made and pushed the tags.
    request.tag = false;
    request.push = false;
    let report = publish(&repo, &request, &Progress::auto(ui, ui.is_quiet()))?;
    let failures = report.failures();
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().map(|p| p.name.as_str()).collect();
        return Err(anyhow::anyhow!(
            "repo `{name}`: {} packages were not published: {}",
            failures.len(),
            names.join(", ")
        )
        .into());
    }
    let published: Vec<String> = report
        .packages
        .iter()
        .filter(|p| p.outcome == Some(PublishOutcome::Published))
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    ui.status("Published", &format!("{name}: {}", published.join(", ")));
    record(set_root, journal, name, |e| e.published = Some(published))
}

fn entry(journal: &Mutex<Journal>, name: &str) -> Result<RepoEntry, Failure> {
    let journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    Ok(journal
        .repo(name)
        .cloned()
        .with_context(|| format!("the release journal has no repo `{name}`"))?)
}

/// Updates the entry of `name` and saves the journal.
fn record(
    set_root: &Utf8Path,
    journal: &Mutex<Journal>,
    name: &str,
    update: impl FnOnce(&mut RepoEntry),
) -> Result<(), Failure> {
    let mut journal = journal.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(entry) = journal.repo_mut(name) {
        update(entry);
    }
    journal.save(set_root)
}

/// `work` on each item, at most `jobs` at once on threads; results in the items' order.
fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    jobs: usize,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate().collect::<VecDeque<_>>());
    let results = Mutex::new((0..count).map(|_| None).collect::<Vec<Option<R>>>());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                let Some((at, item)) = next else { break };
                let result = work(item);
                results.lock().unwrap_or_else(|p| p.into_inner())[at] = Some(result);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_parallel_keeps_the_order_and_runs_everything() {
        let squares = in_parallel((1..=9).collect(), 3, |n: u32| n * n);
        assert_eq!(squares, [1, 4, 9, 16, 25, 36, 49, 64, 81]);
        assert!(in_parallel(Vec::<u32>::new(), 4, |n| n).is_empty());
    }
}
