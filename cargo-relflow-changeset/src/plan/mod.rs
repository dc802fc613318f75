//! The release plan: which packages `version` releases, with which bump and new version, and why.
//!
//! [`plan`] is a pure function with the semantics of Changesets v3's `assembleReleasePlan`
//! (`@changesets/assemble-release-plan` of `@changesets/cli` 3.0.3), including its config
//! validation: on npm-only repositories it gives the same releases, in the same order, with the
//! same versions. It extends them to Cargo crates, Python projects and generic packages: each
//! ecosystem's dependents cascade with its own requirement semantics ([`crate::range`]), and
//! fixed and linked groups may span ecosystems.
//!
//! The steps, as Changesets runs them:
//! 1. resolve `fixed`, `linked` and `ignore` (globs, `!` exclusions) and validate them
//!    ([`groups`]);
//! 2. keep the relevant changesets (unknown packages and mixed changesets are errors; in pre mode
//!    already versioned ones are dropped) and flatten them into one release per package;
//! 3. repeat determine-dependents, the fixed constraint and links until nothing changes
//!    ([`assemble`], with the dependents graph of [`graph`]);
//! 4. on pre exit, patch the packages still on a pre-release;
//! 5. compute new versions: node-semver's `inc`, pre-release counters, snapshots ([`versions`]).

mod assemble;
pub(crate) mod graph;
mod groups;
mod index;
pub(crate) mod versions;

#[cfg(test)]
mod tests;

use cargo_relflow_sync::{InputError, Package};

use crate::{Bump, Changeset, PlanConfig, PreState};

/// A `--snapshot` request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotRequest {
    /// The snapshot tag (`--snapshot canary`), if any.
    pub tag: Option<String>,
    /// The commit, for `{commit}` and `{commit-short}` in the template.
    pub commit: Option<String>,
    /// The current time in milliseconds since the Unix epoch (`{timestamp}`, `{datetime}`).
    pub now_millis: u64,
}

/// Why a package is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A changeset names it (the changeset id).
    Changeset(String),
    /// A dependency it names is released and leaves its requirement (or
    /// `updateInternalDependents` is `always`).
    Dependency {
        /// The dependency's name.
        name: String,
        /// The requirement as written in the dependent's manifest.
        requirement: String,
    },
    /// Another member of its fixed group is released.
    FixedGroup,
    /// Its linked group raised its bump or base version.
    LinkedGroup,
    /// Pre mode is being exited and its version is a pre-release.
    PreExit,
}

/// One package's release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Index of the package in the `packages` given to [`plan`].
    pub package: usize,
    /// The bump; `none` releases keep their version but have their requirements rewritten.
    pub bump: Bump,
    /// The version the bump starts from: the package's version, or the highest version of its
    /// fixed or linked group.
    pub old_version: semver::Version,
    /// The version after the release (equal to `old_version` for `none`).
    pub new_version: semver::Version,
    /// Ids of the changesets that release it, in changeset order (`[]` for a package released
    /// only through dependencies, groups or pre exit).
    pub changesets: Vec<String>,
    /// Why it is released, in the order the reasons arose.
    pub reasons: Vec<Reason>,
    /// `false` for a package without a version (a skipped dependent whose requirements are
    /// rewritten, always a `none` release): its versions are then `0.0.0` placeholders that must
    /// not be written or shown (Changesets leaves them undefined).
    pub versioned: bool,
}

/// The release plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReleasePlan {
    /// The releases, in Changesets' order: changeset order, then front-matter order, then the
    /// dependents and group members in the order the algorithm adds them.
    pub releases: Vec<Release>,
    /// Ids of the changesets the plan uses (all of them, minus those already versioned in pre
    /// mode), in the order given.
    pub changesets: Vec<String>,
    /// Config warnings (unmatched `fixed` or `linked` entries), Changesets' texts.
    pub warnings: Vec<String>,
}

/// Why no plan could be made. The texts are Changesets v3's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A changeset names a package that does not exist.
    #[error("Found changeset {changeset} for package {package} which is not in the workspace")]
    NotInWorkspace {
        /// The changeset id.
        changeset: String,
        /// The name as written.
        package: String,
        /// The 1-based line of the name in the changeset file.
        line: usize,
    },
    /// A changeset names both skipped and released packages.
    #[error(
        "Found mixed changeset {changeset}\nFound ignored packages: {}\nFound not ignored packages: {}\nMixed changesets that contain both ignored and not ignored packages are not allowed",
        skipped.join(" "),
        not_skipped.join(" ")
    )]
    MixedChangeset {
        /// The changeset id.
        changeset: String,
        /// Skipped packages it names, as written.
        skipped: Vec<String>,
        /// Other packages it names, as written.
        not_skipped: Vec<String>,
    },
    /// The fixed, linked, ignore or privatePackages settings are invalid.
    #[error("Found issues in your config:\n- {}", warnings.iter().chain(errors).cloned().collect::<Vec<_>>().join("\n- "))]
    Config {
        /// The errors, Changesets' texts.
        errors: Vec<String>,
        /// The warnings found along with them.
        warnings: Vec<String>,
    },
    /// The snapshot version could not be composed.
    #[error("{0}")]
    Snapshot(String),
    /// An ambiguous name, or a version the plan cannot handle.
    #[error("{0}")]
    Input(InputError),
}

/// Where the "Invalid tree" fixes go: the file and the key.
const INVALID_TREE_HINT: &str = "edit the `ignore` key of relflow.toml when it sets one, else the \
     \"ignore\" key of .changeset/config.json; unpublished npm packages follow config.json's \
     \"privatePackages\", unpublished Cargo crates and Python projects relflow.toml's \
     `private_packages`";

impl From<PlanError> for InputError {
    fn from(error: PlanError) -> InputError {
        match error {
            PlanError::Input(input) => input,
            PlanError::NotInWorkspace {
                ref changeset,
                line,
                ..
            } => InputError::in_file(format!(".changeset/{changeset}.md"), error.to_string())
                .with_line(line)
                .with_hint("`cargo relflow list` shows every package relflow found"),
            PlanError::MixedChangeset { ref changeset, .. } => {
                InputError::in_file(format!(".changeset/{changeset}.md"), error.to_string())
            }
            PlanError::Config { ref errors, .. }
                if errors.iter().any(|e| e.starts_with("Invalid tree")) =>
            {
                InputError::new(error.to_string()).with_hint(INVALID_TREE_HINT)
            }
            other => InputError::new(other.to_string()),
        }
    }
}

/// Computes the release plan of `changesets` for `packages`.
///
/// `pre` is the pre-mode state (`.changeset/pre.json`), `snapshot` a `--snapshot` request. Does
/// no IO and reads no clock. See the module docs for the steps.
pub fn plan(
    packages: &[Package],
    changesets: &[Changeset],
    config: &PlanConfig,
    pre: Option<&PreState>,
    snapshot: Option<&SnapshotRequest>,
) -> Result<ReleasePlan, PlanError> {
    let index = index::Index::new(packages);
    let resolved = groups::resolve(&index, config)?;
    let ctx = assemble::Context::new(&index, config, &resolved, pre)?;
    let relevant = ctx.relevant_changesets(changesets)?;
    let mut releases = ctx.flatten(&relevant)?;
    loop {
        let dependents = ctx.determine_dependents(&mut releases);
        let fixed = ctx.match_fixed_constraint(&mut releases);
        let linked = ctx.apply_links(&mut releases);
        if !dependents && !fixed && !linked {
            break;
        }
    }
    ctx.apply_pre_exit(&mut releases);
    let suffix = match snapshot {
        Some(request) => {
            versions::snapshot_suffix(config.snapshot.prerelease_template.as_deref(), request)?
        }
        None => String::new(),
    };
    let releases = releases
        .into_vec()
        .into_iter()
        .map(|r| ctx.finish(r, &suffix))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReleasePlan {
        releases,
        changesets: relevant.iter().map(|c| c.id.clone()).collect(),
        warnings: resolved.warnings,
    })
}

/// The fixed groups of `config` resolved to package indices (globs and `!` exclusions applied),
/// with the plan's validation of them.
pub fn fixed_groups(
    packages: &[Package],
    config: &PlanConfig,
) -> Result<Vec<Vec<usize>>, PlanError> {
    Ok(groups::resolve(&index::Index::new(packages), config)?.fixed)
}
