//! Changesets' `assembleReleasePlan` steps over resolved package indices.

use cargo_relflow_sync::names::split_qualified;
use cargo_relflow_sync::{DepKind, Package};
use semver::Version;

use super::groups::{display_name, Resolved};
use super::index::Index;
use super::{graph, versions, PlanError, Reason, Release};
use crate::plan_config::UpdateInternalDependents;
use crate::{Bump, Changeset, PlanConfig, PreMode, PreState};

/// A release while the plan is being assembled (Changesets' `InternalRelease`).
#[derive(Debug, Clone)]
pub(super) struct Internal {
    pkg: usize,
    bump: Bump,
    old: Option<Version>,
    changesets: Vec<String>,
    reasons: Vec<Reason>,
}

/// Releases keyed by package, in insertion order; replacing one keeps its position (a JS `Map`).
#[derive(Debug, Default)]
pub(super) struct Releases {
    list: Vec<Internal>,
    position: Vec<Option<usize>>,
}

impl Releases {
    fn new(packages: usize) -> Releases {
        Releases {
            list: Vec::new(),
            position: vec![None; packages],
        }
    }

    fn get(&self, pkg: usize) -> Option<&Internal> {
        self.position[pkg].map(|i| &self.list[i])
    }

    fn get_mut(&mut self, pkg: usize) -> Option<&mut Internal> {
        self.position[pkg].map(|i| &mut self.list[i])
    }

    fn set(&mut self, release: Internal) {
        match self.position[release.pkg] {
            Some(i) => self.list[i] = release,
            None => {
                self.position[release.pkg] = Some(self.list.len());
                self.list.push(release);
            }
        }
    }

    /// The releases in order.
    pub(super) fn into_vec(self) -> Vec<Internal> {
        self.list
    }
}

fn add_reason(reasons: &mut Vec<Reason>, reason: Reason) {
    if !reasons.contains(&reason) {
        reasons.push(reason);
    }
}

/// Pre mode as the plan sees it (Changesets' `PreInfo`).
struct PreInfo<'a> {
    state: &'a PreState,
    /// Per package: the next pre-release counter, where Changesets has one.
    numbers: Vec<Option<u64>>,
}

/// Everything the steps share.
pub(super) struct Context<'a> {
    index: &'a Index<'a>,
    packages: &'a [Package],
    config: &'a PlanConfig,
    resolved: &'a Resolved,
    dependents: Vec<Vec<usize>>,
    pre: Option<PreInfo<'a>>,
}

impl<'a> Context<'a> {
    /// Builds the dependents graph and the pre-release counters.
    pub(super) fn new(
        index: &'a Index<'a>,
        config: &'a PlanConfig,
        resolved: &'a Resolved,
        pre: Option<&'a PreState>,
    ) -> Result<Context<'a>, PlanError> {
        let packages = index.packages();
        let dependents = graph::dependents(
            index,
            false,
            config.bump_versions_with_workspace_protocol_only,
        );
        let pre = match pre {
            None => None,
            Some(state) => {
                if semver::Prerelease::new(&format!("{}.0", state.tag)).is_err() {
                    return Err(PlanError::Input(cargo_relflow_sync::InputError::new(
                        format!(
                            "the pre-release tag `{}` is not a valid semver pre-release identifier",
                            state.tag
                        ),
                    )));
                }
                let mut numbers = vec![None; packages.len()];
                for (i, package) in packages.iter().enumerate() {
                    if let (false, Some(v)) = (resolved.skipped[i], &package.version) {
                        numbers[i] = Some(versions::next_pre_number(v)?);
                    }
                }
                for group in resolved.fixed.iter().chain(&resolved.linked) {
                    let mut highest = 0;
                    for &member in group {
                        if let Some(v) = &packages[member].version {
                            highest = highest.max(versions::next_pre_number(v)?);
                        }
                    }
                    for &member in group {
                        numbers[member] = Some(highest);
                    }
                }
                Some(PreInfo { state, numbers })
            }
        };
        Ok(Context {
            index,
            packages,
            config,
            resolved,
            dependents,
            pre,
        })
    }

    fn resolve(&self, changeset: &Changeset, name: &str, line: usize) -> Result<usize, PlanError> {
        self.index.resolve(name).map_err(|error| {
            let (ecosystem, plain) = split_qualified(name);
            let exists = self
                .packages
                .iter()
                .any(|p| p.name == plain && ecosystem.is_none_or(|e| e == p.ecosystem));
            if exists {
                PlanError::Input(
                    error
                        .with_path(format!(".changeset/{}.md", changeset.id))
                        .with_line(line),
                )
            } else {
                PlanError::NotInWorkspace {
                    changeset: changeset.id.clone(),
                    package: name.to_owned(),
                    line,
                }
            }
        })
    }

    /// `getRelevantChangesets`: validates names and mixed changesets; in pre mode drops the
    /// changesets already versioned (ids starting `pre/`, or listed in a v2 pre.json).
    pub(super) fn relevant_changesets<'c>(
        &self,
        changesets: &'c [Changeset],
    ) -> Result<Vec<&'c Changeset>, PlanError> {
        for changeset in changesets {
            let mut skipped = Vec::new();
            let mut not_skipped = Vec::new();
            for release in &changeset.releases {
                let index = self.resolve(changeset, &release.name, release.line)?;
                if self.resolved.skipped[index] {
                    skipped.push(release.name.clone());
                } else {
                    not_skipped.push(release.name.clone());
                }
            }
            if !skipped.is_empty() && !not_skipped.is_empty() {
                return Err(PlanError::MixedChangeset {
                    changeset: changeset.id.clone(),
                    skipped,
                    not_skipped,
                });
            }
        }
        Ok(match &self.pre {
            Some(pre) if pre.state.mode == PreMode::Pre => changesets
                .iter()
                .filter(|c| !c.id.starts_with("pre/") && !pre.state.changesets.contains(&c.id))
                .collect(),
            _ => changesets.iter().collect(),
        })
    }

    /// `flattenReleases`: one release per non-skipped package, the highest bump of its changesets.
    pub(super) fn flatten(&self, changesets: &[&Changeset]) -> Result<Releases, PlanError> {
        let mut releases = Releases::new(self.packages.len());
        for changeset in changesets {
            for release in &changeset.releases {
                let pkg = self.resolve(changeset, &release.name, release.line)?;
                if self.resolved.skipped[pkg] {
                    continue;
                }
                let reason = Reason::Changeset(changeset.id.clone());
                match releases.get_mut(pkg) {
                    Some(existing) => {
                        existing.bump = existing.bump.max(release.bump);
                        existing.changesets.push(changeset.id.clone());
                        add_reason(&mut existing.reasons, reason);
                    }
                    None => releases.set(Internal {
                        pkg,
                        bump: release.bump,
                        old: self.packages[pkg].version.clone(),
                        changesets: vec![changeset.id.clone()],
                        reasons: vec![reason],
                    }),
                }
            }
        }
        Ok(releases)
    }

    /// `incrementVersion`: the next version, with `-<tag>.<N>` in pre mode.
    fn increment(&self, pkg: usize, bump: Bump, old: Option<&Version>) -> Option<Version> {
        let old = old?;
        if bump == Bump::None {
            return Some(old.clone());
        }
        let next = versions::inc(old, bump);
        match &self.pre {
            Some(pre) if pre.state.mode == PreMode::Pre => {
                let n = pre.numbers[pkg].unwrap_or(0);
                Some(versions::with_pre(next, &pre.state.tag, n))
            }
            _ => Some(next),
        }
    }

    /// `determineDependents`: releases the dependents whose requirements the releases leave.
    pub(super) fn determine_dependents(&self, releases: &mut Releases) -> bool {
        let mut updated = false;
        let mut queue: std::collections::VecDeque<(usize, Bump, Option<Version>)> = releases
            .list
            .iter()
            .map(|r| (r.pkg, r.bump, r.old.clone()))
            .collect();
        let always = self.config.update_internal_dependents == UpdateInternalDependents::Always;
        while let Some((dependency, bump, old)) = queue.pop_front() {
            let next = self.increment(dependency, bump, old.as_ref());
            let mut changes = Vec::new();
            for &dependent in &self.dependents[dependency] {
                let requirements = graph::requirements(
                    self.index,
                    &self.packages[dependent],
                    &self.packages[dependency],
                    old.as_ref(),
                );
                let mut new_bump: Option<Bump> = None;
                let mut reason = None;
                if self.resolved.skipped[dependent] {
                    new_bump = Some(Bump::None);
                    reason = self.packages[dependent]
                        .deps
                        .iter()
                        .find(|d| d.name == self.packages[dependency].name)
                        .map(|d| d.requirement.clone());
                } else if bump != Bump::None {
                    let unreleased = releases.get(dependent).is_none_or(|r| r.bump == Bump::None);
                    for requirement in &requirements {
                        let satisfied = next.as_ref().is_some_and(|v| {
                            self.index.satisfies(
                                self.packages[dependent].ecosystem,
                                &requirement.range,
                                v,
                            ) == Some(true)
                        });
                        if !unreleased || (!always && satisfied) {
                            continue;
                        }
                        let candidate = if requirement.kind == DepKind::Dev {
                            Bump::None
                        } else {
                            Bump::Patch
                        };
                        if new_bump.is_none_or(|b| b < candidate) {
                            new_bump = Some(candidate);
                            reason = Some(requirement.written.clone());
                        }
                    }
                }
                let Some(new_bump) = new_bump else { continue };
                if releases.get(dependent).is_some_and(|r| r.bump == new_bump) {
                    continue;
                }
                changes.push((dependent, new_bump, reason.unwrap_or_default()));
            }
            for (dependent, new_bump, requirement) in changes {
                updated = true;
                let mut reasons = releases
                    .get(dependent)
                    .map(|r| r.reasons.clone())
                    .unwrap_or_default();
                add_reason(
                    &mut reasons,
                    Reason::Dependency {
                        name: display_name(self.index, dependency),
                        requirement,
                    },
                );
                let release = Internal {
                    pkg: dependent,
                    bump: new_bump,
                    old: self.packages[dependent].version.clone(),
                    changesets: Vec::new(),
                    reasons,
                };
                queue.push_back((dependent, new_bump, release.old.clone()));
                releases.set(release);
            }
        }
        updated
    }

    /// The highest current version among `group`'s members (`getCurrentHighestVersion`).
    fn highest_version(&self, group: &[usize]) -> Option<Version> {
        let mut highest: Option<&Version> = None;
        for &member in group {
            if let Some(v) = &self.packages[member].version {
                if highest.is_none_or(|h| versions::compare(v, h).is_gt()) {
                    highest = Some(v);
                }
            }
        }
        highest.cloned()
    }

    /// The highest bump among the releasing members of `group`, if any member is releasing.
    fn group_bump(&self, releases: &Releases, group: &[usize]) -> Option<Bump> {
        releases
            .list
            .iter()
            .filter(|r| group.contains(&r.pkg) && r.bump != Bump::None)
            .map(|r| r.bump)
            .max()
    }

    /// `matchFixedConstraint`: every non-skipped member of a releasing fixed group is released
    /// with the group's highest bump from the group's highest version.
    pub(super) fn match_fixed_constraint(&self, releases: &mut Releases) -> bool {
        let mut updated = false;
        for group in &self.resolved.fixed {
            let Some(bump) = self.group_bump(releases, group) else {
                continue;
            };
            let highest = self.highest_version(group);
            for &member in group {
                if self.resolved.skipped[member] {
                    continue;
                }
                match releases.get_mut(member) {
                    None => {
                        updated = true;
                        releases.set(Internal {
                            pkg: member,
                            bump,
                            old: highest.clone(),
                            changesets: Vec::new(),
                            reasons: vec![Reason::FixedGroup],
                        });
                    }
                    Some(release) => {
                        if release.bump != bump || release.old != highest {
                            updated = true;
                            release.bump = bump;
                            release.old = highest.clone();
                            add_reason(&mut release.reasons, Reason::FixedGroup);
                        }
                    }
                }
            }
        }
        updated
    }

    /// `applyLinks`: the releasing members of a linked group get the group's highest bump and
    /// highest version.
    pub(super) fn apply_links(&self, releases: &mut Releases) -> bool {
        let mut updated = false;
        for group in &self.resolved.linked {
            let Some(bump) = self.group_bump(releases, group) else {
                continue;
            };
            let highest = self.highest_version(group);
            for release in releases.list.iter_mut() {
                if !group.contains(&release.pkg) || release.bump == Bump::None {
                    continue;
                }
                if release.bump != bump || release.old != highest {
                    updated = true;
                    release.bump = bump;
                    release.old = highest.clone();
                    add_reason(&mut release.reasons, Reason::LinkedGroup);
                }
            }
        }
        updated
    }

    /// On pre exit, patches every non-skipped package whose pre-release counter is not 0.
    pub(super) fn apply_pre_exit(&self, releases: &mut Releases) {
        let Some(pre) = &self.pre else { return };
        if pre.state.mode != PreMode::Exit {
            return;
        }
        for (pkg, package) in self.packages.iter().enumerate() {
            if self.resolved.skipped[pkg] || pre.numbers[pkg].is_none_or(|n| n == 0) {
                continue;
            }
            match releases.get_mut(pkg) {
                None => releases.set(Internal {
                    pkg,
                    bump: Bump::Patch,
                    old: package.version.clone(),
                    changesets: Vec::new(),
                    reasons: vec![Reason::PreExit],
                }),
                Some(release) if release.bump == Bump::None => {
                    release.bump = Bump::Patch;
                    add_reason(&mut release.reasons, Reason::PreExit);
                }
                Some(_) => {}
            }
        }
    }

    /// The final release: its new version, plain or snapshot (`suffix` non-empty).
    pub(super) fn finish(&self, release: Internal, suffix: &str) -> Result<Release, PlanError> {
        let Internal {
            pkg,
            bump,
            old,
            changesets,
            reasons,
        } = release;
        let Some(old_version) = old else {
            return Ok(Release {
                package: pkg,
                bump,
                old_version: Version::new(0, 0, 0),
                new_version: Version::new(0, 0, 0),
                changesets,
                reasons,
                versioned: false,
            });
        };
        let calculated = self
            .increment(pkg, bump, Some(&old_version))
            .unwrap_or_else(|| old_version.clone());
        let new_version = if suffix.is_empty() || bump == Bump::None {
            calculated
        } else {
            let base = if self.config.snapshot.use_calculated_version {
                calculated.to_string()
            } else {
                "0.0.0".to_owned()
            };
            let text = format!("{base}-{suffix}");
            Version::parse(&text).map_err(|e| {
                PlanError::Snapshot(format!(
                    "Failed to compose snapshot version: \"{text}\" is not a valid version ({e})"
                ))
            })?
        };
        Ok(Release {
            package: pkg,
            bump,
            old_version,
            new_version,
            changesets,
            reasons,
            versioned: true,
        })
    }
}
