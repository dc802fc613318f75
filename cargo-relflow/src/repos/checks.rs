//! The checks before a release set changes anything: for every repo with work, a clean tree, on
//! its base branch, not behind `origin`, and none of its tags locally or on `origin`. A repo an
//! unfinished run already committed must still be at that commit, and its tags must not be on
//! `origin` yet unless the journal says it pushed them.

use cargo_relflow_sync::InputError;

use super::git;
use super::plan::{RepoPlan, SetPlan};
use super::STATE_DIR;
use crate::error::Failure;
use crate::publish::tags::{dirty_files, existing_tags};

/// Checks every repo of `plan`; every problem found is listed in one error (exit 2). git that
/// cannot run, or an `origin` that cannot be reached, is an external failure.
pub fn check(plan: &SetPlan) -> Result<(), Failure> {
    let mut problems = Vec::new();
    for repo in plan.working() {
        problems.extend(check_repo(repo)?);
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(InputError::new(format!(
        "the release cannot start, nothing was changed:\n  {}",
        problems.join("\n  ")
    ))
    .with_hint("fix these in each repo, then run `cargo relflow repos release` again")
    .into())
}

/// The problems of one repo, as lines that name it.
fn check_repo(repo: &RepoPlan) -> Result<Vec<String>, Failure> {
    let name = &repo.name;
    let root = &repo.root;
    let mut problems = Vec::new();
    if let Some(entry) = &repo.resumed {
        if entry.pushed {
            return Ok(problems);
        }
        let head = git::head(root)?;
        if entry.commit.as_deref() != Some(head.as_str()) {
            problems.push(format!(
                "repo `{name}`: HEAD is {head}, not the release commit {} of the unfinished run",
                entry.commit.as_deref().unwrap_or("?")
            ));
        }
        let remote = git::remote_tags(root)?;
        for tag in repo.tags.iter().filter(|t| remote.contains(t)) {
            problems.push(format!(
                "repo `{name}`: tag `{tag}` already exists on origin"
            ));
        }
        return Ok(problems);
    }
    let dirty: Vec<String> = dirty_files(root)?
        .into_iter()
        .filter(|f| !f.starts_with(&format!("{STATE_DIR}/")))
        .collect();
    if !dirty.is_empty() {
        problems.push(format!(
            "repo `{name}`: the working tree is not clean ({})",
            dirty.join(", ")
        ));
    }
    match git::current_branch(root)? {
        Some(branch) if branch == repo.branch => {
            let behind = git::commits_behind(root, &repo.branch)?;
            if behind > 0 {
                problems.push(format!(
                    "repo `{name}`: `{}` is {behind} commits behind origin",
                    repo.branch
                ));
            }
        }
        Some(branch) => problems.push(format!(
            "repo `{name}`: on branch `{branch}`, not its base branch `{}` (if `{branch}` is its base, set `base_branch = \"{branch}\"` in its relflow.toml)",
            repo.branch
        )),
        None => problems.push(format!(
            "repo `{name}`: HEAD is detached, not on its base branch `{}`",
            repo.branch
        )),
    }
    let local = existing_tags(root)?;
    let remote = git::remote_tags(root)?;
    for tag in &repo.tags {
        if local.contains(tag) {
            problems.push(format!("repo `{name}`: tag `{tag}` already exists locally"));
        }
        if remote.contains(tag) {
            problems.push(format!(
                "repo `{name}`: tag `{tag}` already exists on origin"
            ));
        }
    }
    Ok(problems)
}
