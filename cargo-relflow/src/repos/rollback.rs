//! `repos rollback`: undo the last `repos release` run from its journal, last repo first: delete
//! the tags it pushed (on `origin`, then locally), and revert its release commit with a new
//! commit, pushed like any commit when the release commit was pushed. The base branch is never
//! force-pushed. With `yank`, what `--publish` published there is first rolled back on its
//! registries by [`crate::yank`]. Each repo's rollback is recorded, so a rollback that fails
//! resumes too.

use camino::Utf8Path;
use cargo_relflow_sync::InputError;

use super::git;
use super::journal::{self, RepoEntry, RunState};
use crate::error::Failure;
use crate::registry::Environment;
use crate::repo::Repo;
use crate::ui::Ui;
use crate::yank::{yank as yank_items, YankRequest};

/// What a rollback undid in one repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    /// The repo's name.
    pub name: String,
    /// The tags deleted.
    pub tags: Vec<String>,
    /// The revert commit, when there was a release commit.
    pub revert: Option<String>,
}

/// Rolls back the run recorded under the coordinating repository's `set_root`; with `yank`, the
/// packages it published too.
pub fn rollback(set_root: &Utf8Path, yank: bool, ui: &Ui) -> Result<Vec<Undone>, Failure> {
    let Some(mut journal) = journal::load(set_root)? else {
        return Err(nothing_to_undo(set_root, "no release has been run"));
    };
    if journal.state == RunState::RolledBack {
        return Err(nothing_to_undo(
            set_root,
            "the last release is already rolled back",
        ));
    }
    let mut undone = Vec::new();
    for at in (0..journal.repos.len()).rev() {
        let entry = journal.repos[at].clone();
        if yank && !entry.yanked {
            yank_published(&entry, ui)?;
            journal.repos[at].yanked = true;
            journal.save(set_root)?;
        }
        let Some(commit) = &entry.commit else {
            continue;
        };
        if entry.reverted.is_some() {
            continue;
        }
        if entry.pushed {
            git::delete_remote_tags(&entry.root, &entry.tags)?;
        }
        git::delete_local_tags(&entry.root, &entry.tags)?;
        let revert = git::revert(&entry.root, commit)?;
        if entry.pushed {
            git::push_branch(&entry.root, &entry.branch)?;
        }
        ui.status(
            "Rolled back",
            &format!(
                "{}: reverted {} and deleted {}",
                entry.name,
                &commit[..commit.len().min(12)],
                if entry.tags.is_empty() {
                    "no tags".to_owned()
                } else {
                    entry.tags.join(", ")
                }
            ),
        );
        journal.repos[at].reverted = Some(revert.clone());
        journal.save(set_root)?;
        undone.push(Undone {
            name: entry.name.clone(),
            tags: entry.tags.clone(),
            revert: Some(revert),
        });
    }
    journal.state = RunState::RolledBack;
    journal.save(set_root)?;
    Ok(undone)
}

/// `yank` of the packages the run published in this repo (its tags are the rollback's).
fn yank_published(entry: &RepoEntry, ui: &Ui) -> Result<(), Failure> {
    let Some(published) = entry.published.as_ref().filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let repo = Repo::open(&entry.root)?;
    let request = YankRequest {
        release: None,
        items: published.clone(),
        dry_run: false,
        unpublish: false,
        keep_tags: true,
        message: None,
        env: Environment::from_process(),
    };
    let report = yank_items(&repo, &request, ui)?;
    if let Some((item, reason)) = report.failures().first() {
        return Err(anyhow::anyhow!(
            "repo `{}`: yanking {} {} failed: {reason}; run `repos rollback --yank` again",
            entry.name,
            item.name,
            item.version_text
        )
        .into());
    }
    for (item, url) in report.manual() {
        ui.warn(&format!(
            "repo `{}`: {} {} stays on PyPI until yanked by hand: {url}",
            entry.name, item.name, item.version_text
        ));
    }
    ui.status(
        "Yanked",
        &format!("{}: {}", entry.name, published.join(", ")),
    );
    Ok(())
}

fn nothing_to_undo(set_root: &Utf8Path, why: &str) -> Failure {
    InputError::new(format!("nothing to roll back: {why}"))
        .with_path(journal::path(set_root))
        .with_hint("`cargo relflow repos release` records its steps in this file")
        .into()
}
