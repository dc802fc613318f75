//! `yank` as a library call: roll a release back on every registry, then delete its tags.
//!
//! [`plan`] reads what to roll back (`--release REF`, with the rule of [`crate::released`], or
//! `PKG@VERSION` items), orders the items dependents first (the reverse of publish order) and
//! asks each registry about each item; [`run`] carries the steps out, each one only when the
//! state says it is still to do, so a re-run after a failure or a kill does only the rest;
//! [`report`] renders the plan and the summary.
//!
//! Per ecosystem: cargo `cargo yank`; npm `npm deprecate` (or `npm unpublish`, falling back to
//! deprecate), with the dist-tag `latest` moved back when it pointed at the version; Python the
//! legacy `remove_pkg` action (pypiserver), or, on PyPI, which has no API for it, the page to
//! yank by hand (`manual`); generic and private packages only their tags.

pub mod plan;
pub mod report;
pub mod run;

use crate::error::Failure;
use crate::registry::Environment;
use crate::repo::Repo;
use crate::ui::Ui;
use plan::{ItemState, YankItem};

/// What to roll back and how.
#[derive(Debug, Clone)]
pub struct YankRequest {
    /// Roll back what this commit released (`--release REF`).
    pub release: Option<String>,
    /// Or these `PKG@VERSION` items.
    pub items: Vec<String>,
    /// Print the steps with each item's state; change nothing.
    pub dry_run: bool,
    /// npm: unpublish instead of deprecating (deprecate when npm refuses).
    pub unpublish: bool,
    /// Leave the tags alone.
    pub keep_tags: bool,
    /// The deprecation message (npm).
    pub message: Option<String>,
    /// The environment registry settings and tokens are read from.
    pub env: Environment,
}

impl YankRequest {
    /// A rollback of what `reference` released, tags included.
    pub fn release(reference: &str, env: Environment) -> YankRequest {
        YankRequest {
            release: Some(reference.to_owned()),
            items: Vec::new(),
            dry_run: false,
            unpublish: false,
            keep_tags: false,
            message: None,
            env,
        }
    }
}

/// How an item fared in a real run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Its registry part was done by this run (`yanked`, `deprecated`, `unpublished`,
    /// `removed`), or there was none to do (`already`).
    Done(&'static str),
    /// It stays on PyPI: to be yanked by hand at this URL.
    Manual(String),
    /// A step failed, for this reason.
    Failed(String),
    /// Not tried, because an earlier item failed.
    NotTried,
}

/// What [`yank`] planned and did.
#[derive(Debug, Clone, Default)]
pub struct YankReport {
    /// Every item, dependents first.
    pub items: Vec<YankItem>,
    /// What the run did with each (empty in a dry run).
    pub outcomes: Vec<ItemOutcome>,
    /// The tags this run deleted locally.
    pub tags_deleted: Vec<String>,
    /// The tags this run deleted on `origin`.
    pub tags_deleted_remote: Vec<String>,
    /// Whether it was a dry run.
    pub dry_run: bool,
}

impl YankReport {
    /// Whether no item matched anything: every one absent from its registry, without a tag.
    pub fn nothing_matched(&self) -> bool {
        self.items.iter().all(|item| {
            matches!(item.state, ItemState::Absent | ItemState::Private)
                && !item.tag_local
                && !item.tag_remote
                && item.latest_to.is_none()
        })
    }

    /// The items that stay to be yanked by hand, with their URLs.
    pub fn manual(&self) -> Vec<(&YankItem, &str)> {
        self.items
            .iter()
            .zip(&self.outcomes)
            .filter_map(|(item, outcome)| match outcome {
                ItemOutcome::Manual(url) => Some((item, url.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The items whose step failed, with the reason.
    pub fn failures(&self) -> Vec<(&YankItem, &str)> {
        self.items
            .iter()
            .zip(&self.outcomes)
            .filter_map(|(item, outcome)| match outcome {
                ItemOutcome::Failed(reason) => Some((item, reason.as_str())),
                _ => None,
            })
            .collect()
    }
}

/// Plans the rollback and, unless `request.dry_run`, carries it out, printing each step on `ui`.
pub fn yank(repo: &Repo, request: &YankRequest, ui: &Ui) -> Result<YankReport, Failure> {
    let plan = plan::plan(repo, request, ui)?;
    if request.dry_run {
        return Ok(YankReport {
            items: plan.items,
            dry_run: true,
            ..YankReport::default()
        });
    }
    run::run(repo, request, plan, ui)
}
